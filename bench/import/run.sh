#!/usr/bin/env bash
# Full jlcparts import into an empty SQLite data directory (store + search index), next to the
# floor measured in the same run, then a re-import with no changes. See bench/README.md.
#   bench/import/run.sh            # ~3-5 minutes; leaves the catalogue in $DATA_DIR for the
#                                  # search and API benchmarks
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib/common.sh"
own_session "$@"
need_data jlcparts
need_binary

DATA_DIR="${DATA_DIR:-/tmp/ferrite-bench/catalogue}"  # replaced by this run
PERF="${PERF:-0}"                                     # 1: also profile a second full import with perf
SOURCE="$SHARED_DATA/jlcparts"
WORK="$(mktemp -d /tmp/ferrite-bench-import.XXXXXX)"
RESULTS="$WORK/results.md"
trap 'rc=$?; [ -n "${WATCH_PID:-}" ] && kill "$WATCH_PID" 2>/dev/null; [ $rc -eq 0 ] || echo "failed (exit $rc); logs in $WORK" >&2' EXIT
[ -x /usr/bin/time ] || { apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }; }

machine_header "import benchmark"
echo "# input: $SOURCE ($(du -sh "$SOURCE" | cut -f1) compressed, $(ls "$SOURCE"/components-*.jsonl.gz | wc -l) shards)"

# field FILE "Label" : a value from /usr/bin/time -v output
field() { grep -F "$2" "$1" | sed 's/.*: //'; }
# wall clock "h:mm:ss" or "m:ss.xx" -> seconds
seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }' <<<"$1"; }

# --- floors ------------------------------------------------------------------------
# (1) decompression only, one process: every gzip of the layout through zcat into wc -c.
echo "floor 1: zcat (shards + attribute table) | wc -c"
cat "$SOURCE"/*.gz >/dev/null   # the input in the page cache, as for the runs below
watch_start "$WORK/cpu-zcat.txt"
/usr/bin/time -v -o "$WORK/time-zcat.txt" bash -c "zcat '$SOURCE'/components-*.jsonl.gz '$SOURCE'/attributes-lut.json.gz | wc -c" >"$WORK/zcat-bytes.txt"
watch_stop; sed 's/^/  /' "$WORK/cpu-zcat.txt"
ZCAT_S="$(seconds "$(field "$WORK/time-zcat.txt" 'Elapsed (wall clock)')")"
BYTES="$(cat "$WORK/zcat-bytes.txt")"
echo "  $((BYTES / 1000000)) MB of JSON decompressed in ${ZCAT_S}s"

# (2) the jlcparts adapter alone (decompress, parse every line, build every part, on its reader
# threads) into a sink that only counts: the import minus store and index.
echo "floor 2: the jlcparts adapter into a counting sink (crates/ferrite-supply/benches/jlcparts_read.rs)"
READ_BIN="$(cargo_target_bin ferrite-supply bench jlcparts_read)"
[ -x "$READ_BIN" ] || die "could not build jlcparts_read (see $WORK/cargo-jlcparts_read.log)"
watch_start "$WORK/cpu-read.txt"
/usr/bin/time -v -o "$WORK/time-read.txt" "$READ_BIN" "$SOURCE" | tee "$WORK/read.txt" | sed 's/^/  /'
watch_stop; sed 's/^/  /' "$WORK/cpu-read.txt"
READ_S="$(sed -E 's/.*seconds=([0-9.]+).*/\1/' <"$WORK/read.txt")"
READ_RSS="$(field "$WORK/time-read.txt" 'Maximum resident set size')"

# --- full import ------------------------------------------------------------------
# import WHAT : one timed `ferrite import` into $DATA_DIR; sets WALL, RSS, CPU_UTIL.
import() {
  local what=$1
  watch_start "$WORK/cpu-$what.txt"
  FERRITE_LOG="${FERRITE_LOG:-info}" /usr/bin/time -v -o "$WORK/time-$what.txt" \
    "$FERRITE_BIN" import jlcparts "$SOURCE" --data-dir "$DATA_DIR" --json >"$WORK/report-$what.json" 2>"$WORK/log-$what.txt" \
    || { cat "$WORK/log-$what.txt" >&2; die "ferrite import failed"; }
  watch_stop; sed 's/^/  /' "$WORK/cpu-$what.txt"
  WALL="$(seconds "$(field "$WORK/time-$what.txt" 'Elapsed (wall clock)')")"
  RSS="$(field "$WORK/time-$what.txt" 'Maximum resident set size')"
  CPU_UTIL="$(field "$WORK/time-$what.txt" 'Percent of CPU this job got')"
  INDEX_S="$(grep -o 'search index built.*' "$WORK/log-$what.txt" | grep -oE 'seconds=[0-9.]+' | cut -d= -f2 || true)"
  python3 - "$WORK/report-$what.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
keys = ["parts_added", "parts_updated", "parts_unchanged", "parts_repeated", "offers_added",
        "offers_stock_changed", "offers_price_changed", "offers_removed", "skipped", "catalogue_version", "duration_ms"]
print("  report: " + " ".join(f"{k}={r.get(k)}" for k in keys))
PY
  echo "  wall ${WALL}s (store part ${INDEX_S:+$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['duration_ms']/1000)" "$WORK/report-$what.json")s, index ${INDEX_S}s}), peak RSS $((RSS / 1024)) MiB, CPU $CPU_UTIL"
}

echo "full import into an empty data directory: $DATA_DIR"
rm -rf "$DATA_DIR"; mkdir -p "$DATA_DIR"
import full
FULL_WALL=$WALL FULL_RSS=$RSS FULL_CPU=$CPU_UTIL FULL_INDEX=${INDEX_S:-?}
FULL_STORE="$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['duration_ms']/1000)" "$WORK/report-full.json")"
PARTS="$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['parts_added'])" "$WORK/report-full.json")"
echo "  on disk: $(du -sh "$DATA_DIR"/*.db* "$DATA_DIR/search" 2>/dev/null | awk '{ n = split($2, p, "/"); printf "%s %s; ", p[n], $1 }')"

echo "re-import, no changes"
import again
AGAIN_WALL=$WALL AGAIN_RSS=$RSS
CHANGED="$(python3 -c "
import json,sys; r=json.load(open(sys.argv[1]))
print(sum(r[k] for k in ['parts_added','parts_updated','offers_added','offers_stock_changed','offers_price_changed','offers_removed']))" "$WORK/report-again.json")"
[ "$CHANGED" = 0 ] || echo "WARNING: the re-import changed $CHANGED rows; it should change none" >&2

# --- optional profile -----------------------------------------------------------------
if [ "$PERF" = 1 ]; then
  command -v perf >/dev/null || { apt-get install -y linux-perf >/dev/null 2>&1 || die "perf is not installed (apt-get install linux-perf)"; }
  PROFILE_DIR="$WORK/profile"; rm -rf "$PROFILE_DIR"; mkdir -p "$PROFILE_DIR"
  # Release builds have no frame pointers: a flat (self-time) profile of the whole import, and
  # DWARF call graphs for a 30 s window in the middle of the catalogue transaction.
  echo "profiling another full import (perf; timings of this one are not results)"
  FERRITE_LOG=info perf record -F 499 -o "$WORK/perf-flat.data" -- \
    "$FERRITE_BIN" import jlcparts "$SOURCE" --data-dir "$PROFILE_DIR" --json >/dev/null 2>"$WORK/log-perf.txt" &
  PERF_PID=$!
  sleep 40
  IMPORT_PID="$(pgrep -n -f "import jlcparts $SOURCE --data-dir $PROFILE_DIR" || true)"
  [ -n "$IMPORT_PID" ] && perf record -F 99 --call-graph dwarf,16384 -o "$WORK/perf-dwarf.data" -p "$IMPORT_PID" -- sleep 30 >/dev/null 2>&1
  wait "$PERF_PID" || true
  report() { perf report -i "$1" --stdio "${@:2}" 2>/dev/null | grep '%' | grep -v '^#'; }
  report "$WORK/perf-flat.data" --no-children --sort comm | head -12 >"$WORK/perf-threads.txt" || true
  report "$WORK/perf-flat.data" --no-children --sort comm,dso,sym | head -50 >"$WORK/perf-self.txt" || true
  report "$WORK/perf-dwarf.data" --children --sort sym -g none --percent-limit 2 | head -80 >"$WORK/perf-children.txt" || true
  echo "  CPU by thread (whole import):"; sed 's/^/    /' "$WORK/perf-threads.txt"
  echo "  hottest functions, self time (whole import):"; sed 's/^/    /' "$WORK/perf-self.txt"
  echo "  inclusive time, 30 s of the catalogue transaction (DWARF call graphs):"; sed 's/^/    /' "$WORK/perf-children.txt"
  rm -rf "$PROFILE_DIR"
fi

# --- table ------------------------------------------------------------------------
mib() { echo "$(( $1 / 1024 ))"; }
{
  echo "| step | wall s | peak RSS MiB | target | vs floor 2 |"
  echo "|---|---:|---:|---|---:|"
  echo "| floor 1: \`zcat\` all gzips \\| \`wc -c\` ($((BYTES / 1000000)) MB, 1 process) | $ZCAT_S | - | - | - |"
  echo "| floor 2: jlcparts adapter only, counting sink ($(nproc) reader threads) | $READ_S | $(mib "$READ_RSS") | - | 1.0x |"
  echo "| full import, empty SQLite store + index ($PARTS parts) | $FULL_WALL | $(mib "$FULL_RSS") | <= 60 s, < 1536 MiB | $(python3 -c "print(f'{$FULL_WALL/$READ_S:.1f}x')") |"
  echo "| - of which catalogue transaction (report duration_ms) | $FULL_STORE | | | |"
  echo "| - of which search index build (log) | $FULL_INDEX | | | |"
  echo "| re-import, no changes | $AGAIN_WALL | $(mib "$AGAIN_RSS") | <= 20 s | $(python3 -c "print(f'{$AGAIN_WALL/$READ_S:.1f}x')") |"
} | tee "$RESULTS"
echo "RESULT import_full_s=$FULL_WALL import_full_rss_mib=$(mib "$FULL_RSS") import_full_cpu=$FULL_CPU reimport_s=$AGAIN_WALL floor_zcat_s=$ZCAT_S floor_adapter_s=$READ_S parts=$PARTS"
echo "catalogue kept in $DATA_DIR; logs in $WORK"
