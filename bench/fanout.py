"""Fan-out: one notice to a whole province. mailhub (`mailhub serve` running) gets
`mailhub notice send --to agency:<ROOT>` for a demo province of N officials; Postfix, the
reference, gets N/1000 messages of 1,000 recipients each from smtp-source. Both relay to
Postfix's smtp-sink, in the same run on the same machine. Reported: seconds until the last
recipient reached the sink, for both, and the ratio Postfix / mailhub (above 1: mailhub is faster).
`notice send` runs as an office system's script runs it, with no terminal on its standard input: the
running server's command process runs it (MAILHUB_COMMAND_SERVER=false: a new interpreter runs it).

    .venv/bin/python bench/fanout.py --officials 10000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import MAILHUB, MailhubProcess, PostfixInstance, SmtpSink, Workdir, report, smtp_source, use_private_schema

ROOT_CODE = "KHANHHOA"  # the demo province (directory/demo.py)
BODY = ("Ủy ban nhân dân tỉnh thông báo kết luận của Chủ tịch UBND tỉnh tại cuộc họp giao ban.\n\n" * 20)


def recipients_arrived(sink: SmtpSink) -> int:
    if not sink.dump.exists():
        return 0
    data = sink.dump.read_bytes()
    return data.count(b"\nX-Rcpt-Args: ") + data.startswith(b"X-Rcpt-Args: ")


def wait_recipients(sink: SmtpSink, count: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if recipients_arrived(sink) >= count:
            return True
        time.sleep(0.05)
    return False


def run_postfix(work: Path, officials: int) -> dict[str, float]:
    sink = SmtpSink(work).start()
    postfix = PostfixInstance(work, sink.port).start()
    try:
        start = time.monotonic()
        accept = smtp_source(postfix.port, max(officials // 1000, 1), 10, recipients=min(officials, 1000))
        assert isinstance(accept, float)
        wait_recipients(sink, officials, timeout=600)
        return {"accept_seconds": accept, "seconds": time.monotonic() - start,
                "recipients_arrived": recipients_arrived(sink)}
    finally:
        postfix.stop()
        sink.stop()


class DemoProvinceMailhub(MailhubProcess):
    """`mailhub serve` over the demo province (directory/demo.py) with ``officials`` officials."""

    officials: int = 10000

    def prepare(self) -> None:
        from common import free_port

        self.submission_port = self.submission_port or free_port()
        self.inbound_port = self.inbound_port or free_port()
        self.home.mkdir(parents=True, exist_ok=True)
        for args in (["db", "upgrade"], ["demo", "seed", "--officials", str(self.officials)]):
            subprocess.run([MAILHUB, *args], env=self.env(), check=True, stdout=subprocess.DEVNULL)


def peak_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_mailhub(work: Path, officials: int) -> dict[str, float]:
    sink = SmtpSink(work).start()
    mailhub = DemoProvinceMailhub(work / "mailhub", sink.port)
    mailhub.officials = officials
    mailhub.prepare()
    mailhub.start()
    try:
        mailhub.wait_ready()  # the content checkers have started, as Postfix's processes have
        start = time.monotonic()
        subprocess.run([MAILHUB, "notice", "send", "--subject", "Kết luận giao ban", "--body", BODY,
                        "--number", "45/TB-UBND", "--to", f"agency:{ROOT_CODE}"],
                       env=mailhub.env(), check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        sent = time.monotonic() - start
        wait_recipients(sink, officials, timeout=900)
        total = time.monotonic() - start
        assert mailhub.process is not None
        return {"notice_send_seconds": sent, "seconds": total, "recipients_arrived": recipients_arrived(sink),
                "peak_rss_mb": peak_rss_kb(mailhub.process.pid) / 1024}
    finally:
        mailhub.stop()
        sink.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--officials", type=int, default=10000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    engine = use_private_schema()
    work = Workdir().path
    postfix = run_postfix(work, args.officials)
    mailhub = run_mailhub(work, args.officials)
    result = {"officials": args.officials, "database": engine, "postfix": postfix, "mailhub": mailhub,
              "ratio": postfix["seconds"] / mailhub["seconds"]}
    if args.json:
        print(json.dumps(result))
    else:
        messages, each = max(args.officials // 1000, 1), min(args.officials, 1000)
        report(f"fan-out on {engine}, one notice to {args.officials} officials (Postfix: {messages} messages x "
               f"{each} recipients)", [
            ("postfix until the last recipient", f"{postfix['seconds']:.2f} s"),
            ("mailhub `notice send`", f"{mailhub['notice_send_seconds']:.2f} s"),
            ("mailhub until the last recipient", f"{mailhub['seconds']:.2f} s"),
            ("ratio (postfix / mailhub)", f"{result['ratio']:.2f}"),
            ("recipients arrived postfix / mailhub",
             f"{postfix['recipients_arrived']:.0f} / {mailhub['recipients_arrived']:.0f}"),
            ("mailhub serve peak RSS", f"{mailhub['peak_rss_mb']:.0f} MB"),
        ])
    if mailhub["recipients_arrived"] < args.officials:
        sys.exit(1)


if __name__ == "__main__":
    main()
