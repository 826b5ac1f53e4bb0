"""U²-Net-p background removal, end to end: Argus (`argus remove-bg` over a folder)
against rembg's own pipeline (PyPI rembg 2.0.86, `rembg.remove` in a loop), in one run,
on the same frames, with the same model file and the same ONNX Runtime thread count.

    rembg_bench.py --argus .build/release/argus [--frames DIR] [--threads 2] [--limit N]

Both read each JPEG, decode it, run the model at 320x320, make the alpha at full size,
and write an RGBA PNG. Argus also refines the matte and decontaminates the edge colours
(its default); `--no-refine --no-decontaminate` is timed too, as the like-for-like
pipeline. rembg runs one image at a time on --threads ONNX Runtime threads; Argus is
timed so too (`--jobs 1`), and as it runs a folder by default, --threads images at once
on one thread each: the same cores. Each side's wall time includes loading the model once, so it is divided by the
frame count; the fastest of --repeats runs is kept. rembg finds the model through
U2NET_HOME (its md5 is the one rembg expects), so it downloads nothing.
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

PEER = r"""
import os, sys, time, glob
import onnxruntime as ort
from rembg import new_session, remove
frames, out, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
start = time.perf_counter()
options = ort.SessionOptions()
options.intra_op_num_threads = threads
options.inter_op_num_threads = 1
session = new_session("u2netp", sess_opts=options, providers=["CPUExecutionProvider"])
for path in sorted(glob.glob(os.path.join(frames, "*.jpg"))):
    with open(path, "rb") as f:
        data = f.read()
    with open(os.path.join(out, os.path.basename(path)[:-4] + ".png"), "wb") as f:
        f.write(remove(data, session=session))
print(time.perf_counter() - start)
"""


def timed(command, env=None):
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--argus", required=True)
    parser.add_argument("--frames", default=os.path.join(ROOT, "..", "shared", "datasets", "davis2016-sub", "images"))
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--rembg-python", default=os.path.join(ROOT, ".deps", "venv-rembg", "bin", "python"))
    parser.add_argument("--models", default=os.path.join(ROOT, "models"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as work:
        frames = os.path.join(work, "frames")
        os.makedirs(frames)
        chosen = sorted(glob.glob(os.path.join(args.frames, "*.jpg")))[: args.limit]
        for path in chosen:
            shutil.copy(path, frames)
        home = os.path.join(work, "u2net-home")
        os.makedirs(home)
        os.symlink(os.path.abspath(os.path.join(args.models, "u2netp.onnx")), os.path.join(home, "u2netp.onnx"))
        env = dict(os.environ, U2NET_HOME=home, OMP_NUM_THREADS=str(args.threads))
        results = {}
        serial = ["--jobs", "1", "--threads", str(args.threads)]
        spread = ["--jobs", str(args.threads), "--threads", "1"]
        plain = ["--no-refine", "--no-decontaminate"]
        runs = {
            f"argus, one image at a time on {args.threads} threads": [args.argus, "remove-bg", frames, None, "--quiet"] + serial,
            f"argus, the same without refinement and decontamination": [
                args.argus, "remove-bg", frames, None, "--quiet"] + serial + plain,
            f"argus, {args.threads} images at once on 1 thread each (its default)": [
                args.argus, "remove-bg", frames, None, "--quiet"] + spread,
            f"argus, the same without refinement and decontamination ": [
                args.argus, "remove-bg", frames, None, "--quiet"] + spread + plain,
            "rembg 2.0.86": [args.rembg_python, "-c", PEER, frames, None, str(args.threads)],
        }
        for name, command in runs.items():
            best = None
            for _ in range(args.repeats):
                out = tempfile.mkdtemp(dir=work)
                command = [out if part is None else part for part in command]
                seconds = timed(command, env=env)
                made = len(glob.glob(os.path.join(out, "*.png")))
                if made != len(chosen):
                    sys.exit(f"rembg_bench: {name} wrote {made} of {len(chosen)} files")
                best = seconds if best is None else min(best, seconds)
                command = [None if part == out else part for part in command]
                shutil.rmtree(out)
            results[name] = round(best * 1000 / len(chosen), 1)
    peer = results["rembg 2.0.86"]
    report = {
        "frames": len(chosen),
        "threads": args.threads,
        "ms_per_image": results,
        "speedup_over_rembg": {name: round(peer / ms, 2) for name, ms in results.items() if name != "rembg 2.0.86"},
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
