#!/usr/bin/env python3
"""A stand-in for the `argus` binary, built on the Python reference, so that
bench/parity.py and bench/detect_bench.py can be tested before (or without) the Swift
build. It accepts the two Argus sub-commands those scripts call, with the same output:

    argus_standin.py detect [--quiet] --model ID [--conf 0.25] [--iou 0.45]
        [--max-det 300] [--threads 1] [--format coco|json] PATH...
    argus_standin.py bench --model ID [--threads 1] [--warmup 3] PATH...
        -> {"model","threads","images","pipeline_ms":{"mean","p50","p90"},
            "ort_run_ms":{"mean","p50","p90"}}

Model files: $ARGUS_MODELS_DIR/<id>.onnx when present, else the reference's defaults.
Comparing Argus against this stand-in must give 100 % parity (it *is* the reference).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import argus_ref as ref  # noqa: E402

import numpy as np  # noqa: E402


def stats(ms: list[float]) -> dict:
    a = np.asarray(ms, dtype=np.float64)
    return {"mean": float(a.mean()), "p50": float(np.percentile(a, 50)),
            "p90": float(np.percentile(a, 90))}


def main() -> int:
    ap = argparse.ArgumentParser(description="argus stand-in (Python reference)")
    ap.add_argument("--quiet", action="store_true")
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("detect")
    d.add_argument("--quiet", action="store_true")
    d.add_argument("--model", required=True, choices=ref.MODEL_IDS)
    d.add_argument("--conf", type=float, default=0.25)
    d.add_argument("--iou", type=float, default=0.45)
    d.add_argument("--max-det", type=int, default=300)
    d.add_argument("--threads", type=int, default=1)
    d.add_argument("--format", choices=["coco", "json"], default="json")
    d.add_argument("paths", nargs="+")
    b = sub.add_parser("bench")
    b.add_argument("--model", required=True, choices=ref.MODEL_IDS)
    b.add_argument("--threads", type=int, default=1)
    b.add_argument("--warmup", type=int, default=3)
    b.add_argument("paths", nargs="+")
    a = ap.parse_args()

    det = ref.Detector(a.model, threads=a.threads,
                       models_dir=os.environ.get("ARGUS_MODELS_DIR"))
    images = ref.list_images(a.paths)
    if a.cmd == "detect":
        out: list[dict] = []
        for p in images:
            w, h, dets = det.detect_file(p, a.conf, a.iou, a.max_det)
            if a.format == "json":
                out.append(ref.to_json_record(p.name, w, h, dets))
            else:
                out += ref.to_coco_records(p.name, dets)
        json.dump(out, sys.stdout)
        sys.stdout.write("\n")
        return 0

    # bench: warm-up on the first images, then each image once, timed
    for p in (images * (a.warmup // max(len(images), 1) + 1))[:a.warmup]:
        det.detect(ref.read_image(p))
    pipe, run = [], []
    for p in images:
        t0 = time.perf_counter()
        img = ref.read_image(p)
        tensor, geo = det.preprocess(img)
        t1 = time.perf_counter()
        outputs = det.run(tensor)
        t2 = time.perf_counter()
        boxes, obj, cls = det.decode(outputs)
        ref.postprocess(boxes, obj, cls, geo)
        t3 = time.perf_counter()
        pipe.append((t3 - t0) * 1e3)
        run.append((t2 - t1) * 1e3)
    json.dump({"model": a.model, "threads": a.threads, "images": len(images),
               "pipeline_ms": stats(pipe), "ort_run_ms": stats(run)}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
