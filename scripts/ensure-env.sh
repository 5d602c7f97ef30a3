#!/usr/bin/env bash
# Make this checkout ready to run: npm packages, a build, and a Python with Pyro4 4.82.
# Sourced by test.sh, demo.sh and bench.sh; exports PYROGEN_PYTHON.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "pyrogen: installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi

has_pyro4() { "$1" -c 'import Pyro4, serpent, msgpack; assert Pyro4.__version__ == "4.82"' 2>/dev/null; }

find_python() {
  local candidate
  for candidate in ${PYROGEN_PYTHON:-} /usr/bin/python3 python3 /bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && has_pyro4 "$candidate"; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! PYROGEN_PYTHON=$(find_python); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "pyrogen: installing Python's Pyro4 4.82 (apt-get install python3-pyro4 python3-serpent python3-msgpack)" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pyro4 python3-serpent python3-msgpack >&2
    PYROGEN_PYTHON=$(find_python) || { echo "pyrogen: Pyro4 was installed but no interpreter imports it" >&2; exit 1; }
  else
    cat >&2 <<'MSG'
pyrogen: no Python with Pyro4 4.82 was found, and this user cannot install it.
Install it as root:  apt-get update && apt-get install -y python3-pyro4 python3-serpent python3-msgpack
or point PYROGEN_PYTHON at an interpreter that has Pyro4 4.82, serpent and msgpack.
MSG
    exit 1
  fi
fi
export PYROGEN_PYTHON

# Tests, demo and benchmarks stay on loopback: name-server discovery only ever asks 127.0.0.1.
export PYRO_BROADCAST_ADDRS=127.0.0.1 PYRO_NS_HOST=127.0.0.1 PYRO_HOST=127.0.0.1

# Build once per run: the test command builds, and the tests that run the demo or the
# benchmarks (children of it) must not rebuild dist/ while other tests read it.
if [ "${PYROGEN_BUILT:-}" != "$PWD" ]; then
  echo "pyrogen: building (tsc)" >&2
  npm run --silent build >&2
  export PYROGEN_BUILT=$PWD
fi
