# Shared by bench/*/run.sh: data location, the machine header, load accounting, process helpers.
# Source it after setting HERE (the script's directory); it sets ROOT, SHARED_DATA, FERRITE_BIN.

ROOT="$(cd "$HERE/../.." && pwd)"
SHARED_DATA="${SHARED_DATA:-$ROOT/../shared/data}"
FERRITE_BIN="${FERRITE_BIN:-$ROOT/target/release/ferrite}"
BOOST="${BOOST:-1}"          # 1: give the benchmark's autogroups nice -20 (see bench/README.md)
# The harness's own variables stay out of the servers' environment (FERRITE_* names settings).
export -n FERRITE_BIN

die() { echo "error: $*" >&2; exit 1; }

# need_data SUBDIR : skip the whole benchmark (exit 0) with a message when the real data is absent.
need_data() {
  if [ ! -d "$SHARED_DATA/$1" ]; then
    echo "SKIPPING $(basename "$HERE"): $SHARED_DATA/$1 is absent (the real data lives outside the repository;"
    echo "set SHARED_DATA to its folder). Nothing was measured."
    exit 0
  fi
}

need_binary() {
  [ -x "$FERRITE_BIN" ] || die "no Ferrite binary at $FERRITE_BIN: cargo build --release -p ferrite (or set FERRITE_BIN)"
}

# boost PID : nice -20 for PID's scheduler autogroup (its session), so another engineer's compile
# in another session takes less of the benchmark's CPU. Root only; a no-op otherwise.
boost() {
  [ "$BOOST" = 1 ] && [ -w "/proc/$1/autogroup" ] && echo -20 >"/proc/$1/autogroup" 2>/dev/null || true
}

# The script runs in a session of its own (so boosting it touches nothing else).
own_session() {
  if [ -z "${BENCH_OWN_SESSION:-}" ] && command -v setsid >/dev/null; then
    # FERRITE_BIN is no longer exported (above): pass it on explicitly.
    BENCH_OWN_SESSION=1 FERRITE_BIN="$FERRITE_BIN" exec setsid --wait "$0" "$@"
  fi
  boost $$
}

machine_header() {
  local head; head="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
  local dirty=""; git -C "$ROOT" diff --quiet 2>/dev/null || dirty=" (uncommitted changes in the tree)"
  echo "# $1: nproc=$(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(date -u '+%F %H:%M UTC'), HEAD $head$dirty"
  echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg); autogroup nice -20: $([ "$BOOST" = 1 ] && echo yes || echo no)"
  local load1; load1="$(cut -d' ' -f1 /proc/loadavg)"
  awk -v l="$load1" 'BEGIN { exit !(l > 0.5) }' && echo "WARNING: 1-min load average is $load1: other work is running; see the CPU lines" >&2
  return 0
}

# watch_start / watch_stop : CPU taken by other processes during a phase (bench/lib/cpuwatch.py).
# watch_start FILE [PID...] : the PIDs (daemons the benchmark started) count as ours too.
watch_start() {
  local out=$1 roots=(--root $$); shift
  for pid in "$@"; do roots+=(--root "$pid"); done
  python3 "$ROOT/bench/lib/cpuwatch.py" "${roots[@]}" >"$out" & WATCH_PID=$!
}
# watch_stop must run in the script's own shell (not in a pipe or $(...)): it waits for the watcher.
watch_stop() {
  if [ -n "${WATCH_PID:-}" ]; then kill -TERM "$WATCH_PID" 2>/dev/null || true; wait "$WATCH_PID" 2>/dev/null || true; fi
  WATCH_PID=
}

# cargo_target_bin PACKAGE bench|example NAME : builds a bench target (bench profile, which
# inherits release) or an example (release) and prints its path. `-p ferrite` is in the build so
# that dependency features unify as for the release binary, which then needs no rebuild.
cargo_target_bin() {
  local pkg=$1 kind=$2 name=$3
  local cmd=(build --release)
  [ "$kind" = bench ] && cmd=(bench --no-run)
  (cd "$ROOT" && cargo "${cmd[@]}" -p ferrite -p "$pkg" "--$kind" "$name" --message-format=json 2>"$WORK/cargo-$name.log") |
    python3 -c '
import json, sys
name = sys.argv[1]
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == name and m.get("executable"):
        print(m["executable"])' "$name"
}

# bench_config FILE : a Ferrite config file with the default plans and a `Bench` plan of 10^12 parts
# a month, so that no run reaches a limit (the benchmarks measure answers, not refusals).
bench_config() {
  cat >"$1" <<'TOML'
[[plans]]
name = "Evaluation"
parts_per_month = 1000
lifetime = true
[[plans]]
name = "Standard"
parts_per_month = 2000
[[plans]]
name = "Pro"
parts_per_month = 20000
[[plans]]
name = "Enterprise"
parts_per_month = 1000000
[[plans]]
name = "Bench"
parts_per_month = 1000000000000
TOML
}
