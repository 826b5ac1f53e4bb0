"""Helpers shared by the HTTP benchmarks load.py, server_cost.py and soak.py (not a script).

Starting and stopping Argus and the FastAPI detect peer (peers/detect_peer.py), signing in
to Argus (`argus users create` + `POST /api/v1/auth/login`, and an API key from
`POST /api/v1/api-keys`), multipart bodies, keep-alive HTTP connections, the resident
memory and CPU time of a server's process tree (VmRSS / utime + stime of the process and all
its descendants, summed: the uvicorn supervisor and its workers for the peer), and wrk
(finding or installing it, its duration notation, its --latency summary).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = Path(os.environ.get("ARGUS_SHARED_DIR", ROOT.parent / "shared"))
COCO = SHARED / "datasets" / "coco128" / "train2017"
PEER = HERE / "peers" / "detect_peer.py"

USER_EMAIL = "bench@example.com"
USER_PASSWORD = "bench password 123"
PEER_TOKEN = "peer-token"
PEER_API_KEY = "peer-key"


# --------------------------------------------------------------------------------------
# small things
# --------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_line() -> str:
    load = os.getloadavg()[0]
    return (f"{cpu_name()}, {os.cpu_count()} logical CPUs, {platform.machine()}, "
            f"Linux {platform.release()}, load average {load:.2f} before the run")


def now_text() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def command_line() -> str:
    return "python " + shlex.join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:])


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an already sorted list (q in 0..100)."""
    if not sorted_values:
        return None
    k = min(len(sorted_values) - 1, max(0, int(round(q / 100 * (len(sorted_values) - 1)))))
    return sorted_values[k]


def coco_paths(count: int | None = None) -> list[Path]:
    paths = sorted(COCO.glob("*.jpg"))
    if not paths:
        raise SystemExit(f"no images in {COCO} (set ARGUS_SHARED_DIR)")
    return paths if count is None else paths[:count]


def coco_bodies(count: int | None = None) -> list[bytes]:
    """The coco128 JPEG files as they are on disk (sorted by name)."""
    return [p.read_bytes() for p in coco_paths(count)]


def unique_jpeg(body: bytes, tag: str) -> bytes:
    """The same picture with a JPEG comment segment (COM) after SOI, so that every upload
    is new bytes (Argus answers an upload of bytes it already has as a duplicate)."""
    assert body[:2] == b"\xff\xd8", "not a JPEG"
    payload = tag.encode()[:60000]
    return body[:2] + b"\xff\xfe" + (len(payload) + 2).to_bytes(2, "big") + payload + body[2:]


def multipart(body: bytes, field: str, filename: str = "image.jpg",
              boundary: str | None = None) -> tuple[bytes, str]:
    """(body, Content-Type) of a one-file multipart/form-data upload; a fresh random
    boundary unless `boundary` is given (it must not occur in `body`)."""
    boundary = boundary or uuid.uuid4().hex
    if boundary.encode() in body:
        raise ValueError(f"multipart boundary {boundary!r} occurs in the file")
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            "Content-Type: image/jpeg\r\n\r\n").encode()
    return head + body + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def parse_retry_after(value: str | None, default: float = 1.0) -> float:
    """Retry-After in seconds; fractional values ("0.25") are honoured too. An HTTP date or
    anything unreadable gives `default`."""
    if not value:
        return default
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return default


class Connection:
    """One keep-alive HTTP/1.1 connection that reconnects after an error or a `close`."""

    def __init__(self, port: int, timeout: float = 60.0, host: str = "127.0.0.1"):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """(status, headers in lower case, body); status 0 and the error text as the body
        when the request got no answer (refused, reset, timed out)."""
        headers = dict(headers or {})
        if body is not None:
            headers.setdefault("Content-Length", str(len(body)))
        for attempt in (0, 1):
            fresh = self.conn is None
            if fresh:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                try:
                    self.conn.request(method, path, body=body, headers=headers)
                except (BrokenPipeError, ConnectionResetError):
                    # The server may have answered before reading the whole body (a 503
                    # refusal) and closed: its answer can still be waiting to be read.
                    pass
                response = self.conn.getresponse()
                payload = response.read()
                answer = {k.lower(): v for k, v in response.getheaders()}
                if answer.get("connection", "").lower() == "close" or response.will_close:
                    self.close()
                return response.status, answer, payload
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
                # A kept-alive connection the server closed while idle: once more on a new one.
                self.close()
                if fresh or attempt == 1:
                    return 0, {}, f"{type(error).__name__}: {error}".encode()
            except (OSError, http.client.HTTPException) as error:
                self.close()
                return 0, {}, f"{type(error).__name__}: {error}".encode()
        return 0, {}, b"unreachable"


def wait_ready(port: int, path: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {path}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                connection.close()
                return
            connection.close()
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not answer 200 on {path} within {seconds:.0f} s")


# --------------------------------------------------------------------------------------
# resident memory of a process tree
# --------------------------------------------------------------------------------------

def tree_pids(pid: int) -> list[int]:
    """`pid` and all its descendants (from /proc/PID/task/TID/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                try:
                    todo += [int(c) for c in (task / "children").read_text().split()]
                except OSError:
                    pass
        except OSError:
            pass
    return out


def vm_rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss(pid: int) -> int:
    return sum(vm_rss(p) for p in tree_pids(pid))


CLK_TCK = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """utime + stime of a process tree, in seconds (fields 14 and 15 of /proc/PID/stat)."""
    total = 0
    for p in tree_pids(pid):
        try:
            text = Path(f"/proc/{p}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])
    return total / CLK_TCK


class RSSSampler(threading.Thread):
    """VmRSS of a process tree every `interval` seconds: peak and the (time, bytes) samples."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak, self.samples = 0, []
        self._stop_event = threading.Event()
        self.t0 = time.perf_counter()

    def run(self) -> None:
        while not self._stop_event.is_set():
            rss = tree_rss(self.pid)
            self.samples.append((time.perf_counter() - self.t0, rss))
            self.peak = max(self.peak, rss)
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak


# --------------------------------------------------------------------------------------
# wrk
# --------------------------------------------------------------------------------------

def ensure_wrk(who: str = "bench") -> str:
    """The wrk executable; installed with `scripts/setup-system.sh wrk` when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print(f"{who}: wrk is missing; installing it (scripts/setup-system.sh wrk)", file=sys.stderr)
    subprocess.run(["bash", str(ROOT / "scripts" / "setup-system.sh"), "wrk"], check=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit(f"{who}: wrk is still missing after setup-system.sh")
    return found


WRK_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def wrk_ms(text: str) -> float:
    """A wrk duration ("812.35us", "1.20s", "2.00m") in milliseconds."""
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not m:
        raise ValueError(f"unreadable wrk duration {text!r}")
    return float(m.group(1)) * WRK_UNITS[m.group(2)]


def parse_wrk(output: str) -> dict:
    """wrk's summary (run with --latency): requests/s, request count and duration, latency
    mean/stdev/max (the Latency line) and p50/p75/p90/p99 (the --latency distribution; "50%"
    or "50.000%"), non-2xx answers and socket errors. Figures wrk did not print are None
    (non_2xx 0, socket_errors {})."""
    out: dict = {"non_2xx": 0, "socket_errors": {}}
    m = re.search(r"Requests/sec:\s+([\d.]+)", output)
    out["rps"] = float(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in ([\d.]+\w+)", output)
    out["requests"] = int(m.group(1)) if m else None
    out["duration_s"] = wrk_ms(m.group(2)) / 1000 if m else None
    m = re.search(r"^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)", output, re.M)
    out["mean_ms"], out["stdev_ms"], out["max_ms"] = (wrk_ms(x) for x in m.groups()) if m else (None,) * 3
    for q in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{q}(?:\.0+)?%\s+(\S+)", output, re.M)
        out[f"p{q}_ms"] = wrk_ms(m.group(1)) if m else None
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if m:
        out["non_2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if m:
        out["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups())))
    return out


# --------------------------------------------------------------------------------------
# servers
# --------------------------------------------------------------------------------------

class Server:
    """A started server: its process, port, data folder and (for Argus) credentials."""

    def __init__(self, name: str, process: subprocess.Popen, port: int, folder: Path | None):
        self.name, self.process, self.port, self.folder = name, process, port, folder
        self.token: str | None = None
        self.api_key: str | None = None
        self.env: dict[str, str] = {}

    @property
    def pid(self) -> int:
        return self.process.pid

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def stop(self) -> None:
        stop_process(self.process)
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def stop_process(process: subprocess.Popen, grace: float = 30) -> None:
    """SIGTERM to the process (uvicorn's supervisor stops its workers), then SIGKILL to
    its own process group (started with start_new_session) if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # our own group: stray workers, if any
    except (ProcessLookupError, PermissionError):
        pass
    if process.poll() is None:
        process.wait(timeout=10)


def argus_env(port: int, data: Path, **extra: str) -> dict[str, str]:
    """Argus's defaults except: the port, a fresh data folder, models/, rate limits off,
    logs at warning, a cheap bcrypt cost for the one sign-in. No ARGUS_INFERENCE_* is set
    here (callers that want them pass them in `extra`); inherited ones are removed, and so
    are ARGUS_DATABASE_URL and ARGUS_ALLOW_ANONYMOUS (SQLite in the fresh folder, sign-in needed)."""
    dropped = ("ARGUS_DATABASE_URL", "ARGUS_ALLOW_ANONYMOUS")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARGUS_INFERENCE_") and k not in dropped}
    env.update(ARGUS_PORT=str(port), ARGUS_DATA_DIR=str(data), ARGUS_MODELS_DIR=str(ROOT / "models"),
               ARGUS_RATE_LIMIT_INFERENCE="off", ARGUS_RATE_LIMIT_API="off", ARGUS_RATE_LIMIT_AUTH="off",
               ARGUS_LOG_LEVEL="warning", ARGUS_BCRYPT_COST="4")
    env.update(extra)
    return env


def start_argus(argus: str, *, sign_in: bool = True, api_key: bool = False, **extra: str) -> Server:
    """`argus serve` on a free port and a fresh data folder, ready (its default model loaded);
    with `sign_in`, a user made with `argus users create` and a bearer token from
    `POST /api/v1/auth/login`; with `api_key`, also a key from `POST /api/v1/api-keys`."""
    folder = Path(tempfile.mkdtemp(prefix="argus-bench-"))
    port = free_port()
    env = argus_env(port, folder, **extra)
    if sign_in:
        subprocess.run([argus, "users", "create", "--password-stdin", USER_EMAIL], env=env, check=True,
                       input=(USER_PASSWORD + "\n").encode(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    process = subprocess.Popen([argus, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    server = Server("argus", process, port, folder)
    server.env = env
    try:
        wait_ready(port, "/health/ready", process)
        if sign_in:
            server.token = login(port)
        if api_key:
            server.api_key = create_api_key(port, server.token)
    except BaseException:
        server.stop()
        raise
    return server


def login(port: int) -> str:
    body = urlencode({"username": USER_EMAIL, "password": USER_PASSWORD}).encode()
    status, _, payload = Connection(port).request(
        "POST", "/api/v1/auth/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
    if status != 200:
        raise RuntimeError(f"login answered {status}: {payload[:200]!r}")
    return json.loads(payload)["access_token"]


def create_api_key(port: int, token: str | None) -> str:
    """`POST /api/v1/api-keys {"name": ...}` with the bearer token: 201 with the secret `key`
    (shown only in this answer; the server keeps its SHA-256)."""
    body = json.dumps({"name": "bench", "scopes": ["read", "write"]}).encode()
    status, _, payload = Connection(port).request(
        "POST", "/api/v1/api-keys", body, {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    if status != 201:
        raise RuntimeError(f"POST /api/v1/api-keys answered {status}: {payload[:200]!r}")
    return json.loads(payload)["key"]


def start_detect_peer(model: str = "yolov3-tiny", model_path: str | None = None, threads: int = 1,
                      workers: int = 2) -> Server:
    """peers/detect_peer.py (FastAPI + onnxruntime, `workers` uvicorn processes), ready."""
    port = free_port()
    model_path = model_path or str(ROOT / "models" / f"{model}.onnx")
    process = subprocess.Popen(
        [sys.executable, str(PEER), "--port", str(port), "--model", model, "--model-path", model_path,
         "--threads", str(threads), "--workers", str(workers)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    server = Server("peer", process, port, None)
    server.token = PEER_TOKEN
    server.api_key = PEER_API_KEY
    try:
        wait_ready(port, "/health", process)
        # Every worker must have its model loaded: /health answers only once the app is up,
        # but the workers start one by one; a few more answers make it likely all are.
        wait_workers(port, workers)
    except BaseException:
        server.stop()
        raise
    return server


def wait_workers(port: int, workers: int, seconds: float = 60) -> None:
    """Asks /health (which names the worker's pid) on fresh connections until `workers`
    different pids have answered, or `seconds` pass."""
    seen: set[int] = set()
    deadline = time.time() + seconds
    while len(seen) < workers and time.time() < deadline:
        status, _, payload = Connection(port, timeout=5).request("GET", "/health")
        if status == 200:
            try:
                seen.add(int(json.loads(payload).get("pid", 0)))
            except (ValueError, TypeError):
                return
        time.sleep(0.05)
