#!/usr/bin/env bash
# `npm run bench [-- part…]`: set up, then run the benchmark parts (they start their own
# daemons on loopback and compare pyrogen with Python Pyro4 in the same run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/ensure-env.sh
exec node --import tsx bench/run.ts "$@"
