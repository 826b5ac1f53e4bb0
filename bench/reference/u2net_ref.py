"""An independent U²-Net background-removal pipeline, as rembg runs it (Pillow + numpy +
onnxruntime): the reference Argus's matte is compared against.

    u2net_ref.py MODEL.onnx IMAGE_OR_FOLDER OUT_FOLDER

The image, as RGB, is resized to 320x320 with Lanczos, divided by its largest value,
normalised with ImageNet's mean (0.485, 0.456, 0.406) and deviation (0.229, 0.224, 0.225)
into a [1, 3, 320, 320] tensor. The first of the model's outputs is min-max normalised,
made 8-bit and resized back to the image's size with Lanczos: that grey image is the
soft mask (written as OUT_FOLDER/<name>.png). Thresholded at 128 it is the binary mask
the evaluation scores.
"""

import argparse
import os

import numpy as np
import onnxruntime
from PIL import Image

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def session(model, threads=0):
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def soft_mask(model_session, image):
    """The soft mask (PIL 'L' image at the image's size) of a PIL image."""
    rgb = image.convert("RGB")
    array = np.array(rgb.resize((320, 320), Image.LANCZOS)).astype(np.float32)
    array = array / max(float(array.max()), 1e-6)
    tensor = ((array - MEAN) / STD).transpose(2, 0, 1)[None].astype(np.float32)
    name = model_session.get_inputs()[0].name
    prediction = model_session.run(None, {name: tensor})[0][0, 0]
    low, high = float(prediction.min()), float(prediction.max())
    normalised = (prediction - low) / (high - low) if high > low else np.zeros_like(prediction)
    mask = Image.fromarray((normalised * 255).astype(np.uint8), mode="L")
    return mask.resize(rgb.size, Image.LANCZOS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("input")
    parser.add_argument("out")
    args = parser.parse_args()
    model_session = session(args.model)
    paths = (
        [os.path.join(args.input, name) for name in sorted(os.listdir(args.input))]
        if os.path.isdir(args.input)
        else [args.input]
    )
    os.makedirs(args.out, exist_ok=True)
    for path in paths:
        stem = os.path.splitext(os.path.basename(path))[0]
        soft_mask(model_session, Image.open(path)).save(os.path.join(args.out, stem + ".png"))


if __name__ == "__main__":
    main()
