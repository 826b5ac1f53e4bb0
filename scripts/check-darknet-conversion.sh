#!/usr/bin/env bash
# Independent check of the converted YOLOv3-tiny models (see
# scripts/check_darknet_conversion.py): creates a throwaway venv
# $ARGUS_DEPS_DIR/venv-check with ONNX Runtime and OpenCV (separate from the
# setup venv), then compares our ONNX models with OpenCV's own Darknet reader.
# Run after scripts/setup.sh.  Extra arguments go to the Python script.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/_common.sh
. "$here/_common.sh"

venv="$ARGUS_DEPS_DIR/venv-check"
req="$here/requirements-check.txt"
stamp="$venv/.argus-requirements.sha256"
want="$( { cat "$req"; "$ARGUS_PYTHON" -c 'import sys; print(*sys.version_info[:3])'; } | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    rm -rf "$venv"
    quietly "$ARGUS_PYTHON" -m venv "$venv"
    quietly "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
        --only-binary :all: -r "$req"
    printf '%s\n' "$want" >"$stamp"
    say "check venv -> $(rel "$venv")"
fi
exec "$venv/bin/python" "$here/check_darknet_conversion.py" "$@"
