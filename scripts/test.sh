#!/usr/bin/env bash
# The test command: set up what is missing, type-check, lint, then run every test against
# real Python Pyro4 daemons.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/ensure-env.sh
npm run --silent typecheck
npx eslint .
npx vitest run "$@"
