"""Memory: ten large messages in flight at once. Ten SMTP clients each send one message of
``--megabytes`` MB to `mailhub serve` (relaying to Postfix's smtp-sink); reported: the peak RSS of
the serve process (VmHWM; the content checkers are processes of their own), and whether every
message arrived. The listeners hold at most MAILHUB_DATA_MEMORY_MB of declared-large mail at once:
the other clients wait before 354 (``mailhub.smtp.data_memory``). Beside it, the sum over the whole
process tree, sampled: what the machine gives the service.

    .venv/bin/python bench/memory.py --messages 10 --megabytes 24
"""

from __future__ import annotations

import argparse
import smtplib
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DOMAIN, SENDER, Workdir, mailhub_to_sink, report


def photo(megabytes: float) -> bytes:
    """A noisy JPEG of about ``megabytes`` MB once base64-encoded (noise does not compress)."""
    import io
    import math
    import os

    from PIL import Image

    pixels = megabytes * 0.75 * 1.03e6  # about one byte per pixel at quality 92
    width = int(math.sqrt(pixels * 4 / 3))
    height = int(pixels / width)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def message(number: int, picture: bytes) -> bytes:
    """A short letter with a photo attached (ordinary pictures pass the gate unread)."""
    from email.message import EmailMessage

    letter = EmailMessage()
    letter["From"], letter["To"], letter["Subject"] = SENDER, f"vinhnq@{DOMAIN}", f"Ảnh hiện trường {number}"
    letter["Message-ID"] = f"<big{number}.{time.time()}@{DOMAIN}>"
    letter.set_content("Gửi anh ảnh chụp hiện trường buổi kiểm tra.\n")
    letter.add_attachment(picture, maintype="image", subtype="jpeg", filename=f"hien-truong-{number}.jpg")
    return letter.as_bytes(policy=SMTP_POLICY)


def rss_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(root: int) -> dict[int, int]:
    """RSS of a process and all its descendants (delivery, commands, the content checkers), by pid."""
    parents: dict[int, int] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            ppid = next(int(line.split()[1]) for line in status.read_text().splitlines() if line.startswith("PPid:"))
        except (OSError, StopIteration, ValueError):
            continue
        parents[int(status.parent.name)] = ppid
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, ppid in parents.items() if ppid in tree} - tree
        tree |= more
        grew = bool(more)
    return {pid: rss_kb(pid, "VmRSS") for pid in tree}


class TreeSampler(threading.Thread):
    """The sum of the serve tree's RSS, sampled every 50 ms: the peak of all its processes at once."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root, self.peak_kb, self.done = root, 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            self.peak_kb = max(self.peak_kb, sum(tree_rss_kb(self.root).values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--megabytes", type=float, default=24.0)
    args = parser.parse_args()
    work = Workdir().path
    sink, mailhub = mailhub_to_sink(work)
    mailhub.wait_ready()
    assert mailhub.process is not None
    pid = mailhub.process.pid
    picture = photo(args.megabytes)
    idle_kb = sum(tree_rss_kb(pid).values())
    sampler = TreeSampler(pid)
    sampler.start()
    try:
        def send(number: int) -> None:
            with smtplib.SMTP("127.0.0.1", mailhub.submission_port, timeout=300) as client:
                client.sendmail(SENDER, [f"vinhnq@{DOMAIN}"], message(number, picture))

        with ThreadPoolExecutor(args.messages) as pool:
            futures = [pool.submit(send, n) for n in range(args.messages)]
            for future in futures:
                future.result()
        seconds = sink.wait_for(args.messages, timeout=300)
        arrived = len(sink.message_ids())
        peak = rss_kb(pid, "VmHWM")
        sampler.done.set()
        sampler.join()
    finally:
        mailhub.stop()
        sink.stop()
    report(f"memory, {args.messages} messages of {args.megabytes:g} MB in flight", [
        ("serve peak RSS (VmHWM)", f"{peak / 1024:.0f} MB"),
        ("whole tree, idle / peak", f"{idle_kb / 1024:.0f} / {sampler.peak_kb / 1024:.0f} MB "
                                    "(serve, delivery, commands, content checkers; sampled every 50 ms)"),
        ("arrived", f"{arrived} / {args.messages} ({seconds:.1f} s after the last 250)"),
    ])
    if arrived < args.messages:
        sys.exit(1)


if __name__ == "__main__":
    main()
