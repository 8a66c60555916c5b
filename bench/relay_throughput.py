"""Relay throughput: Postfix's smtp-source pushes N messages into a relay that forwards them to
Postfix's smtp-sink. The relay is mailhub, then a private Postfix instance as the reference,
in the same run on the same machine. Reported: rates and the ratio mailhub / Postfix, and
whether every message mailhub acknowledged arrived.

    .venv/bin/python bench/relay_throughput.py --messages 3000 --sessions 20 --size 5000
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PostfixInstance, SmtpSink, Workdir, mailhub_to_sink, report, smtp_source, use_private_schema


def run_postfix(work: Path, messages: int, sessions: int, recipients: int, size: int) -> dict[str, float]:
    sink = SmtpSink(work).start()
    postfix = PostfixInstance(work, sink.port).start()
    try:
        accept = smtp_source(postfix.port, messages, sessions, recipients, size)
        assert isinstance(accept, float)
        total = accept + sink.wait_for(messages, timeout=600)
        return {"accept_seconds": accept, "end_to_end_seconds": total, "arrived": len(sink.message_ids())}
    finally:
        postfix.stop()
        sink.stop()


def run_mailhub(work: Path, messages: int, sessions: int, recipients: int, size: int) -> dict[str, float]:
    sink, mailhub = mailhub_to_sink(work)
    try:
        accept = smtp_source(mailhub.submission_port, messages, sessions, recipients, size)
        assert isinstance(accept, float)
        total = accept + sink.wait_for(messages, timeout=900)
        acked = set(mailhub.accepted_message_ids())
        arrived = set(sink.message_ids())
        return {"accept_seconds": accept, "end_to_end_seconds": total, "arrived": len(arrived),
                "acknowledged": len(acked), "acknowledged_missing": len(acked - arrived)}
    finally:
        mailhub.stop()
        sink.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--recipients", type=int, default=1)
    parser.add_argument("--size", type=int, default=5000, help="bytes of body per message (smtp-source -l)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    engine = use_private_schema()
    work = Workdir().path
    postfix = run_postfix(work, args.messages, args.sessions, args.recipients, args.size)
    mailhub = run_mailhub(work, args.messages, args.sessions, args.recipients, args.size)
    result = {
        "database": engine, "messages": args.messages, "sessions": args.sessions, "recipients": args.recipients,
        "size": args.size,
        "postfix": postfix, "mailhub": mailhub,
        "accept_rate_ratio": postfix["accept_seconds"] / mailhub["accept_seconds"],
        "end_to_end_ratio": postfix["end_to_end_seconds"] / mailhub["end_to_end_seconds"],
    }
    if args.json:
        print(json.dumps(result))
        return
    n = args.messages
    report(f"relay throughput on {engine}, {n} messages of {args.size} bytes x {args.recipients} recipient(s), "
           f"{args.sessions} sessions", [
        ("postfix accept", f"{n / postfix['accept_seconds']:.0f} msg/s"),
        ("postfix end to end", f"{n / postfix['end_to_end_seconds']:.0f} msg/s"),
        ("mailhub accept", f"{n / mailhub['accept_seconds']:.0f} msg/s"),
        ("mailhub end to end", f"{n / mailhub['end_to_end_seconds']:.0f} msg/s"),
        ("ratio accept (mailhub/postfix)", f"{result['accept_rate_ratio']:.2f}"),
        ("ratio end to end (mailhub/postfix)", f"{result['end_to_end_ratio']:.2f}"),
        ("mailhub acknowledged / arrived", f"{mailhub['acknowledged']} / {mailhub['arrived']}"),
        ("acknowledged but missing", str(mailhub["acknowledged_missing"])),
    ])
    if mailhub["acknowledged_missing"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
