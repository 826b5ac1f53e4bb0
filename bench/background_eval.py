"""Background-removal quality on DAVIS 2016 (../shared/datasets/davis2016-sub, 141 frames
with their ground-truth masks): mean IoU and mean boundary F-measure of

  - the reference pipeline (bench/reference/u2net_ref.py: rembg's, the output thresholded at 0.5),
  - Argus without refinement (`argus remove-bg --mask-only --no-refine`),
  - Argus with its default refinement (`argus remove-bg --mask-only`),

in one run, over the same model file.

    background_eval.py --argus .build/release/argus [--model u2netp] [--json OUT]

Boundary F follows DAVIS: the boundaries of both masks, matched within 0.8% of the image
diagonal; precision, recall, F = 2PR / (P + R).
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference"))
import u2net_ref  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def boundary(mask):
    eroded = cv2.erode(mask.astype(np.uint8), np.ones((3, 3), np.uint8), borderType=cv2.BORDER_REPLICATE)
    return mask & (eroded == 0)


def boundary_f(prediction, truth):
    pred_b, true_b = boundary(prediction), boundary(truth)
    if not pred_b.any() and not true_b.any():
        return 1.0
    if not pred_b.any() or not true_b.any():
        return 0.0
    radius = math.ceil(0.008 * math.hypot(*truth.shape))
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    pred_d = cv2.dilate(pred_b.astype(np.uint8), disk) > 0
    true_d = cv2.dilate(true_b.astype(np.uint8), disk) > 0
    precision = (pred_b & true_d).sum() / pred_b.sum()
    recall = (true_b & pred_d).sum() / true_b.sum()
    return 0.0 if precision + recall == 0 else float(2 * precision * recall / (precision + recall))


def iou(prediction, truth):
    union = (prediction | truth).sum()
    return 1.0 if union == 0 else float((prediction & truth).sum() / union)


def load_mask(path):
    return np.array(Image.open(path).convert("L")) >= 128


def score(masks_dir, truth_dir, names):
    ious, fs = [], []
    for name in names:
        truth = load_mask(os.path.join(truth_dir, name + ".png"))
        prediction = load_mask(os.path.join(masks_dir, name + ".png"))
        ious.append(iou(prediction, truth))
        fs.append(boundary_f(prediction, truth))
    return {"mean_iou": float(np.mean(ious)), "mean_boundary_f": float(np.mean(fs)), "per_image_iou": ious}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--argus", default=os.path.join(REPO, ".build/release/argus"))
    parser.add_argument("--model", default="u2netp", choices=["u2netp", "u2net"])
    parser.add_argument("--dataset", default=os.path.join(REPO, "..", "shared", "datasets", "davis2016-sub"))
    parser.add_argument("--json", help="also write the figures here")
    parser.add_argument("--extra", action="append", default=[], help="another Argus variant: 'name:--opt value ...'")
    args = parser.parse_args()
    images, truth = os.path.join(args.dataset, "images"), os.path.join(args.dataset, "masks")
    names = sorted(os.path.splitext(n)[0] for n in os.listdir(images) if n.endswith(".jpg"))
    model_file = os.path.join(REPO, "models", args.model + ".onnx")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        session = u2net_ref.session(model_file)
        reference = os.path.join(tmp, "reference")
        os.makedirs(reference)
        start = time.perf_counter()
        for name in names:
            u2net_ref.soft_mask(session, Image.open(os.path.join(images, name + ".jpg"))).save(
                os.path.join(reference, name + ".png"))
        results["reference (rembg pipeline, threshold 0.5)"] = dict(
            score(reference, truth, names), seconds=time.perf_counter() - start)
        variants = [("Argus, no refinement", ["--no-refine"]), ("Argus, refined (default)", [])]
        variants += [(spec.split(":", 1)[0], spec.split(":", 1)[1].split()) for spec in args.extra]
        for label, options in variants:
            out = os.path.join(tmp, str(len(results)))
            start = time.perf_counter()
            subprocess.run(
                [args.argus, "remove-bg", "--quiet", "--mask-only", "--model", args.model, *options, images, out],
                check=True, stdout=subprocess.DEVNULL)
            results[label] = dict(score(out, truth, names), seconds=time.perf_counter() - start)
    print(f"{len(names)} frames of DAVIS 2016, model {args.model}\n")
    print("| pipeline | mean IoU | mean boundary F | seconds |")
    print("|---|---|---|---|")
    for label, figures in results.items():
        print(f"| {label} | {figures['mean_iou']:.4f} | {figures['mean_boundary_f']:.4f} | {figures['seconds']:.1f} |")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"model": args.model, "frames": len(names), "results": results}, out, indent=1)


if __name__ == "__main__":
    main()
