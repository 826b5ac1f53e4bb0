#!/usr/bin/env bash
# Creates (or refreshes) a private Python venv from a requirements file:
#   setup-python-venv.sh VENV_DIR REQUIREMENTS [--print-python]
# Idempotent: a marker file keyed on the sha256 of the requirements makes a second run a
# silent no-op. Prints the venv's python path only with --print-python.
set -euo pipefail

VENV="$1"
REQ="$2"
PY="${PYTHON:-python3}"
name="$(basename "$VENV")"

want="$(sha256sum "$REQ" | cut -d' ' -f1)"
marker="$VENV/.requirements-$want"

if [[ ! -x "$VENV/bin/python" || ! -f "$marker" ]]; then
    if [[ ! -x "$VENV/bin/python" ]]; then
        echo "setup: creating $name" >&2
        mkdir -p "$(dirname "$VENV")"
        "$PY" -m venv "$VENV"
    else
        echo "setup: requirements changed, updating $name" >&2
    fi
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ" >&2
    rm -f "$VENV"/.requirements-*
    : > "$marker"
    echo "setup: $name ready" >&2
fi

if [[ "${3:-}" == "--print-python" ]]; then
    echo "$VENV/bin/python"
fi
