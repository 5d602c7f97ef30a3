#!/usr/bin/env bash
# The test command: set up what is missing, type-check, lint and format-check, then run every test against
# real Python Pyro4 daemons. Ends with one summary line "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/ensure-env.sh
npm run --silent typecheck
npx eslint .
npx prettier --check --log-level warn .
mkdir -p test/.tmp
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test/.tmp/results.json "$@" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync("test/.tmp/results.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit "$status"
