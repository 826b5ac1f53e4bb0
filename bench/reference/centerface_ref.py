"""An independent CenterFace pipeline (numpy + onnxruntime + OpenCV): the reference the
Swift face detector is checked against.

    centerface_ref.py MODEL.onnx IMAGE [--threshold T] [--max-side N] > faces.json

The image is read as RGB 0-255 and resized (stretched) so that both sides are multiples of
32, after scaling the longer side down to --max-side when it is longer. Outputs: heatmap,
scale, offset and five landmarks at a quarter of the input. A cell whose heatmap exceeds
the threshold is a face: its size is exp(scale) * 4, its centre (cell + offset + 0.5) * 4;
landmarks are offsets within the box in units of its size. Boxes overlapping by IoU > 0.3
are suppressed (the higher score wins), then mapped back to the image's pixels.
"""

import argparse
import json

import cv2
import numpy as np
import onnxruntime


def detect(session, rgb, threshold, max_side):
    height, width = rgb.shape[:2]
    shrink = min(1.0, max_side / max(height, width)) if max_side else 1.0
    target_h = max(32, int(np.ceil(height * shrink / 32)) * 32)
    target_w = max(32, int(np.ceil(width * shrink / 32)) * 32)
    resized = cv2.resize(rgb, (target_w, target_h), interpolation=cv2.INTER_LINEAR)
    blob = resized.transpose(2, 0, 1)[None].astype(np.float32)
    heatmap, scale, offset, landmarks = session.run(None, {session.get_inputs()[0].name: blob})
    ys, xs = np.where(heatmap[0, 0] > threshold)
    faces = []
    for y, x in zip(ys, xs):
        box_h = np.exp(scale[0, 0, y, x]) * 4
        box_w = np.exp(scale[0, 1, y, x]) * 4
        x1 = max(0.0, (x + offset[0, 1, y, x] + 0.5) * 4 - box_w / 2)
        y1 = max(0.0, (y + offset[0, 0, y, x] + 0.5) * 4 - box_h / 2)
        x2 = min(x1 + box_w, target_w)
        y2 = min(y1 + box_h, target_h)
        points = [(landmarks[0, 2 * j + 1, y, x] * box_w + x1, landmarks[0, 2 * j, y, x] * box_h + y1) for j in range(5)]
        faces.append((float(heatmap[0, 0, y, x]), [x1, y1, x2, y2], points))
    faces.sort(key=lambda face: -face[0])
    kept = []
    for face in faces:
        if all(iou(face[1], other[1]) <= 0.3 for other in kept):
            kept.append(face)
    sx, sy = width / target_w, height / target_h
    return [
        {
            "confidence": score,
            "box": [box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy],
            "landmarks": [[px * sx, py * sy] for px, py in points],
        }
        for score, box, points in kept
    ]


def iou(a, b):
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("image")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--max-side", type=int, default=0)
    arguments = parser.parse_args()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(arguments.model, options, providers=["CPUExecutionProvider"])
    rgb = cv2.cvtColor(cv2.imread(arguments.image, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    faces = detect(session, rgb, arguments.threshold, arguments.max_side)
    print(json.dumps({"image": arguments.image.rsplit("/", 1)[-1], "threshold": arguments.threshold,
                      "max_side": arguments.max_side, "faces": faces}, indent=1))


if __name__ == "__main__":
    main()
