#!/usr/bin/env bash
# Slowloris on the loopback: 100 connections sending one header line every 5 s and 50 bodies sent
# a byte every 5 s, for 40 s, against `$BIN serve` with its default timeouts (headers 10 s, bodies
# 30 s + 1 KiB/s). Prints how many stay open and how long a fresh client waits meanwhile.
# Usage: BIN=target/release/ferrite bench/faults/slowloris.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
echo "# slowloris: $(date -u '+%F %H:%M UTC'), $BIN"
start_server
python3 "$HERE/attack.py" slowloris "127.0.0.1:$PORT" --headers "${HEADERS:-100}" --bodies "${BODIES:-50}" \
  --every "${EVERY:-5}" --seconds "${SECONDS_TOTAL:-40}"
server_summary
echo "expected: header connections gone after ~10 s, bodies after ~30 s, fresh GETs answered quickly throughout"
