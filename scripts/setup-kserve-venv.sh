#!/usr/bin/env bash
# The KServe circles predictor's venv (deploy/kserve/requirements.txt) at .deps/venv-kserve.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec bash "$ROOT/scripts/setup-python-venv.sh" "$ROOT/.deps/venv-kserve" "$ROOT/deploy/kserve/requirements.txt" "$@"
