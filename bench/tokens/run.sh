#!/usr/bin/env bash
# OAuth2 client-credentials token issuance benchmark: node-oidc-provider 9 vs Ferrite.
# Measures the RSA/ECDSA signing ceiling (openssl speed), then the same wrk load
# against each server. Everything runs on 127.0.0.1 and every process started
# here is killed on exit. Usage: bench/tokens/run.sh   (see bench/README.md)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DURATION="${DURATION:-15s}"          # measured wrk run per server/alg
WARMUP="${WARMUP:-3s}"               # discarded run first (JIT, pools, caches); 0 to skip
SPEED_SECONDS="${SPEED_SECONDS:-5}"  # per openssl speed test; 0 skips the signing ceiling
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
NODE_PORT="${NODE_PORT:-3001}"
FERRITE_PORT="${FERRITE_PORT:-3002}"
NODE_ALGS="${NODE_ALGS:-RS256 ES256}"
NODE_WORKERS="${NODE_WORKERS:-1 $(nproc)}"  # node is single-threaded: also run one process per core
FERRITE_BIN="${FERRITE_BIN:-$ROOT/target/release/ferrite}"
FERRITE_ALGS="${FERRITE_ALGS:-RS256 ES256}"
NODE_SECRET='bench-secret-bench-secret-bench-secret-00'
BOOST="${BOOST:-1}"                  # 1: nice -20 for the benchmark's autogroups (bench/README.md)
# boost PID : nice -20 for PID's scheduler autogroup (its session); root only, else a no-op.
boost() { [ "$BOOST" = 1 ] && [ -w "/proc/$1/autogroup" ] && echo -20 >"/proc/$1/autogroup" 2>/dev/null || true; }
# Run in a session of our own, so that boosting it touches nothing else.
if [ -z "${BENCH_OWN_SESSION:-}" ] && command -v setsid >/dev/null; then
  BENCH_OWN_SESSION=1 exec setsid --wait "$0" "$@"
fi
boost $$
# Ferrite rejects unknown FERRITE_* variables: keep the harness's own out of its environment.
export -n FERRITE_BIN FERRITE_ALGS FERRITE_PORT

WORK="$(mktemp -d /tmp/ferrite-bench-tokens.XXXXXX)"
RESULTS="$WORK/results.tsv"          # server, alg, rps, p50, p99, non200, socket errors
PIDS=()

cleanup() {
  local rc=$?
  [ -z "${WRK_PID:-}" ] || kill "$WRK_PID" 2>/dev/null || true
  # Servers run in their own process group (setsid), so this also reaps node cluster workers.
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  if [ "$rc" -ne 0 ]; then
    echo "run.sh failed (exit $rc); logs kept in $WORK" >&2
    [ -s "$RESULTS" ] && print_table >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "error: $*" >&2; exit 1; }

# --- (a) tools -----------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  apt-get install -y wrk openssl || { apt-get update && apt-get install -y wrk openssl; }
fi
command -v npm >/dev/null || { apt-get update && apt-get install -y nodejs npm; }
if [ ! -d "$HERE/oidc-provider/node_modules" ]; then (cd "$HERE/oidc-provider" && npm ci --no-audit --no-fund); fi
# The lockfile's `node` package ships a Node 22 LTS binary: oidc-provider 9 supports only 22+.
NODE="$HERE/oidc-provider/node_modules/.bin/node"
[ -x "$NODE" ] || NODE="$(command -v node)"

# --- helpers -------------------------------------------------------------------
port_free() { ! curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/"; }

# start LOG CMD... : run in a new process group, remember its pid.
start() { local log=$1; shift; setsid "$@" >"$log" 2>&1 & PIDS+=("$!"); boost "$!"; }

# wait_for DESC SECONDS TEST... : poll TEST every 0.2 s, bounded; fail if the server died.
wait_for() {
  local desc=$1 secs=$2; shift 2
  for _ in $(seq $((secs * 5))); do
    "$@" && return 0
    kill -0 "${PIDS[-1]}" 2>/dev/null || die "$desc exited during startup"
    sleep 0.2
  done
  die "$desc not ready after ${secs}s"
}

# basic ID SECRET : RFC 6749 §2.3.1 Basic credentials, encoded exactly as token.lua does.
basic() { python3 -c 'import base64,sys,urllib.parse as u; print(base64.b64encode(":".join(u.quote(a, safe="~") for a in sys.argv[1:]).encode()).decode())' "$1" "$2"; }

# check_token URL ID SECRET ALG : one request with curl; must be a JWT signed with ALG.
check_token() {
  curl -sS --max-time 10 -H "Authorization: Basic $(basic "$2" "$3")" -d grant_type=client_credentials "$1" | python3 -c '
import sys, json, base64
want = sys.argv[1]
r = json.load(sys.stdin)
if "access_token" not in r: sys.exit(f"no access_token in response: {r}")
parts = r["access_token"].split(".")
if len(parts) != 3: sys.exit("access_token is not a compact JWS (three dot-separated parts)")
dec = lambda s: json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
h, p = dec(parts[0]), dec(parts[1])
alg, typ, exp_in = h.get("alg"), h.get("typ"), r.get("expires_in")
ttl = p["exp"] - p["iat"] if "exp" in p and "iat" in p else "?"
if alg != want: sys.exit(f"token header alg is {alg}, expected {want}")
print(f"  token ok: alg={alg} typ={typ} exp-iat={ttl}s expires_in={exp_in}")
' "$4"
}

# wrk_run ID SECRET WRK-ARGS... : in the background + wait, so a TERM is handled at once.
wrk_run() { CLIENT_ID=$1 CLIENT_SECRET=$2 wrk -t"$THREADS" -c"$CONNECTIONS" -s "$HERE/token.lua" "${@:3}" & WRK_PID=$!; wait "$WRK_PID"; }

# load SERVER ALG URL ID SECRET : warm-up, then the measured wrk run; appends a result row.
load() {
  local out="$WORK/wrk-${1// /_}-$2.txt"
  [ "$WARMUP" = 0 ] || wrk_run "$4" "$5" -d"$WARMUP" "$3" >/dev/null
  wrk_run "$4" "$5" -d"$DURATION" --latency "$3" >"$out"
  local line; line="$(grep '^RESULT ' "$out")" || die "no RESULT line from wrk (see $out)"
  echo "  $line"
  # RESULT k=v ... -> one TSV row
  printf '%s\t%s\t%s\n' "$1" "$2" "$(sed -E 's/.* rps=([^ ]+) p50_ms=([^ ]+) p90_ms=[^ ]+ p99_ms=([^ ]+) non200=([^ ]+) socket_errors=([^ ]+).*/\1\t\2\t\3\t\4\t\5/' <<<"$line")" >>"$RESULTS"
}

stop_last() { local pid=${PIDS[-1]}; kill -TERM -- "-$pid" 2>/dev/null || true; for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; unset 'PIDS[-1]'; }

print_table() {
  python3 - "$RESULTS" "${SIGN_RSA_2:-0}" "${SIGN_EC_2:-0}" "$(nproc)" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
ceiling = {"RS256": float(sys.argv[2]), "ES256": float(sys.argv[3])}
node = {}  # best node-oidc-provider rps per alg, and its 1-process figure
for s, a, rps, *_ in rows:
    if s.startswith("node"):
        node.setdefault(a, {})[s] = float(rps)
print(f"| server | alg | requests/s | p50 ms | p99 ms | non-200 | socket errors | % of {sys.argv[4]}-core sign ceiling | vs node-oidc-provider (1 proc / best) |")
print("|---|---|---:|---:|---:|---:|---:|---:|---|")
for s, a, rps, p50, p99, bad, sock in rows:
    r = float(rps)
    pct = f"{100 * r / ceiling[a]:.1f}%" if ceiling.get(a) else "-"
    ratio = "-"
    if not s.startswith("node") and a in node:
        one = next((v for k, v in node[a].items() if "1 proc" in k), None)
        best = max(node[a].values())
        ratio = (f"{r / one:.2f}x" if one else "-") + f" / {r / best:.2f}x"
    print(f"| {s} | {a} | {r:.0f} | {p50} | {p99} | {bad} | {sock} | {pct} | {ratio} |")
EOF
}

echo "# token benchmark: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(date -u +%F)"
echo "# wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP); node $("$NODE" --version)"
echo "# HEAD $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'); load average $(cut -d' ' -f1-3 /proc/loadavg); autogroup nice -20: $([ "$BOOST" = 1 ] && echo yes || echo no)"
# Other work on the machine (e.g. a compile) skews every number below: say so.
load1="$(cut -d' ' -f1 /proc/loadavg)"
awk -v l="$load1" 'BEGIN { exit !(l > 0.5) }' && echo "WARNING: 1-min load average is $load1 before starting; results will be skewed" >&2

# --- (b) signing ceiling -------------------------------------------------------
# Signs/s for one core and for all cores: no server can issue more tokens/s than this.
speed() {  # speed [openssl args] -> "rsa2048_signs_per_s ec_p256_signs_per_s"
  openssl speed -seconds "$SPEED_SECONDS" "$@" rsa2048 ecdsap256 2>/dev/null | awk '
    /^rsa 2048 bits/ { rsa = $6 }
    /ecdsa \(nistp256\)/ { ec = $(NF - 1) }
    END { if (rsa == "" || ec == "") exit 1; print rsa, ec }'
}
if [ "$SPEED_SECONDS" != 0 ]; then
  echo "openssl speed, one process (~$((4 * SPEED_SECONDS)) s)..."
  one="$(speed)" || die "could not parse openssl speed output"
  read -r SIGN_RSA_1 SIGN_EC_1 <<<"$one"
  echo "openssl speed -multi $(nproc) (~$((4 * SPEED_SECONDS)) s)..."
  all="$(speed -multi "$(nproc)")" || die "could not parse openssl speed -multi output"
  read -r SIGN_RSA_2 SIGN_EC_2 <<<"$all"
  echo "  RSA 2048 sign/s: 1 core $SIGN_RSA_1, $(nproc) cores $SIGN_RSA_2"
  echo "  ECDSA P-256 sign/s: 1 core $SIGN_EC_1, $(nproc) cores $SIGN_EC_2"
fi

# --- (c) node-oidc-provider ----------------------------------------------------
for workers in $NODE_WORKERS; do
  for alg in $NODE_ALGS; do
    name="node-oidc-provider ($workers proc)"
    echo "$name $alg"
    port_free "$NODE_PORT" || die "port $NODE_PORT is already in use"
    start "$WORK/node-$workers-$alg.log" env NODE_ENV=production PORT="$NODE_PORT" ALG="$alg" WORKERS="$workers" \
      "$NODE" "$HERE/oidc-provider/server.mjs"
    wait_for "node-oidc-provider" 30 grep -q "^listening on " "$WORK/node-$workers-$alg.log"
    check_token "http://127.0.0.1:$NODE_PORT/token" bench "$NODE_SECRET" "$alg"
    load "$name" "$alg" "http://127.0.0.1:$NODE_PORT/token" bench "$NODE_SECRET"
    stop_last
  done
done

# --- (d) ferrite ---------------------------------------------------------------
if [ ! -x "$FERRITE_BIN" ]; then
  echo "SKIPPING ferrite: no binary at $FERRITE_BIN (cargo build --release -p ferrite, or set FERRITE_BIN)"
else
  # Every command gets the algorithm: on start Ferrite rotates to a key of the configured one.
  fer() { FERRITE_TOKENS__ALGORITHM="$alg" FERRITE_LOG="${FERRITE_LOG:-warn}" "$FERRITE_BIN" "$@" --data-dir "$dir"; }
  for alg in $FERRITE_ALGS; do
    echo "ferrite $alg"
    dir="$WORK/ferrite-$alg"; mkdir -p "$dir"   # fresh data dir: fresh database and keys
    fer migrate >"$dir/setup.log" 2>&1 || die "ferrite migrate failed (see $dir/setup.log)"
    printf '%s\n' 'bench-password-Correct-Horse-42' | fer admin user create --email bench@example.com --password-stdin \
      >>"$dir/setup.log" 2>&1 || die "ferrite admin user create failed (see $dir/setup.log)"
    fer admin org create --name bench --owner bench@example.com >>"$dir/setup.log" 2>&1 \
      || die "ferrite admin org create failed (see $dir/setup.log)"
    app="$(fer admin app create --org bench --name bench --scopes supply --json 2>>"$dir/setup.log")" \
      || die "ferrite admin app create failed (see $dir/setup.log)"
    creds="$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["client_id"], d["client_secret"])' "$app")" \
      || die "admin app create --json printed no client_id/client_secret: $app"
    read -r id secret <<<"$creds"
    port_free "$FERRITE_PORT" || die "port $FERRITE_PORT is already in use"
    start "$dir/serve.log" env FERRITE_TOKENS__ALGORITHM="$alg" FERRITE_LOG="${FERRITE_LOG:-warn}" \
      "$FERRITE_BIN" serve --listen "127.0.0.1:$FERRITE_PORT" --data-dir "$dir"
    wait_for "ferrite serve" 30 curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$FERRITE_PORT/readyz"
    check_token "http://127.0.0.1:$FERRITE_PORT/connect/token" "$id" "$secret" "$alg"
    load "ferrite" "$alg" "http://127.0.0.1:$FERRITE_PORT/connect/token" "$id" "$secret"
    stop_last
  done
fi

# --- (e) report ----------------------------------------------------------------
echo
[ "$SPEED_SECONDS" = 0 ] ||
  echo "Signing ceiling (openssl speed, sign/s): RSA 2048 $SIGN_RSA_1 (1 core) / $SIGN_RSA_2 ($(nproc) cores); ECDSA P-256 $SIGN_EC_1 / $SIGN_EC_2"
echo
print_table
