#!/usr/bin/env python3
"""Load check: concurrent image uploads with detection, Argus against a FastAPI +
onnxruntime + SQLAlchemy peer (bench/peers/images_peer.py) doing the same work, in one run.

    python bench/images_load.py --argus .build/release/argus [--clients 200] [--rounds 1]

For each server: a fresh data folder (SQLite + files), the same model file
(models/yolov3-tiny.onnx), 1 ONNX Runtime thread per inference, 2 inferences at a time
for Argus (ARGUS_INFERENCE_CONCURRENCY=2, a queue long enough for every client, rate
limits off, request logs at warning like the peer's). A user and a bearer token are made
first (Argus: `argus users create` + login; the peer: a fixed token). After 4 warm-up
uploads, --clients threads each upload one distinct JPEG (coco128, re-encoded so no two
bodies are the same) at the same moment, to `POST /api/v1/images?tasks=detect` (Argus)
or `POST /api/v1/images` (the peer). Reported per server: requests answered 201, errors,
wall time, throughput, latency p50/p99, and the server's peak resident memory (VmRSS,
sampled every 20 ms). Then, for Argus alone, the resident memory a single 10 MB upload
adds. Writes bench/results/images_load.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

import loadlib as L

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = Path(os.environ.get("ARGUS_SHARED_DIR", ROOT.parent / "shared"))
COCO = SHARED / "datasets" / "coco128" / "train2017"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def multipart(body: bytes, name: str = "file", filename: str = "image.jpg") -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
            "Content-Type: image/jpeg\r\n\r\n").encode()
    return head + body + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def post(port: int, path: str, body: bytes, content_type: str, token: str | None, timeout: float = 600):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    start = time.perf_counter()
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        return response.status, (time.perf_counter() - start) * 1000, payload
    except OSError as error:
        return 0, (time.perf_counter() - start) * 1000, str(error).encode()
    finally:
        connection.close()


class RSSSampler(threading.Thread):
    """Peak VmRSS of a process, sampled every 20 ms."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def current(self) -> int:
        return L.vm_rss(self.pid)

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, self.current())
            time.sleep(0.02)

    def stop(self) -> int:
        self.running = False
        self.join()
        return self.peak


def bodies(count: int) -> list[bytes]:
    """`count` distinct JPEG files from coco128."""
    paths = sorted(COCO.glob("*.jpg"))
    out: list[bytes] = []
    quality = 90
    while len(out) < count:
        for path in paths:
            if len(out) == count:
                break
            ok, encoded = cv2.imencode(".jpg", cv2.imread(str(path)), [cv2.IMWRITE_JPEG_QUALITY, quality])
            out.append(encoded.tobytes())
        quality -= 5
    return out


def load(port: int, path: str, token: str, files: list[bytes], pid: int) -> dict:
    requests = [multipart(body) for body in files]
    barrier = threading.Barrier(len(requests))
    sampler = RSSSampler(pid)
    baseline = sampler.current()
    sampler.start()

    def one(item):
        body, content_type = item
        barrier.wait()
        return post(port, path, body, content_type, token)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        results = list(pool.map(one, requests))
    wall = time.perf_counter() - start
    peak = sampler.stop()
    ok = [latency for status, latency, _ in results if status == 201]
    errors: dict[str, int] = {}
    for status, _, payload in results:
        if status != 201:
            key = f"{status} {payload[:80].decode(errors='replace')}"
            errors[key] = errors.get(key, 0) + 1
    ok.sort()
    return {
        "requests": len(results), "created": len(ok), "errors": errors, "wall_s": wall,
        "throughput": len(ok) / wall if wall else 0,
        "p50_ms": statistics.median(ok) if ok else None,
        "p99_ms": ok[min(len(ok) - 1, int(0.99 * len(ok)))] if ok else None,
        "rss_before_mb": baseline / 2**20, "rss_peak_mb": peak / 2**20,
    }


def start_argus(argus: str, data: Path, port: int) -> tuple[subprocess.Popen, str, dict]:
    env = dict(os.environ, ARGUS_PORT=str(port), ARGUS_DATA_DIR=str(data), ARGUS_MODELS_DIR=str(ROOT / "models"),
               ARGUS_INFERENCE_CONCURRENCY="2", ARGUS_INFERENCE_THREADS="1", ARGUS_INFERENCE_QUEUE="5000",
               ARGUS_RATE_LIMIT_INFERENCE="off", ARGUS_RATE_LIMIT_API="off", ARGUS_RATE_LIMIT_AUTH="off",
               ARGUS_LOG_LEVEL="warning", ARGUS_BCRYPT_COST="4", ARGUS_MAX_UPLOAD_BYTES=str(12 * 2**20))
    subprocess.run([argus, "users", "create", "--password-stdin", "bench@example.com"], env=env, check=True,
                   input=b"bench password 123\n", stdout=subprocess.DEVNULL)
    process = subprocess.Popen([argus, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    L.wait_ready(port, "/health/ready", process)
    body = b"username=bench%40example.com&password=bench+password+123"
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("POST", "/api/v1/auth/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    token = json.loads(connection.getresponse().read())["access_token"]
    return process, token, env


def start_peer(data: Path, port: int) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, str(HERE / "peers" / "images_peer.py"), "--port", str(port), "--data", str(data),
         "--model-path", str(ROOT / "models" / "yolov3-tiny.onnx"), "--threads", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    L.wait_ready(port, "/health", process)
    return process, "peer-token"


def big_upload_memory(port: int, token: str, pid: int) -> dict:
    """Resident memory one ~10 MB upload adds to an idle Argus."""
    rng = np.random.default_rng(1)
    noise = rng.integers(0, 256, size=(1900, 1760, 3), dtype=np.uint8)
    ok, png = cv2.imencode(".png", noise)
    body, content_type = multipart(png.tobytes(), filename="noise.png")
    sampler = RSSSampler(pid)
    before = sampler.current()
    sampler.start()
    status, latency, _ = post(port, "/api/v1/images?tasks=detect", body, content_type, token)
    peak = sampler.stop()
    return {"status": status, "upload_mb": len(png) / 2**20, "pixels_mb": noise.nbytes / 2**20,
            "rss_before_mb": before / 2**20, "rss_peak_mb": peak / 2**20, "added_mb": (peak - before) / 2**20}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--argus", default=str(ROOT / ".build" / "release" / "argus"))
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--out", default=str(HERE / "results" / "images_load.md"))
    args = parser.parse_args()

    files = bodies(args.clients + 8)
    warmup, files = files[:8], files[8:]
    results = {}
    for name in ("argus", "peer"):
        folder = Path(tempfile.mkdtemp(prefix=f"argus-load-{name}-"))
        port = free_port()
        if name == "argus":
            process, token, _ = start_argus(args.argus, folder, port)
            path = "/api/v1/images?tasks=detect"
        else:
            process, token = start_peer(folder, port)
            path = "/api/v1/images"
        try:
            for body in warmup[:4] if name == "argus" else warmup[4:]:
                status, _, payload = post(port, path, *multipart(body), token)
                assert status == 201, payload
            results[name] = load(port, path, token, files, process.pid)
            if name == "argus":
                results["argus_big"] = big_upload_memory(port, token, process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
            shutil.rmtree(folder, ignore_errors=True)
        print(name, json.dumps(results[name]), flush=True)

    a, p, big = results["argus"], results["peer"], results["argus_big"]
    fmt = lambda v, d=1: "-" if v is None else f"{v:.{d}f}"  # noqa: E731
    lines = [
        "# Concurrent uploads with detection: Argus vs FastAPI + onnxruntime + SQLAlchemy",
        "",
        f"{dt.date.today()} · {platform.machine()} · {os.cpu_count()} cores · `python bench/images_load.py` "
        f"(--clients {args.clients}) · yolov3-tiny, 1 ORT thread per inference, SQLite",
        "",
        "| server | 201 | errors | wall s | uploads/s | p50 ms | p99 ms | RSS before MB | RSS peak MB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label, r in (("Argus", a), ("FastAPI peer", p)):
        lines.append(f"| {label} | {r['created']}/{r['requests']} | {sum(r['errors'].values())} | {fmt(r['wall_s'], 2)} | "
                     f"{fmt(r['throughput'], 2)} | {fmt(r['p50_ms'], 0)} | {fmt(r['p99_ms'], 0)} | "
                     f"{fmt(r['rss_before_mb'])} | {fmt(r['rss_peak_mb'])} |")
    ratio = a["throughput"] / p["throughput"] if p["throughput"] else float("nan")
    lines += [
        "",
        f"Throughput ratio Argus / peer: **{ratio:.2f}×**; p50 ratio {fmt((a['p50_ms'] or 0) / (p['p50_ms'] or 1), 2)}×, "
        f"p99 ratio {fmt((a['p99_ms'] or 0) / (p['p99_ms'] or 1), 2)}×.",
        "",
        f"One {big['upload_mb']:.1f} MB PNG upload ({big['pixels_mb']:.1f} MB of pixels) to an idle Argus: status {big['status']}, "
        f"resident memory {big['rss_before_mb']:.1f} → {big['rss_peak_mb']:.1f} MB (+{big['added_mb']:.1f} MB, "
        f"{big['added_mb'] / big['upload_mb']:.1f}× the upload).",
    ]
    if a["errors"] or p["errors"]:
        lines += ["", "Errors: " + json.dumps({"argus": a["errors"], "peer": p["errors"]})]
    text = "\n".join(lines) + "\n"
    Path(args.out).write_text(text)
    print(text)
    return 0 if a["created"] == a["requests"] else 1


if __name__ == "__main__":
    sys.exit(main())
