#!/usr/bin/env bash
# The README's test command: on a fresh Debian machine with only Node.js 20
# (and `npm ci` done), install what the tests need, then run the whole suite.
# CI=true makes a missing server fail the suite with a hint instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-deps.sh
CI="${CI:-true}" npm test
