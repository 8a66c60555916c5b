"""Two `mailhub serve` nodes on one PostgreSQL, fed by Postfix's smtp-source, relaying to Postfix's
smtp-sink. One node is SIGKILLed mid-load: every acknowledged message must still arrive (the
other node takes over the dead node's claims after the lease); what was in flight may arrive
twice and is reported.

    MAILHUB_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/scaleout_two_nodes.py --messages 2000
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import MailhubProcess, SmtpSink, Workdir, free_port, private_schema, report, smtp_source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--kill-after", type=float, default=2.0)
    parser.add_argument("--lease", type=int, default=10, help="MAILHUB_CLAIM_LEASE_SECONDS for the run")
    args = parser.parse_args()
    base = os.environ.get("MAILHUB_BENCH_DATABASE_URL") or os.environ.get("MAILHUB_TEST_DATABASE_URL")
    if not base:
        sys.exit("set MAILHUB_BENCH_DATABASE_URL to a PostgreSQL database")
    os.environ["MAILHUB_BENCH_DATABASE_URL"] = private_schema(base)
    os.environ["MAILHUB_CLAIM_LEASE_SECONDS"] = str(args.lease)

    work = Workdir().path
    sink = SmtpSink(work).start()
    first = MailhubProcess(work / "node1", sink.port)
    first.prepare()
    second = MailhubProcess(work / "node2", sink.port, free_port(), free_port())  # same database as the first
    second.home.mkdir(parents=True, exist_ok=True)
    first.start()
    second.start()
    started = time.monotonic()
    try:
        half = args.messages // 2
        feeds = [smtp_source(node.submission_port, half, args.sessions, background=True) for node in (first, second)]
        time.sleep(args.kill_after)
        first.kill()
        for feed in feeds:
            assert isinstance(feed, subprocess.Popen)
            feed.wait(120)
        acked = set(second.accepted_message_ids())
        sink.wait_for_ids(acked)
        arrived = collections.Counter(sink.message_ids())
        missing = acked - set(arrived)
        duplicates = sum(n - 1 for n in arrived.values() if n > 1)
        report("two nodes on PostgreSQL, one SIGKILLed mid-load", [
            ("acknowledged (both nodes)", str(len(acked))),
            ("arrived (distinct)", str(len(arrived))),
            ("acknowledged but missing", str(len(missing))),
            ("arrived twice (in flight at the kill)", str(duplicates)),
            ("all delivered after", f"{time.monotonic() - started:.1f} s (lease {args.lease} s)"),
        ])
        if missing:
            sys.exit(1)
    finally:
        second.stop()
        sink.stop()


if __name__ == "__main__":
    main()
