"""Tracker quality on public detections: `argus track --detections` against supervision
0.30's ByteTrack on the same MOT17 FRCNN detections, scored with motmetrics (MOTA, IDF1)
on the frames that ../shared/datasets/mot17-mini has ground truth for.

    .deps/venv-bench/bin/python bench/mot_eval.py --argus .build/debug/argus \
        --out bench/results/mot_eval.json

Both trackers run over each whole sequence with ByteTrack's defaults (high 0.25, buffer
30 frames at the sequence's frame rate, match 0.8) and are scored only where there is
ground truth. Ground truth as the MOT17 benchmark counts it: pedestrians (class 1) marked
to consider; hypotheses that match a distractor (a person on a vehicle, a static person,
a reflection, ...) at IoU >= 0.5 are dropped before scoring, as the official evaluation does.
"""

import argparse
import configparser
import json
import os
import subprocess
import sys

import motmetrics as mm
import numpy as np
import supervision as sv
from scipy.optimize import linear_sum_assignment

DISTRACTOR_CLASSES = {2, 7, 8, 12}


def load_rows(path):
    rows = np.loadtxt(path, delimiter=",", ndmin=2)
    return rows


def iou_matrix(a, b):
    """IoU between tlwh boxes a (n×4) and b (m×4)."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    ax1, ay1, ax2, ay2 = a[:, 0], a[:, 1], a[:, 0] + a[:, 2], a[:, 1] + a[:, 3]
    bx1, by1, bx2, by2 = b[:, 0], b[:, 1], b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]
    iw = np.clip(np.minimum(ax2[:, None], bx2[None]) - np.maximum(ax1[:, None], bx1[None]), 0, None)
    ih = np.clip(np.minimum(ay2[:, None], by2[None]) - np.maximum(ay1[:, None], by1[None]), 0, None)
    inter = iw * ih
    union = (a[:, 2] * a[:, 3])[:, None] + (b[:, 2] * b[:, 3])[None] - inter
    return np.where(union > 0, inter / union, 0)


def run_supervision(det_rows, frame_rate, last_frame):
    tracker = sv.ByteTrack(frame_rate=frame_rate)
    out = []
    for frame in range(1, last_frame + 1):
        rows = det_rows[det_rows[:, 0] == frame]
        xyxy = np.column_stack([rows[:, 2], rows[:, 3], rows[:, 2] + rows[:, 4], rows[:, 3] + rows[:, 5]]) \
            if len(rows) else np.empty((0, 4))
        detections = sv.Detections(xyxy=xyxy.astype(np.float32), confidence=rows[:, 6].astype(np.float32),
                                   class_id=np.zeros(len(rows), dtype=int))
        tracked = tracker.update_with_detections(detections)
        for box, track_id in zip(tracked.xyxy, tracked.tracker_id):
            out.append([frame, track_id, box[0], box[1], box[2] - box[0], box[3] - box[1]])
    return np.array(out).reshape(-1, 6)


def run_argus(binary, det_path):
    text = subprocess.run([binary, "track", "--detections", det_path], check=True, capture_output=True,
                          text=True).stdout
    rows = [list(map(float, line.split(",")[:6])) for line in text.splitlines() if line.strip()]
    return np.array(rows).reshape(-1, 6)


def score(gt_rows, hyp_rows, frames):
    acc = mm.MOTAccumulator(auto_id=False)
    for frame in frames:
        gt = gt_rows[gt_rows[:, 0] == frame]
        hyp = hyp_rows[hyp_rows[:, 0] == frame]
        targets = gt[(gt[:, 6] == 1) & (gt[:, 7] == 1)]
        distractors = gt[np.isin(gt[:, 7], list(DISTRACTOR_CLASSES))]
        # Hypotheses on distractors are neither right nor wrong: drop them.
        if len(distractors) and len(hyp):
            iou = iou_matrix(distractors[:, 2:6], hyp[:, 2:6])
            rows, cols = linear_sum_assignment(1 - iou)
            drop = {c for r, c in zip(rows, cols) if iou[r, c] >= 0.5}
            hyp = hyp[[i for i in range(len(hyp)) if i not in drop]]
        iou = iou_matrix(targets[:, 2:6], hyp[:, 2:6])
        distances = np.where(iou >= 0.5, 1 - iou, np.nan)
        acc.update(targets[:, 1].astype(int).tolist(), hyp[:, 1].astype(int).tolist(), distances, frameid=frame)
    return acc


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--argus", default=".build/release/argus")
    shared = os.environ.get("ARGUS_SHARED_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    parser.add_argument("--data", default=os.path.join(shared, "datasets", "mot17-mini", "train"))
    parser.add_argument("--out")
    args = parser.parse_args()

    names, argus_accs, peer_accs = [], [], []
    for sequence in sorted(os.listdir(args.data)):
        folder = os.path.join(args.data, sequence)
        info = configparser.ConfigParser()
        info.read(os.path.join(folder, "seqinfo.ini"))
        frame_rate = float(info["Sequence"]["frameRate"])
        det_path = os.path.join(folder, "det", "det.txt")
        det_rows = load_rows(det_path)
        gt_rows = load_rows(os.path.join(folder, "gt", "gt.txt"))
        frames = sorted(set(gt_rows[:, 0].astype(int)))
        last_frame = int(det_rows[:, 0].max())
        names.append(sequence)
        argus_accs.append(score(gt_rows, run_argus(args.argus, det_path), frames))
        peer_accs.append(score(gt_rows, run_supervision(det_rows, frame_rate, last_frame), frames))

    metrics = ["mota", "idf1", "num_switches", "num_false_positives", "num_misses", "num_objects"]
    mh = mm.metrics.create()
    result = {}
    for label, accs in [("argus", argus_accs), ("supervision", peer_accs)]:
        summary = mh.compute_many(accs, metrics=metrics, names=names, generate_overall=True)
        result[label] = {name: {m: float(summary.loc[name, m]) for m in metrics} for name in summary.index}
        print(f"== {label}")
        print(mm.io.render_summary(summary, formatters=mh.formatters, namemap=mm.io.motchallenge_metric_names))
    overall_argus, overall_peer = result["argus"]["OVERALL"], result["supervision"]["OVERALL"]
    verdict = overall_argus["mota"] >= overall_peer["mota"] - 1e-9 and overall_argus["idf1"] >= overall_peer["idf1"] - 1e-9
    print(f"OVERALL MOTA argus {overall_argus['mota']:.4f} vs supervision {overall_peer['mota']:.4f}; "
          f"IDF1 argus {overall_argus['idf1']:.4f} vs supervision {overall_peer['idf1']:.4f}; "
          f"{'at least as good' if verdict else 'WORSE'}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=2, sort_keys=True)
    sys.exit(0 if verdict else 1)


if __name__ == "__main__":
    main()
