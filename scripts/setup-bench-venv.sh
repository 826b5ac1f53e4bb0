#!/usr/bin/env bash
# The Python venv of bench/ (reference pipeline, parity, benchmarks) at .deps/venv-bench.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec bash "$ROOT/scripts/setup-python-venv.sh" "$ROOT/.deps/venv-bench" "$ROOT/bench/requirements.txt" "$@"
