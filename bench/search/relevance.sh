#!/usr/bin/env bash
# Keyword-search relevance on the full jlcparts catalogue: ../shared/search/judge.py runs the
# development set's BOM queries through `supSearch` of a running Ferrite and through a SQLite FTS5
# index of the same records, and judges both top-10 lists alike (see ../shared/search/README.md).
#   bench/search/relevance.sh   # needs the catalogue that bench/import/run.sh leaves in $DATA_DIR
#   QUERIES=other.json bench/search/relevance.sh   # another query set in the same format
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib/common.sh"
own_session "$@"
need_data jlcparts
need_binary
SEARCH_SET="${SEARCH_SET:-$ROOT/../shared/search}"
[ -f "$SEARCH_SET/judge.py" ] || { echo "SKIPPING relevance: no judge at $SEARCH_SET (set SEARCH_SET)"; exit 0; }
python3 -c 'import requests' 2>/dev/null || pip install -q requests

DATA_DIR="${DATA_DIR:-/tmp/ferrite-bench/catalogue}"
QUERIES="${QUERIES:-$SEARCH_SET/dev-queries.json}"
PORT="${PORT:-3005}"
export -n PORT
WORK="$(mktemp -d /tmp/ferrite-bench-relevance.XXXXXX)"
SERVER=""
trap 'rc=$?; [ -z "$SERVER" ] || kill -TERM -- "-$SERVER" 2>/dev/null || true; [ $rc -eq 0 ] || echo "failed (exit $rc); logs in $WORK" >&2' EXIT
[ -s "$DATA_DIR/ferrite-catalogue.db" ] || die "no catalogue in $DATA_DIR: run bench/import/run.sh first (or set DATA_DIR)"

machine_header "keyword-search relevance"
export FERRITE_CONFIG="$WORK/ferrite.toml"
bench_config "$FERRITE_CONFIG"
fer() { FERRITE_LOG=warn "$FERRITE_BIN" "$@" --data-dir "$DATA_DIR"; }
stamp="$(date +%s)"
fer migrate >"$WORK/setup.log" 2>&1 || die "migrate failed (see $WORK/setup.log)"
printf '%s\n' 'bench-password-Correct-Horse-42' | fer admin user create --email "r-$stamp@example.com" --password-stdin >>"$WORK/setup.log" 2>&1
fer admin org create --name "relevance-$stamp" --owner "r-$stamp@example.com" >>"$WORK/setup.log" 2>&1
fer admin plan set --org "relevance-$stamp" --plan Bench >>"$WORK/setup.log" 2>&1
read -r ID SECRET <<<"$(fer admin app create --org "relevance-$stamp" --name judge --scopes supply --part-limit 1000000000 --json 2>>"$WORK/setup.log" |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["client_id"], d["client_secret"])')"

BASE="http://127.0.0.1:$PORT"
curl -s -o /dev/null --max-time 1 "$BASE/" && die "port $PORT is already in use"
setsid env FERRITE_LOG=warn "$FERRITE_BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$DATA_DIR" >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 900); do
  curl -sf -o /dev/null --max-time 1 "$BASE/readyz" && break
  kill -0 "$SERVER" 2>/dev/null || die "the server exited during start-up (see $WORK/serve.log)"
  sleep 0.2
done
TOKEN="$(curl -sS --max-time 10 -u "$ID:$SECRET" -d grant_type=client_credentials "$BASE/connect/token" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
echo "# queries: $QUERIES ($(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$QUERIES"))"
python3 "$SEARCH_SET/judge.py" "$SHARED_DATA/jlcparts" "$QUERIES" "$BASE" "$TOKEN" "$WORK"
echo "# each query's counts: $WORK/detail.json"
