#!/usr/bin/env python3
"""Parity of the Swift detectors (the `argus` binary) with the Python reference.

    python bench/parity.py --argus PATH_TO_ARGUS [--models-dir DIR]
        [--models yolov3-tiny,yolox-nano] [--threads 1]
    python bench/parity.py --argus-cmd "CMD ..."      # any command line instead of a binary
    python bench/parity.py --self-test                # reference vs the reference stand-in

For each model on coco128 (../shared/datasets/coco128/train2017, COCO ground truth in
annotations/instances_train2017.json):

* at conf 0.25 (iou 0.45, max_det 300): the share of reference detections matched by an
  Argus detection on the same image with the same class, IoU >= 0.9 and
  |score difference| <= 0.02 (greedy one-to-one, reference detections in score order,
  each taking the best-IoU unmatched candidate), and the reverse (Argus -> reference);
* at conf 0.001: COCO bbox mAP@[.5:.95] and mAP@.5 (pycocotools) of both.

Argus is run as
    ARGUS_MODELS_DIR=DIR ARGUS detect --quiet --model ID --conf C --iou 0.45 \
        --max-det 300 --format coco IMAGES_DIR
and must print one JSON array of {"file_name","image_id","category_id","bbox":[x,y,w,h],
"score"} on stdout. The reference uses <DIR>/<id>.onnx when present, else its default
model location (see argus_ref.py).

Prints a markdown table, writes it to bench/results/parity.md, and exits 1 when a match
rate is below 99 % or |ΔmAP| (either metric) is above 0.3 points; 2 when a run fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "reference"))
sys.path.insert(0, str(HERE))

import argus_ref as ref  # noqa: E402
from coco_eval import coco_map  # noqa: E402

COCO128 = ref.SHARED / "datasets" / "coco128"
DEFAULT_IMAGES = COCO128 / "train2017"
DEFAULT_GT = COCO128 / "annotations" / "instances_train2017.json"

MATCH_IOU = 0.9
MATCH_SCORE = 0.02
MIN_MATCH_PCT = 99.0
MAX_DMAP = 0.3


def xywh_to_xyxy(b):
    x, y, w, h = (float(v) for v in b)
    return (x, y, x + w, y + h)


def iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def image_key(d: dict):
    return Path(d["file_name"]).name if d.get("file_name") else int(d["image_id"])


def match_rate(src: list[dict], dst: list[dict]) -> tuple[int, int]:
    """(matched, total): src detections matched one-to-one by a dst detection."""
    pool = defaultdict(list)
    for d in dst:
        pool[(image_key(d), int(d["category_id"]))].append(
            [xywh_to_xyxy(d["bbox"]), float(d["score"]), False])
    matched = 0
    for s in sorted(src, key=lambda d: -float(d["score"])):
        sb, ss = xywh_to_xyxy(s["bbox"]), float(s["score"])
        best, best_iou = None, MATCH_IOU - 1e-9
        for cand in pool.get((image_key(s), int(s["category_id"])), []):
            if cand[2] or abs(cand[1] - ss) > MATCH_SCORE + 1e-9:
                continue
            v = iou(sb, cand[0])
            if v >= best_iou:
                best, best_iou = cand, v
        if best is not None:
            best[2] = True
            matched += 1
    return matched, len(src)


def run_reference(model_id: str, images: list[Path], models_dir: str | None,
                  threads: int, confs: list[float]) -> tuple[dict[float, list[dict]], float]:
    det = ref.Detector(model_id, threads=threads, models_dir=models_dir)
    out: dict[float, list[dict]] = {c: [] for c in confs}
    t0 = time.perf_counter()
    for p in images:
        tensor, geo = det.preprocess(ref.read_image(p))
        boxes, obj, cls = det.decode(det.run(tensor))
        for c in confs:
            dets = ref.postprocess(boxes, obj, cls, geo, c, 0.45, 300)
            out[c] += ref.to_coco_records(p.name, dets)
    return out, time.perf_counter() - t0


def run_argus(cmd: list[str], model_id: str, conf: float, images_dir: Path,
              models_dir: str | None, threads: int | None) -> tuple[list[dict], float]:
    argv = cmd + ["detect", "--quiet", "--model", model_id, "--conf", str(conf),
                  "--iou", "0.45", "--max-det", "300", "--format", "coco"]
    if threads is not None:
        argv += ["--threads", str(threads)]
    argv.append(str(images_dir))
    env = dict(os.environ)
    if models_dir:
        env["ARGUS_MODELS_DIR"] = str(models_dir)
    t0 = time.perf_counter()
    p = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    secs = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{shlex.join(argv)} exited {p.returncode}:\n{p.stderr[-4000:]}")
    try:
        data = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        raise RuntimeError(f"{shlex.join(argv)}: stdout is not one JSON array ({e}); "
                           f"first 500 chars:\n{p.stdout[:500]}") from None
    if not isinstance(data, list):
        raise RuntimeError(f"{shlex.join(argv)}: expected a JSON array, got {type(data)}")
    return data, secs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--argus", help="path to the argus binary")
    g.add_argument("--argus-cmd", help="command line to run instead of a binary "
                   "(split with shlex), e.g. a wrapper or the reference stand-in")
    g.add_argument("--self-test", action="store_true",
                   help="compare the reference with bench/reference/argus_standin.py "
                   "(must give 100 %% and ΔmAP 0)")
    ap.add_argument("--models-dir", default=str(ref.REPO_ROOT / "models"),
                    help="exported to Argus as ARGUS_MODELS_DIR (default <repo>/models)")
    ap.add_argument("--models", default="yolov3-tiny,yolox-nano")
    ap.add_argument("--images", default=str(DEFAULT_IMAGES))
    ap.add_argument("--gt", default=str(DEFAULT_GT))
    ap.add_argument("--threads", type=int, default=1,
                    help="ORT threads for the reference (Argus uses its default unless "
                         "--argus-threads is given)")
    ap.add_argument("--argus-threads", type=int, default=None,
                    help="also pass --threads N to argus detect")
    ap.add_argument("--out", default=str(HERE / "results" / "parity.md"))
    a = ap.parse_args()

    if a.self_test:
        cmd = [sys.executable, str(HERE / "reference" / "argus_standin.py")]
        label = "reference stand-in (self-test)"
    elif a.argus_cmd:
        cmd = shlex.split(a.argus_cmd)
        label = a.argus_cmd
    else:
        binary = Path(a.argus)
        if not (binary.is_file() and os.access(binary, os.X_OK)):
            print(f"parity: {binary} is not an executable file (build argus first, e.g. "
                  "`swift build -c release`, or use --self-test)", file=sys.stderr)
            return 2
        cmd = [str(binary.resolve())]
        label = str(binary)
    models_dir = a.models_dir if Path(a.models_dir).is_dir() else None

    images_dir = Path(a.images)
    images = ref.list_images([images_dir])
    rows, failures = [], []
    for model_id in a.models.split(","):
        print(f"parity: {model_id}: reference ...", file=sys.stderr)
        try:
            ref_dets, ref_secs = run_reference(model_id, images, models_dir, a.threads,
                                               [0.25, 0.001])
        except FileNotFoundError as e:
            print(f"parity: {model_id}: {e}", file=sys.stderr)
            return 2
        argus_dets, argus_secs = {}, 0.0
        for conf in (0.25, 0.001):
            print(f"parity: {model_id}: argus at conf {conf} ...", file=sys.stderr)
            try:
                argus_dets[conf], secs = run_argus(cmd, model_id, conf, images_dir,
                                                   models_dir, a.argus_threads)
            except (RuntimeError, OSError) as e:
                print(f"parity: {model_id}: {e}", file=sys.stderr)
                return 2
            argus_secs += secs
        m_ra, n_r = match_rate(ref_dets[0.25], argus_dets[0.25])
        m_ar, n_a = match_rate(argus_dets[0.25], ref_dets[0.25])
        pct_ra = 100.0 * m_ra / n_r if n_r else 100.0
        pct_ar = 100.0 * m_ar / n_a if n_a else 100.0
        map_r = coco_map(a.gt, ref_dets[0.001])
        map_a = coco_map(a.gt, argus_dets[0.001])
        d_map = map_a["map"] - map_r["map"]
        d_map50 = map_a["map50"] - map_r["map50"]
        ok = (pct_ra >= MIN_MATCH_PCT and pct_ar >= MIN_MATCH_PCT
              and abs(d_map) <= MAX_DMAP and abs(d_map50) <= MAX_DMAP)
        if not ok:
            failures.append(model_id)
        rows.append((model_id, n_r, n_a, m_ra, pct_ra, m_ar, pct_ar, map_r, map_a,
                     d_map, d_map50, ref_secs, argus_secs, ok))

    lines = [
        "# Detector parity: Argus vs the Python reference",
        "",
        f"- date: {dt.datetime.now().isoformat(timespec='seconds')}",
        f"- argus: `{label}`",
        f"- reference: bench/reference/argus_ref.py, onnxruntime "
        f"{ref.ort.__version__}, {a.threads} thread(s)",
        f"- images: {len(images)} from `{os.path.relpath(images_dir, ref.REPO_ROOT)}`; ground truth `{Path(a.gt).name}`",
        f"- match: same image and class, IoU >= {MATCH_IOU}, |Δscore| <= {MATCH_SCORE}, "
        "greedy one-to-one, at conf 0.25 / iou 0.45; mAP at conf 0.001 / iou 0.45 / "
        "max_det 300 (pycocotools bbox)",
        f"- pass: both match rates >= {MIN_MATCH_PCT:g} % and |ΔmAP|, |ΔmAP50| <= "
        f"{MAX_DMAP:g} points",
        "",
        "| model | ref dets @0.25 | argus dets @0.25 | ref→argus matched | "
        "argus→ref matched | mAP ref | mAP argus | ΔmAP | mAP50 ref | mAP50 argus | "
        "ΔmAP50 | ok |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for (mid, n_r, n_a, m_ra, pct_ra, m_ar, pct_ar, map_r, map_a, d_map, d_map50,
         rs, as_, ok) in rows:
        lines.append(
            f"| {mid} | {n_r} | {n_a} | {pct_ra:.2f} % ({m_ra}) | {pct_ar:.2f} % ({m_ar}) "
            f"| {map_r['map']:.2f} | {map_a['map']:.2f} | {d_map:+.2f} "
            f"| {map_r['map50']:.2f} | {map_a['map50']:.2f} | {d_map50:+.2f} "
            f"| {'yes' if ok else '**NO**'} |")
    lines += ["", "Wall time (both confidence levels): " + ", ".join(
        f"{r[0]}: reference {r[11]:.1f} s, argus {r[12]:.1f} s" for r in rows)]
    text = "\n".join(lines) + "\n"
    print(text)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(text)
    if failures:
        print(f"parity: FAILED for {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
