#!/usr/bin/env bash
# Creates (or refreshes) the Python venv used by bench/ at <repo>/.deps/venv-bench.
# Idempotent: a marker file keyed on the sha256 of bench/requirements.txt makes a second
# run a silent no-op. Prints the venv's python path only with --print-python.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REQ="$ROOT/bench/requirements.txt"
VENV="$ROOT/.deps/venv-bench"
PY="${PYTHON:-python3}"

hash_of() { sha256sum "$1" | cut -d' ' -f1; }
want="$(hash_of "$REQ")"
marker="$VENV/.requirements-$want"

if [[ ! -x "$VENV/bin/python" || ! -f "$marker" ]]; then
    if [[ ! -x "$VENV/bin/python" ]]; then
        echo "setup-bench-venv: creating $VENV" >&2
        mkdir -p "$ROOT/.deps"
        "$PY" -m venv "$VENV"
    else
        echo "setup-bench-venv: requirements changed, updating $VENV" >&2
    fi
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ" >&2
    rm -f "$VENV"/.requirements-*
    : > "$marker"
    echo "setup-bench-venv: ready" >&2
fi

if [[ "${1:-}" == "--print-python" ]]; then
    echo "$VENV/bin/python"
fi
