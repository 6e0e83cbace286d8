#!/usr/bin/env bash
# The fault suite (issue 13): attacks and operator faults against a real binary, loopback only,
# each bounded in count and time. See faults.py for the scenarios (`run.sh --list`).
#   bench/faults/run.sh                 # all scenarios, BIN=target/release/ferrite
#   BIN=target/debug/ferrite bench/faults/run.sh slowloris nesting
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib/common.sh"
export BIN="${BIN:-$FERRITE_BIN}"
PLANS_FILE="$(mktemp /tmp/ferrite-faults-plans.XXXXXX)"
trap 'rm -f "$PLANS_FILE"' EXIT
bench_config "$PLANS_FILE"
export PLANS_FILE
[ "${1:-}" = --list ] || machine_header "fault suite"
python3 "$HERE/faults.py" "$@"
