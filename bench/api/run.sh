#!/usr/bin/env bash
# GraphQL API over HTTP on the full jlcparts catalogue, with a real token, side by side in one
# run: supSearchMpn (KiCost's fields, metered), supMultiMatch (20 x limit 5, metered), the same
# supSearchMpn selecting only `hits` (nothing charged), and /healthz (the HTTP ceiling). Then the
# metering A/B: a bench-only twin of the API (crates/ferrite-graphql/examples/api_twin.rs) run
# with metering on and off. See bench/README.md.
#   bench/api/run.sh      # needs the catalogue that bench/import/run.sh leaves in $DATA_DIR
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib/common.sh"
own_session "$@"
need_data jlcparts
need_data boms/kicad
need_binary

DATA_DIR="${DATA_DIR:-/tmp/ferrite-bench/catalogue}"
DURATION="${DURATION:-15s}"
WARMUP="${WARMUP:-3s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
ROUNDS="${ROUNDS:-1}"              # repeat the four scenarios round-robin; the table shows medians
KINDS="${KINDS:-healthz search_mpn search_mpn_hits search_keyword multi_match}"
TWIN="${TWIN:-1}"                  # 1: also run the metering A/B with the twin
TWIN_KINDS="${TWIN_KINDS:-search_mpn}"
TWIN_NO_CACHE="${TWIN_NO_CACHE:-1}" # 1: also run the twin (metering on) with no part cache: every part read from the store
PERF="${PERF:-0}"                  # 1: also profile the server under PERF_KIND with perf
PERF_KIND="${PERF_KIND:-search_mpn}"
PORT="${PORT:-3003}"
TWIN_PORT="${TWIN_PORT:-3004}"
export -n PORT TWIN_PORT

WORK="$(mktemp -d /tmp/ferrite-bench-api.XXXXXX)"
RESULTS="$WORK/results.tsv"
PIDS=()
cleanup() {
  local rc=$?
  [ -z "${WRK_PID:-}" ] || kill "$WRK_PID" 2>/dev/null || true
  [ -z "${WATCH_PID:-}" ] || kill "$WATCH_PID" 2>/dev/null || true
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  [ "$rc" -eq 0 ] || echo "run.sh failed (exit $rc); logs kept in $WORK" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ -s "$DATA_DIR/ferrite-catalogue.db" ] || die "no catalogue in $DATA_DIR: run bench/import/run.sh first (or set DATA_DIR)"
command -v wrk >/dev/null || { apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; }

machine_header "API benchmark"
echo "# wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP), $ROUNDS round(s); data dir $DATA_DIR"
QUERIES="$DATA_DIR/mpn-queries.jsonl"
python3 "$ROOT/bench/lib/mpn_queries.py" "$DATA_DIR/ferrite-catalogue.db" "$SHARED_DATA/boms/kicad" "$QUERIES"
# Keyword queries for search_keyword: the BOMs' values and sizes, as the relevance set writes them.
KEYWORDS="$DATA_DIR/keyword-queries.jsonl"
SEARCH_SET="${SEARCH_SET:-$ROOT/../shared/search}"
if [ -f "$SEARCH_SET/dev-queries.json" ]; then
  python3 "$ROOT/bench/lib/keyword_queries.py" "$SHARED_DATA/boms/kicad" "$SEARCH_SET/dev-queries.json" "$WORK/held-out.json" "$KEYWORDS" >/dev/null
else
  KINDS="${KINDS/search_keyword/}"
  echo "# no $SEARCH_SET/dev-queries.json: search_keyword is left out"
fi

# --- provisioning: a fresh organization per run, so no earlier run's usage counts -----------
# A Bench plan: the server answers 4,000 metered requests/s of 10 parts, so an Enterprise month
# lasts under a minute. Every command and server here reads this config.
export FERRITE_CONFIG="$WORK/ferrite.toml"
bench_config "$FERRITE_CONFIG"
# EXTRA_CONFIG: more configuration for the server (bench/api/connectors.toml: every connector kind).
[ -z "${EXTRA_CONFIG:-}" ] || cat "$EXTRA_CONFIG" >>"$FERRITE_CONFIG"
fer() { FERRITE_LOG=warn "$FERRITE_BIN" "$@" --data-dir "$DATA_DIR"; }
stamp="$(date +%s)"
ORG="bench-$stamp"
fer migrate >"$WORK/setup.log" 2>&1 || die "migrate failed (see $WORK/setup.log)"
printf '%s\n' 'bench-password-Correct-Horse-42' | fer admin user create --email "b-$stamp@example.com" --password-stdin >>"$WORK/setup.log" 2>&1 \
  || die "admin user create failed (see $WORK/setup.log)"
fer admin org create --name "$ORG" --owner "b-$stamp@example.com" >>"$WORK/setup.log" 2>&1 || die "admin org create failed (see $WORK/setup.log)"
fer admin plan set --org "$ORG" --plan Bench >>"$WORK/setup.log" 2>&1 || die "admin plan set failed (see $WORK/setup.log)"
# Two metered apps (one per charged scenario) and one for the free query.
app() {  # app NAME LIMIT -> "client_id client_secret"
  local json
  json="$(fer admin app create --org "$ORG" --name "$1" --scopes supply --part-limit "$2" --json 2>>"$WORK/setup.log")" \
    || die "admin app create $1 failed (see $WORK/setup.log)"
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["client_id"], d["client_secret"])' "$json"
}
read -r MPN_ID MPN_SECRET <<<"$(app metered-mpn 500000000000)"
read -r MULTI_ID MULTI_SECRET <<<"$(app metered-multi 400000000000)"
read -r FREE_ID FREE_SECRET <<<"$(app free 1000)"

# --- helpers ----------------------------------------------------------------------------------
start() { local log=$1; shift; setsid "$@" >"$log" 2>&1 & PIDS+=("$!"); boost "$!"; }
stop_last() { local pid=${PIDS[-1]}; kill -TERM -- "-$pid" 2>/dev/null || true; for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; unset 'PIDS[-1]'; }
wait_ready() {  # wait_ready URL
  for _ in $(seq 600); do
    curl -sf -o /dev/null --max-time 1 "$1" && return 0
    kill -0 "${PIDS[-1]}" 2>/dev/null || die "the server exited during start-up (see its log in $WORK)"
    sleep 0.2
  done
  die "not ready after 120 s: $1"
}
token() {  # token BASE ID SECRET
  curl -sS --max-time 10 -u "$2:$3" -d grant_type=client_credentials "$1/connect/token" |
    python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["access_token"]) if "access_token" in r else sys.exit(f"no token: {r}")'
}
# check BASE TOKEN KIND : one request with curl, shown, must have no errors
check() {
  local body
  body="$(python3 - "$3" "$QUERIES" <<'PY'
import json, sys
kind, qfile = sys.argv[1], sys.argv[2]
mpn = json.loads(open(qfile).readline())
print(json.dumps({"query": "query($q: String!) { supSearchMpn(q: $q, limit: 10) { hits results { part { mpn } } } }", "variables": {"q": mpn}}))
PY
)"
  curl -sS --max-time 10 -D "$WORK/headers.txt" -H "Authorization: Bearer $2" -H 'Content-Type: application/json' -d "$body" "$1/graphql" >"$WORK/check.json"
  python3 - "$WORK/check.json" "$WORK/headers.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
if r.get("errors"): sys.exit(f"GraphQL errors: {r['errors']}")
hdr = {l.split(":")[0].lower(): l.split(":", 1)[1].strip() for l in open(sys.argv[2]) if ":" in l}
res = r["data"]["supSearchMpn"]
print(f"  check ok: hits={res['hits']} parts={len(res['results'])} x-part-used={hdr.get('x-part-used')} x-part-limit={hdr.get('x-part-limit')}")
PY
}
used() {  # used BASE TOKEN -> "used/limit" of the token's app (a free query: charges nothing)
  curl -sS --max-time 10 -D - -o /dev/null -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
    -d '{"query":"{ supSearchMpn(q: \"x\", limit: 1) { hits } }"}' "$1/graphql" |
    awk -F': ' 'tolower($1)=="x-part-used"{u=$2} tolower($1)=="x-part-limit"{l=$2} END{gsub("\r","",u); gsub("\r","",l); print u "/" l}'
}
wrk_run() { KIND=$1 TOKEN=$2 QUERIES="$([ "$1" = search_keyword ] && echo "$KEYWORDS" || echo "$QUERIES")" wrk -t"$THREADS" -c"$CONNECTIONS" -s "$HERE/graphql.lua" "${@:3}" & WRK_PID=$!; wait "$WRK_PID"; WRK_PID=; }
# load SERVER KIND BASE TOKEN ROUND : warm-up, measured run with CPU accounting; appends a row.
load() {
  local out="$WORK/wrk-$1-$2-$5.txt"
  [ "$WARMUP" = 0 ] || wrk_run "$2" "$4" -d"$WARMUP" "$3" >/dev/null 2>&1
  watch_start "$WORK/cpu-$1-$2-$5.txt"
  wrk_run "$2" "$4" -d"$DURATION" --latency "$3" >"$out"
  watch_stop; local cpu; cpu="$(cat "$WORK/cpu-$1-$2-$5.txt")"
  local line; line="$(grep '^RESULT ' "$out")" || die "no RESULT line from wrk (see $out)"
  echo "  $line"; echo "    $cpu"
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$line" "$cpu" >>"$RESULTS"
}
token_for() { case $1 in search_mpn | search_keyword) echo "$MPN_TOKEN" ;; multi_match) echo "$MULTI_TOKEN" ;; *) echo "$FREE_TOKEN" ;; esac; }

# --- the server ---------------------------------------------------------------------------------
BASE="http://127.0.0.1:$PORT"
curl -s -o /dev/null --max-time 1 "$BASE/" && die "port $PORT is already in use"
echo "ferrite serve on $BASE"
start "$WORK/serve.log" env FERRITE_LOG=warn "$FERRITE_BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$DATA_DIR"
SERVER_PID=${PIDS[-1]}
wait_ready "$BASE/readyz"
MPN_TOKEN="$(token "$BASE" "$MPN_ID" "$MPN_SECRET")"
MULTI_TOKEN="$(token "$BASE" "$MULTI_ID" "$MULTI_SECRET")"
FREE_TOKEN="$(token "$BASE" "$FREE_ID" "$FREE_SECRET")"
check "$BASE" "$MPN_TOKEN" search_mpn
for round in $(seq "$ROUNDS"); do
  for kind in $KINDS; do
    echo "ferrite $kind (round $round)"
    load ferrite "$kind" "$BASE" "$(token_for "$kind")" "$round"
  done
done
echo "parts used/limit after the run: supSearchMpn app $(used "$BASE" "$MPN_TOKEN"), supMultiMatch app $(used "$BASE" "$MULTI_TOKEN"), free app $(used "$BASE" "$FREE_TOKEN")"
# The part cache over the whole run (warm-ups included): parts answered from memory / read from the store.
curl -sS --max-time 10 "$BASE/metrics" | awk '
  $1=="catalogue_part_cache_hits_total"{h=$2} $1=="catalogue_part_cache_misses_total"{m=$2}
  $1=="catalogue_part_cache_parts"{n=$2} $1=="catalogue_part_cache_bytes"{b=$2}
  END{ if (h+m > 0) printf "part cache: %d hits, %d misses, hit ratio %.3f; %d parts held, %.1f MiB\n", h, m, h/(h+m), n, b/1048576 }' || true

if [ "$PERF" = 1 ]; then
  command -v perf >/dev/null || die "perf is not installed (apt-get install linux-perf)"
  echo "perf: the server under $PERF_KIND for 10 s"
  ( sleep 1; perf record -F 499 --call-graph dwarf,16384 -o "$WORK/perf-serve.data" -p "$SERVER_PID" -- sleep 10 >/dev/null 2>&1 ) &
  PERF_PID=$!
  wrk_run "$PERF_KIND" "$(token_for "$PERF_KIND")" -d12s "$BASE" >/dev/null
  wait "$PERF_PID" || true
  perf report -i "$WORK/perf-serve.data" --no-children --sort comm --stdio -g none 2>/dev/null | grep '%' | head -12 | sed 's/^/    /' || true
  # Where the server's CPU goes, by call stack (first matching rule wins; see bench/lib/perf_buckets.py).
  echo "  server CPU by component:"
  perf script -i "$WORK/perf-serve.data" -F comm,tid,period,ip,sym 2>/dev/null | python3 "$ROOT/bench/lib/perf_buckets.py" \
    'metering: Meter::charge, batching task, charge_batch (tokio side)=ferrite_graphql::metering|charge_batch' \
    'SQLite worker threads (catalogue reads + metering writes)=comm:sqlx-sqlite' \
    'token check (JWT verify)=verify_access_token|jsonwebtoken' \
    'search (tantivy)=SearchIndex::search|SearchIndex::plan|tantivy' \
    'part and offer reads (tokio side of sqlx)=Catalogue::parts|parts_with_offers|parts_by_ids|offers_of_parts|sqlx_core|sqlx_sqlite' \
    'GraphQL parse + validate=async_graphql::validation|async_graphql_parser|prepare_request|async_graphql::request' \
    'response JSON serialization=serde_json::ser|IntoResponse>::into_response' \
    'request JSON parse=serde_json::de' \
    'GraphQL resolvers (KiCost fields)=resolve_field|do_resolve_container|resolve_list|async_graphql::' \
    'HTTP (hyper, axum, tower, tokio net)=hyper::|tokio::net|axum::|tower' | sed 's/^/    /' || true
  perf report -i "$WORK/perf-serve.data" --children --sort sym --stdio -g none 2>/dev/null | grep '%' | head -70 >"$WORK/perf-serve-children.txt" || true
  echo "  inclusive profile in $WORK/perf-serve-children.txt; perf data in $WORK/perf-serve.data"
fi
stop_last

# --- metering A/B with the twin -------------------------------------------------------------------
if [ "$TWIN" = 1 ]; then
  TWIN_BIN="$(cargo_target_bin ferrite-graphql example api_twin)"
  [ -x "$TWIN_BIN" ] || die "could not build api_twin (see $WORK/cargo-api_twin.log)"
  TBASE="http://127.0.0.1:$TWIN_PORT"
  variants="on off"; [ "$TWIN_NO_CACHE" = 1 ] && variants="$variants on-no-part-cache"
  for round in $(seq "$ROUNDS"); do
    for variant in $variants; do
      metering=${variant%%-*}; extra=(); [ "$variant" = on-no-part-cache ] && extra=(--part-cache-mib 0)
      echo "twin, metering $variant (round $round)"
      start "$WORK/twin-$variant.log" env RUST_LOG=warn "$TWIN_BIN" --data-dir "$DATA_DIR" --listen "127.0.0.1:$TWIN_PORT" --metering "$metering" "${extra[@]}"
      wait_ready "$TBASE/.well-known/openid-configuration"
      MPN_TOKEN="$(token "$TBASE" "$MPN_ID" "$MPN_SECRET")"
      MULTI_TOKEN="$(token "$TBASE" "$MULTI_ID" "$MULTI_SECRET")"
      FREE_TOKEN="$(token "$TBASE" "$FREE_ID" "$FREE_SECRET")"
      for kind in $TWIN_KINDS; do
        load "twin-metering-$variant" "$kind" "$TBASE" "$(token_for "$kind")" "$round"
      done
      stop_last
      grep '^TWIN' "$WORK/twin-$variant.log" | sed 's/^/    /' || true
    done
  done
fi

# --- table ------------------------------------------------------------------------------------------
echo
python3 - "$RESULTS" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    server, kind, result, cpu = line.rstrip("\n").split("\t")
    kv = dict(re.findall(r"(\w+)=(\S*)", result))
    c = dict(re.findall(r"(\w+)=(\S*)", cpu))
    rows.setdefault((server, kind), []).append((kv, c))
def med(vals, key, cast=float):
    return statistics.median(cast(v[0][key]) for v in vals)
target = {"search_mpn": ">= 2000 req/s, p99 < 20 ms", "search_keyword": ">= 2000 req/s, p99 < 20 ms", "multi_match": "p99 < 50 ms"}
names = {"healthz": "GET /healthz (ceiling)", "search_mpn": "(a) supSearchMpn, KiCost fields, limit 10 (metered)",
         "search_mpn_hits": "(c) supSearchMpn, `hits` only (free: 0 parts)",
         "search_keyword": "(d) supSearch, keyword query, KiCost fields, limit 10 (metered)", "multi_match": "(b) supMultiMatch, 20 x limit 5 (metered)"}
ceiling = {s: med(v, "rps") for (s, k), v in rows.items() if k == "healthz"}
print("| server | scenario | requests/s | p50 ms | p99 ms | non-200 | GraphQL errors | % of /healthz | others' CPU (avg/max, % of a core) | target | requests/s per round |")
print("|---|---|---:|---:|---:|---:|---:|---:|---|---|---|")
for (server, kind), v in rows.items():
    rps = med(v, "rps")
    ceil = ceiling.get(server)
    pct = f"{100 * rps / ceil:.0f} %" if ceil and kind != "healthz" else "-"
    bad = sum(int(x[0]["non200"]) for x in v); errs = sum(int(x[0]["gql_errors"]) for x in v)
    others = "/".join(f"{statistics.median(float(x[1].get(k, 'nan').rstrip('%')) for x in v):.0f}" for k in ("others", "others_max"))
    per = ", ".join(f"{float(x[0]['rps']):.0f}" for x in v)
    print(f"| {server} | {names.get(kind, kind)} | {rps:.0f} | {med(v, 'p50_ms'):.2f} | {med(v, 'p99_ms'):.2f} | {bad} | {errs} | {pct} | {others} | {target.get(kind, '')} | {per} |")
def ratio(a, b, label):
    if a in rows and b in rows:
        ra, rb = med(rows[a], "rps"), med(rows[b], "rps")
        print(f"- {label}: {ra:.0f} / {rb:.0f} req/s = {ra / rb:.3f} ({100 * (1 - ra / rb):+.1f} % fewer requests/s)")
print()
ratio(("ferrite", "search_mpn"), ("ferrite", "search_mpn_hits"), "metered (a) vs free (c), same server (different work: (c) reads and renders no part)")
for kind in ("search_mpn", "multi_match", "search_mpn_hits"):
    ratio(("twin-metering-on", kind), ("twin-metering-off", kind), f"twin {kind}: metering on vs off (the metering cost)")
    ratio(("twin-metering-on-no-part-cache", kind), ("twin-metering-on", kind), f"twin {kind}: no part cache vs the part cache (metering on)")
PY
echo "logs in $WORK"
