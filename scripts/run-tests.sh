#!/usr/bin/env bash
# Runs the whole test suite: the Swift packages' tests (real ONNX Runtime, real
# models, real HTTP against the built binary) and the Python reference's own tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/setup-bench-venv.sh
.deps/venv-bench/bin/python -m unittest discover -s bench/tests -q 2>&1 | tail -n 3

swift test
