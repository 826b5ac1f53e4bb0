#!/usr/bin/env bash
# The venv of bench/rembg_bench.py's peer, rembg, at .deps/venv-rembg.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec bash "$ROOT/scripts/setup-python-venv.sh" "$ROOT/.deps/venv-rembg" "$ROOT/bench/rembg-requirements.txt" "$@"
