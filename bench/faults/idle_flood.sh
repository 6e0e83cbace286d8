#!/usr/bin/env bash
# Idle flood on the loopback: the server runs under `ulimit -n 1024`; one client opens 1,100 idle
# sockets (more than the server's descriptors) and holds them 30 s. Prints whether fresh clients
# are still served and how many idle sockets the server closed.
# Usage: BIN=target/release/ferrite bench/faults/idle_flood.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
echo "# idle flood: $(date -u '+%F %H:%M UTC'), $BIN"
ulimit -n 4096 # the attacking client itself needs more than 1,100 descriptors
start_server "${SERVER_NOFILE:-1024}"
python3 "$HERE/attack.py" idle "127.0.0.1:$PORT" --sockets "${SOCKETS:-1100}" --every "${EVERY:-5}" --seconds "${SECONDS_TOTAL:-30}"
server_summary
echo "expected: fresh GETs answered within milliseconds; idle sockets beyond max_connections shed oldest first, the rest closed after the 10 s header timeout"
