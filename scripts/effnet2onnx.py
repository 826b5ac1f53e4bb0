#!/usr/bin/env python3
"""Convert the EfficientNet-Lite0 PyTorch state dict to ONNX, without PyTorch.

Written for Argus; needs only `onnx` and `numpy` (setup-time only, run from the
private venv that scripts/setup-venv.sh creates).

Usage:
    effnet2onnx.py CHECKPOINT.pth OUT.onnx [--labels imagenet-classes.txt]

The checkpoint is a state dict saved by `torch.save`, in either of its two formats:
the legacy stream (a magic-number pickle, a protocol-version pickle, a sys-info pickle,
the state dict pickled with persistent ids for its storages, the sorted list of storage
keys, then each storage as an int64 element count and its raw little-endian bytes) or
the zip archive (`*/data.pkl` plus one `*/data/<key>` entry per storage). Tensors are
rebuilt from `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)` with
numpy; nothing else from the pickle is honoured, so a checkpoint cannot run code.

The network is EfficientNet-Lite0 as the parameter names describe it (`_conv_stem`,
`_blocks.N._expand_conv/_depthwise_conv/_project_conv`, `_conv_head`, `_fc`): the
EfficientNet-B0 stage table (kernel, stride, expansion, filters, repeats) without
squeeze-and-excitation, ReLU6 activations, TensorFlow "same" padding (the extra row and
column of a stride-2 convolution go at the bottom and right: ONNX SAME_UPPER). Every
batch normalisation (epsilon 1e-3) is folded into the convolution before it.

Graph:
    input  `images`     float32 [batch, 3, 224, 224], RGB, (x/255 - 0.5) / 0.5
    output `logits`     float32 [batch, 1000], ILSVRC-2012 class order
    output `embedding`  float32 [batch, 1280], the pooled features, L2-normalised

The metadata_props hold `argus.classifier` (JSON: input size, mean, std, outputs) and,
with --labels, `argus.labels` (the 1000 class names, one per line).

The output is byte-for-byte deterministic: the same checkpoint and the same pinned
onnx/numpy versions give the same file. Opset 13, IR version 8.
"""

import argparse
import collections
import io
import json
import pickle
import struct
import sys
import zipfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
IR_VERSION = 8
INPUT_SIZE = 224
BN_EPSILON = 1e-3
# TensorFlow's Lite models were trained on inputs scaled to [-1, 1].
MEAN = [0.5, 0.5, 0.5]
STD = [0.5, 0.5, 0.5]
# EfficientNet-B0's stages: kernel, stride, expansion, output filters, repeats.
STAGES = [
    (3, 1, 1, 16, 1),
    (3, 2, 6, 24, 2),
    (5, 2, 6, 40, 2),
    (3, 2, 6, 80, 3),
    (5, 1, 6, 112, 3),
    (5, 2, 6, 192, 4),
    (3, 1, 6, 320, 1),
]
STEM_FILTERS = 32
HEAD_FILTERS = 1280
LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
}


class Storage:
    """A storage the pickle refers to by key; its bytes are attached once read."""

    def __init__(self, dtype, key, count):
        self.dtype, self.key, self.count, self.data = dtype, key, count, None


class TensorRef:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)

    def array(self):
        data = self.storage.data
        if data is None:
            raise ValueError(f"storage {self.storage.key} was never read")
        item = data.itemsize
        view = np.lib.stride_tricks.as_strided(
            data[self.offset :], shape=self.size, strides=[s * item for s in self.stride]
        )
        return np.array(view, dtype=data.dtype)


def rebuild_tensor(storage, offset, size, stride, *_):
    return TensorRef(storage, offset, size, stride)


class StateDictUnpickler(pickle.Unpickler):
    """Honours only what a state dict of plain tensors needs."""

    def __init__(self, stream, storages):
        super().__init__(stream)
        self.storages = storages

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return rebuild_tensor
        if module == "torch" and name in DTYPES:
            return name
        raise pickle.UnpicklingError(f"unexpected object in the checkpoint: {module}.{name}")

    def persistent_load(self, pid):
        kind, storage_type, key, _location, count = pid[:5]
        if kind != "storage" or storage_type not in DTYPES:
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r}")
        if key not in self.storages:
            self.storages[key] = Storage(np.dtype(DTYPES[storage_type]).newbyteorder("<"), key, count)
        return self.storages[key]


def load_state_dict(path):
    with open(path, "rb") as f:
        blob = f.read()
    storages = {}
    if zipfile.is_zipfile(io.BytesIO(blob)):
        archive = zipfile.ZipFile(io.BytesIO(blob))
        pkl = next(n for n in archive.namelist() if n.endswith("/data.pkl"))
        prefix = pkl[: -len("data.pkl")]
        state = StateDictUnpickler(io.BytesIO(archive.read(pkl)), storages).load()
        for key, storage in storages.items():
            storage.data = np.frombuffer(archive.read(f"{prefix}data/{key}"), dtype=storage.dtype)
    else:
        stream = io.BytesIO(blob)
        if pickle.load(stream) != LEGACY_MAGIC:
            raise ValueError(f"{path}: not a PyTorch checkpoint (bad magic number)")
        pickle.load(stream)  # protocol version
        info = pickle.load(stream)
        if not info.get("little_endian", True):
            raise ValueError(f"{path}: big-endian checkpoints are not supported")
        state = StateDictUnpickler(stream, storages).load()
        for key in pickle.load(stream):
            storage = storages[key]
            (count,) = struct.unpack("<q", stream.read(8))
            raw = stream.read(count * storage.dtype.itemsize)
            storage.data = np.frombuffer(raw, dtype=storage.dtype)
    return {name: ref.array() for name, ref in state.items() if isinstance(ref, TensorRef)}


class GraphBuilder:
    def __init__(self, weights):
        self.weights = weights
        self.used = set()
        self.nodes = []
        self.initializers = []
        self.count = 0

    def take(self, name):
        if name not in self.weights:
            raise KeyError(f"the checkpoint has no {name}")
        self.used.add(name)
        return self.weights[name].astype(np.float32)

    def fresh(self, stem):
        self.count += 1
        return f"{stem}_{self.count}"

    def constant(self, name, array):
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def conv_bn(self, x, conv, bn, stride=1, groups=1):
        """Convolution `conv` followed by batch norm `bn`, folded into one Conv."""
        weight = self.take(f"{conv}.weight")
        gamma, beta = self.take(f"{bn}.weight"), self.take(f"{bn}.bias")
        mean, var = self.take(f"{bn}.running_mean"), self.take(f"{bn}.running_var")
        self.used.add(f"{bn}.num_batches_tracked")
        scale = gamma / np.sqrt(var + BN_EPSILON)
        folded_w = (weight * scale[:, None, None, None]).astype(np.float32)
        folded_b = (beta - mean * scale).astype(np.float32)
        w = self.constant(f"{conv}.w", folded_w)
        b = self.constant(f"{conv}.b", folded_b)
        kernel = weight.shape[2]
        y = self.fresh(conv)
        self.nodes.append(
            helper.make_node(
                "Conv",
                [x, w, b],
                [y],
                kernel_shape=[kernel, kernel],
                strides=[stride, stride],
                group=groups,
                auto_pad="SAME_UPPER",
            )
        )
        return y

    def relu6(self, x):
        y = self.fresh("relu6")
        self.nodes.append(helper.make_node("Clip", [x, "zero", "six"], [y]))
        return y

    def add(self, a, b):
        y = self.fresh("add")
        self.nodes.append(helper.make_node("Add", [a, b], [y]))
        return y


def build(weights, labels):
    g = GraphBuilder(weights)
    g.constant("zero", np.array(0, dtype=np.float32))
    g.constant("six", np.array(6, dtype=np.float32))
    x = g.relu6(g.conv_bn("images", "_conv_stem", "_bn0", stride=2))
    channels = STEM_FILTERS
    index = 0
    for kernel, stride, expansion, filters, repeats in STAGES:
        for r in range(repeats):
            block = f"_blocks.{index}"
            s = stride if r == 0 else 1
            y = x
            if expansion != 1:
                y = g.relu6(g.conv_bn(y, f"{block}._expand_conv", f"{block}._bn0"))
            hidden = channels * expansion
            if weights[f"{block}._depthwise_conv.weight"].shape != (hidden, 1, kernel, kernel):
                raise ValueError(f"{block}: the checkpoint is not EfficientNet-Lite0")
            y = g.relu6(g.conv_bn(y, f"{block}._depthwise_conv", f"{block}._bn1", stride=s, groups=hidden))
            y = g.conv_bn(y, f"{block}._project_conv", f"{block}._bn2")
            x = g.add(x, y) if s == 1 and channels == filters else y
            channels = filters
            index += 1
    x = g.relu6(g.conv_bn(x, "_conv_head", "_bn1"))
    g.nodes.append(helper.make_node("GlobalAveragePool", [x], ["pooled"]))
    g.nodes.append(helper.make_node("Flatten", ["pooled"], ["features"], axis=1))
    g.nodes.append(helper.make_node("LpNormalization", ["features"], ["embedding"], axis=1, p=2))
    fc_w = g.constant("_fc.w", g.take("_fc.weight"))
    fc_b = g.constant("_fc.b", g.take("_fc.bias"))
    g.nodes.append(helper.make_node("Gemm", ["features", fc_w, fc_b], ["logits"], transB=1))
    unused = sorted(set(weights) - g.used)
    if unused:
        raise ValueError(f"parameters the graph does not use: {', '.join(unused[:5])}")
    classes = weights["_fc.weight"].shape[0]
    if labels is not None and len(labels) != classes:
        raise ValueError(f"{len(labels)} labels for {classes} classes")

    graph = helper.make_graph(
        g.nodes,
        "efficientnet_lite0",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, INPUT_SIZE, INPUT_SIZE])],
        [
            helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", classes]),
            helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", HEAD_FILTERS]),
        ],
        g.initializers,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="argus-effnet2onnx",
        producer_version="1",
    )
    model.ir_version = IR_VERSION
    description = {
        "input": {"name": "images", "size": INPUT_SIZE, "layout": "NCHW", "colour": "RGB", "mean": MEAN, "std": STD},
        "outputs": {"logits": classes, "embedding": HEAD_FILTERS},
        "embedding": "L2-normalised global-average-pooled features of the head",
    }
    props = {"argus.classifier": json.dumps(description, sort_keys=True)}
    if labels is not None:
        props["argus.labels"] = "\n".join(labels)
    helper.set_model_props(model, props)
    onnx.checker.check_model(model)
    return model


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint")
    parser.add_argument("out")
    parser.add_argument("--labels", help="a text file with one class name per line")
    args = parser.parse_args(argv)
    labels = None
    if args.labels:
        with open(args.labels, encoding="utf-8") as f:
            labels = [line.rstrip("\n") for line in f if line.strip()]
    model = build(load_state_dict(args.checkpoint), labels)
    with open(args.out, "wb") as f:
        f.write(model.SerializeToString(deterministic=True))


if __name__ == "__main__":
    main(sys.argv[1:])
