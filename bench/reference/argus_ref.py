#!/usr/bin/env python3
"""Argus reference detector pipeline (independent of the Swift code).

A small, deliberately plain Python + ONNX Runtime implementation of every detector
family Argus supports. It produces the golden outputs the Swift tests compare against
(Tests/ArgusVisionTests/Golden), and is the peer for bench/parity.py and
bench/detect_bench.py.

Usage
-----
    python bench/reference/argus_ref.py --model ID [--model-path FILE] [--conf 0.25]
        [--iou 0.45] [--max-det 300] [--threads N] [--format coco|json] PATH...

PATH is an image or a folder (its images, non-recursive, sorted by name).

Model ids
---------
yolov3-tiny          raw YOLO maps `yolo_s32` [1,255,13,13], `yolo_s16` [1,255,26,26]
yolov3-tiny-decoded  [1,N,85] cx,cy,w,h (input px), obj, 80 class probs (YOLOv5 layout)
yolox-nano           [1,3549,85] raw per grid point, strides 8/16/32
yolov8n-int8         [1,84,8400] cx,cy,w,h + 80 class scores, no objectness
picodet-s            4 class tensors [1,N,80] + 4 GFL box tensors [1,N,32], strides 8..64
nanodet-m            3 class tensors [1,N,80] + 3 GFL box tensors [1,N,32], strides 8..32

Image decoding
--------------
cv2.imread(path, cv2.IMREAD_COLOR) -> BGR uint8 HxWx3 (grey is expanded, alpha dropped,
EXIF orientation applied by OpenCV).

Preprocessing (per model; all resizes are cv2.resize INTER_LINEAR on the uint8 image)
-----------------------------------------------------------------------------------
yolov3-tiny(-decoded)  plain resize to 416x416, BGR->RGB, x/255.
                       sx = 416/W, sy = 416/H, no padding.
yolox-nano             r = min(416/H, 416/W); resize to (int(W*r), int(H*r)) (truncation);
                       pasted at the TOP-LEFT of a 416x416 canvas filled with 114;
                       stays BGR, values 0..255, no normalisation.
yolov8n-int8           r = min(640/H, 640/W); new = (round(W*r), round(H*r)) (Python
                       round = half-to-even; ties practically never occur);
                       dw = (640-new_w)/2, dh = (640-new_h)/2;
                       top = round(dh-0.1), left = round(dw-0.1); canvas 640x640 of 114;
                       BGR->RGB, x/255.
picodet-s              plain resize to 320x320, BGR->RGB, x/255, then
                       (x - [0.485,0.456,0.406]) / [0.229,0.224,0.225] (RGB order).
nanodet-m              r = min(416/H, 416/W); new = (round(W*r), round(H*r));
                       left = (416-new_w)//2, top = (416-new_h)//2; canvas of 0 (pad value
                       0 BEFORE normalisation); stays BGR;
                       (x - [103.53,116.28,123.675]) / [57.375,57.12,58.395] (BGR order).
Layout is always NCHW float32.

Decoding (boxes in input-tensor pixels, then mapped back)
---------------------------------------------------------
yolov3-tiny   channel c = a*85 + k (a = anchor 0..2 of that map, k = tx,ty,tw,th,obj,cls*80);
              cx = (sigmoid(tx)+col)*stride, cy = (sigmoid(ty)+row)*stride,
              w = exp(tw)*anchor_w, h = exp(th)*anchor_h; obj = sigmoid, cls = sigmoid.
              stride 32 (13x13): anchors (81,82),(135,169),(344,319)
              stride 16 (26x26): anchors (10,14),(23,27),(37,58)
              The maps are matched to strides by their spatial size, not by name.
yolov3-tiny-decoded  values used as they are (obj and cls already activated).
yolox-nano    grid points in order stride 8 (52x52), 16 (26x26), 32 (13x13), row-major;
              cx = (tx+col)*s, cy = (ty+row)*s, w = exp(tw)*s, h = exp(th)*s;
              obj and cls already sigmoided.
yolov8n-int8  transpose to [8400,84]; cx,cy,w,h as is; cls already sigmoided; no obj.
picodet-s / nanodet-m (GFL)
              class tensors and box tensors are matched to strides by N = (S/s)^2
              (largest N = smallest stride); points row-major; centre = ((col+0.5)*s,
              (row+0.5)*s) [see GFL_CENTER_OFFSET]; for each side (l,t,r,b) in that order,
              the 32 values are 4 groups of 8 bins: d = sum_i softmax(bins)_i * i * s;
              box = (cx-l, cy-t, cx+r, cy+b). Class scores already sigmoided; no obj.
Back to the original image: x = (x_in - pad_left) / scale_x, y = (y_in - pad_top) / scale_y
(letterbox: scale_x = scale_y = r).

Common post-processing (Argus implements exactly this)
------------------------------------------------------
1. Single label per candidate: class = argmax over the 80 class scores (first index on
   ties); score = obj * max_cls (max_cls alone when the model has no objectness).
2. Keep candidates with score >= conf.
3. Boxes -> x1,y1,x2,y2 in ORIGINAL image pixels (from cx,cy,w,h: x1 = cx - w/2 ...),
   clipped to [0,W] x [0,H].
4. Per-class greedy NMS on those clipped original-pixel boxes: candidates of a class
   sorted by score descending (stable: equal scores keep decode order); take the best,
   drop every remaining one with IoU > iou (strictly greater), repeat. IoU uses continuous
   coordinates, area = (x2-x1)*(y2-y1), no +1; a pair whose union is <= 0 has IoU 0.
5. All kept boxes of all classes sorted by score descending (stable), keep the first
   max_det.
Defaults: conf 0.25, iou 0.45, max_det 300. Arithmetic is float32 for the network
outputs and activations, float64 for the box maths.

Output formats
--------------
--format json (default): one JSON array, one object per image:
    {"file_name", "width", "height",
     "detections": [{"label", "class_id" (0-79), "confidence",
                     "bbox": {"x1","y1","x2","y2"}}]}      (score descending)
--format coco: one JSON array of
    {"file_name", "image_id", "category_id" (COCO 91-id), "bbox": [x,y,w,h], "score"}
    image_id is the integer value of the last run of digits in the file stem
    (000000000009.jpg -> 9), 0 when the stem has no digits.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import cv2
import numpy as np
import onnxruntime as ort

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("ARGUS_SHARED_DIR", REPO_ROOT.parent / "shared"))

COCO80_NAMES = [
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
    "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat",
    "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack",
    "umbrella", "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball",
    "kite", "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket",
    "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
    "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair",
    "couch", "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse",
    "remote", "keyboard", "cell phone", "microwave", "oven", "toaster", "sink",
    "refrigerator", "book", "clock", "vase", "scissors", "teddy bear", "hair drier",
    "toothbrush",
]
# 80-class index -> COCO category id (1..90, with the 11 unused ids skipped).
COCO80_TO_91 = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
    27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77,
    78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90,
]
assert len(COCO80_NAMES) == 80 and len(COCO80_TO_91) == 80

IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}

# GFL (PicoDet / NanoDet) anchor-point centre offset in units of the stride:
# centre = (col + GFL_CENTER_OFFSET) * stride. 0.5 scores clearly higher on coco128 for
# both models (see bench/reference/README.md and bench/results/reference_map.md).
GFL_CENTER_OFFSET = 0.5

DEFAULT_MODEL_FILES = {
    "yolov3-tiny": [REPO_ROOT / "models" / "yolov3-tiny.onnx"],
    "yolov3-tiny-decoded": [REPO_ROOT / "models" / "yolov3-tiny-decoded.onnx"],
    "yolox-nano": [SHARED / "models" / "yolox-nano" / "yolox_nano_416.onnx"],
    "yolov8n-int8": [SHARED / "models" / "test-only" / "yolov8n_int8_dynamic.onnx"],
    "picodet-s": [SHARED / "models" / "picodet-s" / "picodet_s_320_coco.onnx"],
    "nanodet-m": [SHARED / "models" / "nanodet-m" / "nanodet_m_416.onnx"],
}
MODEL_IDS = list(DEFAULT_MODEL_FILES)


# --------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------

def sigmoid(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float32, copy=False)
    return (1.0 / (1.0 + np.exp(-x))).astype(np.float32)


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = x.astype(np.float32, copy=False)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def resolve_model_path(model_id: str, model_path: str | None = None,
                       models_dir: str | None = None) -> Path:
    """Explicit path > <models_dir>/<id>.onnx > the known default location."""
    if model_path:
        return Path(model_path)
    candidates: list[Path] = []
    if models_dir:
        candidates.append(Path(models_dir) / f"{model_id}.onnx")
    candidates += DEFAULT_MODEL_FILES[model_id]
    for c in candidates:
        if c.is_file():
            return c
    raise FileNotFoundError(
        f"no model file for {model_id!r}; looked at: " + ", ".join(str(c) for c in candidates))


def list_images(paths: Sequence[str | os.PathLike]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.iterdir()
                          if q.is_file() and q.suffix.lower() in IMAGE_EXTENSIONS)
        elif p.is_file():
            out.append(p)
        else:
            raise FileNotFoundError(str(p))
    return out


def read_image(path: str | os.PathLike) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError(f"cannot decode image {path}")
    return img


def image_id_from_name(name: str) -> int:
    m = re.search(r"(\d+)(?!.*\d)", Path(name).stem)
    return int(m.group(1)) if m else 0


# --------------------------------------------------------------------------------------
# preprocessing
# --------------------------------------------------------------------------------------

@dataclass
class Geometry:
    """How input-tensor pixels map back to the original image."""
    width: int           # original image width
    height: int          # original image height
    scale_x: float
    scale_y: float
    pad_left: float = 0.0
    pad_top: float = 0.0


def _to_nchw(img: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(img.transpose(2, 0, 1)[None], dtype=np.float32)


def pre_stretch_rgb01(img: np.ndarray, size: int) -> tuple[np.ndarray, Geometry]:
    h, w = img.shape[:2]
    r = cv2.resize(img, (size, size), interpolation=cv2.INTER_LINEAR)
    x = cv2.cvtColor(r, cv2.COLOR_BGR2RGB).astype(np.float32) / np.float32(255.0)
    return _to_nchw(x), Geometry(w, h, size / w, size / h)


def pre_yolox(img: np.ndarray, size: int = 416) -> tuple[np.ndarray, Geometry]:
    h, w = img.shape[:2]
    r = min(size / h, size / w)
    nw, nh = int(w * r), int(h * r)
    canvas = np.full((size, size, 3), 114, dtype=np.uint8)
    canvas[:nh, :nw] = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
    return _to_nchw(canvas.astype(np.float32)), Geometry(w, h, r, r)


def pre_yolov8(img: np.ndarray, size: int = 640) -> tuple[np.ndarray, Geometry]:
    h, w = img.shape[:2]
    r = min(size / h, size / w)
    nw, nh = int(round(w * r)), int(round(h * r))
    dw, dh = (size - nw) / 2, (size - nh) / 2
    top, left = int(round(dh - 0.1)), int(round(dw - 0.1))
    resized = img if (nw, nh) == (w, h) else cv2.resize(img, (nw, nh),
                                                       interpolation=cv2.INTER_LINEAR)
    canvas = np.full((size, size, 3), 114, dtype=np.uint8)
    canvas[top:top + nh, left:left + nw] = resized
    x = cv2.cvtColor(canvas, cv2.COLOR_BGR2RGB).astype(np.float32) / np.float32(255.0)
    return _to_nchw(x), Geometry(w, h, r, r, left, top)


IMAGENET_MEAN_RGB = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD_RGB = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def pre_picodet(img: np.ndarray, size: int = 320) -> tuple[np.ndarray, Geometry]:
    h, w = img.shape[:2]
    r = cv2.resize(img, (size, size), interpolation=cv2.INTER_LINEAR)
    x = cv2.cvtColor(r, cv2.COLOR_BGR2RGB).astype(np.float32) / np.float32(255.0)
    x = (x - IMAGENET_MEAN_RGB) / IMAGENET_STD_RGB
    return _to_nchw(x), Geometry(w, h, size / w, size / h)


NANODET_MEAN_BGR = np.array([103.53, 116.28, 123.675], dtype=np.float32)
NANODET_STD_BGR = np.array([57.375, 57.12, 58.395], dtype=np.float32)


def pre_nanodet(img: np.ndarray, size: int = 416,
                letterbox: bool = True) -> tuple[np.ndarray, Geometry]:
    h, w = img.shape[:2]
    if not letterbox:  # plain stretch (only for the experiment in reference_map.py)
        r = cv2.resize(img, (size, size), interpolation=cv2.INTER_LINEAR)
        x = (r.astype(np.float32) - NANODET_MEAN_BGR) / NANODET_STD_BGR
        return _to_nchw(x), Geometry(w, h, size / w, size / h)
    r = min(size / h, size / w)
    nw, nh = int(round(w * r)), int(round(h * r))
    left, top = (size - nw) // 2, (size - nh) // 2
    canvas = np.zeros((size, size, 3), dtype=np.uint8)
    canvas[top:top + nh, left:left + nw] = cv2.resize(img, (nw, nh),
                                                      interpolation=cv2.INTER_LINEAR)
    x = (canvas.astype(np.float32) - NANODET_MEAN_BGR) / NANODET_STD_BGR
    return _to_nchw(x), Geometry(w, h, r, r, left, top)


# --------------------------------------------------------------------------------------
# decoders: outputs (name -> array) -> (boxes_xyxy_input_px [N,4] f64, obj [N] or None,
#                                       cls [N,80] f32)
# --------------------------------------------------------------------------------------

YOLOV3_TINY_ANCHORS = {  # stride -> anchors (w, h) in input pixels
    32: [(81, 82), (135, 169), (344, 319)],
    16: [(10, 14), (23, 27), (37, 58)],
}


def _cxcywh_to_xyxy(cx, cy, w, h) -> np.ndarray:
    cx, cy, w, h = (np.asarray(v, dtype=np.float64) for v in (cx, cy, w, h))
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)


def decode_yolov3_tiny(outputs: dict[str, np.ndarray], input_size: int = 416):
    maps = sorted(outputs.values(), key=lambda a: a.shape[-1])  # 13x13 first, then 26x26
    boxes, objs, clss = [], [], []
    for m in maps:
        _, c, gh, gw = m.shape
        stride = input_size // gw
        anchors = YOLOV3_TINY_ANCHORS[stride]
        na = len(anchors)
        assert c == na * 85, m.shape
        t = m[0].reshape(na, 85, gh, gw).transpose(0, 2, 3, 1)  # [a, row, col, 85]
        rows, cols = np.meshgrid(np.arange(gh), np.arange(gw), indexing="ij")
        aw = np.array([a[0] for a in anchors], dtype=np.float64)[:, None, None]
        ah = np.array([a[1] for a in anchors], dtype=np.float64)[:, None, None]
        cx = (sigmoid(t[..., 0]).astype(np.float64) + cols) * stride
        cy = (sigmoid(t[..., 1]).astype(np.float64) + rows) * stride
        w = np.exp(t[..., 2].astype(np.float64)) * aw
        h = np.exp(t[..., 3].astype(np.float64)) * ah
        boxes.append(_cxcywh_to_xyxy(cx.ravel(), cy.ravel(), w.ravel(), h.ravel()))
        objs.append(sigmoid(t[..., 4]).ravel())
        clss.append(sigmoid(t[..., 5:]).reshape(-1, 80))
    return np.concatenate(boxes), np.concatenate(objs), np.concatenate(clss)


def decode_yolov5_layout(outputs: dict[str, np.ndarray], input_size: int = 416):
    (p,) = outputs.values()
    p = p[0]
    return _cxcywh_to_xyxy(p[:, 0], p[:, 1], p[:, 2], p[:, 3]), p[:, 4], p[:, 5:]


def decode_yolox(outputs: dict[str, np.ndarray], input_size: int = 416):
    (p,) = outputs.values()
    p = p[0]
    grid_x, grid_y, strides = [], [], []
    for s in (8, 16, 32):
        g = input_size // s
        rows, cols = np.meshgrid(np.arange(g), np.arange(g), indexing="ij")
        grid_x.append(cols.ravel())
        grid_y.append(rows.ravel())
        strides.append(np.full(g * g, s))
    gx, gy, st = (np.concatenate(v).astype(np.float64) for v in (grid_x, grid_y, strides))
    assert len(gx) == p.shape[0], (len(gx), p.shape)
    cx = (p[:, 0].astype(np.float64) + gx) * st
    cy = (p[:, 1].astype(np.float64) + gy) * st
    w = np.exp(p[:, 2].astype(np.float64)) * st
    h = np.exp(p[:, 3].astype(np.float64)) * st
    return _cxcywh_to_xyxy(cx, cy, w, h), p[:, 4], p[:, 5:]


def decode_yolov8(outputs: dict[str, np.ndarray], input_size: int = 640):
    (p,) = outputs.values()
    p = p[0].T  # [8400, 84]
    return _cxcywh_to_xyxy(p[:, 0], p[:, 1], p[:, 2], p[:, 3]), None, p[:, 4:]


def decode_gfl(outputs: dict[str, np.ndarray], input_size: int,
               center_offset: float | None = None):
    """PicoDet / NanoDet: class [1,N,80] and box [1,N,32] tensors, matched by N."""
    off = GFL_CENTER_OFFSET if center_offset is None else center_offset
    cls_t = sorted((a for a in outputs.values() if a.shape[-1] == 80),
                   key=lambda a: -a.shape[1])
    box_t = sorted((a for a in outputs.values() if a.shape[-1] == 32),
                   key=lambda a: -a.shape[1])
    assert len(cls_t) == len(box_t) and cls_t, [a.shape for a in outputs.values()]
    boxes, clss = [], []
    for c, b in zip(cls_t, box_t):
        n = c.shape[1]
        assert b.shape[1] == n
        g = int(round(math.sqrt(n)))
        assert g * g == n, n
        stride = input_size / g
        rows, cols = np.meshgrid(np.arange(g), np.arange(g), indexing="ij")
        cx = (cols.ravel() + off) * stride
        cy = (rows.ravel() + off) * stride
        prob = softmax(b[0].reshape(n, 4, 8), axis=-1)
        dist = (prob * np.arange(8, dtype=np.float32)).sum(-1).astype(np.float64) * stride
        boxes.append(np.stack([cx - dist[:, 0], cy - dist[:, 1],
                               cx + dist[:, 2], cy + dist[:, 3]], axis=1))
        clss.append(c[0])
    return np.concatenate(boxes), None, np.concatenate(clss)


# --------------------------------------------------------------------------------------
# common post-processing
# --------------------------------------------------------------------------------------

def iou_one_to_many(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    ix1 = np.maximum(box[0], boxes[:, 0])
    iy1 = np.maximum(box[1], boxes[:, 1])
    ix2 = np.minimum(box[2], boxes[:, 2])
    iy2 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(ix2 - ix1, 0, None) * np.clip(iy2 - iy1, 0, None)
    a = (box[2] - box[0]) * (box[3] - box[1])
    b = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = a + b - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, inter / union, 0.0)


def greedy_nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> np.ndarray:
    """Indices kept, in score-descending order (stable sort)."""
    order = np.argsort(-scores, kind="stable")
    keep = []
    while order.size:
        i = order[0]
        keep.append(i)
        if order.size == 1:
            break
        rest = order[1:]
        order = rest[iou_one_to_many(boxes[i], boxes[rest]) <= iou]
    return np.array(keep, dtype=np.int64)


@dataclass
class Detection:
    class_id: int
    score: float
    x1: float
    y1: float
    x2: float
    y2: float


def postprocess(boxes_in: np.ndarray, obj: np.ndarray | None, cls: np.ndarray,
                geo: Geometry, conf: float = 0.25, iou: float = 0.45,
                max_det: int = 300) -> list[Detection]:
    cls = cls.astype(np.float32, copy=False)
    class_id = cls.argmax(axis=1)
    max_cls = cls[np.arange(cls.shape[0]), class_id]
    score = max_cls if obj is None else obj.astype(np.float32) * max_cls
    keep = score >= np.float32(conf)
    if not keep.any():
        return []
    b, s, c = boxes_in[keep].astype(np.float64), score[keep], class_id[keep]
    b[:, [0, 2]] = (b[:, [0, 2]] - geo.pad_left) / geo.scale_x
    b[:, [1, 3]] = (b[:, [1, 3]] - geo.pad_top) / geo.scale_y
    b[:, [0, 2]] = np.clip(b[:, [0, 2]], 0, geo.width)
    b[:, [1, 3]] = np.clip(b[:, [1, 3]], 0, geo.height)
    kept = []
    for k in np.unique(c):
        idx = np.nonzero(c == k)[0]
        kept.append(idx[greedy_nms(b[idx], s[idx], iou)])
    kept = np.concatenate(kept)
    kept = kept[np.argsort(-s[kept], kind="stable")][:max_det]
    return [Detection(int(c[i]), float(s[i]), *map(float, b[i])) for i in kept]


# --------------------------------------------------------------------------------------
# model registry and the detector
# --------------------------------------------------------------------------------------

@dataclass
class ModelSpec:
    input_size: int
    preprocess: Callable[[np.ndarray], tuple[np.ndarray, Geometry]]
    decode: Callable[..., tuple]


MODELS: dict[str, ModelSpec] = {
    "yolov3-tiny": ModelSpec(416, lambda im: pre_stretch_rgb01(im, 416), decode_yolov3_tiny),
    "yolov3-tiny-decoded": ModelSpec(416, lambda im: pre_stretch_rgb01(im, 416),
                                     decode_yolov5_layout),
    "yolox-nano": ModelSpec(416, lambda im: pre_yolox(im, 416), decode_yolox),
    "yolov8n-int8": ModelSpec(640, lambda im: pre_yolov8(im, 640), decode_yolov8),
    "picodet-s": ModelSpec(320, lambda im: pre_picodet(im, 320), decode_gfl),
    "nanodet-m": ModelSpec(416, lambda im: pre_nanodet(im, 416), decode_gfl),
}
assert set(MODELS) == set(MODEL_IDS)


def make_session(path: str | os.PathLike, threads: int = 1) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3  # NanoDet's file warns once per initializer listed as input
    return ort.InferenceSession(str(path), sess_options=so,
                                providers=["CPUExecutionProvider"])


class Detector:
    def __init__(self, model_id: str, model_path: str | os.PathLike | None = None,
                 threads: int = 1, models_dir: str | None = None):
        if model_id not in MODELS:
            raise KeyError(f"unknown model {model_id!r}; known: {', '.join(MODEL_IDS)}")
        self.model_id = model_id
        self.spec = MODELS[model_id]
        self.path = resolve_model_path(model_id, model_path and str(model_path), models_dir)
        self.session = make_session(self.path, threads)
        self.input_name = self.session.get_inputs()[0].name
        self.output_names = [o.name for o in self.session.get_outputs()]

    def preprocess(self, img: np.ndarray):
        return self.spec.preprocess(img)

    def run(self, tensor: np.ndarray) -> dict[str, np.ndarray]:
        outs = self.session.run(self.output_names, {self.input_name: tensor})
        return dict(zip(self.output_names, outs))

    def decode(self, outputs: dict[str, np.ndarray], **kw):
        return self.spec.decode(outputs, self.spec.input_size, **kw)

    def detect(self, img: np.ndarray, conf: float = 0.25, iou: float = 0.45,
               max_det: int = 300) -> list[Detection]:
        tensor, geo = self.preprocess(img)
        boxes, obj, cls = self.decode(self.run(tensor))
        return postprocess(boxes, obj, cls, geo, conf, iou, max_det)

    def detect_file(self, path, conf=0.25, iou=0.45, max_det=300):
        img = read_image(path)
        return img.shape[1], img.shape[0], self.detect(img, conf, iou, max_det)


# --------------------------------------------------------------------------------------
# output formats
# --------------------------------------------------------------------------------------

def to_json_record(file_name: str, width: int, height: int,
                   dets: list[Detection]) -> dict:
    return {
        "file_name": file_name,
        "width": width,
        "height": height,
        "detections": [
            {
                "label": COCO80_NAMES[d.class_id],
                "class_id": d.class_id,
                "confidence": round(d.score, 6),
                "bbox": {"x1": round(d.x1, 4), "y1": round(d.y1, 4),
                         "x2": round(d.x2, 4), "y2": round(d.y2, 4)},
            }
            for d in dets
        ],
    }


def to_coco_records(file_name: str, dets: list[Detection]) -> list[dict]:
    image_id = image_id_from_name(file_name)
    return [
        {
            "file_name": file_name,
            "image_id": image_id,
            "category_id": COCO80_TO_91[d.class_id],
            "bbox": [round(d.x1, 4), round(d.y1, 4),
                     round(d.x2 - d.x1, 4), round(d.y2 - d.y1, 4)],
            "score": round(d.score, 6),
        }
        for d in dets
    ]


def run_cli(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True, choices=MODEL_IDS)
    ap.add_argument("--model-path", help="ONNX file (default: the model's usual location)")
    ap.add_argument("--models-dir", help="look for <dir>/<model-id>.onnx first")
    ap.add_argument("--conf", type=float, default=0.25)
    ap.add_argument("--iou", type=float, default=0.45)
    ap.add_argument("--max-det", type=int, default=300)
    ap.add_argument("--threads", type=int, default=1, help="ORT intra-op threads")
    ap.add_argument("--format", choices=["json", "coco"], default="json")
    ap.add_argument("--indent", type=int, default=None)
    ap.add_argument("--out-dir", help="json format only: write one <image-stem>.json per "
                    "image (a single object, indent 2) into this folder instead of stdout")
    ap.add_argument("paths", nargs="+", metavar="PATH")
    a = ap.parse_args(argv)

    if a.out_dir and a.format != "json":
        ap.error("--out-dir needs --format json")
    det = Detector(a.model, a.model_path, a.threads, a.models_dir)
    out: list[dict] = []
    for p in list_images(a.paths):
        w, h, dets = det.detect_file(p, a.conf, a.iou, a.max_det)
        if a.out_dir:
            d = Path(a.out_dir)
            d.mkdir(parents=True, exist_ok=True)
            with open(d / f"{p.stem}.json", "w") as f:
                json.dump(to_json_record(p.name, w, h, dets), f, indent=2)
                f.write("\n")
        elif a.format == "json":
            out.append(to_json_record(p.name, w, h, dets))
        else:
            out += to_coco_records(p.name, dets)
    if not a.out_dir:
        json.dump(out, sys.stdout, indent=a.indent)
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli())
