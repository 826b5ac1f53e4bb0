#!/usr/bin/env python3
"""Video throughput: `argus track VIDEO --annotate` against a Python peer, end to end.

    .deps/venv-bench/bin/python bench/video_bench.py --argus .build/release/argus \
        [--video ../shared/datasets/samples/video/vtest.avi] [--model yolov3-tiny] \
        [--threads 2] [--rounds 2] [--out bench/results/video_bench]

In one run, on the same video, model, detection thresholds (conf 0.1, iou 0.45) and number
of cores for ONNX Runtime (--threads N):

  (a) Argus: `argus track VIDEO --threads 1 --detect-workers N --annotate OUT.mp4 --format
      json --quiet` as a child process (its default split of N cores: N single-threaded
      runs on N frames at once): ffmpeg decodes, Argus detects, tracks (ByteTrack) in frame
      order, draws boxes, ids and
      trails, and ffmpeg encodes H.264 (libx264 veryfast, yuv420p) on overlapping threads.
      Timed from the command's start to its exit (model loading included).
  (b) the Python peer, as the original service did it: cv2.VideoCapture, the reference
      pipeline of bench/reference/argus_ref.py (onnxruntime with N intra-op threads, the same pre- and
      post-processing), supervision 0.30's sv.ByteTrack, boxes and labels drawn with
      cv2, cv2.VideoWriter with the mp4v codec (MPEG-4 Part 2: the only one OpenCV's
      wheel writes; browsers do not play it, and it is cheaper to encode than H.264).
      Timed from loading the model to releasing the writer, one frame after another.
  (c) bare inference: `argus bench --threads N` on the first 100 frames (PNG) of the same video,
      whose ort_run_ms is ONNX Runtime's session run alone: the limit of a pipeline that
      detects one frame at a time on N threads (the peer's way), when the detector dominates.

Rounds alternate the order (a b, b a, ...). Prints a markdown table with the frames per
second of each, Argus / peer and Argus / bare inference, and writes OUT.md and OUT.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "reference"))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import supervision as sv  # noqa: E402

import argus_ref as ref  # noqa: E402

CONF = 0.1
IOU = 0.45
TRAIL = 30


def run_argus(binary: str, video: str, model: str, threads: int, out: Path, env: dict) -> dict:
    start = time.perf_counter()
    result = subprocess.run(
        [binary, "track", video, "--model", model, "--threads", "1", "--detect-workers", str(threads), "--conf", str(CONF),
         "--iou", str(IOU), "--annotate", str(out), "--format", "json", "--quiet"],
        check=True, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    document = json.loads(result.stdout)
    frames = document["summary"]["frames"]
    return {"frames": frames, "seconds": seconds, "fps": frames / seconds,
            "tracks": sum(document["summary"]["unique_tracks"].values())}


def run_peer(video: str, model: str, threads: int, out: Path, models_dir: str | None) -> dict:
    start = time.perf_counter()
    detector = ref.Detector(model, threads=threads, models_dir=models_dir)
    capture = cv2.VideoCapture(video)
    fps = capture.get(cv2.CAP_PROP_FPS) or 30
    width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
    height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    tracker = sv.ByteTrack(frame_rate=int(round(fps)))
    trails: dict[int, list[tuple[int, int]]] = {}
    frames = 0
    ids: set[int] = set()
    while True:
        ok, image = capture.read()
        if not ok:
            break
        frames += 1
        found = detector.detect(image, conf=CONF, iou=IOU)
        if found:
            xyxy = np.array([[d.x1, d.y1, d.x2, d.y2] for d in found], dtype=np.float32)
            detections = sv.Detections(xyxy=xyxy, confidence=np.array([d.score for d in found], dtype=np.float32),
                                       class_id=np.array([d.class_id for d in found], dtype=int))
        else:
            detections = sv.Detections.empty()
        tracked = tracker.update_with_detections(detections)
        for box, track_id, class_id, score in zip(tracked.xyxy, tracked.tracker_id, tracked.class_id,
                                                  tracked.confidence):
            ids.add(int(track_id))
            x1, y1, x2, y2 = (int(v) for v in box)
            cv2.rectangle(image, (x1, y1), (x2, y2), (0, 200, 0), 2)
            label = f"#{track_id} {ref.COCO80_NAMES[int(class_id)]} {score:.0%}"
            cv2.putText(image, label, (x1, max(y1 - 4, 10)), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 200, 0), 1)
            trail = trails.setdefault(int(track_id), [])
            trail.append(((x1 + x2) // 2, (y1 + y2) // 2))
            del trail[:-TRAIL]
            if len(trail) > 1:
                cv2.polylines(image, [np.array(trail, dtype=np.int32)], False, (0, 200, 0), 2)
        writer.write(image)
    writer.release()
    capture.release()
    seconds = time.perf_counter() - start
    return {"frames": frames, "seconds": seconds, "fps": frames / seconds, "tracks": len(ids)}


def run_bare(binary: str, video: str, model: str, threads: int, folder: Path, env: dict) -> dict:
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", video, "-frames:v", "100",
                    str(folder / "frame_%03d.png")], check=True)
    frames = sorted(str(p) for p in folder.glob("frame_*.png"))
    result = subprocess.run([binary, "bench", "--model", model, "--threads", str(threads), "--warmup", "3", *frames],
                            check=True, capture_output=True, text=True, env=env)
    report = json.loads(result.stdout)
    return {"ort_run_ms": report["ort_run_ms"]["mean"], "pipeline_ms": report["pipeline_ms"]["mean"],
            "fps": 1000 / report["ort_run_ms"]["mean"]}


def probe(path: Path) -> str:
    result = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                             "stream=codec_name,pix_fmt", "-of", "csv=p=0", str(path)],
                            capture_output=True, text=True)
    return result.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--argus", required=True)
    parser.add_argument("--video", default=str(HERE.parent.parent / "shared/datasets/samples/video/vtest.avi"))
    parser.add_argument("--model", default="yolov3-tiny")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--models-dir", default=str(HERE.parent / "models"))
    parser.add_argument("--out", default=str(HERE / "results/video_bench"))
    args = parser.parse_args()

    env = dict(os.environ)
    env.setdefault("ARGUS_MODELS_DIR", args.models_dir)
    argus_runs, peer_runs = [], []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for round_index in range(args.rounds):
            order = ["argus", "peer"] if round_index % 2 == 0 else ["peer", "argus"]
            for who in order:
                if who == "argus":
                    argus_runs.append(run_argus(args.argus, args.video, args.model, args.threads,
                                                folder / "argus.mp4", env))
                else:
                    peer_runs.append(run_peer(args.video, args.model, args.threads, folder / "peer.mp4",
                                              args.models_dir))
                print(f"round {round_index + 1} {who}: "
                      f"{(argus_runs if who == 'argus' else peer_runs)[-1]['fps']:.1f} fps", file=sys.stderr)
        codecs = {"argus": probe(folder / "argus.mp4"), "peer": probe(folder / "peer.mp4")}
        bare = run_bare(args.argus, args.video, args.model, args.threads, folder, env)

    argus_fps = statistics.median(r["fps"] for r in argus_runs)
    peer_fps = statistics.median(r["fps"] for r in peer_runs)
    result = {
        "date": dt.date.today().isoformat(), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "video": os.path.basename(args.video), "model": args.model, "threads": args.threads,
        "argus": argus_runs, "peer": peer_runs, "bare": bare, "codecs": codecs,
        "argus_fps": argus_fps, "peer_fps": peer_fps,
        "argus_over_peer": argus_fps / peer_fps, "argus_over_bare": argus_fps / bare["fps"],
    }
    table = "\n".join([
        f"`{result['video']}` ({argus_runs[0]['frames']} frames), {args.model}, {args.threads} cores for ONNX Runtime "
        f"(Argus: {args.threads} single-threaded runs side by side; peer and bare: one run of {args.threads} threads), "
        f"{result['machine']}, {result['date']}, median of {args.rounds} rounds",
        "",
        "| | frames/s | output | tracks |",
        "| --- | --- | --- | --- |",
        f"| Argus `argus track --annotate` (H.264) | {argus_fps:.1f} | {codecs['argus']} | {argus_runs[-1]['tracks']} |",
        f"| Python peer (OpenCV + onnxruntime + sv.ByteTrack + VideoWriter) | {peer_fps:.1f} | {codecs['peer']} | "
        f"{peer_runs[-1]['tracks']} |",
        f"| bare inference, one frame at a time (ORT session run, {bare['ort_run_ms']:.1f} ms) | {bare['fps']:.1f} | | |",
        "",
        f"Argus / peer: **{result['argus_over_peer']:.2f}×**; Argus / bare inference: "
        f"**{result['argus_over_bare']:.0%}**",
    ])
    print(table)
    Path(args.out + ".md").write_text(table + "\n")
    Path(args.out + ".json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
