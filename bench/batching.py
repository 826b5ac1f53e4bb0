#!/usr/bin/env python3
"""Does running several images as one ONNX Runtime call raise throughput on this CPU?

    python bench/batching.py [--models yolov3-tiny,yolox-nano] [--images 64] [--seconds 10]

The catalogue's models all have a fixed batch dimension ([1, 3, H, W]), so no server can
batch them as they are. This bench makes a copy of each with a dynamic batch dimension
(the `onnx` package of the setup venv, .deps/venv): the graph input's and outputs' first
dimension becomes the symbol `N`, and a Reshape whose target shape is a constant starting
with 1 gets 0 there instead (ONNX Reshape: 0 copies the input's dimension). The copy is
checked before it is timed: a batch of 2 must give the same outputs as the two images
run one by one (max |Δ| ≤ 1e-3), else the model is reported as not batchable.

Then, on tensors made from the first --images coco128 images by the reference
preprocessing, bare `session.run` for batch sizes 1, 2 and 4 in the two arrangements
that use both cores: 1 session × 2 intra-op threads driven by one thread, and one
session of 1 intra-op thread shared by two driving threads (bench/limit.py's best).
Images/s = images done / wall time, --seconds per row after 3 untimed runs per thread.

Writes bench/results/batching.md and bench/results/batching.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "reference"))

import numpy as np  # noqa: E402

import argus_ref as ref  # noqa: E402
import limit  # noqa: E402
import loadlib as L  # noqa: E402

# Run by the setup venv's python, which has `onnx` (the bench venv has only onnxruntime).
REWRITE = r"""
import sys, onnx
from onnx import numpy_helper
src, dst = sys.argv[1], sys.argv[2]
m = onnx.load(src)
for value in list(m.graph.input) + list(m.graph.output):
    dims = value.type.tensor_type.shape.dim
    if dims:
        dims[0].ClearField("dim_value")
        dims[0].dim_param = "N"
consts = {i.name: i for i in m.graph.initializer}
for node in m.graph.node:
    if node.op_type == "Constant":
        for a in node.attribute:
            if a.name == "value":
                consts[node.output[0]] = a.t
changed = 0
for node in m.graph.node:
    if node.op_type == "Reshape" and len(node.input) > 1 and node.input[1] in consts:
        t = consts[node.input[1]]
        shape = numpy_helper.to_array(t).copy()
        if shape.ndim == 1 and shape.size > 1 and shape[0] == 1:
            shape[0] = 0
            t.CopyFrom(numpy_helper.from_array(shape, t.name))
            changed += 1
del m.graph.value_info[:]
onnx.save(m, dst)
print(changed)
"""


def display_path(path: Path) -> str:
    """The model's path as the report shows it: relative to the repository, or to ../shared."""
    for base, shown in ((L.ROOT, ""), (L.SHARED, "../shared/")):
        try:
            return shown + str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return path.name


def dynamic_copy(model: Path, out: Path) -> int:
    python = L.ROOT / ".deps" / "venv" / "bin" / "python"
    done = subprocess.run([str(python), "-c", REWRITE, str(model), str(out)], capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"rewriting {model.name} failed: {done.stderr.strip()[-400:]}")
    return int(done.stdout.strip() or 0)


def batch_matches(session, name: str, outputs: list[str], a: np.ndarray, b: np.ndarray) -> float:
    """Max |Δ| between a batch of two and the two run alone."""
    together = session.run(outputs, {name: np.concatenate([a, b])})
    alone = [session.run(outputs, {name: x}) for x in (a, b)]
    worst = 0.0
    for k in range(len(outputs)):
        expected = np.concatenate([alone[0][k], alone[1][k]])
        worst = max(worst, float(np.max(np.abs(together[k] - expected))))
    return worst


def measure(model_id: str, paths: list[Path], seconds: float, folder: Path) -> tuple[list[dict], dict]:
    det = ref.Detector(model_id, threads=1, models_dir=str(L.ROOT / "models"))
    copy = folder / f"{model_id}-dynamic.onnx"
    reshapes = dynamic_copy(Path(det.path), copy)
    tensors = [det.preprocess(ref.read_image(p))[0] for p in paths]
    info = {"model": model_id, "file": display_path(Path(det.path)), "input_shape": [int(d) for d in det.session.get_inputs()[0].shape],
            "reshapes_rewritten": reshapes}
    check = ref.make_session(copy, 1)
    try:
        info["max_abs_diff"] = batch_matches(check, det.input_name, det.output_names, tensors[0], tensors[1])
    except Exception as error:  # noqa: BLE001 - reported, not raised: the model is then not batchable
        info["max_abs_diff"] = None
        info["error"] = str(error).splitlines()[0][:300]
    del check
    if info["max_abs_diff"] is None or info["max_abs_diff"] > 1e-3:
        print(f"batching: {model_id} is not batchable by this rewrite: {info}", file=sys.stderr, flush=True)
        return [], info
    rows = []
    for batch in (1, 2, 4):
        inputs = [np.concatenate([tensors[(k + j) % len(tensors)] for j in range(batch)])
                  for k in range(0, len(tensors), batch)]
        for label, threads, shared in (("1×2", 2, False), ("2×1 shared", 1, True)):
            one = ref.make_session(copy, threads)
            sessions = [one, one] if shared else [one]
            images, wall = limit.drive(sessions, inputs, det.input_name, det.output_names, seconds)
            row = {"model": model_id, "arrangement": label, "batch": batch, "images": images, "wall_s": wall,
                   "ips": images / wall if wall else 0.0}
            rows.append(row)
            print(f"batching: {model_id} {label} batch {batch}: {row['ips']:.2f} img/s", file=sys.stderr, flush=True)
            del sessions, one
    return rows, info


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default="yolov3-tiny,yolox-nano")
    ap.add_argument("--images", type=int, default=64, help="first N images of coco128")
    ap.add_argument("--seconds", type=float, default=10, help="per row")
    ap.add_argument("--out-md", default=str(HERE / "results" / "batching.md"))
    ap.add_argument("--out-json", default=str(HERE / "results" / "batching.json"))
    args = ap.parse_args()

    before = L.machine_line()
    paths = L.coco_paths(args.images)
    rows: list[dict] = []
    infos: list[dict] = []
    with tempfile.TemporaryDirectory() as folder:
        for model_id in [m.strip() for m in args.models.split(",") if m.strip()]:
            model_rows, info = measure(model_id, paths, args.seconds, Path(folder))
            rows += model_rows
            infos.append(info)
    after = L.machine_line()

    lines = ["# Batching on this CPU: one ONNX Runtime call for several images", "",
             f"- command: `python bench/batching.py --models {args.models} --images {args.images} "
             f"--seconds {args.seconds:g}`",
             f"- machine before: {before}; after: {after}",
             f"- onnxruntime {ref.ort.__version__}; {args.images} coco128 images, {args.seconds:g} s per row", ""]
    for info in infos:
        model_rows = [r for r in rows if r["model"] == info["model"]]
        lines.append(f"## {info['model']} ({Path(info['file']).name}, input {info['input_shape']})")
        lines.append("")
        if not model_rows:
            lines += [f"Not batchable by the rewrite: {info.get('error') or 'outputs differ'} "
                      f"(max |Δ| {info['max_abs_diff']}).", ""]
            continue
        lines.append(f"Dynamic copy: {info['reshapes_rewritten']} Reshape target(s) rewritten; a batch of 2 "
                     f"matches two single runs to max |Δ| {info['max_abs_diff']:.2e}.")
        lines += ["", "| arrangement | batch | img/s | vs batch 1 |", "| --- | ---: | ---: | ---: |"]
        for r in model_rows:
            base = next(x["ips"] for x in model_rows if x["arrangement"] == r["arrangement"] and x["batch"] == 1)
            lines.append(f"| {r['arrangement']} | {r['batch']} | {r['ips']:.2f} | {r['ips'] / base:.2f}× |")
        lines.append("")
    Path(args.out_md).write_text("\n".join(lines))
    Path(args.out_json).write_text(json.dumps({"models": infos, "rows": rows}, indent=2) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
