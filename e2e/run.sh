#!/usr/bin/env bash
# Runs the browser end-to-end tests (e2e/tests) in headless Chromium against the real ferrite
# binary (FERRITE_BIN, default target/debug/ferrite; build it first). Installs what is missing:
# the npm packages (npm ci, redone when package-lock.json changes) and, as root, Debian's
# chromium and nodejs. Screenshots land in e2e/artifacts/.
# Skips (exit 0) only when node or chromium cannot be had; otherwise node's test runner's exit code.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
export FERRITE_BIN=${FERRITE_BIN:-$repo/target/debug/ferrite}
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

apt_install() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1; }
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "e2e: installing nodejs and npm"
  apt_install nodejs npm || true
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "e2e: SKIPPED: node and npm are not installed and could not be installed (Debian: apt-get install nodejs npm)"
  exit 0
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "e2e: SKIPPED: node $(node --version) is too old; playwright-core needs node 20 or newer"
  exit 0
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "e2e: installing chromium"
  apt_install chromium || true
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "e2e: SKIPPED: $CHROMIUM is missing and could not be installed (Debian: apt-get install chromium)"
  exit 0
fi
if [ ! -x "$FERRITE_BIN" ]; then
  echo "e2e: $FERRITE_BIN is missing: run 'cargo build -p ferrite' first (or set FERRITE_BIN)" >&2
  exit 1
fi

# The stamp records the lock file node_modules was installed from.
cd "$here"
stamp=node_modules/.ferrite-e2e-lock
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  echo "e2e: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

exec node --test --test-concurrency=1 tests/ "$@"
