#!/usr/bin/env python3
"""Convert a Darknet YOLO model (.cfg + .weights) to ONNX.

Written for Argus; needs only `onnx` and `numpy` (setup-time only, run from the
private venv that scripts/setup-venv.sh creates).

Usage:
    darknet2onnx.py MODEL.cfg MODEL.weights OUT.onnx [--outputs raw|decoded]
                    [--names coco.names]

Supported sections (what yolov3-tiny uses): [net], [convolutional]
(batch_normalize, activation leaky|linear, groups), [maxpool], [route] (concat
on channels), [upsample] (nearest), [yolo].  Anything else, or an option of
those sections that would change the maths and is not implemented, is an error
rather than a silently wrong model.

Input: `images`, float32 [1, C, H, W] from the cfg's channels/height/width
(yolov3-tiny: [1,3,416,416]), RGB, values x/255 (0..1), plain resize.

--outputs raw (default)
    One output per [yolo] layer, in the order the [yolo] layers appear in the
    cfg: the raw output of the convolution feeding that layer, named
    `yolo_s<stride>` (stride = input width / grid width), shape
    [1, A*(5+classes), gh, gw].  Channel c = a*(5+classes) + k with
    k = tx, ty, tw, th, objectness logit, class logits... (Darknet's layout).
    yolov3-tiny: yolo_s32 [1,255,13,13], yolo_s16 [1,255,26,26].

--outputs decoded
    A single output `output`, float32 [1, N, 5+classes] ("YOLOv5 layout"):
    each row is cx, cy, w, h (input pixels, e.g. the 416x416 space),
    objectness (sigmoid), then one sigmoid probability per class; the score
    of a class is objectness x class probability.  Decoding is Darknet's:
        cx = (sigmoid(tx) + col) * stride     cy = (sigmoid(ty) + row) * stride
        w  = exp(tw) * anchor_w               h  = exp(th) * anchor_h
    with the anchors (input pixels) taken from the cfg via the layer's mask.
    Row order: the [yolo] layers in cfg order (yolov3-tiny: stride 32 first,
    then stride 16); within a layer row-major over the grid (row y, then
    column x) with the anchors innermost, i.e.
        row = first_row(layer) + (y * gw + x) * A + a
    which is the order Darknet itself walks its detections in.
    yolov3-tiny: N = 3*13*13 + 3*26*26 = 2535.

Both modes store a JSON description (strides, grids, masks, anchors, row
layout, optional labels) in the model's metadata_props under `argus.yolo`.

The output is byte-for-byte deterministic: the same cfg/weights and the same
pinned onnx/numpy versions give the same file.  Opset 13, IR version 8.
"""

import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
IR_VERSION = 8
PRODUCER = "argus-darknet2onnx"
PRODUCER_VERSION = "1"

# Darknet (the reference implementation the yolov3 weights were trained and
# published with) normalises at inference time in normalize_cpu() as
#     (x - mean) / (sqrt(variance) + .000001f)
# i.e. the epsilon is 1e-6 and it is added to the standard deviation, not to
# the variance (PyTorch-style sqrt(var + 1e-5) is a different formula; Darknet's
# CUDA kernel and some forks use sqrt(var + .00001f)).  We fold exactly the CPU
# formula.  The difference between the variants is far below float32 noise for
# these weights (see scripts/README.md for the measured agreement with OpenCV).
BN_EPS = 1e-6
LEAKY_ALPHA = 0.1

# Options that only matter for training (or are informational) per section.
_IGNORED = {
    "net": None,  # every [net] option other than width/height/channels is training-only
    "convolutional": set(),
    "maxpool": set(),
    "route": set(),
    "upsample": set(),
    "yolo": {"jitter", "ignore_thresh", "truth_thresh", "random", "iou_normalizer",
             "cls_normalizer", "obj_normalizer", "iou_loss", "iou_thresh", "beta_nms",
             "nms_kind", "max_delta", "counters_per_class", "label_smooth_eps",
             "focal_loss", "resize", "max"},
}
_KNOWN = {
    "convolutional": {"filters", "size", "stride", "pad", "padding", "groups",
                      "batch_normalize", "activation"},
    "maxpool": {"size", "stride", "padding"},
    "route": {"layers"},
    "upsample": {"stride"},
    "yolo": {"mask", "anchors", "classes", "num"},
}


class ConvertError(Exception):
    pass


def parse_cfg(path):
    """Return a list of (section_name, {key: value-string}) in file order."""
    sections = []
    with open(path, "r", encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("["):
                if not line.endswith("]"):
                    raise ConvertError(f"{path}:{lineno}: bad section header {line!r}")
                sections.append((line[1:-1].strip().lower(), {}))
                continue
            if "=" not in line:
                raise ConvertError(f"{path}:{lineno}: expected key=value, got {line!r}")
            if not sections:
                raise ConvertError(f"{path}:{lineno}: option before any section")
            key, value = line.split("=", 1)
            sections[-1][1][key.strip()] = value.strip()
    if not sections or sections[0][0] not in ("net", "network"):
        raise ConvertError(f"{path}: the first section must be [net]")
    return sections


def _int(opts, key, default=None):
    if key not in opts:
        if default is None:
            raise ConvertError(f"missing option {key!r}")
        return default
    return int(opts[key])


def _ints(text):
    return [int(v) for v in text.split(",") if v.strip()]


def _num(v):
    f = float(v)
    return int(f) if f.is_integer() else f


def _check_options(kind, opts, index):
    ignored = _IGNORED.get(kind)
    if ignored is None:
        return
    unknown = sorted(set(opts) - _KNOWN[kind] - ignored)
    if unknown:
        raise ConvertError(f"layer {index} [{kind}]: unsupported option(s) {unknown}")


class WeightReader:
    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read()
        if len(data) < 16:
            raise ConvertError(f"{path}: too short for a Darknet weights header")
        major, minor, revision = np.frombuffer(data, dtype="<i4", count=3)
        # `seen` is a size_t (64-bit) from version 0.2 on, an int before.
        seen_bytes = 8 if major * 10 + minor >= 2 else 4
        self.header = (int(major), int(minor), int(revision))
        self.pos = 12 + seen_bytes
        self.data = data
        self.path = path

    def take(self, count):
        end = self.pos + 4 * count
        if end > len(self.data):
            raise ConvertError(f"{self.path}: ran out of weights (cfg does not match the file)")
        arr = np.frombuffer(self.data, dtype="<f4", count=count, offset=self.pos)
        self.pos = end
        return arr.astype(np.float32)

    def finish(self):
        left = len(self.data) - self.pos
        if left != 0:
            raise ConvertError(f"{self.path}: {left} bytes left after the last layer "
                               "(cfg does not match the file)")


class Builder:
    def __init__(self):
        self.nodes = []
        self.inits = []

    def const(self, name, array):
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(self, op, inputs, name, n_outputs=1, **attrs):
        outputs = [name] if n_outputs == 1 else [f"{name}_{i}" for i in range(n_outputs)]
        self.nodes.append(helper.make_node(op, inputs, outputs, name=name, **attrs))
        return outputs[0] if n_outputs == 1 else outputs


def convert(cfg_path, weights_path, outputs_mode="raw", names_path=None):
    sections = parse_cfg(cfg_path)
    net = sections[0][1]
    width, height = _int(net, "width"), _int(net, "height")
    channels = _int(net, "channels", 3)

    weights = WeightReader(weights_path)
    b = Builder()

    # Per Darknet layer index: (tensor name or None, channels, height, width)
    layers = []
    yolo = []  # dicts describing each [yolo] layer in cfg order
    cur = ("images", channels, height, width)

    for index, (kind, opts) in enumerate(sections[1:]):
        kind = {"conv": "convolutional", "max": "maxpool"}.get(kind, kind)
        _check_options(kind, opts, index)
        name_in, c, h, w = cur
        if name_in is None and kind != "route":
            raise ConvertError(f"layer {index} [{kind}] reads the output of a [yolo] layer")

        if kind == "convolutional":
            n = _int(opts, "filters", 1)
            size = _int(opts, "size", 1)
            stride = _int(opts, "stride", 1)
            groups = _int(opts, "groups", 1)
            # Darknet: pad=1 means size/2; otherwise `padding` (default 0).
            pad = size // 2 if _int(opts, "pad", 0) else _int(opts, "padding", 0)
            bn = _int(opts, "batch_normalize", 0)
            act = opts.get("activation", "logistic")
            if act not in ("leaky", "linear"):
                raise ConvertError(f"layer {index}: activation {act!r} not supported")
            if c % groups or n % groups:
                raise ConvertError(f"layer {index}: channels not divisible by groups")

            bias = weights.take(n)
            if bn:
                scales = weights.take(n)
                mean = weights.take(n)
                var = weights.take(n)
            kernel = weights.take(n * (c // groups) * size * size).reshape(n, c // groups, size, size)
            if bn:
                # Fold in float64, round once to float32 (deterministic: only
                # correctly-rounded IEEE operations).
                factor = scales.astype(np.float64) / (np.sqrt(var.astype(np.float64)) + BN_EPS)
                kernel = (kernel.astype(np.float64) * factor[:, None, None, None]).astype(np.float32)
                bias = (bias.astype(np.float64) - mean.astype(np.float64) * factor).astype(np.float32)

            wname = b.const(f"conv{index}.weight", kernel)
            bname = b.const(f"conv{index}.bias", bias)
            out = b.node("Conv", [name_in, wname, bname], f"conv{index}",
                         kernel_shape=[size, size], strides=[stride, stride],
                         pads=[pad, pad, pad, pad], group=groups, dilations=[1, 1])
            if act == "leaky":
                out = b.node("LeakyRelu", [out], f"leaky{index}", alpha=LEAKY_ALPHA)
            oh = (h + 2 * pad - size) // stride + 1
            ow = (w + 2 * pad - size) // stride + 1
            cur = (out, n, oh, ow)

        elif kind == "maxpool":
            stride = _int(opts, "stride", 1)
            size = _int(opts, "size", stride)
            padding = _int(opts, "padding", size - 1)
            # Darknet: out = (in + padding - size)/stride + 1, windows start at
            # -padding/2 (C integer division), out-of-image taps are -FLT_MAX.
            # Reproduce with explicit begin/end pads; ONNX MaxPool ignores pads.
            oh = (h + padding - size) // stride + 1
            ow = (w + padding - size) // stride + 1
            begin = padding // 2
            end_h = max(0, (oh - 1) * stride + size - h - begin)
            end_w = max(0, (ow - 1) * stride + size - w - begin)
            out = b.node("MaxPool", [name_in], f"maxpool{index}",
                         kernel_shape=[size, size], strides=[stride, stride],
                         pads=[begin, begin, end_h, end_w])
            cur = (out, c, oh, ow)

        elif kind == "route":
            refs = _ints(opts.get("layers", ""))
            if not refs:
                raise ConvertError(f"layer {index}: [route] without layers")
            picked = []
            for r in refs:
                src = index + r if r < 0 else r
                if not 0 <= src < index:
                    raise ConvertError(f"layer {index}: route to layer {r} out of range")
                picked.append(layers[src])
            for p in picked:
                if p[0] is None:
                    raise ConvertError(f"layer {index}: route to a [yolo] layer")
                if p[2:] != picked[0][2:]:
                    raise ConvertError(f"layer {index}: route inputs differ in size")
            total = sum(p[1] for p in picked)
            if len(picked) == 1:
                out = picked[0][0]
            else:
                out = b.node("Concat", [p[0] for p in picked], f"route{index}", axis=1)
            cur = (out, total, picked[0][2], picked[0][3])

        elif kind == "upsample":
            stride = _int(opts, "stride", 2)
            if stride < 1:
                raise ConvertError(f"layer {index}: downsampling [upsample] not supported")
            scales = b.const(f"upsample{index}.scales",
                             np.array([1, 1, stride, stride], dtype=np.float32))
            out = b.node("Resize", [name_in, "", scales], f"upsample{index}",
                         mode="nearest", coordinate_transformation_mode="asymmetric",
                         nearest_mode="floor")
            cur = (out, c, h * stride, w * stride)

        elif kind == "yolo":
            classes = _int(opts, "classes", 20)
            anchors = [_num(v) for v in opts.get("anchors", "").split(",") if v.strip()]
            num = _int(opts, "num", 1)
            mask = _ints(opts["mask"]) if "mask" in opts else list(range(num))
            if len(anchors) != 2 * num or any(m < 0 or m >= num for m in mask):
                raise ConvertError(f"layer {index}: anchors/mask/num do not agree")
            if c != len(mask) * (5 + classes):
                raise ConvertError(f"layer {index}: input has {c} channels, "
                                   f"expected {len(mask)}*(5+{classes})")
            if width % w or height % h or width // w != height // h:
                raise ConvertError(f"layer {index}: grid {w}x{h} does not divide the input")
            yolo.append({
                "tensor": name_in, "stride": width // w, "grid": [h, w],
                "mask": mask, "anchors": [[anchors[2 * m], anchors[2 * m + 1]] for m in mask],
                "classes": classes, "layer": index,
            })
            cur = (None, c, h, w)

        else:
            raise ConvertError(f"layer {index}: section [{kind}] not supported")

        layers.append(cur)

    weights.finish()
    if not yolo:
        raise ConvertError("the cfg has no [yolo] layer")
    classes = yolo[0]["classes"]
    if any(y["classes"] != classes for y in yolo):
        raise ConvertError("[yolo] layers disagree on the number of classes")
    strides = [y["stride"] for y in yolo]
    if len(set(strides)) != len(strides):
        raise ConvertError("two [yolo] layers share a stride")

    meta = {
        "version": 1,
        "source": "darknet",
        "darknet_weights_version": list(weights.header),
        "input": {"name": "images", "shape": [1, channels, height, width],
                  "color": "RGB", "scale": "x/255", "resize": "stretch"},
        "classes": classes,
        "bn_epsilon": "sqrt(var)+1e-6 (Darknet normalize_cpu)",
    }
    if names_path:
        with open(names_path, "r", encoding="utf-8") as f:
            labels = [ln.strip() for ln in f.read().splitlines() if ln.strip()]
        if len(labels) != classes:
            raise ConvertError(f"{names_path}: {len(labels)} names for {classes} classes")
        meta["labels"] = labels

    graph_outputs = []
    if outputs_mode == "raw":
        meta["format"] = "darknet-yolo-raw"
        meta["channel_layout"] = "c = a*(5+classes)+k; k = tx,ty,tw,th,obj,class logits"
        meta["outputs"] = []
        for y in yolo:
            oname = f"yolo_s{y['stride']}"
            b.node("Identity", [y["tensor"]], oname)
            gh, gw = y["grid"]
            shape = [1, len(y["mask"]) * (5 + classes), gh, gw]
            graph_outputs.append(helper.make_tensor_value_info(oname, TensorProto.FLOAT, shape))
            meta["outputs"].append({"name": oname, "stride": y["stride"], "grid": y["grid"],
                                    "mask": y["mask"], "anchors": y["anchors"],
                                    "shape": shape})
    elif outputs_mode == "decoded":
        meta["format"] = "yolo-decoded"
        meta["output"] = "output"
        meta["row"] = "cx,cy,w,h (input pixels), objectness (sigmoid), class probabilities (sigmoid)"
        meta["row_order"] = "layers in cfg order; within a layer y, x, anchor (anchor innermost)"
        meta["levels"] = []
        parts = []
        first = 0
        no = 5 + classes
        for y in yolo:
            s = y["stride"]
            gh, gw = y["grid"]
            na = len(y["mask"])
            rows = gh * gw * na
            p = f"dec_s{s}"
            shape5 = b.const(f"{p}.shape5", np.array([1, na, no, gh, gw], dtype=np.int64))
            shape3 = b.const(f"{p}.shape3", np.array([1, rows, no], dtype=np.int64))
            t = b.node("Reshape", [y["tensor"], shape5], f"{p}_reshape5")
            t = b.node("Transpose", [t], f"{p}_transpose", perm=[0, 3, 4, 1, 2])
            t = b.node("Reshape", [t, shape3], f"{p}_rows")
            split = b.const(f"{p}.split", np.array([2, 2, no - 4], dtype=np.int64))
            txy, twh, rest = b.node("Split", [t, split], f"{p}_split", n_outputs=3, axis=2)

            ys, xs, _ = np.meshgrid(np.arange(gh), np.arange(gw), np.arange(na), indexing="ij")
            grid = np.stack([xs, ys], axis=-1).reshape(1, rows, 2).astype(np.float32)
            anc = np.array(y["anchors"], dtype=np.float32)  # [na, 2]
            anc = np.broadcast_to(anc[None, None, :, :], (gh, gw, na, 2)).reshape(1, rows, 2)
            gname = b.const(f"{p}.grid", grid)
            aname = b.const(f"{p}.anchors", anc.astype(np.float32))
            sname = b.const(f"{p}.stride", np.array(float(s), dtype=np.float32))

            xy = b.node("Sigmoid", [txy], f"{p}_sig_xy")
            xy = b.node("Add", [xy, gname], f"{p}_add_grid")
            xy = b.node("Mul", [xy, sname], f"{p}_xy")
            wh = b.node("Exp", [twh], f"{p}_exp_wh")
            wh = b.node("Mul", [wh, aname], f"{p}_wh")
            sc = b.node("Sigmoid", [rest], f"{p}_scores")
            parts.append(b.node("Concat", [xy, wh, sc], f"{p}_out", axis=2))
            meta["levels"].append({"stride": s, "grid": y["grid"], "mask": y["mask"],
                                   "anchors": y["anchors"], "first_row": first,
                                   "rows": rows})
            first += rows
        b.node("Concat", parts, "output", axis=1)
        graph_outputs.append(helper.make_tensor_value_info("output", TensorProto.FLOAT,
                                                           [1, first, no]))
    else:
        raise ConvertError(f"unknown --outputs {outputs_mode!r}")

    graph = helper.make_graph(
        b.nodes, "darknet_yolo",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT,
                                       [1, channels, height, width])],
        graph_outputs, initializer=b.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name=PRODUCER, producer_version=PRODUCER_VERSION)
    model.ir_version = IR_VERSION
    helper.set_model_props(model, {
        "argus.yolo": json.dumps(meta, sort_keys=True, separators=(",", ":")),
    })
    onnx.checker.check_model(model, full_check=True)
    return model


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cfg")
    ap.add_argument("weights")
    ap.add_argument("output")
    ap.add_argument("--outputs", choices=["raw", "decoded"], default="raw")
    ap.add_argument("--names", help="class names file (one per line) to embed in the metadata")
    args = ap.parse_args(argv)
    try:
        model = convert(args.cfg, args.weights, args.outputs, args.names)
    except ConvertError as e:
        print(f"darknet2onnx: {e}", file=sys.stderr)
        return 1
    data = model.SerializeToString(deterministic=True)
    tmp = f"{args.output}.tmp.{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
