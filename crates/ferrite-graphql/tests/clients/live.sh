#!/usr/bin/env bash
# Every fixture here, with its variables, against a live `ferrite serve` on a data directory that
# holds a catalogue (e.g. the one bench/import/run.sh leaves), on the default configuration; prints
# how many answered with data and no error. The data directory gains a user, an org and an app.
#   live.sh FERRITE_BIN DATA_DIR [PORT]
set -euo pipefail
BIN=$1; DATA=$2; PORT=${3:-3011}
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d /tmp/ferrite-clients.XXXXXX)"
cfg=$WORK/ferrite.toml; : > "$cfg"
export FERRITE_CONFIG=$cfg
fer() { FERRITE_LOG=warn "$BIN" "$@" --data-dir "$DATA"; }
s=$(date +%s)
printf '%s\n' 'fixture-password-Correct-Horse-42' | fer admin user create --email "f-$s@example.com" --password-stdin >/dev/null
fer admin org create --name "fx-$s" --owner "f-$s@example.com" >/dev/null
fer admin plan set --org "fx-$s" --plan Enterprise >/dev/null
read -r ID SECRET <<<"$(fer admin app create --org "fx-$s" --name fx --scopes supply --part-limit 100000 --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["client_id"], d["client_secret"])')"
setsid "$BIN" serve --listen 127.0.0.1:$PORT --data-dir "$DATA" > "$WORK/server.log" 2>&1 & SPID=$!
trap 'kill -TERM -- -$SPID 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -sf -o /dev/null http://127.0.0.1:$PORT/readyz && break; sleep 0.2; done
TOKEN=$(curl -sS -u "$ID:$SECRET" -d grant_type=client_credentials http://127.0.0.1:$PORT/connect/token | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
python3 - "$TOKEN" "$PORT" "$HERE" <<'PY'
import json, sys, glob, os, urllib.request
token, port, d = sys.argv[1], sys.argv[2], sys.argv[3]
ok = parts = 0; bad = []
for f in sorted(glob.glob(d + "/*.graphql")):
    name = os.path.basename(f)[:-8]
    v = f[:-8] + ".variables.json"
    body = json.dumps({"query": open(f).read(), "variables": json.load(open(v)) if os.path.exists(v) else {}}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", body, {"content-type": "application/json", "token": token})
    r = json.load(urllib.request.urlopen(req))
    nulls = [k for k, val in (r.get("data") or {}).items() if val is None]
    if r.get("errors") or not r.get("data") or nulls:
        bad.append((name, json.dumps(r)[:300]))
    else:
        ok += 1
        if '"mpn": "' in json.dumps(r): parts += 1
print(f"FIXTURES ok={ok} with_parts={parts} failed={len(bad)}")
for b in bad: print("  FAIL", *b)
sys.exit(1 if bad else 0)
PY
