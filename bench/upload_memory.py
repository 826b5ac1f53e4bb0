#!/usr/bin/env python3
"""Memory one large upload costs: the peak resident memory a single ~10 MB upload adds
to an idle, warmed-up Argus, on each upload route.

    python bench/upload_memory.py --argus .build/release/argus [--repeat 3]

The upload is a PNG of random noise (1900x1760, 9.6 MB: it compresses to about its pixel
size, so the file and its decoded pixels weigh the same). Each measurement starts a fresh
server and warms it up with two small uploads (the model session, the pools), so that
memory freed by an earlier large upload cannot hide the cost. Before the large upload the
kernel's peak-RSS mark is reset (`/proc/PID/clear_refs`, 5); after it, VmHWM minus the
VmRSS before is what the upload added, read exactly rather than sampled. The routes:
`POST /api/v1/detect` (decode + detection) and `POST /api/v1/images?tasks=detect` (the
same plus the duplicate check, metadata stripping and storage).
Then the price of Argus's one malloc arena (Sources/CImaging/process.cpp): detections
per second, 240 small-JPEG requests from 8 client threads, with one arena and with
glibc's default (MALLOC_ARENA_MAX=16, eight per core on this machine), twice each.
Writes bench/results/upload_memory.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import shutil
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from images_load import ROOT, HERE, free_port, multipart, post, start_argus


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def added_by_one_upload(pid: int, port: int, route: str, field: str, png: bytes, token: str) -> tuple[int, float]:
    """(HTTP status, MiB added): VmHWM after the upload minus VmRSS before it."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    before = status_kib(pid, "VmRSS")
    body, content_type = multipart(png, name=field, filename="noise.png")
    status, _, payload = post(port, route, body, content_type, token)
    if status not in (200, 201):
        raise SystemExit(f"{route}: {status} {payload[:300]!r}")
    return status, (status_kib(pid, "VmHWM") - before) / 1024


def detect_throughput(argus: str, small: bytes, arenas: str | None) -> float:
    """Detections per second with `arenas` as MALLOC_ARENA_MAX (None: Argus's own one arena)."""
    saved = os.environ.pop("MALLOC_ARENA_MAX", None)
    if arenas:
        os.environ["MALLOC_ARENA_MAX"] = arenas
    folder = Path(tempfile.mkdtemp(prefix="argus-arenas-"))
    port = free_port()
    process, token, _ = start_argus(argus, folder, port)
    os.environ.pop("MALLOC_ARENA_MAX", None)
    if saved is not None:
        os.environ["MALLOC_ARENA_MAX"] = saved
    try:
        body, content_type = multipart(small, name="image")
        for _ in range(4):
            post(port, "/api/v1/detect", body, content_type, token)
        start = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda _: post(port, "/api/v1/detect", body, content_type, token)[0], range(240)))
        if statuses.count(200) != 240:
            raise SystemExit(f"only {statuses.count(200)} of 240 detections answered 200")
        return 240 / (time.perf_counter() - start)
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--argus", default=str(ROOT / ".build" / "release" / "argus"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0, help="image side relative to 1900x1760")
    parser.add_argument("--out", default=str(HERE / "results" / "upload_memory.md"))
    args = parser.parse_args()

    rng = np.random.default_rng(1)
    noise = rng.integers(0, 256, size=(int(1900 * args.scale), int(1760 * args.scale), 3), dtype=np.uint8)
    images = []
    for seed in range(args.repeat + 1):
        # A distinct file each time, so that the image store never answers "duplicate".
        frame = noise.copy()
        frame[0, :8, 0] = np.frombuffer(seed.to_bytes(8, "little"), dtype=np.uint8)
        images.append(cv2.imencode(".png", frame)[1].tobytes())
    upload_mib = len(images[0]) / 2**20

    small = cv2.imencode(".jpg", noise[:480, :640])[1].tobytes()
    routes = [("/api/v1/detect", "image"), ("/api/v1/images?tasks=detect", "file")]
    rows = []
    for route, field in routes:
        added = []
        for png in images[1:]:
            folder = Path(tempfile.mkdtemp(prefix="argus-upload-memory-"))
            port = free_port()
            process, token, _ = start_argus(args.argus, folder, port)
            try:
                for attempt in range(2):
                    # Distinct bytes, so that the image store stores both.
                    warm = small[:-2] + bytes([attempt, 0xD9])
                    body, content_type = multipart(warm, name=field, filename="warm.jpg")
                    post(port, route, body, content_type, token)
                added.append(added_by_one_upload(process.pid, port, route, field, png, token)[1])
            finally:
                process.terminate()
                process.wait(timeout=30)
                shutil.rmtree(folder, ignore_errors=True)
        rows.append((route, statistics.median(added), max(added)))
        print(route, [round(a, 1) for a in added], flush=True)

    throughput = {name: [detect_throughput(args.argus, small, arenas) for _ in range(2)]
                  for name, arenas in (("one arena (Argus)", None), ("glibc default (16)", "16"))}
    print(throughput, flush=True)

    lines = [
        "# One ~10 MB upload: resident memory added",
        "",
        f"{dt.date.today()} · {platform.machine()} · {os.cpu_count()} cores · "
        f"`make bench-upload-memory` (`python upload_memory.py --argus {args.argus} --repeat {args.repeat}` in bench/)",
        "",
        f"Upload: a {upload_mib:.1f} MiB PNG of noise ({noise.nbytes / 2**20:.1f} MiB of pixels). "
        "Added = VmHWM after the upload − VmRSS before it (peak mark reset before each upload).",
        "",
        "| route | added, median (MiB) | added, max (MiB) | × the upload |",
        "| --- | --- | --- | --- |",
    ]
    for route, median, worst in rows:
        lines.append(f"| `POST {route}` | {median:.1f} | {worst:.1f} | {median / upload_mib:.2f}× |")
    lines += ["", "Detections per second, 240 requests of a 640x480 JPEG from 8 client threads:", "",
              "| malloc arenas | run 1 | run 2 |", "| --- | --- | --- |"]
    for name, runs in throughput.items():
        lines.append(f"| {name} | {runs[0]:.1f} | {runs[1]:.1f} |")
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
