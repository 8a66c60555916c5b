"""The two speed ratios of issue 13, side by side: the fan-out of one notice to a province of N
officials, and relay throughput (5 KB messages over 20 sessions), each against Postfix in the same
run on this machine. SQLite first (the goal is set on it); PostgreSQL beside it when
MAILHUB_BENCH_DATABASE_URL is set (a fresh schema of that database per run). Above 1: mailhub
is faster than Postfix.

    .venv/bin/python bench/ratios.py --officials 10000 --messages 3000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(script: str, *args: str, database_url: str | None) -> dict[str, object]:
    env = dict(os.environ)
    env.pop("MAILHUB_BENCH_DATABASE_URL", None)
    if database_url:
        env["MAILHUB_BENCH_DATABASE_URL"] = database_url
    done = subprocess.run([sys.executable, str(HERE / script), *args, "--json"], env=env, check=False,
                          stdout=subprocess.PIPE, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"{script} printed no result (exit {done.returncode})")
    result: dict[str, object] = json.loads(lines[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--officials", type=int, default=10000)
    parser.add_argument("--messages", type=int, default=3000)
    args = parser.parse_args()
    databases: list[tuple[str, str | None]] = [("sqlite", None)]
    if os.environ.get("MAILHUB_BENCH_DATABASE_URL"):
        databases.append(("postgresql", os.environ["MAILHUB_BENCH_DATABASE_URL"]))
    rows = []
    for name, url in databases:
        fanout = run("fanout.py", "--officials", str(args.officials), database_url=url)
        relay = run("relay_throughput.py", "--messages", str(args.messages), "--sessions", "20", "--size", "5000",
                    database_url=url)
        mailhub, postfix = fanout["mailhub"], fanout["postfix"]
        assert isinstance(mailhub, dict) and isinstance(postfix, dict)
        rows.append((name, fanout["ratio"], postfix["seconds"], mailhub["seconds"], mailhub["notice_send_seconds"],
                     mailhub["peak_rss_mb"], relay["end_to_end_ratio"], relay["accept_rate_ratio"]))
    print(f"\n== speed ratios (Postfix / mailhub time; above 1: mailhub is faster), {args.officials} officials, "
          f"{args.messages} relayed messages")
    for name, ratio, pf, mh, send, rss, relay_ratio, accept_ratio in rows:
        print(f"  {name:<10} fan-out {ratio:.2f} (Postfix {pf:.2f} s, mailhub {mh:.2f} s of which `notice send` "
              f"{send:.2f} s; serve peak RSS {rss:.0f} MB)")
        print(f"  {'':<10} relay end to end {relay_ratio:.2f}, accept {accept_ratio:.2f}")


if __name__ == "__main__":
    main()
