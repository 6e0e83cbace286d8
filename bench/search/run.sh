#!/usr/bin/env bash
# MPN and keyword search latency on the full catalogue, in process
# (crates/ferrite-supply/benches/mpn_search.rs): the BOMs' MPNs as supSearchMpn asks, then their
# values and sizes ("10k 0603 resistor", bench/lib/keyword_queries.py) as supSearch asks.
#   bench/search/run.sh      # needs the catalogue that bench/import/run.sh leaves in $DATA_DIR
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib/common.sh"
own_session "$@"
need_data jlcparts
need_data boms/kicad

DATA_DIR="${DATA_DIR:-/tmp/ferrite-bench/catalogue}"
ROUNDS="${ROUNDS:-20}"
WORK="$(mktemp -d /tmp/ferrite-bench-search.XXXXXX)"
trap 'rc=$?; [ -n "${WATCH_PID:-}" ] && kill "$WATCH_PID" 2>/dev/null; [ $rc -eq 0 ] && rm -rf "$WORK" || echo "failed (exit $rc); logs in $WORK" >&2' EXIT
[ -s "$DATA_DIR/ferrite-catalogue.db" ] || die "no catalogue in $DATA_DIR: run bench/import/run.sh first (or set DATA_DIR)"

machine_header "MPN search benchmark (in process)"
QUERIES="$DATA_DIR/mpn-queries.jsonl"
python3 "$ROOT/bench/lib/mpn_queries.py" "$DATA_DIR/ferrite-catalogue.db" "$SHARED_DATA/boms/kicad" "$QUERIES"
BIN="$(cargo_target_bin ferrite-supply bench mpn_search)"
[ -x "$BIN" ] || die "could not build mpn_search (see $WORK/cargo-mpn_search.log)"
watch_start "$WORK/cpu.txt"
"$BIN" "$DATA_DIR" "$QUERIES" --rounds "$ROUNDS"
watch_stop; cat "$WORK/cpu.txt"
SEARCH_SET="${SEARCH_SET:-$ROOT/../shared/search}"
if [ -f "$SEARCH_SET/dev-queries.json" ]; then
  KEYWORDS="$DATA_DIR/keyword-queries.jsonl"
  python3 "$ROOT/bench/lib/keyword_queries.py" "$SHARED_DATA/boms/kicad" "$SEARCH_SET/dev-queries.json" "$WORK/held-out.json" "$KEYWORDS"
  watch_start "$WORK/cpu-keyword.txt"
  "$BIN" "$DATA_DIR" "$KEYWORDS" --rounds "$ROUNDS" --keyword
  watch_stop; cat "$WORK/cpu-keyword.txt"
else
  echo "SKIPPING the keyword queries: no $SEARCH_SET/dev-queries.json (set SEARCH_SET)"
fi
