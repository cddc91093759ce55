#!/usr/bin/env bash
# The README's first command: set everything up, then run the init-container demo pod.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec podd run -f examples/init-demo.yaml "$@"
