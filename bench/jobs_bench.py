#!/usr/bin/env python3
"""The job queue: Argus's durable queue against Celery + Redis, in one run.

    python bench/jobs_bench.py --argus .build/release/argus [--jobs 2000] [--paced 200]
        [--rate 50] [--concurrency 2] [--clients 4] [--detect-images 20] [--postgres auto|off]

1. No-op jobs on Argus (`POST /api/v1/admin/jobs {"kind": "noop", "payload": {"sleep_ms": 0}}`
   as an admin, from --clients threads with keep-alive connections), for each database
   (SQLite in a fresh data folder; PostgreSQL from scripts/test-postgres.sh, a fresh
   database per configuration, fsync on unless --pg-fsync off) and each worker set-up:
   the embedded worker of `argus serve`; the embedded worker plus one `argus worker`
   process; and one `argus worker` alone (ARGUS_EMBEDDED_WORKER=false), where every job is
   found by polling (ARGUS_WORKER_POLL_MS, default 500). Each worker runs --concurrency
   jobs at a time. Two phases per set-up: a burst of --jobs jobs enqueued as fast as the
   clients go, then --paced jobs enqueued one at a time at --rate per second. Everything
   is read back from the `jobs` table: throughput = jobs / (last finished_us − first
   created_us); start latency = started_us − created_us (p50, p99); slot use = the sum of
   (finished_us − started_us) over the span times the slots (how busy the workers were).
2. Detection jobs (SQLite, embedded worker): --detect-images images from
   ../shared/datasets/samples/images (re-encoded copies when more are asked than there
   are) in one multipart `POST /api/v1/detect/batch` (one job), then the same stored images
   by id in batches of --detect-batch (several jobs, run --concurrency at a time); beside
   them the same images through the synchronous `POST /api/v1/detect` from --concurrency
   client threads.
3. The peer: Celery (bench/peers/celery_peer.py, prefork pool, --concurrency processes)
   with a private redis-server (Debian's; installed by scripts/setup-system.sh when
   missing) on a free port, Redis's default persistence (RDB snapshots, no AOF). The
   same burst and paced phases with `noop.delay()` from one thread; throughput = tasks /
   (last result's date_done − first enqueue); start latency = the task's own start time −
   the client's time just before `.delay()`.

The Argus binary is copied into the run's temporary folder first, so that a rebuild
during the run cannot change it. The CPU use of other processes is sampled for 2 s
before and after the run and reported. Writes bench/results/jobs.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import platform
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from images_load import free_port

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = Path(os.environ.get("ARGUS_SHARED_DIR", ROOT.parent / "shared"))
SAMPLES = SHARED / "datasets" / "samples" / "images"
ADMIN = ("bench-admin@example.com", "bench admin password 123")
FINAL = ("done", "dead", "cancelled")


def now_us() -> int:
    return time.time_ns() // 1000


def percentile(values: list[float], q: float) -> float | None:
    """Nearest rank."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]


# --- HTTP ------------------------------------------------------------------------------


class Http:
    """One keep-alive connection (one per thread)."""

    def __init__(self, port: int, token: str | None = None, timeout: float = 120):
        self.port, self.token, self.timeout = port, token, timeout
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str | None = None) -> tuple[int, bytes]:
        headers = {}
        if body is not None:
            headers["Content-Type"] = content_type or "application/json"
            headers["Content-Length"] = str(len(body))
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                payload = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, payload
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: once more on a new one.
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, value=None) -> tuple[int, object]:
        status, payload = self.request(method, path, None if value is None else json.dumps(value).encode())
        try:
            return status, json.loads(payload) if payload else None
        except ValueError:
            return status, payload.decode(errors="replace")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def multipart_files(field: str, files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, data in files:
        kind = "image/png" if name.endswith(".png") else "image/jpeg"
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n"
                     f"Content-Type: {kind}\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


# --- the machine -------------------------------------------------------------------------


def cpu_sample(seconds: float = 2.0, exclude: set[int] | None = None) -> dict:
    """Share of all cores busy over `seconds`, and the processes that used the most."""

    def processes() -> dict[int, tuple[str, int]]:
        out = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                text = (entry / "stat").read_text()
            except OSError:
                continue
            name = text[text.index("(") + 1:text.rindex(")")]
            fields = text[text.rindex(")") + 2:].split()
            out[int(entry.name)] = (name, int(fields[11]) + int(fields[12]))
        return out

    def total() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = values[3] + values[4]
        return sum(values), idle

    exclude = exclude or set()
    before, (all0, idle0) = processes(), total()
    time.sleep(seconds)
    after, (all1, idle1) = processes(), total()
    busy = 1 - (idle1 - idle0) / max(1, all1 - all0)
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    for pid, (name, t1) in after.items():
        if pid in exclude:
            continue
        # A process started during the sample (a compiler job) counts with all its time.
        t0 = before[pid][1] if pid in before else 0
        used[name] = used.get(name, 0) + (t1 - t0) / ticks / seconds
    top = sorted(((share, name) for name, share in used.items() if share >= 0.05), reverse=True)[:4]
    return {"busy": busy, "cores": os.cpu_count(), "top": [(name, share) for share, name in top],
            "load": os.getloadavg()}


def describe_cpu(sample: dict) -> str:
    top = ", ".join(f"{name} {share * 100:.0f} %" for name, share in sample["top"]) or "nothing above 5 %"
    return (f"{sample['busy'] * 100:.0f} % of {sample['cores']} cores busy (one core = {100 / sample['cores']:.0f} %; "
            f"by process, of one core: {top}); load average {sample['load'][0]:.2f}")


# --- PostgreSQL ----------------------------------------------------------------------------


class Postgres:
    """The private server of scripts/test-postgres.sh; one fresh database per set-up."""

    def __init__(self, fsync: str):
        env = dict(os.environ, ARGUS_TEST_POSTGRES_FSYNC=fsync)
        out = subprocess.run(["bash", str(ROOT / "scripts" / "test-postgres.sh"), "start"], env=env,
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"scripts/test-postgres.sh start failed: {(out.stderr or out.stdout).strip()[-300:]}")
        values = {}
        for line in out.stdout.splitlines():
            if line.startswith("export ") and "=" in line:
                key, value = line[len("export "):].split("=", 1)
                values[key] = value
        self.url, self.dir = values["ARGUS_TEST_POSTGRES_URL"], values["ARGUS_TEST_POSTGRES_DIR"]
        self.fsync = fsync
        self.count = 0
        self.version = self.query(self.url, "SHOW server_version")[0][0]

    @staticmethod
    def query(url: str, sql: str) -> list[list[str]]:
        out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "|", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                             capture_output=True, text=True, check=True)
        return [line.split("|") for line in out.stdout.splitlines() if line]

    def new_database(self) -> str:
        self.count += 1
        name = f"argus_bench_{self.count}"
        self.query(self.url, f"CREATE DATABASE {name}")
        return self.url.rsplit("/", 1)[0] + "/" + name

    def stop(self) -> None:
        subprocess.run(["bash", str(ROOT / "scripts" / "test-postgres.sh"), "stop", self.dir],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# --- Argus -------------------------------------------------------------------------------


def stop_process(process: subprocess.Popen | None, seconds: float = 30) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Argus:
    """`argus serve` (with or without its embedded worker) and `argus worker` processes
    on one fresh database, an admin signed in."""

    def __init__(self, binary: str, work: Path, database_url: str | None, concurrency: int, embedded: bool,
                 workers: int):
        self.binary, self.work = binary, work
        self.embedded, self.workers = embedded, workers
        self.port = free_port()
        data = work / "data"
        self.sqlite_path = None if database_url else data / "argus.sqlite"
        self.database_url = database_url or f"sqlite:{self.sqlite_path}"
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("ARGUS_") or k in ("ARGUS_MODELS_DIR", "ARGUS_ORT_LIBRARY")}
        ort = ROOT / ".deps" / "onnxruntime" / "lib" / "libonnxruntime.so.1"
        if "ARGUS_ORT_LIBRARY" not in env and ort.exists():
            env["ARGUS_ORT_LIBRARY"] = str(ort)
        env.update(ARGUS_HOST="127.0.0.1", ARGUS_PORT=str(self.port), ARGUS_DATA_DIR=str(data),
                   ARGUS_DATABASE_URL=self.database_url, ARGUS_MODELS_DIR=env.get("ARGUS_MODELS_DIR", str(ROOT / "models")),
                   ARGUS_RATE_LIMIT_INFERENCE="off", ARGUS_RATE_LIMIT_API="off", ARGUS_RATE_LIMIT_AUTH="off",
                   ARGUS_BCRYPT_COST="4", ARGUS_LOG_LEVEL="warning", ARGUS_INFERENCE_CONCURRENCY="2",
                   ARGUS_INFERENCE_THREADS="1", ARGUS_INFERENCE_QUEUE="5000", ARGUS_WORKER_CONCURRENCY=str(concurrency),
                   ARGUS_EMBEDDED_WORKER="true" if embedded else "false", ARGUS_WORKER_DRAIN_SECONDS="5")
        self.env = env
        self.server: subprocess.Popen | None = None
        self.extra: list[subprocess.Popen] = []
        self.token = ""

    def start(self) -> None:
        subprocess.run([self.binary, "users", "create", "--admin", "--password-stdin", ADMIN[0]], env=self.env, check=True,
                       input=(ADMIN[1] + "\n").encode(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        log = open(self.work / "serve.log", "wb")
        self.server = subprocess.Popen([self.binary, "serve"], env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        http = Http(self.port)
        while True:
            if self.server.poll() is not None:
                raise RuntimeError(f"argus serve exited with {self.server.returncode}: {self.log_tail()}")
            try:
                if http.request("GET", "/health/ready")[0] == 200:
                    break
            except OSError:
                http.close()
            if time.time() > deadline:
                raise RuntimeError("argus serve is not ready after 120 s")
            time.sleep(0.2)
        status, body = http.json("POST", "/api/v1/auth/login", {"email": ADMIN[0], "password": ADMIN[1]})
        if status != 200:
            raise RuntimeError(f"login: {status} {body}")
        self.token = body["access_token"]
        for index in range(self.workers):
            log = open(self.work / f"worker-{index}.log", "wb")
            self.extra.append(subprocess.Popen([self.binary, "worker"], env=self.env, stdout=log, stderr=subprocess.STDOUT))
        want = self.workers + (1 if self.embedded else 0)
        api = self.http()
        while len(self.queue(api)["workers"]) < want:
            for process in self.extra:
                if process.poll() is not None:
                    raise RuntimeError(f"argus worker exited with {process.returncode}")
            if time.time() > deadline:
                raise RuntimeError(f"fewer than {want} workers registered after 120 s")
            time.sleep(0.2)

    def log_tail(self) -> str:
        try:
            return (self.work / "serve.log").read_text(errors="replace")[-600:]
        except OSError:
            return ""

    def http(self) -> Http:
        return Http(self.port, self.token)

    def queue(self, api: Http) -> dict:
        status, body = api.json("GET", "/api/v1/admin/queue")
        if status != 200:
            raise RuntimeError(f"/admin/queue: {status} {body}")
        return body

    def ended(self, api: Http, kind: str) -> int:
        counts = self.queue(api)["jobs"].get(kind, {})
        return sum(counts.get(status, 0) for status in FINAL)

    def wait_ended(self, kind: str, count: int, seconds: float) -> bool:
        api = self.http()
        deadline = time.time() + seconds
        while self.ended(api, kind) < count:
            if time.time() > deadline:
                return False
            # Not faster: each look is a GROUP BY over the jobs table, load on the server
            # measured (throughput and latency are read from the jobs' own timestamps).
            time.sleep(0.5)
        return True

    def rows(self, kind: str, since_us: int, until_us: int) -> list[tuple]:
        """(status, created_us, started_us, finished_us) of the jobs of `kind` created in the window."""
        sql = ("SELECT status, created_us, started_us, finished_us FROM jobs "
               f"WHERE kind = '{kind}' AND created_us >= {since_us} AND created_us <= {until_us}")
        if self.sqlite_path:
            with sqlite3.connect(f"file:{self.sqlite_path}?mode=ro", uri=True) as db:
                return list(db.execute(sql))
        return [(r[0], *(int(v) if v else None for v in r[1:])) for r in Postgres.query(self.database_url, sql)]

    def stop(self) -> None:
        for process in self.extra:
            stop_process(process)
        stop_process(self.server)


def job_stats(rows: list[tuple], slots: int) -> dict:
    ended = [r for r in rows if r[0] == "done" and r[2] is not None and r[3] is not None]
    if not ended:
        return {"jobs": len(rows), "done": 0}
    first = min(r[1] for r in rows)
    last = max(r[3] for r in ended)
    span = max(1, last - first) / 1e6
    waits = [(r[2] - r[1]) / 1000 for r in ended]
    runs = [(r[3] - r[2]) / 1000 for r in ended]
    return {
        "jobs": len(rows), "done": len(ended), "span_s": span, "throughput": len(ended) / span,
        "p50_ms": percentile(waits, 0.5), "p99_ms": percentile(waits, 0.99), "max_ms": max(waits),
        "run_p50_ms": percentile(runs, 0.5), "slot_use": sum(runs) / 1000 / (span * slots),
    }


def argus_burst(argus: Argus, kind_payload: dict, count: int, clients: int, slots: int) -> dict:
    api = argus.http()
    base = argus.ended(api, "noop")
    since = now_us()
    shares = [count // clients + (1 if i < count % clients else 0) for i in range(clients)]
    barrier = threading.Barrier(clients + 1)
    errors: dict[str, int] = {}
    lock = threading.Lock()

    def enqueue(share: int) -> int:
        client = argus.http()
        barrier.wait()
        accepted = 0
        for _ in range(share):
            status, body = client.json("POST", "/api/v1/admin/jobs", kind_payload)
            if status == 201:
                accepted += 1
            else:
                with lock:
                    key = f"{status} {str(body)[:80]}"
                    errors[key] = errors.get(key, 0) + 1
        client.close()
        return accepted

    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(enqueue, share) for share in shares]
        barrier.wait()
        started = time.perf_counter()
        accepted = sum(f.result() for f in futures)
        enqueue_s = time.perf_counter() - started
    finished = argus.wait_ended("noop", base + accepted, seconds=max(60, count / 10))
    stats = job_stats(argus.rows("noop", since, now_us()), slots)
    stats.update(accepted=accepted, errors=errors, enqueue_rate=accepted / enqueue_s, complete=finished)
    return stats


def argus_paced(argus: Argus, kind_payload: dict, count: int, rate: float, slots: int) -> dict:
    api = argus.http()
    base = argus.ended(api, "noop")
    client = argus.http()
    since = now_us()
    accepted = 0
    start = time.perf_counter()
    for index in range(count):
        delay = start + index / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        if client.json("POST", "/api/v1/admin/jobs", kind_payload)[0] == 201:
            accepted += 1
    finished = argus.wait_ended("noop", base + accepted, seconds=60)
    stats = job_stats(argus.rows("noop", since, now_us()), slots)
    stats.update(accepted=accepted, complete=finished)
    return stats


def run_noop(binary: str, tmp: Path, label: str, database_url: str | None, args, embedded: bool, workers: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"{label}-", dir=tmp))
    argus = Argus(binary, work, database_url, args.concurrency, embedded, workers)
    slots = args.concurrency * (workers + (1 if embedded else 0))
    payload = {"kind": "noop", "payload": {"sleep_ms": 0}}
    try:
        argus.start()
        warm = argus.http()
        for _ in range(10):
            assert warm.json("POST", "/api/v1/admin/jobs", payload)[0] == 201
        argus.wait_ended("noop", 10, 30)
        burst = argus_burst(argus, payload, args.jobs, args.clients, slots)
        print(f"  {label} burst: {json.dumps(burst, default=round)}", flush=True)
        paced = argus_paced(argus, payload, args.paced, args.rate, slots)
        print(f"  {label} paced: {json.dumps(paced, default=round)}", flush=True)
        return {"burst": burst, "paced": paced, "slots": slots}
    finally:
        argus.stop()


# --- detection ---------------------------------------------------------------------------


def sample_images(count: int) -> list[tuple[str, bytes]]:
    paths = sorted(p for p in SAMPLES.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    out = [(p.name, p.read_bytes()) for p in paths[:count]]
    if len(out) < count:
        import cv2  # re-encoded copies: distinct files, so the store keeps each

        quality = 90
        while len(out) < count:
            for path in paths:
                if len(out) == count:
                    break
                ok, encoded = cv2.imencode(".jpg", cv2.imread(str(path)), [cv2.IMWRITE_JPEG_QUALITY, quality])
                out.append((f"{path.stem}-q{quality}.jpg", encoded.tobytes()))
            quality -= 5
    return out


def run_detection(binary: str, tmp: Path, args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="detect-", dir=tmp))
    argus = Argus(binary, work, None, args.concurrency, embedded=True, workers=0)
    images = sample_images(args.detect_images)
    out: dict = {"images": len(images), "mb": sum(len(b) for _, b in images) / 2**20}
    try:
        argus.start()
        api = argus.http()
        # Warm-up: the model's first run and the pools.
        body, content_type = multipart_files("image", images[:1])
        status, payload = api.request("POST", "/api/v1/detect", body, content_type)
        assert status == 200, (status, payload[:300])

        def wait_jobs(ids: list[str]) -> list[dict]:
            jobs = {}
            deadline = time.time() + 600
            while len(jobs) < len(ids) and time.time() < deadline:
                for job_id in ids:
                    if job_id not in jobs:
                        status, job = api.json("GET", f"/api/v1/detect/jobs/{job_id}")
                        if status == 200 and job["status"] in FINAL:
                            jobs[job_id] = job
                time.sleep(0.1)
            return [jobs.get(job_id, {"status": "unfinished"}) for job_id in ids]

        # (a) One multipart batch: the files are stored in the request, then one job detects them.
        since = now_us()
        body, content_type = multipart_files("images", images)
        sent = time.perf_counter()
        status, payload = api.request("POST", "/api/v1/detect/batch", body, content_type)
        request_s = time.perf_counter() - sent
        assert status == 202, (status, payload[:300])
        job = json.loads(payload)
        (ended,) = wait_jobs([job["id"]])
        total_s = time.perf_counter() - sent
        rows = argus.rows("detect.batch", since, now_us())
        items = (ended.get("result") or {}).get("items", [])
        summary = (ended.get("result") or {}).get("summary", {})
        out["model"] = (ended.get("result") or {}).get("model")
        span = job_stats(rows, args.concurrency)
        out["files"] = {"jobs": 1, "status": ended["status"], "succeeded": summary.get("succeeded", 0),
                        "request_s": request_s, "total_s": total_s, "job_s": span.get("span_s"),
                        "run_s": (span.get("run_p50_ms") or 0) / 1000, "images_per_s": len(images) / total_s}
        print(f"  detect files: {json.dumps(out['files'], default=round)}", flush=True)

        # (b) The stored images by id, in batches of --detect-batch: several jobs at once.
        ids = [item["image_id"] for item in items if item.get("image_id")]
        chunks = [ids[i:i + args.detect_batch] for i in range(0, len(ids), args.detect_batch)]
        since = now_us()
        sent = time.perf_counter()
        job_ids = []
        for chunk in chunks:
            status, job = api.json("POST", "/api/v1/detect/batch", {"image_ids": chunk})
            assert status == 202, (status, job)
            job_ids.append(job["id"])
        results = wait_jobs(job_ids)
        total_s = time.perf_counter() - sent
        span = job_stats(argus.rows("detect.batch", since, now_us()), args.concurrency)
        out["ids"] = {"jobs": len(chunks), "status": ",".join(sorted({r["status"] for r in results})),
                      "succeeded": sum((r.get("result") or {}).get("summary", {}).get("succeeded", 0) for r in results),
                      "total_s": total_s, "job_s": span.get("span_s"), "p50_start_ms": span.get("p50_ms"),
                      "images_per_s": len(ids) / total_s if ids else 0}
        print(f"  detect ids: {json.dumps(out['ids'], default=round)}", flush=True)

        # (c) The same images through the synchronous route, --concurrency clients.
        def detect(item):
            client = argus.http()
            body, content_type = multipart_files("image", [item])
            status, _ = client.request("POST", "/api/v1/detect", body, content_type)
            client.close()
            return status

        sent = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            statuses = list(pool.map(detect, images))
        total_s = time.perf_counter() - sent
        out["sync"] = {"ok": statuses.count(200), "total_s": total_s, "images_per_s": len(images) / total_s}
        print(f"  detect sync: {json.dumps(out['sync'], default=round)}", flush=True)
        return out
    finally:
        argus.stop()


# --- Celery + Redis ----------------------------------------------------------------------


def ensure_redis() -> str | None:
    found = shutil.which("redis-server")
    if not found:
        subprocess.run(["bash", str(ROOT / "scripts" / "setup-system.sh"), "redis-server"], check=False)
        found = shutil.which("redis-server")
    return found


class CeleryPeer:
    def __init__(self, tmp: Path, concurrency: int):
        self.dir = Path(tempfile.mkdtemp(prefix="celery-", dir=tmp))
        self.concurrency = concurrency
        self.redis: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None

    def start(self, redis_server: str) -> None:
        port = free_port()
        self.redis = subprocess.Popen(
            [redis_server, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(self.dir), "--appendonly", "no",
             "--daemonize", "no", "--logfile", str(self.dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"redis://127.0.0.1:{port}/0"
        os.environ["CELERY_PEER_REDIS"] = url
        import redis

        client = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.time() + 30
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if time.time() > deadline or self.redis.poll() is not None:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.1)
        self.redis_version = client.info()["redis_version"]
        persistence = client.config_get("save")["save"], client.config_get("appendonly")["appendonly"]
        self.persistence = f"save \"{persistence[0]}\", appendonly {persistence[1]}"
        sys.path.insert(0, str(HERE / "peers"))
        import celery
        import celery_peer

        self.celery_version = celery.__version__
        self.app, self.task = celery_peer.app, celery_peer.noop
        log = open(self.dir / "worker.log", "wb")
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_peer", "worker", "--pool", "prefork", "--concurrency",
             str(self.concurrency), "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            cwd=HERE / "peers", env=dict(os.environ, CELERY_PEER_REDIS=url), stdout=log, stderr=subprocess.STDOUT)
        while not self.app.control.ping(timeout=0.5):
            if time.time() > deadline + 30 or self.worker.poll() is not None:
                raise RuntimeError("the Celery worker did not start")
        for result in [self.task.delay(0) for _ in range(10)]:
            result.get(timeout=30)

    @staticmethod
    def epoch(value) -> float:
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.timestamp()

    def collect(self, sent: list[float], results: list, started_at: float, enqueue_s: float) -> dict:
        waits, runs, done_at = [], [], []
        for t, result in zip(sent, results):
            value = result.get(timeout=300)
            waits.append((value["started"] - t) * 1000)
            runs.append((value["finished"] - value["started"]) * 1000)
            done_at.append(self.epoch(result.date_done))
        span = max(done_at) - started_at
        return {"jobs": len(results), "done": len(results), "span_s": span, "throughput": len(results) / span,
                "p50_ms": percentile(waits, 0.5), "p99_ms": percentile(waits, 0.99), "max_ms": max(waits),
                "run_p50_ms": percentile(runs, 0.5), "slot_use": sum(runs) / 1000 / (span * self.concurrency),
                "enqueue_rate": len(results) / enqueue_s, "accepted": len(results), "complete": True}

    def burst(self, count: int) -> dict:
        sent, results = [], []
        start = time.time()
        for _ in range(count):
            sent.append(time.time())
            results.append(self.task.delay(0))
        return self.collect(sent, results, start, time.time() - start)

    def paced(self, count: int, rate: float) -> dict:
        sent, results = [], []
        start = time.perf_counter()
        begin = time.time()
        for index in range(count):
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            sent.append(time.time())
            results.append(self.task.delay(0))
        return self.collect(sent, results, begin, time.time() - begin)

    def stop(self) -> None:
        stop_process(self.worker)
        stop_process(self.redis)


# --- report ------------------------------------------------------------------------------


def revision() -> str:
    """The commit checked out, and whether Sources/ had changes not committed (the binary
    may have been built from them)."""
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "Sources"], capture_output=True,
                               text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "commit unknown"
    return f"commit {head}" + (" + uncommitted changes in Sources/" if dirty else "")


def fmt(value, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def report(args, binary_label: str, command: str, runs: dict, celery: dict | None, detection: dict | None,
           notes: list[str], cpu_before: dict, cpu_after: dict, wall_s: float) -> str:
    lines = [
        "# Job queue: Argus no-op and detection jobs, Celery + Redis peer",
        "",
        f"{dt.date.today()} · {platform.machine()} · {os.cpu_count()} cores · binary: {binary_label} · "
        f"{revision()} · whole run {wall_s:.0f} s",
        "",
        f"Command: `{command}`",
        "",
        f"Machine before the run: {describe_cpu(cpu_before)}. After: {describe_cpu(cpu_after)}."
        + (" Other work was running on the machine: these numbers are from a busy machine; compare the ratios "
           "rather than the absolute numbers." if max(cpu_before["busy"], cpu_after["busy"]) > 0.25 else ""),
        "",
        f"No-op jobs: burst = {args.jobs} jobs enqueued at once ({args.clients} HTTP clients for Argus, one thread "
        f"calling `.delay()` for Celery); paced = {args.paced} jobs one at a time at {args.rate:g}/s. Each worker runs "
        f"{args.concurrency} jobs at a time. Throughput = jobs / (last finish − first enqueue); start latency = start − "
        "enqueue, read from the `jobs` table (Argus) or the task's own clock (Celery); slot use = time spent running "
        "jobs / (span × slots); run = finish − start of one job (for Argus: the claim's commit to the outcome's).",
        "",
        "| system | store | workers (slots) | burst jobs/s | enqueue/s | burst start p50 / p99 ms | slot use | "
        "run p50 ms | paced start p50 / p99 ms | paced max ms |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def row(system: str, store: str, workers: str, r: dict) -> str:
        b, p = r["burst"], r["paced"]
        flag = "" if b.get("complete", True) and p.get("complete", True) else " (unfinished)"
        return (f"| {system} | {store} | {workers} | {fmt(b.get('throughput'))}{flag} | {fmt(b.get('enqueue_rate'))} | "
                f"{fmt(b.get('p50_ms'))} / {fmt(b.get('p99_ms'))} | {fmt((b.get('slot_use') or 0) * 100, 0)} % | "
                f"{fmt(b.get('run_p50_ms'), 2)} | "
                f"{fmt(p.get('p50_ms'))} / {fmt(p.get('p99_ms'))} | {fmt(p.get('max_ms'))} |")

    names = {"embedded": "embedded", "embedded+worker": "embedded + `argus worker`", "worker": "`argus worker` only"}
    for (store, setup), r in runs.items():
        lines.append(row("Argus", store, f"{names[setup]} ({r['slots']})", r))
    if celery:
        lines.append(row("Celery", f"Redis {celery['redis_version']}", f"prefork ({args.concurrency})", celery))
    if celery:
        lines += ["", "Argus / Celery at the same number of slots (embedded worker only); throughput above 1× and "
                      "latency below 1× favour Argus:", "",
                  "| store | burst throughput | burst p50 | paced p50 | paced p99 |", "| --- | ---: | ---: | ---: | ---: |"]
        for (store, setup), r in runs.items():
            if setup != "embedded":
                continue

            def ratio(a, b):
                return "-" if not a or not b else f"{a / b:.2f}×"

            lines.append(f"| {store} | {ratio(r['burst'].get('throughput'), celery['burst'].get('throughput'))} | "
                         f"{ratio(r['burst'].get('p50_ms'), celery['burst'].get('p50_ms'))} | "
                         f"{ratio(r['paced'].get('p50_ms'), celery['paced'].get('p50_ms'))} | "
                         f"{ratio(r['paced'].get('p99_ms'), celery['paced'].get('p99_ms'))} |")
    if detection:
        d = detection
        lines += ["", f"Detection jobs (SQLite, embedded worker, model {d.get('model')}, {d['images']} images, "
                      f"{d['mb']:.1f} MB from `samples/images`):", "",
                  "| how | jobs | images done | wall s | images/s | notes |", "| --- | ---: | ---: | ---: | ---: | --- |"]
        f = d.get("files")
        if f:
            lines.append(f"| `POST /detect/batch`, multipart files | 1 | {f['succeeded']} | {fmt(f['total_s'], 2)} | "
                         f"{fmt(f['images_per_s'], 2)} | request (upload + store) {fmt(f['request_s'], 2)} s, "
                         f"job {fmt(f['job_s'], 2)} s from enqueue to finish |")
        i = d.get("ids")
        if i:
            lines.append(f"| `POST /detect/batch`, stored ids, {args.detect_batch} per job | {i['jobs']} | {i['succeeded']} | "
                         f"{fmt(i['total_s'], 2)} | {fmt(i['images_per_s'], 2)} | start p50 {fmt(i['p50_start_ms'], 0)} ms |")
        s = d.get("sync")
        if s:
            lines.append(f"| `POST /detect` (synchronous), {args.concurrency} clients | - | {s['ok']} | "
                         f"{fmt(s['total_s'], 2)} | {fmt(s['images_per_s'], 2)} | no job |")
    lines += ["", "Durability: " + " ".join(notes)]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--argus", default=str(ROOT / ".build" / "release" / "argus"))
    parser.add_argument("--jobs", type=int, default=2000, help="jobs of the burst")
    parser.add_argument("--paced", type=int, default=200, help="jobs enqueued one at a time")
    parser.add_argument("--rate", type=float, default=50, help="paced jobs per second")
    parser.add_argument("--concurrency", type=int, default=2, help="jobs one worker runs at once (Argus and Celery)")
    parser.add_argument("--clients", type=int, default=4, help="HTTP clients enqueueing the Argus burst")
    parser.add_argument("--setups", default="embedded,embedded+worker,worker",
                        help="Argus worker set-ups: embedded, embedded+worker, worker")
    parser.add_argument("--postgres", choices=("auto", "off"), default="auto")
    parser.add_argument("--pg-fsync", choices=("on", "off"), default="on")
    parser.add_argument("--detect-images", type=int, default=20)
    parser.add_argument("--detect-batch", type=int, default=5, help="images per job of the by-id batches")
    parser.add_argument("--no-celery", action="store_true")
    parser.add_argument("--out", default=str(HERE / "results" / "jobs.md"))
    args = parser.parse_args()

    source = Path(args.argus).resolve()
    if not os.access(source, os.X_OK):
        print(f"jobs_bench: {args.argus} is not an executable", file=sys.stderr)
        return 2
    binary_label = {"debug": "debug build", "release": "release build"}.get(source.parent.name, str(source))
    binary_label += f" (`{args.argus}`, built {dt.datetime.fromtimestamp(source.stat().st_mtime):%Y-%m-%d %H:%M})"
    command = "python bench/jobs_bench.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    setups = [s for s in args.setups.split(",") if s]
    started = time.perf_counter()
    cpu_before = cpu_sample(exclude={os.getpid()})
    print("machine:", describe_cpu(cpu_before), flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="argus-jobs-bench-"))
    binary = str(tmp / "argus")
    shutil.copy2(source, binary)
    runs: dict = {}
    notes: list[str] = ["Argus on SQLite: WAL, synchronous=NORMAL (a commit survives a crash of Argus; the last "
                        "commits may be lost with the machine's power)."]
    celery_result = None
    detection = None
    postgres = None
    try:
        for setup in setups:
            embedded, workers = {"embedded": (True, 0), "embedded+worker": (True, 1), "worker": (False, 1)}[setup]
            print(f"Argus, SQLite, {setup}", flush=True)
            runs[("SQLite", setup)] = run_noop(binary, tmp, f"sqlite-{setup}", None, args, embedded, workers)
        if args.detect_images > 0:
            print("Argus, detection jobs", flush=True)
            detection = run_detection(binary, tmp, args)
        if args.postgres == "auto":
            try:
                postgres = Postgres(args.pg_fsync)
            except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
                notes.append(f"No PostgreSQL run: {error}.")
            if postgres:
                store = f"PostgreSQL {postgres.version.split()[0]}"
                notes.append(f"Argus on PostgreSQL: a private server of scripts/test-postgres.sh with fsync={args.pg_fsync}"
                             + (", synchronous_commit on (each commit is flushed)." if args.pg_fsync == "on"
                                else " (no commit is flushed: not durable)."))
                for setup in setups:
                    embedded, workers = {"embedded": (True, 0), "embedded+worker": (True, 1), "worker": (False, 1)}[setup]
                    print(f"Argus, {store}, {setup}", flush=True)
                    runs[(store, setup)] = run_noop(binary, tmp, f"pg-{setup}", postgres.new_database(), args, embedded,
                                                    workers)
        if not args.no_celery:
            redis_server = ensure_redis()
            if not redis_server:
                notes.append("No Celery run: redis-server is missing and could not be installed.")
            else:
                print("Celery + Redis", flush=True)
                peer = CeleryPeer(tmp, args.concurrency)
                try:
                    peer.start(redis_server)
                    burst = peer.burst(args.jobs)
                    print(f"  celery burst: {json.dumps(burst, default=round)}", flush=True)
                    paced = peer.paced(args.paced, args.rate)
                    print(f"  celery paced: {json.dumps(paced, default=round)}", flush=True)
                    celery_result = {"burst": burst, "paced": paced, "redis_version": peer.redis_version}
                    notes.append(
                        f"Celery {peer.celery_version} on Redis {peer.redis_version} as Celery sets it up by default: "
                        f"Redis with its default persistence ({peer.persistence}: RDB snapshots, no AOF), so tasks "
                        "enqueued or results stored since the last snapshot are lost if Redis stops; a task is "
                        "acknowledged when a worker receives it (acks_late off), so a worker that dies loses the "
                        "tasks it holds, up to 4 prefetched per process. Argus commits each job, claim and outcome "
                        "to its database, and a job whose worker dies runs again when its lease expires.")
                finally:
                    peer.stop()
    finally:
        if postgres:
            postgres.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    cpu_after = cpu_sample(exclude={os.getpid()})
    text = report(args, binary_label, command, runs, celery_result, detection, notes, cpu_before, cpu_after,
                  time.perf_counter() - started)
    Path(args.out).write_text(text)
    print(text)
    complete = all(r["burst"].get("complete") and r["paced"].get("complete") for r in runs.values())
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
