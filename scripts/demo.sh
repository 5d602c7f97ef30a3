#!/usr/bin/env bash
# `npm run demo [pyro5]`: start the bundled music server and a name server on 127.0.0.1
# (Pyro4's, or Pyro5 5.16's with `pyro5`, from $PYROGEN_PYRO5 or ../shared/peers/Pyro5-5.16),
# generate the server's typed client with `pyrogen PYRONAME:example.musicserver --source
# fixtures/musicserver/server.py` (names from the daemon, types from the Python source),
# compile and run examples/music-demo.ts with it, then stop both servers (also on failure).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/ensure-env.sh

ns_module=Pyro4.naming
case "${1:-}" in
  "") ;;
  pyro5 | --pyro5)
    pyro5=${PYROGEN_PYRO5:-$(cd .. && pwd)/shared/peers/Pyro5-5.16}
    if [ ! -f "$pyro5/Pyro5/__init__.py" ]; then
      echo "demo: Pyro5 5.16 not found at $pyro5; set PYROGEN_PYRO5 to the folder holding the Pyro5 package" >&2
      exit 1
    fi
    export PYTHONPATH="$pyro5${PYTHONPATH:+:$PYTHONPATH}" PYROGEN_GENERATION=5
    ns_module=Pyro5.nameserver
    ;;
  *)
    echo "usage: npm run demo [pyro5]" >&2
    exit 2
    ;;
esac

# Loopback only: discovery never leaves 127.0.0.1.
for var in $(env | grep -o '^PYRO_[A-Z_]*' || true); do unset "$var"; done
export PYRO_BROADCAST_ADDRS=127.0.0.1 PYRO_NS_HOST=127.0.0.1 PYRO_HOST=127.0.0.1

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

wait_for() { # wait_for <what> <command…>: retry for up to 15 s
  local what=$1
  shift
  for _ in $(seq 150); do
    if "$@" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "demo: $what did not start; its log:" >&2
  cat "$work"/*.log >&2
  exit 1
}

ns_port=$(free_port)
"$PYROGEN_PYTHON" -m "$ns_module" -n 127.0.0.1 -p "$ns_port" -x >"$work/ns.log" 2>&1 &
pids+=($!)
wait_for "the name server" bash -c "exec 3<>/dev/tcp/127.0.0.1/$ns_port"
echo "demo: $ns_module name server on 127.0.0.1:$ns_port (pid ${pids[0]})"

"$PYROGEN_PYTHON" fixtures/musicserver/server.py --port 0 --ns "127.0.0.1:$ns_port" >"$work/server.log" 2>&1 &
pids+=($!)
wait_for "the music server" grep -q '^READY ' "$work/server.log"
echo "demo: music server registered as example.musicserver (pid ${pids[1]})"

export PYRO_NS_PORT=$ns_port
echo "demo: \$ pyrogen PYRONAME:example.musicserver --source fixtures/musicserver/server.py -o examples/music-server.generated.ts"
node bin/pyrogen.js PYRONAME:example.musicserver --source fixtures/musicserver/server.py \
  -o examples/music-server.generated.ts
echo "demo: the server's source has no annotations: pyright inferred the types above"

echo "demo: compiling examples/music-demo.ts (tsc --strict)"
npx tsc -p examples/tsconfig.json

echo "demo: running examples/music-demo.ts"
echo
node --import tsx examples/music-demo.ts
echo
echo "demo: done; stopping the servers"
