#!/usr/bin/env bash
# Charges per second through the store, 16 concurrent writers, SQLite and PostgreSQL, driving
# ferrite_graphql::Meter (group commit) as the server does; and, for comparison, one transaction
# per charge (Store::charge_batch with one charge). Program: crates/ferrite-graphql/examples/charges.rs.
#   bench/charges/run.sh      # ~2 minutes; needs no real data
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib/common.sh"
own_session "$@"
need_binary

SECONDS_PER_RUN="${SECONDS_PER_RUN:-10}"
WRITERS="${WRITERS:-16}"
BACKENDS="${BACKENDS:-sqlite postgres postgres-fsync}"   # postgres: as .ci/postgres starts it (fsync=off)
MODES="${MODES:-meter direct}"
ROUNDS="${ROUNDS:-3}"                 # runs of each mode; the summary shows the median
WORK="$(mktemp -d /tmp/ferrite-bench-charges.XXXXXX)"
RESULTS="$WORK/results.txt"
PG_DIR=""
cleanup() {
  local rc=$?
  [ -z "${WATCH_PID:-}" ] || kill "$WATCH_PID" 2>/dev/null || true
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ]; then
    local as_pg=(); [ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --)
    "${as_pg[@]}" "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  [ "$rc" -eq 0 ] && rm -rf "$WORK" "$PG_DIR" || echo "failed (exit $rc); logs in $WORK" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

machine_header "charges benchmark"
BIN="$(cargo_target_bin ferrite-graphql example charges)"
[ -x "$BIN" ] || die "could not build the charges example (see $WORK/cargo-charges.log)"

bench_config "$WORK/ferrite.toml"

# provision URL -> client id of a supply app with a huge part limit
provision() {
  local url=$1 stamp; stamp="$(date +%s%N)"
  fer() { FERRITE_CONFIG="$WORK/ferrite.toml" FERRITE_LOG=warn "$FERRITE_BIN" "$@" --data-dir "$WORK/data" --database-url "$url"; }
  fer migrate >>"$WORK/setup.log" 2>&1
  printf '%s\n' 'bench-password-Correct-Horse-42' | fer admin user create --email "c-$stamp@example.com" --password-stdin >>"$WORK/setup.log" 2>&1
  fer admin org create --name "charges-$stamp" --owner "c-$stamp@example.com" >>"$WORK/setup.log" 2>&1
  fer admin plan set --org "charges-$stamp" --plan Bench >>"$WORK/setup.log" 2>&1
  fer admin app create --org "charges-$stamp" --name charges --scopes supply --part-limit 999999999999 --json 2>>"$WORK/setup.log" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])'
}

run() {  # run LABEL URL
  local id; id="$(provision "$2")" || die "provisioning failed (see $WORK/setup.log)"
  for round in $(seq "$ROUNDS"); do for mode in $MODES; do
    echo "$1, $mode (round $round)"
    local pg_pid=(); [ -n "$PG_DIR" ] && [ -s "$PG_DIR/data/postmaster.pid" ] && pg_pid=("$(head -1 "$PG_DIR/data/postmaster.pid")")
    watch_start "$WORK/cpu.txt" "${pg_pid[@]}"
    local line; line="$("$BIN" --database-url "$2" --client-id "$id" --writers "$WRITERS" --seconds "$SECONDS_PER_RUN" --mode "$mode" | grep '^RESULT')"
    watch_stop; local cpu; cpu="$(cat "$WORK/cpu.txt")"
    echo "  $line"; echo "    $cpu"
    printf '%s\t%s\t%s\n' "$1" "$line" "$cpu" >>"$RESULTS"
  done; done
}

for backend in $BACKENDS; do
  case $backend in
    sqlite)
      mkdir -p "$WORK/data"
      run "SQLite (WAL, synchronous=NORMAL)" "sqlite://$WORK/data/ferrite.db"
      ;;
    postgres|postgres-fsync)
      if [ -z "$PG_DIR" ]; then
        ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || { apt-get install -y postgresql >/dev/null 2>&1 || die "PostgreSQL is not installed"; }
        PG_DIR="$(mktemp -d /tmp/ferrite-bench-pg.XXXXXX)"
        PG_URL="$("$ROOT/.ci/postgres" "$PG_DIR")" || die ".ci/postgres failed"
        PG_VERSION="$(psql "$PG_URL" -Atc 'SHOW server_version' 2>/dev/null || echo '?')"
      fi
      if [ "$backend" = postgres ]; then
        psql "$PG_URL" -qc 'ALTER SYSTEM SET fsync = off' -c 'SELECT pg_reload_conf()' >/dev/null
        run "PostgreSQL $PG_VERSION (.ci/postgres: fsync=off)" "$PG_URL"
      else
        psql "$PG_URL" -qc 'ALTER SYSTEM SET fsync = on' -c 'SELECT pg_reload_conf()' >/dev/null
        sleep 0.5
        run "PostgreSQL $PG_VERSION (fsync=on, synchronous_commit=on)" "$PG_URL"
      fi
      ;;
    *) die "unknown backend $backend" ;;
  esac
done

echo
python3 - "$RESULTS" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, result, cpu = line.rstrip("\n").split("\t")
    r = dict(re.findall(r"(\w+)=(\S+)", result)); c = dict(re.findall(r"(\w+)=(\S+)", cpu))
    rows.setdefault((label, r["mode"]), []).append((r, c))
print("| store | mode | writers | charges/s (median) | p50 ms | p99 ms | refused | failed | counter = charges | others' CPU (avg/max) | target | charges/s per run |")
print("|---|---|---:|---:|---:|---:|---:|---:|---|---|---|---|")
for (label, mode), runs in rows.items():
    med = lambda k: statistics.median(float(r[k]) for r, _ in runs)
    name = {"meter": "Meter (group commit)", "direct": "one transaction per charge"}.get(mode, mode)
    target = ("≥ 20,000/s" if "SQLite" in label else "≥ 5,000/s") if mode == "meter" else ""
    ok = all(r["counter_matches"] == "true" for r, _ in runs)
    others = f"{statistics.median(float(c.get('others', 'nan').rstrip('%')) for _, c in runs):.0f}/{max(float(c.get('others_max', 'nan').rstrip('%')) for _, c in runs):.0f}"
    per = ", ".join(f"{float(r['charges_per_s']):,.0f}" for r, _ in runs)
    print(f"| {label} | {name} | {runs[0][0]['writers']} | {med('charges_per_s'):,.0f} | {med('p50_ms'):.2f} | {med('p99_ms'):.2f} | "
          f"{sum(int(r['refused']) for r, _ in runs)} | {sum(int(r['failed']) for r, _ in runs)} | {ok} | {others} | {target} | {per} |")
PY
