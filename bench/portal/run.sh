#!/usr/bin/env bash
# The portal's pages on the full catalogue: a signed-in person's part search and part pages, and
# the BOM tool's page and exports of the largest real BOM (BOM, default acquire-PWM.xml of
# $SHARED_DATA/boms, skipped when absent) for 100 boards, timed with curl (each page ROUNDS times;
# the median and the slowest); then the Playground's load in headless Chromium
# (bench/portal/playground.mjs, when e2e/node_modules is installed). Needs the catalogue that
# bench/import/run.sh leaves in $DATA_DIR.
#   bench/portal/run.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib/common.sh"
own_session "$@"
need_binary

DATA_DIR="${DATA_DIR:-/tmp/ferrite-bench/catalogue}"
ROUNDS="${ROUNDS:-20}"
PORT="${PORT:-3005}"
[ -s "$DATA_DIR/ferrite-catalogue.db" ] || die "no catalogue in $DATA_DIR: run bench/import/run.sh first (or set DATA_DIR)"
WORK="$(mktemp -d /tmp/ferrite-bench-portal.XXXXXX)"
BASE="http://127.0.0.1:$PORT"
machine_header "portal pages"

FERRITE_LOG=warn setsid "$FERRITE_BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$DATA_DIR" >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill -TERM -- "-$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -sf -o /dev/null "$BASE/readyz" && break; sleep 0.2; done

# Sign up and sign in with curl, as a browser would (the forms' CSRF tokens bound to the cookies).
jar="$WORK/cookies"
csrf() { grep -o 'name="csrf_token" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//'; }
email="bench-$(date +%s)@example.com"
token=$(curl -sS -c "$jar" -b "$jar" "$BASE/signup" | csrf)
curl -sS -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" --data-urlencode "email=$email" \
  --data-urlencode "password=bench-password-Correct-Horse-42" --data-urlencode "organization=Bench" "$BASE/signup"
token=$(curl -sS -c "$jar" -b "$jar" "$BASE/signin" | csrf)
curl -sS -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" --data-urlencode "email=$email" \
  --data-urlencode "password=bench-password-Correct-Horse-42" --data-urlencode "next=/apps" "$BASE/signin"
[ "$(curl -sS -o /dev/null -w '%{http_code}' -b "$jar" "$BASE/parts")" = 200 ] || die "could not sign in (see $WORK)"

# A part page of each of the first three results of a search, and the searches themselves.
first_parts() { curl -sS -b "$jar" "$BASE/parts?q=$1" | grep -o 'href="/part/[^"]*"' | head -n 3 | sed 's/href="//; s/"$//'; }
pages=("/parts?q=10k+0603+resistor" "/parts?q=LM358" "/parts?q=usb-c+connector&in_stock=true")
mapfile -t parts < <(first_parts "10k+0603+resistor"; first_parts "LM358")
pages+=("${parts[@]}")

# The largest real BOM, uploaded through the form, then its page and exports for 100 boards.
BOM="${BOM:-${SHARED_DATA:-$HERE/../../../shared/data}/boms/kicad/acquire-PWM.xml}"
if [ -s "$BOM" ]; then
  token=$(curl -sS -c "$jar" -b "$jar" "$BASE/workspaces/bench" | csrf)
  project=$(curl -sS -o /dev/null -w '%{redirect_url}' -c "$jar" -b "$jar" -F "csrf_token=$token" \
    -F "name=$(basename "$BOM")" -F "file=@$BOM" "$BASE/workspaces/bench/projects")
  [ -n "$project" ] || die "the BOM upload was refused (see $WORK)"
  project=${project#"$BASE"}
  echo "BOM: $(basename "$BOM"), $(curl -sS -b "$jar" "$BASE$project" | grep -o '[0-9]* lines\?, [0-9]* matched' | head -n 1)"
  pages+=("$project?build=100" "$project/bom.csv?build=100" "$project/bom.xlsx?build=100")
else
  echo "no real BOM at $BOM (set BOM or SHARED_DATA): its pages are not timed"
fi
printf '| page | median ms | slowest ms |\n|---|---:|---:|\n'
for page in "${pages[@]}"; do
  times=$(for _ in $(seq "$ROUNDS"); do curl -sS -o /dev/null -b "$jar" -w '%{time_total}\n' "$BASE$page"; done | sort -n)
  median=$(sed -n "$(( (ROUNDS + 1) / 2 ))p" <<<"$times")
  slowest=$(tail -n 1 <<<"$times")
  printf '| `%s` | %.1f | %.1f |\n' "$page" "$(echo "$median * 1000" | bc -l)" "$(echo "$slowest * 1000" | bc -l)"
done
if [ -d "$HERE/../../e2e/node_modules/playwright-core" ] && [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  node "$HERE/playground.mjs" "$BASE" "$email" "bench-password-Correct-Horse-42"
else
  echo "no playwright-core in e2e/node_modules or no chromium: the Playground's load is not timed"
fi
rm -rf "$WORK"
