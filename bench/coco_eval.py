"""COCO bbox evaluation helper (pycocotools), shared by parity.py and reference_map.py."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

_GT_CACHE: dict[str, COCO] = {}


def load_gt(path: str | Path) -> COCO:
    key = str(Path(path).resolve())
    if key not in _GT_CACHE:
        with contextlib.redirect_stdout(io.StringIO()):
            _GT_CACHE[key] = COCO(key)
    return _GT_CACHE[key]


def coco_map(gt_path: str | Path, detections: list[dict]) -> dict[str, float]:
    """detections: COCO result records (image_id, category_id, bbox xywh, score).

    Returns {"map": mAP@[.5:.95], "map50": mAP@.5} in percent (0-100). Evaluation covers
    every image of the ground truth (images without detections count as misses)."""
    gt = load_gt(gt_path)
    valid_images = set(gt.getImgIds())
    dets = [
        {"image_id": int(d["image_id"]), "category_id": int(d["category_id"]),
         "bbox": [float(v) for v in d["bbox"]], "score": float(d["score"])}
        for d in detections if int(d["image_id"]) in valid_images
    ]
    if not dets:
        return {"map": 0.0, "map50": 0.0}
    with contextlib.redirect_stdout(io.StringIO()):
        dt = gt.loadRes(dets)
        ev = COCOeval(gt, dt, "bbox")
        ev.params.imgIds = sorted(valid_images)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return {"map": 100.0 * float(ev.stats[0]), "map50": 100.0 * float(ev.stats[1])}


def load_results(path: str | Path) -> list[dict]:
    return json.loads(Path(path).read_text())
