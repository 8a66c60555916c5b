"""Crash safety: SIGKILL `mailhub serve` in the middle of an smtp-source run, restart it, and
check that every message it acknowledged with 250 reaches Postfix's smtp-sink. Messages that
were in flight at the kill may arrive twice; they are counted and reported.

    .venv/bin/python bench/fault_sigkill.py --messages 2000
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Workdir, mailhub_to_sink, report, smtp_source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--kill-after", type=float, default=2.0, help="seconds into the run")
    args = parser.parse_args()

    work = Workdir().path
    sink, mailhub = mailhub_to_sink(work)
    try:
        source = smtp_source(mailhub.submission_port, args.messages, args.sessions, background=True)
        assert isinstance(source, subprocess.Popen)
        time.sleep(args.kill_after)
        acked_before = len(mailhub.accepted_message_ids())
        mailhub.kill()
        killed_at = time.monotonic()
        source.wait(60)
        mailhub.start()
        second = smtp_source(mailhub.submission_port, args.messages // 4, args.sessions)
        del second
        acked = set(mailhub.accepted_message_ids())
        sink.wait_for_ids(acked)
        arrived = collections.Counter(sink.message_ids())
        missing = acked - set(arrived)
        duplicates = sum(n - 1 for n in arrived.values() if n > 1)
        report("SIGKILL mid-run", [
            ("acknowledged before the kill", str(acked_before)),
            ("acknowledged in all", str(len(acked))),
            ("arrived (distinct)", str(len(arrived))),
            ("acknowledged but missing", str(len(missing))),
            ("arrived twice (in flight at the kill)", str(duplicates)),
            ("drained after restart in", f"{time.monotonic() - killed_at:.1f} s"),
        ])
        if missing:
            print("missing:", sorted(missing)[:20])
            sys.exit(1)
    finally:
        mailhub.stop()
        sink.stop()


if __name__ == "__main__":
    main()
