#!/usr/bin/env python3
"""Detector latency: Argus (Swift) against bare ONNX Runtime and the Python reference.

    python bench/detect_bench.py --argus PATH_TO_ARGUS [--threads 1] [--images 64]
        [--models yolov3-tiny,yolox-nano] [--rounds 3] [--models-dir DIR]
    python bench/detect_bench.py --argus-cmd "CMD ..."   # any command line instead
    python bench/detect_bench.py                         # no Argus: peers only

In one run, on the same images (the first N of coco128, sorted by name) and the same
number of ONNX Runtime intra-op threads, per model:

  (a) bare ORT: python onnxruntime `session.run` per image on input tensors made
      beforehand (the floor any pipeline on this ORT build can reach);
  (b) Python pipeline: the reference per image: cv2.imread + preprocess + run + decode
      + NMS (bench/reference/argus_ref.py, conf 0.25, iou 0.45);
  (c) Argus pipeline: `ARGUS bench --model ID --threads N --warmup 3 PATHS...`, which
      prints {"model","threads","images","pipeline_ms":{"mean","p50","p90"},
      "ort_run_ms":{"mean","p50","p90"}} on stdout.

Each peer is warmed up (3 images) before it is timed, and the three are run in
--rounds rounds whose order rotates (a b c, b c a, c a b, ...), so that drift and
other load on the machine spread over all of them. Per-image samples of (a) and (b)
are pooled over the rounds; for (c) each round gives mean/p50/p90 and the table shows
the mean of the means and the median of the p50s.

Prints a markdown table (per-image mean and p50 in ms, and the ratios Argus/bare-ORT and
Argus/Python) and writes it to bench/results/detect_bench.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "reference"))

import numpy as np  # noqa: E402

import argus_ref as ref  # noqa: E402
import loadlib as L  # noqa: E402

COCO128_IMAGES = ref.SHARED / "datasets" / "coco128" / "train2017"
WARMUP = 3


def summary(ms: list[float]) -> dict:
    a = np.asarray(ms, dtype=np.float64)
    return {"mean": float(a.mean()), "p50": float(np.percentile(a, 50)),
            "p90": float(np.percentile(a, 90)), "n": int(a.size)}


def bench_bare_ort(det: ref.Detector, tensors: list[np.ndarray]) -> list[float]:
    for t in tensors[:WARMUP]:
        det.run(t)
    out = []
    for t in tensors:
        t0 = time.perf_counter()
        det.session.run(det.output_names, {det.input_name: t})
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def bench_python_pipeline(det: ref.Detector, paths: list[Path]) -> list[float]:
    for p in paths[:WARMUP]:
        det.detect(ref.read_image(p))
    out = []
    for p in paths:
        t0 = time.perf_counter()
        det.detect(ref.read_image(p), 0.25, 0.45, 300)
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def bench_argus(cmd: list[str], model_id: str, threads: int, paths: list[Path],
                models_dir: str | None) -> dict:
    argv = cmd + ["bench", "--model", model_id, "--threads", str(threads),
                  "--warmup", str(WARMUP)] + [str(p) for p in paths]
    env = dict(os.environ)
    if models_dir:
        env["ARGUS_MODELS_DIR"] = models_dir
    p = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode != 0:
        raise RuntimeError(f"`{shlex.join(argv[:8])} ...` exited {p.returncode}:\n"
                           f"{p.stderr[-3000:]}")
    # the JSON object is the last non-empty line that parses (tolerates log lines)
    for line in reversed([ln for ln in p.stdout.splitlines() if ln.strip()]):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and "pipeline_ms" in obj:
            break
    else:
        try:
            obj = json.loads(p.stdout)
        except json.JSONDecodeError:
            raise RuntimeError("argus bench printed no JSON object with pipeline_ms; "
                               f"stdout starts:\n{p.stdout[:500]}") from None
    for key in ("pipeline_ms", "ort_run_ms"):
        if not all(k in obj.get(key, {}) for k in ("mean", "p50")):
            raise RuntimeError(f"argus bench JSON lacks {key}.mean/p50: {obj}")
    if int(obj.get("images", len(paths))) != len(paths):
        print(f"detect_bench: warning: argus timed {obj.get('images')} images, "
              f"expected {len(paths)}", file=sys.stderr)
    if int(obj.get("threads", threads)) != threads:
        print(f"detect_bench: warning: argus reports threads={obj.get('threads')}, "
              f"asked for {threads}", file=sys.stderr)
    return obj


def fmt(s: dict | None) -> str:
    return "n/a" if s is None else f"{s['mean']:.2f} / {s['p50']:.2f}"


def ratio(a: dict | None, b: dict | None) -> str:
    if a is None or b is None:
        return "n/a"
    return f"{a['mean'] / b['mean']:.2f}× / {a['p50'] / b['p50']:.2f}×"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--argus", help="path to the argus binary")
    g.add_argument("--argus-cmd", help="command line to run instead of a binary (shlex)")
    ap.add_argument("--models", default="yolov3-tiny,yolox-nano")
    ap.add_argument("--models-dir", default=str(ref.REPO_ROOT / "models"),
                    help="ARGUS_MODELS_DIR for argus; the reference looks for "
                         "<dir>/<id>.onnx first (default <repo>/models)")
    ap.add_argument("--threads", type=int, default=1, help="ORT intra-op threads, all peers")
    ap.add_argument("--images", type=int, default=64, help="first N images of coco128")
    ap.add_argument("--image-dir", default=str(COCO128_IMAGES))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", default=None,
                    help="report file (default results/detect_bench.md, or detect_bench_threadsN.md for N > 1)")
    a = ap.parse_args()
    if a.out is None:
        name = "detect_bench.md" if a.threads == 1 else f"detect_bench_threads{a.threads}.md"
        a.out = str(HERE / "results" / name)

    cmd, label, argus_note = None, "not run", ""
    if a.argus_cmd:
        cmd, label = shlex.split(a.argus_cmd), a.argus_cmd
    elif a.argus:
        binary = Path(a.argus)
        if binary.is_file() and os.access(binary, os.X_OK):
            cmd, label = [str(binary.resolve())], str(binary)
        else:
            argus_note = (f"argus binary `{binary}` not found or not executable: build it "
                          "(`swift build -c release`) and pass --argus .build/release/argus")
    else:
        argus_note = "no --argus given: only the Python peers were measured"
    if argus_note:
        print(f"detect_bench: {argus_note}", file=sys.stderr)
    models_dir = a.models_dir if Path(a.models_dir).is_dir() else None

    paths = ref.list_images([a.image_dir])[:a.images]
    load_before = os.getloadavg()
    rows = []
    for model_id in a.models.split(","):
        try:
            det = ref.Detector(model_id, threads=a.threads, models_dir=models_dir)
        except FileNotFoundError as e:
            print(f"detect_bench: skip {model_id}: {e}", file=sys.stderr)
            continue
        tensors = [det.preprocess(ref.read_image(p))[0] for p in paths]
        bare, py, argus_runs, argus_err = [], [], [], None

        def run_a():
            bare.extend(bench_bare_ort(det, tensors))

        def run_b():
            py.extend(bench_python_pipeline(det, paths))

        def run_c():
            nonlocal argus_err
            if cmd is None or argus_err:
                return
            try:
                argus_runs.append(bench_argus(cmd, model_id, a.threads, paths, models_dir))
            except (RuntimeError, OSError) as e:
                argus_err = str(e)
                print(f"detect_bench: {model_id}: argus bench failed: {e}", file=sys.stderr)

        peers = [run_a, run_b, run_c]
        for r in range(a.rounds):
            print(f"detect_bench: {model_id}: round {r + 1}/{a.rounds}", file=sys.stderr)
            for i in range(3):
                peers[(r + i) % 3]()

        def pooled(key):
            if not argus_runs:
                return None
            return {"mean": statistics.fmean(x[key]["mean"] for x in argus_runs),
                    "p50": statistics.median(x[key]["p50"] for x in argus_runs)}

        rows.append({"model": model_id, "input": det.spec.input_size,
                     "bare": summary(bare), "py": summary(py),
                     "argus": pooled("pipeline_ms"), "argus_ort": pooled("ort_run_ms"),
                     "argus_err": argus_err})

    lines = [
        "# Detector latency: Argus vs bare ONNX Runtime vs the Python reference",
        "",
        f"- date: {dt.datetime.now().isoformat(timespec='seconds')}",
        f"- machine: {L.cpu_name()}, {os.cpu_count()} logical CPUs, load average before "
        f"{load_before[0]:.2f}; python onnxruntime {ref.ort.__version__}",
        f"- images: first {len(paths)} of `{os.path.relpath(a.image_dir, ref.REPO_ROOT)}`; ORT intra-op threads "
        f"{a.threads} for every peer; {a.rounds} rounds, order rotated; warm-up "
        f"{WARMUP} images per peer and round",
        f"- argus: `{label}`" + (f" — {argus_note}" if argus_note else ""),
        "- (a) bare ORT = python `session.run` on ready tensors; (b) Python pipeline = "
        "imread + preprocess + run + decode + NMS; (c) Argus pipeline = `argus bench` "
        "(its own per-image timing, same steps)",
        "",
        "Per image, ms, mean / p50:",
        "",
        "| model | input | (a) bare ORT | (b) Python pipeline | (c) Argus pipeline | "
        "Argus ORT run | Argus / bare ORT | Argus / Python |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['input']} | {fmt(r['bare'])} | {fmt(r['py'])} | "
            f"{fmt(r['argus'])} | {fmt(r['argus_ort'])} | {ratio(r['argus'], r['bare'])} "
            f"| {ratio(r['argus'], r['py'])} |")
    errs = [f"- {r['model']}: argus failed: {r['argus_err'].splitlines()[0]}"
            for r in rows if r["argus_err"]]
    if errs:
        lines += [""] + errs
    lines += ["", "Ratios are mean / p50; below 1× means Argus is faster."]
    text = "\n".join(lines) + "\n"
    print(text)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
