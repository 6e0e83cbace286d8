# Shared by bench/faults/*.sh: starts `$BIN serve` on a free loopback port with a throwaway data
# directory, and stops it on exit. Set BIN to a debug or release binary.
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="${BIN:-$ROOT/target/debug/ferrite}"
[ -x "$BIN" ] || { echo "error: no Ferrite binary at $BIN (cargo build -p ferrite, or set BIN)" >&2; exit 1; }
WORK="$(mktemp -d /tmp/ferrite-faults.XXXXXX)"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
SERVER_PID=

stop_server() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; fi
  SERVER_PID=
  rm -rf "$WORK"
}
trap stop_server EXIT

# start_server [NOFILE] : with `ulimit -n NOFILE` for the server when given; waits until it listens.
start_server() {
  local limit=${1:-}
  ( [ -n "$limit" ] && ulimit -n "$limit"; exec env -u FERRITE_BIN "$BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" ) \
    2>"$WORK/serve.log" &
  SERVER_PID=$!
  for _ in $(seq 1 600); do
    grep -q "listening" "$WORK/serve.log" 2>/dev/null && { grep -o "max_connections=[0-9]* open_files=[0-9]*" "$WORK/serve.log"; return 0; }
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$WORK/serve.log" >&2
  echo "error: the server did not start" >&2
  exit 1
}

# server_summary : is it alive, how many descriptors it holds, what it logged about connections.
server_summary() {
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "server alive; open descriptors: $(ls /proc/"$SERVER_PID"/fd | wc -l)"
  else
    echo "server DIED"
  fi
  echo "warnings logged: $(grep -c WARN "$WORK/serve.log" || true)"
}
