#!/usr/bin/env bash
# Runs the OIDC client-library suite (tests/oidc) against the real ferrite binary
# (FERRITE_BIN, default target/debug/ferrite; the suite skips when it is missing).
# Uses <repo>/.venv, reinstalling requirements.txt only when it changed.
# Skips (exit 0) when python3 or its venv module is unavailable; otherwise pytest's exit code.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
venv="$repo/.venv"
requirements="$here/requirements.txt"
stamp="$venv/.tests-oidc-requirements"

if ! command -v python3 >/dev/null 2>&1; then
  echo "tests/oidc: SKIPPED: python3 is not installed"
  exit 0
fi
if [ ! -x "$venv/bin/python" ]; then
  if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    echo "tests/oidc: SKIPPED: python3 has no venv/ensurepip module (Debian: apt-get install python3-venv)"
    exit 0
  fi
  if ! python3 -m venv "$venv"; then
    rm -rf "$venv"
    echo "tests/oidc: SKIPPED: python3 -m venv $venv failed"
    exit 0
  fi
fi

# The stamp records the requirements (and interpreter) the venv was last installed from.
want=$("$venv/bin/python" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest(), sys.version.split()[0])' "$requirements")
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  echo "tests/oidc: installing $requirements into $venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements"
  echo "$want" >"$stamp"
fi

cd "$repo"
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the work tree
exec "$venv/bin/python" -m pytest -q tests/oidc "$@"
