#!/usr/bin/env python3
"""Detection under load: Argus's `POST /api/v1/detect` against a FastAPI + onnxruntime
peer (bench/peers/detect_peer.py, 2 uvicorn workers, 1 ONNX Runtime thread each), closed
loop and then open-loop overload.

    python bench/load.py --argus .build/release/argus [--clients 64] [--seconds 20] \
        [--wrk-seconds 20] [--model yolov3-tiny] [--rates 1,2,4] [--pool 1024] [--servers argus,peer]

The servers run one after the other, never both at once, on the same model file
(models/<model>.onnx) and the same images (the 128 JPEG files of coco128 as they are,
../shared/datasets/coco128/train2017; ARGUS_SHARED_DIR overrides ../shared).

Argus: `argus serve` with a fresh ARGUS_DATA_DIR (SQLite), ARGUS_MODELS_DIR=models,
ARGUS_RATE_LIMIT_{INFERENCE,API,AUTH}=off, ARGUS_LOG_LEVEL=warning, and otherwise its
defaults: no ARGUS_INFERENCE_* variable is set (the report prints the values in effect,
from `argus config`). /detect needs a credential unless ARGUS_ALLOW_ANONYMOUS is set (it
is not by default), so a user is made with `argus users create` and every request carries
the bearer token from `POST /api/v1/auth/login`; a signed-in caller's detections are
written to its history (one SQLite transaction per request; anonymous ones are not).
The peer checks a fixed bearer token. The file goes in the multipart field `image`
(Argus's name for /detect; the peer takes `image` or `file`).

Phase a, closed loop: --clients threads, each with its own keep-alive connection, post
the images in turn (client i starts at image 2i) for --warmup seconds untimed, then
--seconds measured. A 503 is recorded and that client waits the answer's Retry-After
before its next request (otherwise clients beyond Argus's admission — concurrency + queue
— would spin on refusals). Reported: throughput (200s completed in the window per
second), latency p50/p90/p99/max of the 200s, errors by status, the mean server-side
inference time (timings_ms.inference of the answers), the peak resident memory of the
server's process tree (VmRSS of the process and its descendants, summed — for the peer the
uvicorn supervisor and its workers — sampled every 100 ms), and a histogram of completion
times: 200s per 250 ms bucket as a sparkline, with the buckets' coefficient of variation
(std/mean; bursts give a high CV and empty buckets).

Phase a2, closed loop with wrk: the same closed loop, from wrk (C; `bash
scripts/setup-system.sh wrk` installs it when missing) instead of Python threads, in one
run of `wrk -t --wrk-threads -c --clients -d (--warmup + --wrk-seconds + 1) --latency
--timeout --timeout -s bench/wrk_detect.lua`. The 128 images are written once, before the
servers start, as complete multipart bodies (field `image`, one fixed boundary) into a
temporary folder with an index file listing them; every wrk thread reads them all and
cycles through them, thread k starting at image k·128/T, on its own --clients/T keep-alive
connections (64 in all), each sending the next request as soon as its answer is in. Same
bearer token (Argus: the login's; the peer: its fixed one). Each request carries an
X-Request-ID, which both servers echo; the script pairs answers with requests by it, and
records (start, end, status) on the monotonic clock, and counts statuses per thread.
Figures as in phase a, over the window from --warmup seconds after the first request's
start, --wrk-seconds long: throughput of 200s, their latency p50/p90/p99/max, errors,
completion histogram; the CPU the client (wrk) and the server's process tree used over the
window, in cores (sampled every 100 ms from /proc; phase a gives the Python client's, over
its warm-up and window), and the peak RSS. The warm-up matters: wrk's first second or so,
when 64 fresh connections upload at once, completes almost nothing on either server, so
wrk's own statistics, which cover the whole run, are lowered (throughput) and lifted (p99)
by it. They are reported too (requests/s, --latency p50/p90/p99, max, non-2xx, statuses,
socket errors). wrk does not wait Retry-After after a 503 (with Argus's default admission,
concurrency + queue > 64, none is expected in a closed loop of 64). The phase-a throughput
stays the C of phase b. --wrk-seconds 0 skips phase a2.

Phase b, overload: C = that server's phase-a throughput. For each rate r in --rates
(1×, 2×, 4× C) and each client kind, requests are scheduled at a fixed interval 1/(r·C)
for --seconds and handed to a pool of --pool threads, each with its own keep-alive
connection. "impatient" sends each once and takes what it gets (503s are counted);
"polite" on a 503 waits Retry-After (fractional values honoured) and sends the same image
again, until a 200 or the end of the drain period (--drain seconds after the window). A
request whose thread starts it after its scheduled time is late (the pool was busy): the
lateness is recorded; one not started by the window's end is counted "not sent".
Goodput = 200s completed per second in the window's steady state: from the first quarter
of the window (at most 5 s, while a deep line fills and delays the first answers by its
whole wait) to its end (`window_ips` keeps the count over the whole window); for polite, latency is from the
first send to the final answer. The summary gives goodput at 4× / goodput at 1× per kind
(1.0: overload costs nothing; below 1: the server does less useful work when pushed).

With bench/results/limit.json (written by bench/limit.py) the report also gives each
server's phase-a and phase-a2 throughput as a fraction of the in-process pipeline limit
(pipeline_ips) and of bare ONNX Runtime (bare_ort_ips).

Writes bench/results/load.md and bench/results/load.json (--out-md, --out-json). The
client runs on the same machine as the server and takes some of its CPU (the report gives
how much, for the Python client of phase a and for wrk): compare the two servers, which pay
the same client, rather than absolute numbers; wrk costs the server far less of the CPUs.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import math
import os
import queue
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import loadlib as L  # noqa: E402

SPARK = " ▁▂▃▄▅▆▇█"
BUCKET_S = 0.25
WRK_SCRIPT = HERE / "wrk_detect.lua"
WRK_BOUNDARY = "argus-bench-wrk-8c1f35d2e0b94a67"


# --------------------------------------------------------------------------------------
# statistics
# --------------------------------------------------------------------------------------

def latency_summary(ms: list[float]) -> dict:
    ms = sorted(ms)
    return {"n": len(ms), "p50_ms": L.percentile(ms, 50), "p90_ms": L.percentile(ms, 90),
            "p99_ms": L.percentile(ms, 99), "max_ms": ms[-1] if ms else None,
            "mean_ms": statistics.fmean(ms) if ms else None}


def completion_histogram(ends: list[float], t0: float, seconds: float) -> dict:
    n = max(1, int(round(seconds / BUCKET_S)))
    counts = [0] * n
    for e in ends:
        k = int((e - t0) / BUCKET_S)
        if 0 <= k < n:
            counts[k] += 1
    mean = statistics.fmean(counts)
    cv = statistics.pstdev(counts) / mean if mean else None
    top = max(counts) or 1
    spark = "".join(SPARK[min(len(SPARK) - 1, math.ceil(c / top * (len(SPARK) - 1)))] for c in counts)
    return {"bucket_s": BUCKET_S, "counts": counts, "cv": cv, "sparkline": spark,
            "empty_buckets": sum(1 for c in counts if c == 0), "min": min(counts), "max": max(counts),
            "median": statistics.median(counts)}


def status_counts(statuses) -> dict[str, int]:
    out: dict[str, int] = {}
    for s in statuses:
        out[str(s)] = out.get(str(s), 0) + 1
    return out


# --------------------------------------------------------------------------------------
# requests
# --------------------------------------------------------------------------------------

class Target:
    """What every request of one server needs: port, path, headers, bodies."""

    def __init__(self, server: L.Server, model: str, bodies: list[bytes]):
        self.server = server
        self.path = "/api/v1/detect" + ("" if model == "yolov3-tiny" else f"?model={model}")
        # Pre-built multipart bodies, one per image (the boundary may repeat: it is per body).
        self.bodies = [L.multipart(b, "image") for b in bodies]
        self.headers = [{"Content-Type": ct, **server.auth_headers()} for _, ct in self.bodies]

    def send(self, conn: L.Connection, index: int) -> tuple[int, dict, bytes]:
        k = index % len(self.bodies)
        return conn.request("POST", self.path, self.bodies[k][0], self.headers[k])


def closed_loop(target: Target, clients: int, warmup: float, seconds: float, timeout: float) -> dict:
    records: list[tuple[float, float, int, float | None]] = []  # start, end, status, inference ms
    lock = threading.Lock()
    begin = time.perf_counter() + 0.2
    t0 = begin + warmup
    t1 = t0 + seconds
    start_barrier = threading.Barrier(clients)

    def client(i: int) -> None:
        conn = L.Connection(target.server.port, timeout=timeout)
        index = 2 * i
        mine = []
        start_barrier.wait()
        while time.perf_counter() < begin:
            time.sleep(0.001)
        while True:
            start = time.perf_counter()
            if start >= t1:
                break
            status, headers, payload = target.send(conn, index)
            end = time.perf_counter()
            index += 1
            inference = None
            if status == 200:
                try:
                    inference = json.loads(payload)["timings_ms"]["inference"]
                except (ValueError, KeyError, TypeError):
                    pass
            mine.append((start, end, status, inference))
            if status == 503:
                wait = L.parse_retry_after(headers.get("retry-after"))
                time.sleep(max(0.0, min(wait, t1 - time.perf_counter())))
        conn.close()
        with lock:
            records.extend(mine)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    inside = [r for r in records if t0 <= r[1] < t1]
    ok = [r for r in inside if r[2] == 200]
    errors = status_counts(r[2] for r in inside if r[2] != 200)
    inference = [r[3] for r in ok if r[3] is not None]
    return {
        "clients": clients, "seconds": seconds, "warmup_s": warmup, "window": [t0, t1],
        "completed": len(inside), "ok": len(ok), "throughput_ips": len(ok) / seconds,
        "latency": latency_summary([(r[1] - r[0]) * 1000 for r in ok]),
        "errors": errors, "error_count": sum(errors.values()),
        "server_inference_ms_mean": statistics.fmean(inference) if inference else None,
        "histogram": completion_histogram([r[1] for r in ok], t0, seconds),
    }


class Task:
    __slots__ = ("seq", "due", "first_start", "end", "status", "attempts", "refused", "lateness")

    def __init__(self, seq: int, due: float):
        self.seq, self.due = seq, due
        self.first_start = self.end = self.lateness = None
        self.status = None
        self.attempts = self.refused = 0


def open_loop(target: Target, rate: float, seconds: float, kind: str, pool: int, timeout: float,
              drain: float) -> dict:
    """`rate` requests/s for `seconds`, from `pool` threads; kind impatient or polite."""
    ready: queue.Queue = queue.Queue()
    retries: list = []  # heap of (due, seq, task)
    retry_cv = threading.Condition()
    t0 = time.perf_counter() + 0.5
    t1 = t0 + seconds
    hard_end = t1 + drain
    total = int(round(rate * seconds))
    tasks = [Task(k, t0 + k / rate) for k in range(total)]
    stopping = threading.Event()

    def scheduler() -> None:
        for task in tasks:
            delay = task.due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            ready.put(("new", task))

    def retry_timer() -> None:
        while not stopping.is_set():
            with retry_cv:
                while not retries and not stopping.is_set():
                    retry_cv.wait(0.1)
                if stopping.is_set():
                    return
                due, _, task = retries[0]
                delay = due - time.perf_counter()
                if delay > 0:
                    retry_cv.wait(min(delay, 0.1))
                    continue
                heapq.heappop(retries)
            ready.put(("retry", task))

    def worker() -> None:
        conn = L.Connection(target.server.port, timeout=timeout)
        while True:
            item = ready.get()
            if item is None:
                break
            what, task = item
            now = time.perf_counter()
            if what == "new":
                if now >= t1:  # the pool was saturated until the window closed
                    task.status = "not_sent"
                    continue
                task.lateness = now - task.due
                task.first_start = now
            elif now >= hard_end:
                task.status = "gave_up"
                continue
            task.attempts += 1
            status, headers, _ = target.send(conn, task.seq)
            end = time.perf_counter()
            if status == 503 and kind == "polite":
                task.refused += 1
                wait = L.parse_retry_after(headers.get("retry-after"))
                if end + wait < hard_end:
                    with retry_cv:
                        heapq.heappush(retries, (end + wait, task.seq, task))
                        retry_cv.notify()
                    continue
                task.status, task.end = "gave_up", end
                continue
            if status == 503:
                task.refused += 1
            task.status, task.end = status, end
        conn.close()

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(pool)]
    for w in workers:
        w.start()
    timer = threading.Thread(target=retry_timer, daemon=True)
    timer.start()
    sched = threading.Thread(target=scheduler, daemon=True)
    sched.start()
    sched.join()
    # Wait until every task has an outcome (or the drain period is over).
    while time.perf_counter() < hard_end + timeout:
        if all(t.status is not None for t in tasks):
            break
        time.sleep(0.05)
    stopping.set()
    with retry_cv:
        for _, _, task in retries:
            task.status = "gave_up"
        retries.clear()
        retry_cv.notify_all()
    for _ in workers:
        ready.put(None)
    for w in workers:
        w.join(timeout=timeout + 5)
    timer.join(timeout=2)

    ok = [t for t in tasks if t.status == 200]
    in_window = [t for t in ok if t.end < t1]
    # Steady state: completions in the window once the line has had time to fill (the
    # first quarter of the window, at most 5 s): a deep line delays the first answers by
    # its whole wait, which says nothing about the rate the server then keeps up.
    settle = min(5.0, seconds / 4)
    steady = [t for t in ok if t0 + settle <= t.end < t1]
    outcome = status_counts(t.status if t.status is not None else "unfinished" for t in tasks)
    lateness = sorted(t.lateness * 1000 for t in tasks if t.lateness is not None)
    return {
        "kind": kind, "offered_rps": rate, "seconds": seconds, "scheduled": total,
        "sent": sum(1 for t in tasks if t.attempts > 0), "attempts": sum(t.attempts for t in tasks),
        "refused_503": sum(t.refused for t in tasks), "outcomes": outcome,
        "ok": len(ok), "ok_in_window": len(in_window), "window_ips": len(in_window) / seconds,
        "goodput_ips": len(steady) / (seconds - settle), "settle_s": settle,
        "eventual_ok_ips": len(ok) / seconds,
        "latency": latency_summary([(t.end - t.first_start) * 1000 for t in ok]),
        "lateness_ms": {"p50": L.percentile(lateness, 50), "p99": L.percentile(lateness, 99),
                        "max": lateness[-1] if lateness else None,
                        "late_over_100ms": sum(1 for x in lateness if x > 100)},
    }


# --------------------------------------------------------------------------------------
# closed loop with wrk (phase a2)
# --------------------------------------------------------------------------------------

def write_wrk_bodies(images: list[bytes], folder: Path) -> tuple[Path, str]:
    """Each image as a complete multipart body (field `image`, boundary WRK_BOUNDARY) in
    `folder`, and an index file listing them: (index path, Content-Type)."""
    paths = []
    content_type = ""
    for k, image in enumerate(images):
        body, content_type = L.multipart(image, "image", boundary=WRK_BOUNDARY)
        path = folder / f"body-{k:04d}.bin"
        path.write_bytes(body)
        paths.append(str(path))
    index = folder / "index.txt"
    index.write_text("\n".join(paths) + "\n")
    return index, content_type


def parse_wrk_detect(output: str) -> dict:
    """wrk's summary (L.parse_wrk: requests/s, request count and duration, latency
    p50/p75/p90/p99 and max, non-2xx, socket errors), the statuses the script counted
    ("wrk-status THREAD STATUS COUNT" lines, summed over threads) and the answers it could
    not pair with a request ("wrk-unmatched THREAD COUNT")."""
    out = L.parse_wrk(output)
    out.update(statuses={}, statuses_by_thread={})
    for thread, status, count in re.findall(r"^wrk-status (\d+) (\d+) (\d+)$", output, re.M):
        out["statuses"][status] = out["statuses"].get(status, 0) + int(count)
        by = out["statuses_by_thread"].setdefault(thread, {})
        by[status] = by.get(status, 0) + int(count)
    out["statuses"] = dict(sorted(out["statuses"].items()))
    out["unmatched"] = sum(int(n) for n in re.findall(r"^wrk-unmatched \d+ (\d+)$", output, re.M))
    return out


def children_cpu_seconds() -> float:
    """utime + stime of this process's reaped children (wrk, once it has exited)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def self_cpu_seconds() -> float:
    """utime + stime of this process, all its threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class CPUSampler(threading.Thread):
    """CPU seconds (utime + stime) of named process trees every `interval` seconds:
    `samples` holds (perf_counter time, {name: seconds or None once the process is gone})."""

    def __init__(self, pids: dict[str, int], interval: float = 0.1):
        super().__init__(daemon=True)
        self.pids, self.interval, self.samples = pids, interval, []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            now = time.perf_counter()
            values = {name: (L.tree_cpu_seconds(pid) if Path(f"/proc/{pid}/stat").exists() else None)
                      for name, pid in self.pids.items()}
            self.samples.append((now, values))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def cores_between(self, name: str, a: float, b: float) -> float | None:
        """CPU seconds per second of `name` from the first sample at or after `a` to the
        last at or before `b`."""
        inside = [(t, v[name]) for t, v in self.samples if a <= t <= b and v.get(name) is not None]
        if len(inside) < 2 or inside[-1][0] <= inside[0][0]:
            return None
        return (inside[-1][1] - inside[0][1]) / (inside[-1][0] - inside[0][0])


def wrk_closed_loop(target: Target, wrk: str, index: Path, content_type: str, args) -> dict:
    """One `wrk -t T -c C -d (warm-up + seconds + 1) --latency -s wrk_detect.lua` run against
    /detect (phase a2). The window opens --warmup seconds after the first request's start
    and lasts --wrk-seconds; its figures come from the script's records (answers paired
    with their requests by X-Request-ID), defined as phase a's are. wrk's own summary of
    the whole run, warm-up included, is kept under "wrk"."""
    warmup, seconds = max(0.0, args.warmup), args.wrk_seconds
    duration = math.ceil(warmup + seconds) + 1  # the window closes before wrk stops
    url = f"http://127.0.0.1:{target.server.port}{target.path}"
    authorization = target.server.auth_headers().get("Authorization", "")
    records_file = index.parent / f"records-{target.server.name}.txt"
    records_file.unlink(missing_ok=True)
    argv = [wrk, "-t", str(args.wrk_threads), "-c", str(args.clients), "-d", f"{duration}s", "--latency",
            "--timeout", f"{max(1, round(args.timeout))}s", "-s", str(WRK_SCRIPT), url,
            "--", str(index), str(args.wrk_threads), target.path, content_type, str(records_file), authorization]
    client_cpu0, t_launch = children_cpu_seconds(), time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = CPUSampler({"server": target.server.pid, "client": process.pid})
    sampler.start()
    try:
        stdout, stderr = process.communicate(timeout=duration + args.timeout + 60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    finally:
        sampler.stop()
    run_wall = time.perf_counter() - t_launch
    client_cpu_run = children_cpu_seconds() - client_cpu0
    if process.returncode != 0:
        raise RuntimeError(f"wrk exited {process.returncode}: {(stderr or stdout).strip()[-500:]}")
    summary = parse_wrk_detect(stdout)
    summary["output"] = stdout + (("\n" + stderr) if stderr.strip() else "")
    records = []
    if records_file.is_file():
        for line in records_file.read_text().splitlines():
            a, b, status = line.split()
            records.append((float(a), float(b), int(status)))
    if not records:
        raise RuntimeError(f"wrk recorded no answers with a known X-Request-ID: {stdout.strip()[-500:]} "
                           f"{stderr.strip()[-300:]}")
    t0 = min(r[0] for r in records) + warmup
    t1 = t0 + seconds
    inside = [r for r in records if t0 <= r[1] < t1]
    ok = [r for r in inside if r[2] == 200]
    errors = status_counts(r[2] for r in inside if r[2] != 200)
    last_end = max(r[1] for r in records)
    return {
        "threads": args.wrk_threads, "connections": args.clients, "seconds": seconds, "warmup_s": warmup,
        "wrk_duration_s": duration, "completed": len(inside), "ok": len(ok),
        "throughput_ips": len(ok) / seconds,
        "latency": latency_summary([(r[1] - r[0]) * 1000 for r in ok]),
        "errors": errors, "error_count": sum(errors.values()),
        "histogram": completion_histogram([r[1] for r in ok], t0, seconds),
        "window_truncated": last_end < t1 - 0.5,
        "records": len(records),
        "client_cpu_cores": sampler.cores_between("client", t0, t1),
        "server_cpu_cores": sampler.cores_between("server", t0, t1),
        "client_cpu_cores_run": client_cpu_run / run_wall,
        "window_offsets_s": [t0 - t_launch, t1 - t_launch],
        "wrk": summary,
    }


# --------------------------------------------------------------------------------------
# one server
# --------------------------------------------------------------------------------------

def argus_inference_settings(argus: str, env: dict) -> dict[str, str]:
    try:
        out = subprocess.run([argus, "config"], env=env, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    pairs = (line.split("=", 1) for line in out.splitlines() if line.startswith("ARGUS_INFERENCE_"))
    return {k: v for k, v in pairs}


def measure(server: L.Server, args, bodies: list[bytes], settings: dict,
            wrk_bodies: tuple[str, Path, str] | None = None) -> dict:
    """Phases a, a2 (when `wrk_bodies` = (wrk, index file, Content-Type)) and b on one server."""
    target = Target(server, args.model, bodies)
    # A few requests one by one: the first inference of a session is slow.
    conn = L.Connection(server.port, timeout=args.timeout)
    for k in range(3):
        status, _, payload = target.send(conn, k)
        if status != 200:
            raise RuntimeError(f"{server.name}: warm-up request answered {status}: {payload[:300]!r}")
    conn.close()
    sampler = L.RSSSampler(server.pid, 0.1)
    idle_rss = L.tree_rss(server.pid)
    sampler.start()
    result: dict = {"server": server.name, "settings": settings, "rss_idle_mb": idle_rss / 2**20,
                    "processes": len(L.tree_pids(server.pid))}
    try:
        mark = time.perf_counter()
        client_cpu0, server_cpu0 = self_cpu_seconds(), L.tree_cpu_seconds(server.pid)
        closed = closed_loop(target, args.clients, args.warmup, args.seconds, args.timeout)
        wall = time.perf_counter() - mark
        # The whole Python process: the client threads, and the 100 ms RSS sampler.
        closed["client_cpu_cores"] = (self_cpu_seconds() - client_cpu0) / wall
        closed["server_cpu_cores"] = (L.tree_cpu_seconds(server.pid) - server_cpu0) / wall
        closed["rss_peak_mb"] = peak_between(sampler, mark, time.perf_counter()) / 2**20
        result["closed"] = closed
        print(f"load: {server.name}: closed loop {closed['throughput_ips']:.2f} img/s, "
              f"p50 {fmt(closed['latency']['p50_ms'], 0)} ms, p99 {fmt(closed['latency']['p99_ms'], 0)} ms, "
              f"errors {closed['errors']}, RSS peak {closed['rss_peak_mb']:.0f} MB, CPU cores client "
              f"{closed['client_cpu_cores']:.2f} server {closed['server_cpu_cores']:.2f}", file=sys.stderr, flush=True)
        if wrk_bodies is not None:
            time.sleep(1.0)
            mark = time.perf_counter()
            try:
                w = wrk_closed_loop(target, wrk_bodies[0], wrk_bodies[1], wrk_bodies[2], args)
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                result["wrk_closed"] = {"error": str(error)}
                print(f"load: {server.name}: closed loop (wrk) failed: {error}", file=sys.stderr, flush=True)
            else:
                w["rss_peak_mb"] = peak_between(sampler, mark + w["window_offsets_s"][0],
                                                mark + w["window_offsets_s"][1]) / 2**20
                result["wrk_closed"] = w
                ws = w["wrk"]
                print(f"load: {server.name}: closed loop (wrk) {w['throughput_ips']:.2f} img/s, "
                      f"p50 {fmt(w['latency']['p50_ms'], 0)} ms, p99 {fmt(w['latency']['p99_ms'], 0)} ms, "
                      f"errors {w['errors']}, CPU cores client {fmt(w['client_cpu_cores'], 2)} "
                      f"server {fmt(w['server_cpu_cores'], 2)}; wrk's whole run: {fmt(ws['rps'], 2)} req/s, "
                      f"p99 {fmt(ws['p99_ms'], 0)} ms, statuses {ws['statuses']}, socket errors "
                      f"{ws['socket_errors']}", file=sys.stderr, flush=True)
                # wrk leaves its last requests in the server: let them finish before phase b.
                time.sleep(min(10.0, max(1.0, (w["latency"]["max_ms"] or 1000) / 1000)))
        capacity = closed["throughput_ips"]
        result["overload"] = []
        if args.rates and capacity > 0:
            for factor in args.rates:
                for kind in ("impatient", "polite"):
                    time.sleep(1.0)
                    mark = time.perf_counter()
                    r = open_loop(target, factor * capacity, args.seconds, kind, args.pool, args.timeout, args.drain)
                    r["factor"] = factor
                    r["rss_peak_mb"] = peak_between(sampler, mark, time.perf_counter()) / 2**20
                    result["overload"].append(r)
                    print(f"load: {server.name}: {factor}×C {kind}: offered {r['offered_rps']:.1f}/s, goodput "
                          f"{r['goodput_ips']:.2f}/s, 503s {r['refused_503']}, outcomes {r['outcomes']}, "
                          f"lateness p99 {fmt(r['lateness_ms']['p99'], 0)} ms", file=sys.stderr, flush=True)
    finally:
        result["rss_peak_mb"] = sampler.stop() / 2**20
    result["alive_after"] = server.process.poll() is None
    return result


def peak_between(sampler: L.RSSSampler, a: float, b: float) -> int:
    lo, hi = a - sampler.t0, b - sampler.t0
    values = [rss for t, rss in list(sampler.samples) if lo <= t <= hi]
    return max(values) if values else sampler.peak


# --------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------

def fmt(v, d: int = 1) -> str:
    return "-" if v is None else f"{v:.{d}f}"


def closed_loop_row(label: str, c: dict, middle: list[str]) -> str:
    """A closed-loop table row (phase a or a2): server, img/s, latency p50/p90/p99/max,
    errors, the table's own `middle` cells, RSS peak and the completions' CV."""
    lat = c["latency"]
    errs = ", ".join(f"{k}: {v}" for k, v in c["errors"].items()) or "0"
    cells = [label, f"{c['throughput_ips']:.2f}", fmt(lat["p50_ms"], 0), fmt(lat["p90_ms"], 0),
             fmt(lat["p99_ms"], 0), fmt(lat["max_ms"], 0), errs, *middle,
             f"{c['rss_peak_mb']:.0f}", fmt(c["histogram"]["cv"], 2)]
    return "| " + " | ".join(cells) + " |"


def ratio_4_to_1(result: dict, kind: str) -> float | None:
    by = {r["factor"]: r for r in result.get("overload", []) if r["kind"] == kind}
    lo, hi = by.get(1.0) or by.get(1), by.get(4.0) or by.get(4)
    if not lo or not hi or not lo["goodput_ips"]:
        return None
    return hi["goodput_ips"] / lo["goodput_ips"]


def wrk_report(args, results: dict, limit: dict | None, label: dict) -> list[str]:
    threads = max(1, args.wrk_threads)
    lines = ["", f"## a2. Closed loop, wrk client: {args.clients} connections, {args.wrk_seconds:g} s after "
             f"{args.warmup:g} s of warm-up",
             "", f"`wrk -t {threads} -c {args.clients} -d {math.ceil(args.warmup + args.wrk_seconds) + 1}s --latency "
             f"-s bench/wrk_detect.lua` ({getattr(args, 'wrk_version', '') or 'wrk'}; "
             f"{args.clients // threads} connections per wrk thread), the same images, field and token as phase a. "
             "The figures are those of phase a, over the same kind of window: the answers the script paired with "
             "their requests (X-Request-ID) that completed from the warm-up's end for the window's length; CPU in "
             "cores (CPU seconds per second) over the window.", "",
             "| server | img/s | p50 ms | p90 ms | p99 ms | max ms | errors | client CPU | server CPU | RSS peak MB | "
             "completions/250 ms CV |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |"]
    done = {}
    for name, r in results.items():
        w = r.get("wrk_closed")
        if not w:
            continue
        if w.get("error"):
            lines.append(f"| {label[name]} | - | - | - | - | - | {w['error'][:200]} | - | - | - | - |")
            continue
        done[name] = w
        lines.append(closed_loop_row(label[name], w,
                                     [fmt(w["client_cpu_cores"], 2), fmt(w["server_cpu_cores"], 2)]))
    if not done:
        return lines
    lines += ["", "200s per 250 ms bucket over the window:", "", "```"]
    for name, w in done.items():
        h = w["histogram"]
        lines.append(f"{label[name]:<13} |{h['sparkline']}|  min {h['min']} median {h['median']:g} max {h['max']}"
                     f"  empty {h['empty_buckets']}/{len(h['counts'])}  CV {fmt(h['cv'], 2)}")
    lines.append("```")
    lines += ["", "wrk's own summary of the whole run (warm-up included; its latencies are of every answer):", "",
              "| server | req/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | statuses | socket errors | "
              "unpaired answers | client CPU (run) |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |"]
    for name, w in done.items():
        ws = w["wrk"]
        statuses = ", ".join(f"{k}: {v}" for k, v in ws["statuses"].items()) or "-"
        socket = ", ".join(f"{k} {v}" for k, v in ws["socket_errors"].items() if v) or "0"
        lines.append(f"| {label[name]} | {fmt(ws['rps'], 2)} | {fmt(ws['p50_ms'], 0)} | {fmt(ws['p90_ms'], 0)} | "
                     f"{fmt(ws['p99_ms'], 0)} | {fmt(ws['max_ms'], 0)} | {ws['non_2xx']} | {statuses} | {socket} | "
                     f"{ws['unmatched']} | {w['client_cpu_cores_run']:.2f} |")
    if "argus" in done and "peer" in done and done["peer"]["throughput_ips"]:
        a, p = done["argus"], done["peer"]
        p99 = (a["latency"]["p99_ms"] / p["latency"]["p99_ms"]
               if a["latency"]["p99_ms"] and p["latency"]["p99_ms"] else None)
        wa, wp = a["wrk"], p["wrk"]
        wrk_rps = wa["rps"] / wp["rps"] if wa.get("rps") and wp.get("rps") else None
        wrk_p99 = wa["p99_ms"] / wp["p99_ms"] if wa.get("p99_ms") and wp.get("p99_ms") else None
        lines += ["", f"Throughput Argus / peer (wrk): **{a['throughput_ips'] / p['throughput_ips']:.2f}×**; "
                  f"p99 latency Argus / peer: {fmt(p99, 2)}×; from wrk's whole-run summary: req/s {fmt(wrk_rps, 2)}×, "
                  f"p99 {fmt(wrk_p99, 2)}×."]
    if limit and limit.get("pipeline_ips"):
        lines += [""]
        for name, w in done.items():
            lines.append(f"- {label[name]} (wrk): {w['throughput_ips'] / limit['pipeline_ips']:.0%} of the pipeline "
                         f"limit ({fmt(limit['pipeline_ips'], 2)} img/s)"
                         + (f", {w['throughput_ips'] / limit['bare_ort_ips']:.0%} of bare ORT"
                            if limit.get("bare_ort_ips") else ""))
    compare = []
    for name, w in done.items():
        c = results[name].get("closed")
        if c and c.get("throughput_ips"):
            compare.append(f"- {label[name]}: img/s wrk / Python {w['throughput_ips'] / c['throughput_ips']:.2f}×; "
                           f"client CPU {fmt(c.get('client_cpu_cores'), 2)} cores (Python) vs "
                           f"{fmt(w['client_cpu_cores'], 2)} (wrk); server CPU {fmt(c.get('server_cpu_cores'), 2)} "
                           f"vs {fmt(w['server_cpu_cores'], 2)} cores")
    if compare:
        lines += ["", "Against phase a (same server and closed loop, Python client; its CPU over warm-up and window):",
                  ""] + compare
    for name, w in done.items():
        if w.get("window_truncated"):
            lines.append(f"- {label[name]}: the last answer came before the window's end (wrk stopped early?)")
    return lines


def report(args, results: dict, limit: dict | None, notes: list[str], machine: str) -> str:
    label = {"argus": "Argus", "peer": "FastAPI peer"}
    lines = [
        "# Detection under load: Argus vs FastAPI + onnxruntime",
        "",
        f"- date: {L.now_text()}",
        f"- machine: {machine}",
        f"- command: `{L.command_line()}`",
        f"- model {args.model}, the 128 coco128 JPEG files as they are, `POST /api/v1/detect` with a bearer token",
        "- Argus: its defaults (" + ", ".join(f"{k}={v}" for k, v in results.get("argus", {}).get("settings", {}).items())
        + "), rate limits off, fresh SQLite data folder; each signed-in detection is written to the history",
        f"- peer: bench/peers/detect_peer.py, {args.peer_workers} uvicorn workers × {args.peer_threads} ORT intra-op "
        "thread, the reference pipeline, no admission control, no database",
        "- the client (Python threads in a and b, wrk in a2) runs on the same CPUs as the server",
        "",
        f"## a. Closed loop: {args.clients} clients, {args.seconds:g} s after {args.warmup:g} s of warm-up",
        "",
        "| server | img/s | p50 ms | p90 ms | p99 ms | max ms | errors | server inference ms | RSS idle MB | RSS peak MB | "
        "completions/250 ms CV |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        c = r.get("closed")
        if not c:
            continue
        lines.append(closed_loop_row(label[name], c,
                                     [fmt(c["server_inference_ms_mean"]), f"{r['rss_idle_mb']:.0f}"]))
    lines += ["", "200s per 250 ms bucket over the window (each character one bucket, scaled to the fullest):", "",
              "```"]
    for name, r in results.items():
        c = r.get("closed")
        if c:
            h = c["histogram"]
            lines.append(f"{label[name]:<13} |{h['sparkline']}|  min {h['min']} median {h['median']:g} max {h['max']}"
                         f"  empty {h['empty_buckets']}/{len(h['counts'])}  CV {fmt(h['cv'], 2)}")
    lines.append("```")
    if "argus" in results and "peer" in results and results["peer"].get("closed", {}).get("throughput_ips"):
        a, p = results["argus"]["closed"], results["peer"]["closed"]
        lines += ["", f"Throughput Argus / peer: **{a['throughput_ips'] / p['throughput_ips']:.2f}×**; "
                  f"p99 latency Argus / peer: {fmt((a['latency']['p99_ms'] or 0) / (p['latency']['p99_ms'] or 1), 2)}×; "
                  f"peak RSS Argus / peer: {a['rss_peak_mb'] / max(p['rss_peak_mb'], 1e-9):.2f}×."]
    if limit:
        lines += ["", f"Against bench/results/limit.json ({limit.get('date', 'undated')}): pipeline limit "
                  f"{fmt(limit.get('pipeline_ips'), 2)} img/s, bare ONNX Runtime {fmt(limit.get('bare_ort_ips'), 2)} img/s."]
        for name, r in results.items():
            c = r.get("closed")
            if c and limit.get("pipeline_ips"):
                lines.append(f"- {label[name]}: {c['throughput_ips'] / limit['pipeline_ips']:.0%} of the pipeline limit"
                             + (f", {c['throughput_ips'] / limit['bare_ort_ips']:.0%} of bare ORT"
                                if limit.get("bare_ort_ips") else ""))
    if any(r.get("wrk_closed") for r in results.values()):
        lines += wrk_report(args, results, limit, label)
    if any(r.get("overload") for r in results.values()):
        lines += ["", f"## b. Overload: open loop at {', '.join(f'{f:g}' for f in args.rates)} × C, {args.seconds:g} s each",
                  "", f"C = the server's own closed-loop throughput above. Pool of {args.pool} threads; polite clients "
                  f"retry after Retry-After until {args.drain:g} s past the window.", "",
                  "| server | kind | × C | offered /s | goodput /s | 503s | outcomes | p50 ms | p99 ms | late p99 ms | "
                  "not sent | RSS peak MB |",
                  "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
        for name, r in results.items():
            for o in r.get("overload", []):
                outcomes = ", ".join(f"{k}: {v}" for k, v in sorted(o["outcomes"].items()))
                lines.append(
                    f"| {label[name]} | {o['kind']} | {o['factor']:g} | {o['offered_rps']:.1f} | {o['goodput_ips']:.2f} | "
                    f"{o['refused_503']} | {outcomes} | {fmt(o['latency']['p50_ms'], 0)} | {fmt(o['latency']['p99_ms'], 0)} | "
                    f"{fmt(o['lateness_ms']['p99'], 0)} | {o['outcomes'].get('not_sent', 0)} | {o['rss_peak_mb']:.0f} |")
        lines += ["", "Goodput at 4× C / goodput at 1× C:", ""]
        for name, r in results.items():
            if r.get("overload"):
                lines.append(f"- {label[name]}: impatient {fmt(ratio_4_to_1(r, 'impatient'), 2)}, "
                             f"polite {fmt(ratio_4_to_1(r, 'polite'), 2)}")
    for name, r in results.items():
        if not r.get("alive_after", True):
            notes.append(f"{label[name]} was no longer running after the measurements")
    if notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--argus", default=str(L.ROOT / ".build" / "release" / "argus"))
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--warmup", type=float, default=3, help="untimed closed-loop seconds before the window")
    ap.add_argument("--wrk-seconds", type=float, default=20, help="phase a2 (closed loop with wrk) seconds; 0: skip it")
    ap.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (--clients connections in all)")
    ap.add_argument("--model", default="yolov3-tiny")
    ap.add_argument("--rates", default="1,2,4", help="open-loop rates as multiples of C; empty: skip phase b")
    ap.add_argument("--pool", type=int, default=1024,
                    help="open-loop sender threads: enough that the server, not the client, bounds what is in flight")
    ap.add_argument("--drain", type=float, default=10, help="seconds polite retries may go on after a window")
    ap.add_argument("--timeout", type=float, default=60, help="per-request timeout, seconds")
    ap.add_argument("--servers", default="argus,peer")
    ap.add_argument("--peer-workers", type=int, default=2)
    ap.add_argument("--peer-threads", type=int, default=1)
    ap.add_argument("--limit-json", default=str(HERE / "results" / "limit.json"))
    ap.add_argument("--out-md", default=str(HERE / "results" / "load.md"))
    ap.add_argument("--out-json", default=str(HERE / "results" / "load.json"))
    args = ap.parse_args()
    args.rates = [float(x) for x in args.rates.split(",") if x.strip()]
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    model_file = L.ROOT / "models" / f"{args.model}.onnx"
    if not model_file.is_file():
        raise SystemExit(f"load: {model_file} is missing (scripts/setup.sh, or argus models import)")

    machine = L.machine_line()
    bodies = L.coco_bodies()
    notes: list[str] = []
    limit = None
    if Path(args.limit_json).is_file():
        try:
            limit = json.loads(Path(args.limit_json).read_text())
        except ValueError:
            notes.append(f"{args.limit_json} is not valid JSON; the limit comparison is left out")
    wrk_bodies = None
    wrk_folder = None
    if args.wrk_seconds > 0:
        try:
            wrk = L.ensure_wrk("load")
        except (SystemExit, subprocess.CalledProcessError, OSError) as error:
            notes.append(f"phase a2 (wrk) skipped: wrk is missing and could not be installed ({error})")
        else:
            wrk_folder = Path(tempfile.mkdtemp(prefix="argus-load-wrk-"))
            index, content_type = write_wrk_bodies(bodies, wrk_folder)
            wrk_bodies = (wrk, index, content_type)
            version = subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout.splitlines()[:1]
            args.wrk_version = " ".join(version).strip()
    try:
        results = run_servers(args, servers, bodies, model_file, notes, wrk_bodies)
    finally:
        if wrk_folder is not None:
            shutil.rmtree(wrk_folder, ignore_errors=True)
    text = report(args, results, limit, notes, machine)
    out = {"date": L.now_text(), "machine": machine, "command": L.command_line(),
           "model": args.model, "clients": args.clients, "seconds": args.seconds, "rates": args.rates,
           "wrk_seconds": args.wrk_seconds, "wrk_threads": args.wrk_threads,
           "wrk_version": getattr(args, "wrk_version", None),
           "pool": args.pool, "results": results, "notes": notes}
    for r in results.values():
        r.get("closed", {}).pop("window", None)
    Path(args.out_md).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out_md).write_text(text)
    Path(args.out_json).write_text(json.dumps(out, indent=1) + "\n")
    print(text)
    return 0 if results and all(r.get("closed", {}).get("ok") for r in results.values()) else 1


def run_servers(args, servers: list[str], bodies: list[bytes], model_file: Path, notes: list[str],
                wrk_bodies) -> dict:
    results: dict = {}
    for name in servers:
        if name == "argus" and not (Path(args.argus).is_file() and os.access(args.argus, os.X_OK)):
            notes.append(f"Argus not measured: `{args.argus}` is not an executable (build it: swift build -c release)")
            continue
        print(f"load: starting {name}", file=sys.stderr, flush=True)
        if name == "argus":
            extra = {} if args.model == "yolov3-tiny" else {"ARGUS_DEFAULT_MODEL": args.model}
            server = L.start_argus(args.argus, **extra)
            settings = argus_inference_settings(args.argus, server.env)
        elif name == "peer":
            server = L.start_detect_peer(args.model, str(model_file), args.peer_threads, args.peer_workers)
            settings = {"workers": str(args.peer_workers), "ort_threads": str(args.peer_threads)}
        else:
            raise SystemExit(f"load: unknown server {name!r} (argus, peer)")
        try:
            results[name] = measure(server, args, bodies, settings, wrk_bodies)
        except RuntimeError as error:
            notes.append(f"{name}: {error}")
            print(f"load: {name}: {error}", file=sys.stderr)
        finally:
            server.stop()
    return results


if __name__ == "__main__":
    sys.exit(main())
