"""An independent EfficientNet-Lite0 embedding and tagging pipeline (OpenCV's Python
build + numpy + onnxruntime): the reference Argus's embeddings and tags are compared against.

    effnet_ref.py MODEL.onnx LABELS.txt IMAGE ... --out GOLDEN.json [--vectors N]

Each image is decoded by OpenCV, resized so that its shorter side is 224 (pixel-area
averaging when shrinking, bicubic when growing: the rule Argus documents), centre-cropped
to 224x224, made RGB and scaled to [-1, 1] ((x / 255 - 0.5) / 0.5) into a [1, 3, 224, 224]
tensor. The model's `embedding` output
is L2-normalised again (it already is), the `logits` output softmaxed. GOLDEN.json holds,
per image, the five best classes (first name, probability) and, for the first N images
(default 4), the embedding rounded to 7 decimals.
"""

import argparse
import json
import os

import cv2
import numpy as np
import onnxruntime

SIDE = 224


def tensor(path):
    image = cv2.imdecode(np.fromfile(path, dtype=np.uint8), cv2.IMREAD_COLOR)
    height, width = image.shape[:2]
    scale = SIDE / min(width, height)
    size = (max(SIDE, int(np.floor(width * scale + 0.5))), max(SIDE, int(np.floor(height * scale + 0.5))))
    if size != (width, height):
        shrinking = size[0] <= width and size[1] <= height
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC)
    left, top = (size[0] - SIDE) // 2, (size[1] - SIDE) // 2
    image = image[top : top + SIDE, left : left + SIDE, ::-1]
    array = image.astype(np.float32) / 255.0
    return np.ascontiguousarray(((array - 0.5) / 0.5).transpose(2, 0, 1)[None], dtype=np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("labels")
    parser.add_argument("images", nargs="+")
    parser.add_argument("--out", required=True)
    parser.add_argument("--vectors", type=int, default=4)
    args = parser.parse_args()
    with open(args.labels, encoding="utf-8") as f:
        labels = [line.split(",")[0].strip() for line in f if line.strip()]
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    golden = {}
    for number, path in enumerate(args.images):
        logits, embedding = session.run(["logits", "embedding"], {"images": tensor(path)})
        probabilities = np.exp(logits[0] - logits[0].max())
        probabilities /= probabilities.sum()
        best = np.argsort(-probabilities)[:5]
        entry = {"top5": [[labels[i], round(float(probabilities[i]), 6)] for i in best]}
        if number < args.vectors:
            vector = embedding[0] / np.linalg.norm(embedding[0])
            entry["embedding"] = [round(float(v), 7) for v in vector]
        golden[os.path.basename(path)] = entry
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(golden, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
