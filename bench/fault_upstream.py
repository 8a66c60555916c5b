"""Upstream outage: the mailbox server (Postfix's smtp-sink) is down while smtp-source sends
through mailhub, then comes back; everything must arrive after the retries.

    .venv/bin/python bench/fault_upstream.py --messages 500 --down 8
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import MailhubProcess, SmtpSink, Workdir, free_port, report, smtp_source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--down", type=float, default=8.0, help="seconds the upstream stays down")
    args = parser.parse_args()

    work = Workdir().path
    port = free_port()
    mailhub = MailhubProcess(work / "mailhub", port)
    mailhub.prepare()
    mailhub.start()
    sink = SmtpSink(work, port)
    try:
        smtp_source(mailhub.submission_port, args.messages, args.sessions)
        acked = set(mailhub.accepted_message_ids())
        time.sleep(args.down)
        sink.start()
        up_at = time.monotonic()
        sink.wait_for_ids(acked)
        missing = acked - set(sink.message_ids())
        report(f"upstream down for {args.down:.0f} s, then up", [
            ("acknowledged", str(len(acked))),
            ("arrived", str(len(set(sink.message_ids())))),
            ("acknowledged but missing", str(len(missing))),
            ("all arrived within", f"{time.monotonic() - up_at:.1f} s of the upstream coming back"),
        ])
        if missing:
            sys.exit(1)
    finally:
        mailhub.stop()
        sink.stop()


if __name__ == "__main__":
    main()
