#!/usr/bin/env bash
# The private Python venv used at setup time by the model converters:
# $ARGUS_DEPS_DIR/venv with the pins of scripts/requirements-setup.txt.
# Skipped when the stamp holds the hash of the same requirements and Python.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/_common.sh
. "$here/_common.sh"

venv="$ARGUS_DEPS_DIR/venv"
req="$here/requirements-setup.txt"
stamp="$venv/.argus-requirements.sha256"

command -v "$ARGUS_PYTHON" >/dev/null || die "$ARGUS_PYTHON not found (set ARGUS_PYTHON)"
py_id="$("$ARGUS_PYTHON" -c 'import sys; print(sys.implementation.name, *sys.version_info[:3])')"
want="$( { cat "$req"; printf '%s\n' "$py_id"; } | sha256sum | cut -d' ' -f1)"

if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && "$venv/bin/python" -c '' 2>/dev/null; then
    exit 0
fi

"$ARGUS_PYTHON" -c 'import ensurepip, venv' 2>/dev/null ||
    die "$ARGUS_PYTHON cannot create venvs (on Debian: apt-get install python3-venv)"
rm -rf "$venv"
mkdir -p "$ARGUS_DEPS_DIR"
quietly "$ARGUS_PYTHON" -m venv "$venv"
quietly "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    --only-binary :all: -r "$req"
printf '%s\n' "$want" >"$stamp"
say "setup venv ($(grep -E '^(onnx|numpy)==' "$req" | tr '\n' ' ' | sed 's/ $//')) -> $(rel "$venv")"
