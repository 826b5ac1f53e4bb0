#!/usr/bin/env python3
"""COCO mAP of the reference pipeline (bench/reference/argus_ref.py) on coco128.

Checks that each decoder is right: a wrong layout, colour order, letterbox or centre
convention shows as a clearly lower mAP. coco128 is COCO *train* images, so the numbers
are for regression and decoder checks, not accuracy claims.

    python bench/reference_map.py [--models ID,...] [--conf 0.001] [--threads 2]
        [--experiments] [--out bench/results/reference_map.md]

--experiments also scores the alternatives (GFL centre offset 0 instead of 0.5 for
PicoDet/NanoDet, NanoDet with a plain stretch instead of its letterbox, YOLOv3-tiny with
Darknet's letterbox instead of the plain stretch).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "reference"))
sys.path.insert(0, str(HERE))

import argus_ref as ref  # noqa: E402
from coco_eval import coco_map  # noqa: E402

COCO128 = ref.SHARED / "datasets" / "coco128"
GT = COCO128 / "annotations" / "instances_train2017.json"


def pre_darknet_letterbox(img, size: int = 416):
    """pjreddie Darknet's test-time letterbox: aspect kept, centred, grey 0.5 padding."""
    import cv2
    import numpy as np
    h, w = img.shape[:2]
    r = min(size / w, size / h)
    nw, nh = int(w * r), int(h * r)
    left, top = (size - nw) // 2, (size - nh) // 2
    canvas = np.full((size, size, 3), 0.5, dtype=np.float32)
    rgb = cv2.cvtColor(cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR),
                       cv2.COLOR_BGR2RGB)
    canvas[top:top + nh, left:left + nw] = rgb.astype(np.float32) / 255.0
    return ref._to_nchw(canvas), ref.Geometry(w, h, r, r, left, top)


def variants_for(model_id: str, experiments: bool):
    """(name, preprocess or None for the model's own, decode kwargs)."""
    out = [("reference", None, {})]
    if not experiments:
        return out
    if model_id in ("yolov3-tiny", "yolov3-tiny-decoded"):
        out.append(("Darknet letterbox (centred, grey) instead of stretch",
                    pre_darknet_letterbox, {}))
    if model_id in ("picodet-s", "nanodet-m"):
        out.append(("GFL centre offset 0 (col*s)", None, {"center_offset": 0.0}))
    if model_id == "nanodet-m":
        out.append(("plain stretch 416 instead of letterbox",
                    lambda im: ref.pre_nanodet(im, 416, letterbox=False), {}))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default=",".join(ref.MODEL_IDS))
    ap.add_argument("--models-dir")
    ap.add_argument("--conf", type=float, default=0.001)
    ap.add_argument("--iou", type=float, default=0.45)
    ap.add_argument("--max-det", type=int, default=300)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--images", default=str(COCO128 / "train2017"))
    ap.add_argument("--gt", default=str(GT))
    ap.add_argument("--experiments", action="store_true")
    ap.add_argument("--out", default=str(HERE / "results" / "reference_map.md"))
    a = ap.parse_args()

    images = ref.list_images([a.images])
    rows = []
    for model_id in a.models.split(","):
        try:
            det = ref.Detector(model_id, threads=a.threads, models_dir=a.models_dir)
        except FileNotFoundError as e:
            print(f"skip {model_id}: {e}", file=sys.stderr)
            rows.append((model_id, "-", "missing model file", None, None, 0))
            continue
        variants = variants_for(model_id, a.experiments)
        results = {v[0]: [] for v in variants}
        t0 = time.perf_counter()
        for p in images:
            img = ref.read_image(p)
            cache = {}
            for name, pre, kw in variants:
                key = id(pre)
                if key not in cache:
                    tensor, geo = (pre or det.preprocess)(img)
                    cache[key] = (det.run(tensor), geo)
                outputs, geo = cache[key]
                boxes, obj, cls = det.decode(outputs, **kw)
                dets = ref.postprocess(boxes, obj, cls, geo, a.conf, a.iou, a.max_det)
                results[name] += ref.to_coco_records(p.name, dets)
        secs = time.perf_counter() - t0
        for name, _, _ in variants:
            m = coco_map(a.gt, results[name])
            rows.append((model_id, det.spec.input_size, name, m["map"], m["map50"],
                         len(results[name])))
            print(f"{model_id:20s} {name:40s} mAP {m['map']:6.2f}  mAP50 {m['map50']:6.2f}"
                  f"  ({len(results[name])} dets, {secs:.0f}s)", file=sys.stderr)

    lines = [
        "# Reference mAP on coco128",
        "",
        f"`python bench/reference_map.py{' --experiments' if a.experiments else ''}`"
        f" — conf {a.conf}, iou {a.iou}, max_det {a.max_det}, {len(images)} images,"
        " COCO bbox metric (pycocotools), in points.",
        "",
        "coco128 is COCO train2017 images: these numbers check the decoders (a wrong"
        " layout, colour order, letterbox or centre convention scores clearly lower);"
        " they are not accuracy claims.",
        "",
        "| model | input | variant | mAP@[.5:.95] | mAP@.5 | detections |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for mid, size, name, m, m50, n in rows:
        ms = "-" if m is None else f"{m:.2f}"
        m50s = "-" if m50 is None else f"{m50:.2f}"
        lines.append(f"| {mid} | {size} | {name} | {ms} | {m50s} | {n} |")
    text = "\n".join(lines) + "\n"
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
