#!/usr/bin/env bash
# The README's second command: set everything up, then lint and run the whole suite (unit + real containers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx eslint src test bench scripts
mapfile -t files < <(find dist/src dist/test -name '*.test.js' | sort)
# One file at a time: the e2e tests share the host (cgroups, mounts) and check for leaks at the end.
exec node --test --test-concurrency=1 "${files[@]}"
