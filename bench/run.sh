#!/usr/bin/env bash
# Runs every relay benchmark against real Postfix peers on this machine (loopback only).
# Installs Debian's postfix (smtp-source, smtp-sink and the reference MTA) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v smtp-source >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null
fi
PY=.venv/bin/python
# Issue 13's two ratios (fan-out, relay; each the median of three runs), on SQLite and, beside them, on PostgreSQL.
MAILHUB_BENCH_DATABASE_URL="${MAILHUB_BENCH_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}" \
  $PY bench/ratios.py --officials "${BENCH_OFFICIALS:-10000}" --messages "${BENCH_MESSAGES:-3000}" --runs "${BENCH_RUNS:-3}"
$PY bench/memory.py --messages 10 --megabytes 24
$PY bench/fault_sigkill.py --messages "${BENCH_MESSAGES:-2000}"
$PY bench/fault_upstream.py --messages 500 --down 8
$PY bench/inbound_trust.py
$PY bench/dkim_through_postfix.py
$PY bench/policy_throughput.py --seconds 3
$PY bench/ocr_throughput.py --seconds 10
$PY bench/usage_report.py --officials 10000 --log-rows 500000
MAILHUB_BENCH_DATABASE_URL="${MAILHUB_BENCH_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}" $PY bench/scaleout_two_nodes.py --messages 1000
