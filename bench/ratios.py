"""The two speed ratios of issue 13, side by side: the fan-out of one notice to a province of N
officials, and relay throughput (5 KB messages over 20 sessions), each against Postfix in the same
run on this machine. SQLite first (the goal is set on it); PostgreSQL beside it when
MAILHUB_BENCH_DATABASE_URL is set (a fresh schema of that database per run). Above 1: mailhub
is faster than Postfix. Each ratio is the median of ``--runs`` runs (Postfix's own times on a small
shared machine vary by half from run to run), with the range beside it.

    .venv/bin/python bench/ratios.py --officials 10000 --messages 3000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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


def median_run(key: str, script: str, *args: str, runs: int, database_url: str | None) -> tuple[dict[str, Any], str]:
    """The run whose ``key`` is the median of ``runs`` runs, and the range of that key over them."""
    results = sorted((run(script, *args, database_url=database_url) for _ in range(runs)), key=lambda r: float(r[key]))
    middle = results[(len(results) - 1) // 2]
    values = [float(r[key]) for r in results]
    spread = f"median of {runs}: {values[0]:.2f}-{values[-1]:.2f}" if runs > 1 else "one run"
    return middle, spread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--officials", type=int, default=10000)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3, help="runs of each workload; the median is reported")
    args = parser.parse_args()
    databases: list[tuple[str, str | None]] = [("sqlite", None)]
    if os.environ.get("MAILHUB_BENCH_DATABASE_URL"):
        databases.append(("postgresql", os.environ["MAILHUB_BENCH_DATABASE_URL"]))
    print(f"\n== speed ratios (Postfix / mailhub time; above 1: mailhub is faster), {args.officials} officials, "
          f"{args.messages} relayed messages")
    for name, url in databases:
        fanout, fanout_spread = median_run("ratio", "fanout.py", "--officials", str(args.officials), runs=args.runs,
                                           database_url=url)
        relay, relay_spread = median_run("end_to_end_ratio", "relay_throughput.py", "--messages", str(args.messages),
                                         "--sessions", "20", "--size", "5000", runs=args.runs, database_url=url)
        mailhub, postfix = fanout["mailhub"], fanout["postfix"]
        print(f"  {name:<10} fan-out {fanout['ratio']:.2f} ({fanout_spread}; Postfix {postfix['seconds']:.2f} s, "
              f"mailhub {mailhub['seconds']:.2f} s of which `notice send` {mailhub['notice_send_seconds']:.2f} s; "
              f"serve peak RSS {mailhub['peak_rss_mb']:.0f} MB)", flush=True)
        print(f"  {'':<10} relay end to end {relay['end_to_end_ratio']:.2f} ({relay_spread}; Postfix "
              f"{relay['messages'] / relay['postfix']['end_to_end_seconds']:.0f} msg/s, mailhub "
              f"{relay['messages'] / relay['mailhub']['end_to_end_seconds']:.0f} msg/s), "
              f"accept {relay['accept_rate_ratio']:.2f}", flush=True)


if __name__ == "__main__":
    main()
