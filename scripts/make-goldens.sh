#!/usr/bin/env bash
# Regenerates the detector golden outputs used by the Swift tests:
#   Tests/ArgusVisionTests/Golden/<model-id>/<image-stem>.json
# with the independent Python reference (bench/reference/argus_ref.py) at conf 0.25,
# iou 0.45, max_det 300, 1 ORT thread. Also rewrites the model sha256 table in
# Tests/ArgusVisionTests/Golden/MODELS.sha256.
#
#   scripts/make-goldens.sh [MODEL-ID ...]     (default: all six; also u2netp, efficientnet-lite0)
#
# yolov3-tiny and yolov3-tiny-decoded need <repo>/models/*.onnx from scripts/setup.sh;
# the others come from ../shared/models (ARGUS_SHARED_DIR overrides ../shared).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${ARGUS_SHARED_DIR:-$ROOT/../shared}"
PY="$("$ROOT/scripts/setup-bench-venv.sh" --print-python)"
GOLDEN="$ROOT/Tests/ArgusVisionTests/Golden"
IMAGES_DIR="$SHARED/datasets/samples/images"
IMAGES=(darknet_dog.jpg darknet_horses.jpg darknet_giraffe.jpg darknet_person.jpg
        darknet_kite.jpg skimage_motorcycle_left.png)

declare -A MODEL_FILE=(
  [yolov3-tiny]="$ROOT/models/yolov3-tiny.onnx"
  [yolov3-tiny-decoded]="$ROOT/models/yolov3-tiny-decoded.onnx"
  [yolox-nano]="$SHARED/models/yolox-nano/yolox_nano_416.onnx"
  [yolov8n-int8]="$SHARED/models/test-only/yolov8n_int8_dynamic.onnx"
  [picodet-s]="$SHARED/models/picodet-s/picodet_s_320_coco.onnx"
  [nanodet-m]="$SHARED/models/nanodet-m/nanodet_m_416.onnx"
)
ALL=(yolov3-tiny yolov3-tiny-decoded yolox-nano yolov8n-int8 picodet-s nanodet-m)
if [[ $# -gt 0 ]]; then MODELS=("$@"); else MODELS=("${ALL[@]}"); fi

paths=()
for img in "${IMAGES[@]}"; do paths+=("$IMAGES_DIR/$img"); done

# The background-removal reference's soft masks of four DAVIS frames (see Golden/README.md).
if [[ " ${MODELS[*]} " == *" u2netp "* ]]; then
  frames="$(mktemp -d)"
  for frame in blackswan_00000 camel_00000 dog_00000 libby_00000; do
    cp "$SHARED/datasets/davis2016-sub/images/$frame.jpg" "$frames/"
  done
  rm -rf "${GOLDEN:?}/u2netp"
  "$PY" "$ROOT/bench/reference/u2net_ref.py" "$ROOT/models/u2netp.onnx" "$frames" "$GOLDEN/u2netp"
  rm -rf "$frames"
  echo "make-goldens: u2netp: $(ls "$GOLDEN/u2netp" | wc -l) files" >&2
  MODELS=("${MODELS[@]/u2netp/}")
fi

# The embedding reference's tags of every sample image and the vectors of four.
if [[ " ${MODELS[*]} " == *" efficientnet-lite0 "* ]]; then
  samples=()
  for img in skimage_coffee.png opencv_baboon.jpg opencv_orange.jpg skimage_chelsea.png darknet_dog.jpg \
             darknet_eagle.jpg opencv_messi5.jpg opencv_squirrel_cls.jpg opencv_fruits.jpg skimage_motorcycle_left.png; do
    samples+=("$IMAGES_DIR/$img")
  done
  mkdir -p "$GOLDEN/efficientnet-lite0"
  "$PY" "$ROOT/bench/reference/effnet_ref.py" "$ROOT/models/efficientnet-lite0.onnx" \
    "$ROOT/models/efficientnet-lite0.labels" "${samples[@]}" --out "$GOLDEN/efficientnet-lite0/samples.json"
  echo "make-goldens: efficientnet-lite0: samples.json" >&2
  MODELS=("${MODELS[@]/efficientnet-lite0/}")
fi

status=0
for m in "${MODELS[@]}"; do
  [[ -n "$m" ]] || continue
  f="${MODEL_FILE[$m]:-}"
  if [[ -z "$f" ]]; then echo "make-goldens: unknown model $m" >&2; exit 2; fi
  if [[ ! -f "$f" ]]; then
    echo "make-goldens: $m: missing $f (run scripts/setup.sh first)" >&2
    status=1
    continue
  fi
  rm -rf "${GOLDEN:?}/$m"
  "$PY" "$ROOT/bench/reference/argus_ref.py" --model "$m" --model-path "$f" \
    --conf 0.25 --iou 0.45 --max-det 300 --threads 1 --format json \
    --out-dir "$GOLDEN/$m" "${paths[@]}"
  # keep the sha256 table in step with the files the goldens came from
  touch "$GOLDEN/MODELS.sha256"
  grep -v "  $m\$" "$GOLDEN/MODELS.sha256" > "$GOLDEN/MODELS.sha256.tmp" || true
  echo "$(sha256sum "$f" | cut -d' ' -f1)  $m" >> "$GOLDEN/MODELS.sha256.tmp"
  sort -k2 "$GOLDEN/MODELS.sha256.tmp" > "$GOLDEN/MODELS.sha256"
  rm -f "$GOLDEN/MODELS.sha256.tmp"
  echo "make-goldens: $m: $(ls "$GOLDEN/$m" | wc -l) files" >&2
done
exit $status
