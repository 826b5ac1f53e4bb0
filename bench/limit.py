#!/usr/bin/env python3
"""Ceilings of detection throughput with every core busy: bare ONNX Runtime and Argus's
whole in-process pipeline, on the same images. bench/load.py compares the HTTP servers'
throughput against these.

    python bench/limit.py --argus .build/release/argus [--model yolov3-tiny] [--images 64] \
        [--seconds 10]

(i) Bare ONNX Runtime: python onnxruntime from the venv (the same version Argus links),
`session.run` on input tensors made beforehand from the first --images images of coco128
by the reference preprocessing (bench/reference/argus_ref.py), in three arrangements of
sessions × intra-op threads that each use 2 cores:
   1×2           one session, intra_op_num_threads=2, driven by one thread;
   2×1 separate  two threads, each with its own session, intra_op_num_threads=1;
   2×1 shared    two threads sharing one session, intra_op_num_threads=1;
(inter-op 1, sequential execution, all graph optimisations, as the reference does), each
for --seconds after 3 untimed runs per thread. Batch sizes 1, 2 and 4 are tried where the
model's input has a dynamic batch dimension; where it is fixed (yolov3-tiny: [1,3,416,416])
the report says so and only batch 1 runs. Images/s = images done / wall time.

(ii) Argus's pipeline (read file, decode, preprocess, run, decode outputs, NMS) in process,
through the CLI: `ARGUS bench --model M --threads T --concurrency C --seconds S --warmup 3
PATHS...`, which prints one JSON object with "throughput_ips" (C concurrent workers, T
intra-op threads each), for (T, C) = (2, 1) and (1, 2). A binary whose `bench` has no
--concurrency yet is measured the old way and the report says so: (2, 1) as
1000 / pipeline_ms.mean of `ARGUS bench --threads 2 --runs R`, and (1, 2) as the sum of
that figure over two `ARGUS bench --threads 1 --runs R` processes run at the same time
(an approximation: each process also times bare runs after its pipeline pass).

Writes bench/results/limit.md and bench/results/limit.json:
{"bare_ort_ips": best of (i), "pipeline_ips": best of (ii), "arrangements": [...], ...}.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "reference"))

import numpy as np  # noqa: E402

import argus_ref as ref  # noqa: E402
import loadlib as L  # noqa: E402

WARMUP = 3
PIPELINE_SETUPS = [(2, 1), (1, 2)]  # (intra-op threads T, concurrency C)


# --------------------------------------------------------------------------------------
# (i) bare ONNX Runtime
# --------------------------------------------------------------------------------------

def batch_dimension(det: ref.Detector) -> object:
    return det.session.get_inputs()[0].shape[0]


def drive(sessions: list, inputs: list[np.ndarray], input_name: str, output_names: list[str],
          seconds: float) -> tuple[int, float]:
    """One thread per entry of `sessions` (the same session may appear twice), each running
    `inputs` in turn until the deadline. Returns (images done, wall seconds)."""
    batch = inputs[0].shape[0]
    counts = [0] * len(sessions)
    ready = threading.Barrier(len(sessions) + 1)
    ends = [0.0] * len(sessions)
    state = {"deadline": 0.0}

    def run(i: int) -> None:
        s = sessions[i]
        for k in range(WARMUP):
            s.run(output_names, {input_name: inputs[(i + k) % len(inputs)]})
        ready.wait()
        k = i
        while time.perf_counter() < state["deadline"]:
            s.run(output_names, {input_name: inputs[k % len(inputs)]})
            counts[i] += batch
            k += 1
        ends[i] = time.perf_counter()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(sessions))]
    for t in threads:
        t.start()
    state["deadline"] = time.perf_counter() + 3600  # set for real once all threads are warm
    ready.wait()
    start = time.perf_counter()
    state["deadline"] = start + seconds
    for t in threads:
        t.join()
    return sum(counts), max(ends) - start


def bare_ort(det: ref.Detector, tensors: list[np.ndarray], seconds: float, batches: list[int]) -> list[dict]:
    rows = []
    in_name, out_names = det.input_name, det.output_names
    for batch in batches:
        inputs = [np.concatenate([tensors[(k + j) % len(tensors)] for j in range(batch)])
                  for k in range(0, len(tensors), batch)]
        for label, sessions_count, threads_each, shared in (("1×2", 1, 2, False), ("2×1 separate", 2, 1, False),
                                                            ("2×1 shared", 2, 1, True)):
            if shared:
                one = ref.make_session(det.path, threads_each)
                sessions = [one, one]
            else:
                sessions = [ref.make_session(det.path, threads_each) for _ in range(sessions_count)]
            images, wall = drive(sessions, inputs, in_name, out_names, seconds)
            row = {"kind": "bare_ort", "arrangement": label, "sessions": 1 if shared else sessions_count,
                   "driving_threads": len(sessions), "intra_op_threads": threads_each, "shared_session": shared,
                   "batch": batch, "images": images, "wall_s": wall, "ips": images / wall if wall else 0.0}
            rows.append(row)
            print(f"limit: bare ORT {label} batch {batch}: {row['ips']:.2f} img/s", file=sys.stderr, flush=True)
            del sessions
    return rows


# --------------------------------------------------------------------------------------
# (ii) Argus's pipeline through `argus bench`
# --------------------------------------------------------------------------------------

def bench_help(argus: str) -> str:
    p = subprocess.run([argus, "bench", "--help"], capture_output=True, text=True, timeout=60)
    return p.stdout + p.stderr


def last_json(stdout: str, key: str) -> dict:
    for line in reversed([ln for ln in stdout.splitlines() if ln.strip()]):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and key in obj:
            return obj
    try:
        obj = json.loads(stdout)
        if isinstance(obj, dict) and key in obj:
            return obj
    except json.JSONDecodeError:
        pass
    raise RuntimeError(f"no JSON object with {key!r} in the output; it starts: {stdout[:300]!r}")


def argus_env() -> dict:
    return dict(os.environ, ARGUS_MODELS_DIR=str(L.ROOT / "models"))


def run_argus(argv: list[str], timeout: float) -> subprocess.CompletedProcess:
    p = subprocess.run(argv, env=argus_env(), capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"`{shlex.join(argv[:10])} ...` exited {p.returncode}: {p.stderr.strip()[-800:]}")
    return p


def pipeline_new(argus: str, model: str, paths: list[str], seconds: float) -> list[dict]:
    rows = []
    for threads, concurrency in PIPELINE_SETUPS:
        argv = [argus, "bench", "--model", model, "--threads", str(threads), "--concurrency", str(concurrency),
                "--seconds", f"{seconds:g}", "--warmup", str(WARMUP)] + paths
        obj = last_json(run_argus(argv, timeout=seconds * 4 + 120).stdout, "throughput_ips")
        rows.append({"kind": "pipeline", "threads": threads, "concurrency": concurrency,
                     "ips": float(obj["throughput_ips"]), "method": "argus bench --concurrency", "raw": obj})
        print(f"limit: Argus pipeline T={threads} C={concurrency}: {rows[-1]['ips']:.2f} img/s",
              file=sys.stderr, flush=True)
    return rows


def pipeline_fallback(argus: str, model: str, paths: list[str], seconds: float, guess_ips: float) -> list[dict]:
    runs = max(1, math.ceil(seconds * max(guess_ips, 1.0) / len(paths)))
    rows = []
    for threads, concurrency in PIPELINE_SETUPS:
        argv = [argus, "bench", "--model", model, "--threads", str(threads), "--warmup", str(WARMUP),
                "--runs", str(runs)] + paths
        procs = [subprocess.Popen(argv, env=argus_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(concurrency)]
        outs = []
        for p in procs:
            try:
                stdout, stderr = p.communicate(timeout=seconds * 8 + 180)
            except subprocess.TimeoutExpired:
                p.kill()
                stdout, stderr = p.communicate()
            if p.returncode != 0:
                raise RuntimeError(f"`{shlex.join(argv[:10])} ...` exited {p.returncode}: {stderr.strip()[-800:]}")
            outs.append(last_json(stdout, "pipeline_ms"))
        ips = sum(1000.0 / o["pipeline_ms"]["mean"] for o in outs)
        method = ("1000 / pipeline_ms.mean of one `argus bench` (no --concurrency in this binary)" if concurrency == 1
                  else f"sum over {concurrency} concurrent `argus bench` processes of 1000 / pipeline_ms.mean "
                       "(no --concurrency in this binary; approximate)")
        rows.append({"kind": "pipeline", "threads": threads, "concurrency": concurrency, "ips": ips,
                     "method": method, "runs": runs, "raw": outs})
        print(f"limit: Argus pipeline T={threads} C={concurrency} (fallback): {ips:.2f} img/s",
              file=sys.stderr, flush=True)
    return rows


# --------------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--argus", default=str(L.ROOT / ".build" / "release" / "argus"))
    ap.add_argument("--model", default="yolov3-tiny")
    ap.add_argument("--images", type=int, default=64, help="first N images of coco128")
    ap.add_argument("--seconds", type=float, default=10, help="per arrangement")
    ap.add_argument("--skip-argus", action="store_true", help="bare ONNX Runtime only")
    ap.add_argument("--out-md", default=str(HERE / "results" / "limit.md"))
    ap.add_argument("--out-json", default=str(HERE / "results" / "limit.json"))
    args = ap.parse_args()

    load_before = L.machine_line()
    notes: list[str] = []
    paths = L.coco_paths(args.images)
    det = ref.Detector(args.model, threads=1, models_dir=str(L.ROOT / "models"))
    shape = det.session.get_inputs()[0].shape
    dim = batch_dimension(det)
    dynamic = not isinstance(dim, int)
    batches = [1, 2, 4] if dynamic else [1]
    if not dynamic:
        notes.append(f"the input `{det.input_name}` of {det.path.name} has a fixed batch dimension ({shape}): "
                     "batch sizes 2 and 4 are skipped")
    tensors = [det.preprocess(ref.read_image(p))[0] for p in paths]
    rows = bare_ort(det, tensors, args.seconds, batches)

    pipeline_rows: list[dict] = []
    argus_label = args.argus
    if args.skip_argus:
        notes.append("Argus's pipeline not measured (--skip-argus)")
    elif not (Path(args.argus).is_file() and os.access(args.argus, os.X_OK)):
        notes.append(f"Argus's pipeline not measured: `{args.argus}` is not an executable "
                     "(build it: swift build -c release)")
    else:
        str_paths = [str(p) for p in paths]
        try:
            help_text = bench_help(args.argus)
            if "--concurrency" in help_text and "--seconds" in help_text:
                pipeline_rows = pipeline_new(args.argus, args.model, str_paths, args.seconds)
            else:
                notes.append("this `argus bench` has no --concurrency/--seconds yet: the pipeline figures come from "
                             "the fallback (see the method column)")
                guess = max((r["ips"] for r in rows if r["batch"] == 1 and r["arrangement"] == "1×2"), default=10.0)
                pipeline_rows = pipeline_fallback(args.argus, args.model, str_paths, args.seconds, guess)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
            notes.append(f"Argus's pipeline failed: {error}")
            print(f"limit: {error}", file=sys.stderr)

    best_bare = max(rows, key=lambda r: r["ips"])
    best_pipe = max(pipeline_rows, key=lambda r: r["ips"]) if pipeline_rows else None
    out = {
        "date": L.now_text(), "machine": load_before, "command": L.command_line(), "model": args.model,
        "model_file": str(det.path.relative_to(L.ROOT) if det.path.is_relative_to(L.ROOT) else det.path),
        "input_shape": [d if isinstance(d, int) else str(d) for d in shape], "dynamic_batch": dynamic,
        "images": len(paths), "seconds": args.seconds, "onnxruntime": ref.ort.__version__,
        "bare_ort_ips": best_bare["ips"], "bare_ort_best": best_bare["arrangement"] + f", batch {best_bare['batch']}",
        "pipeline_ips": best_pipe["ips"] if best_pipe else None,
        "pipeline_best": f"T={best_pipe['threads']} C={best_pipe['concurrency']}" if best_pipe else None,
        "arrangements": rows + pipeline_rows, "notes": notes,
    }
    lines = [
        "# Throughput ceilings with all cores busy: bare ONNX Runtime and Argus's pipeline",
        "",
        f"- date: {out['date']}",
        f"- machine: {load_before}",
        f"- command: `{out['command']}`",
        f"- model {args.model} ({out['model_file']}, input {shape}), first {len(paths)} images of coco128, "
        f"{args.seconds:g} s per arrangement after {WARMUP} untimed runs; python onnxruntime {ref.ort.__version__}",
        f"- argus: `{argus_label}`",
        "",
        "## (i) Bare ONNX Runtime on ready tensors",
        "",
        "| arrangement | sessions | driving threads | intra-op threads | batch | img/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(f"| {r['arrangement']} | {r['sessions']} | {r['driving_threads']} | {r['intra_op_threads']} | "
                     f"{r['batch']} | {r['ips']:.2f} |")
    lines += ["", "## (ii) Argus's pipeline in process (`argus bench`)", ""]
    if pipeline_rows:
        lines += ["| intra-op threads T | concurrency C | img/s | method |", "| ---: | ---: | ---: | --- |"]
        for r in pipeline_rows:
            lines.append(f"| {r['threads']} | {r['concurrency']} | {r['ips']:.2f} | {r['method']} |")
    else:
        lines.append("Not measured (see the notes).")
    lines += ["", f"Best bare ONNX Runtime: **{best_bare['ips']:.2f} img/s** ({out['bare_ort_best']}); "
              + (f"best pipeline: **{best_pipe['ips']:.2f} img/s** ({out['pipeline_best']}), "
                 f"{best_pipe['ips'] / best_bare['ips']:.0%} of bare ORT." if best_pipe else "no pipeline figure.")]
    if notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    text = "\n".join(lines) + "\n"
    Path(args.out_md).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out_md).write_text(text)
    Path(args.out_json).write_text(json.dumps(out, indent=1) + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
