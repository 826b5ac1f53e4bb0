#!/usr/bin/env python3
"""What Argus's HTTP stack costs per request, without inference: wrk against Argus, a bare
Hummingbird hello-world and the FastAPI peer, on a cheap route and an authenticated one.

    python bench/server_cost.py --argus .build/release/argus \
        --hello .build/release/argus-bench-hello [--seconds 10] [--connections 64] [--threads 2]

Servers, one at a time:
  Argus    `argus serve` (fresh data folder, models/, rate limits off, logs at warning, its
           defaults otherwise); a user (`argus users create`), a bearer token from
           `POST /api/v1/auth/login`, and an API key from `POST /api/v1/api-keys` with that
           token (201; the secret `key` is only in that answer).
  bare     `argus-bench-hello --port P` (Hummingbird alone: GET /health/live -> {"status":"ok"},
           GET /api/v1/users/me -> a small JSON, no auth); skipped when the binary is missing.
  peer     bench/peers/detect_peer.py, 2 uvicorn workers (it also loads the model, unused
           here); /api/v1/users/me checks `X-API-Key: peer-key` and answers a fixed JSON.
Routes: `GET /health/live` (never authenticated in Argus) and `GET /api/v1/users/me` with
`X-API-Key: <key>` (Argus: the key is looked up in SQLite — by prefix, SHA-256 compared — and
the account read, every request; the header is sent to the bare server too, which ignores it).

For each server and route: one request to check it answers 200, a 2 s wrk warm-up, then
`wrk -t THREADS -c CONNECTIONS -d SECONDS --latency [-H ...] URL`. Reported: requests/s,
latency p50/p99 (wrk's --latency distribution), non-2xx answers and socket errors, the CPU
time the server's process tree used per request (utime + stime from /proc, all threads and
child processes), and its peak resident memory. wrk runs on the same CPUs (it is installed
with `bash scripts/setup-system.sh wrk` when missing): the CPU time per request is the figure
least disturbed by that. Writes bench/results/server_cost.md and bench/results/server_cost.json,
with the ratios Argus / bare and Argus / peer.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import loadlib as L  # noqa: E402

ROUTES = ["/health/live", "/api/v1/users/me"]


def ensure_wrk() -> str:
    return L.ensure_wrk("server_cost")


tree_cpu_seconds = L.tree_cpu_seconds


def run_wrk(wrk: str, port: int, route: str, headers: dict, threads: int, connections: int,
            seconds: float) -> tuple[dict, str]:
    argv = [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s", "--latency",
            "--timeout", "10s"]
    for k, v in headers.items():
        argv += ["-H", f"{k}: {v}"]
    argv.append(f"http://127.0.0.1:{port}{route}")
    p = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    if p.returncode != 0:
        raise RuntimeError(f"wrk exited {p.returncode}: {p.stderr.strip()[-500:]}")
    return L.parse_wrk(p.stdout), p.stdout


def start_hello(binary: str) -> L.Server:
    port = L.free_port()
    process = subprocess.Popen([binary, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    server = L.Server("bare", process, port, None)
    try:
        L.wait_ready(port, "/health/live", process, seconds=30)
    except BaseException:
        server.stop()
        raise
    return server


def measure(server: L.Server, wrk: str, args, key_header: dict) -> list[dict]:
    rows = []
    for route in ROUTES:
        headers = key_header if route.startswith("/api/") else {}
        status, _, payload = L.Connection(server.port, timeout=10).request("GET", route, headers=headers)
        row = {"server": server.name, "route": route, "check_status": status}
        if status != 200:
            row["error"] = f"GET {route} answered {status}: {payload[:200].decode(errors='replace')}"
            print(f"server_cost: {server.name}: {row['error']}", file=sys.stderr)
            rows.append(row)
            continue
        run_wrk(wrk, server.port, route, headers, args.threads, args.connections, 2)  # warm-up
        sampler = L.RSSSampler(server.pid, 0.1)
        sampler.start()
        cpu0 = tree_cpu_seconds(server.pid)
        result, raw = run_wrk(wrk, server.port, route, headers, args.threads, args.connections, args.seconds)
        cpu = tree_cpu_seconds(server.pid) - cpu0
        row.update(result)
        row["rss_peak_mb"] = sampler.stop() / 2**20
        row["server_cpu_s"] = cpu
        row["cpu_us_per_request"] = cpu / result["requests"] * 1e6 if result.get("requests") else None
        row["wrk_output"] = raw
        rows.append(row)
        print(f"server_cost: {server.name} {route}: {fmt(row['rps'], 0)} req/s, p99 {fmt(row['p99_ms'], 2)} ms, "
              f"{fmt(row['cpu_us_per_request'], 0)} µs CPU/request, non-2xx {row['non_2xx']}",
              file=sys.stderr, flush=True)
    return rows


def fmt(v, d: int = 1) -> str:
    return "-" if v is None else f"{v:.{d}f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--argus", default=str(L.ROOT / ".build" / "release" / "argus"))
    ap.add_argument("--hello", default=str(L.ROOT / ".build" / "release" / "argus-bench-hello"))
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2, help="wrk threads")
    ap.add_argument("--servers", default="argus,bare,peer")
    ap.add_argument("--out-md", default=str(HERE / "results" / "server_cost.md"))
    ap.add_argument("--out-json", default=str(HERE / "results" / "server_cost.json"))
    args = ap.parse_args()
    machine = L.machine_line()
    wrk = ensure_wrk()
    wrk_version = subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout.splitlines()[0:1]
    notes: list[str] = []
    rows: list[dict] = []
    for name in [s.strip() for s in args.servers.split(",") if s.strip()]:
        binary = {"argus": args.argus, "bare": args.hello}.get(name)
        if binary is not None and not (Path(binary).is_file() and os.access(binary, os.X_OK)):
            what = "`swift build -c release --product argus-bench-hello`" if name == "bare" else "`swift build -c release`"
            notes.append(f"{name} skipped: `{binary}` is not an executable (build it: {what})")
            print(f"server_cost: {notes[-1]}", file=sys.stderr)
            continue
        print(f"server_cost: starting {name}", file=sys.stderr, flush=True)
        if name == "argus":
            server = L.start_argus(args.argus, api_key=True)
        elif name == "bare":
            server = start_hello(args.hello)
            server.api_key = "unused"
        elif name == "peer":
            server = L.start_detect_peer()
        else:
            raise SystemExit(f"server_cost: unknown server {name!r} (argus, bare, peer)")
        try:
            rows += measure(server, wrk, args, {"X-API-Key": server.api_key})
        except RuntimeError as error:
            notes.append(f"{name}: {error}")
        finally:
            server.stop()

    by = {(r["server"], r["route"]): r for r in rows if r.get("rps")}
    label = {"argus": "Argus", "bare": "bare Hummingbird", "peer": "FastAPI peer (2 workers)"}
    lines = [
        "# HTTP cost per request: Argus vs bare Hummingbird vs FastAPI",
        "",
        f"- date: {L.now_text()}",
        f"- machine: {machine}",
        f"- command: `{L.command_line()}`",
        f"- wrk {' '.join(wrk_version)}: {args.threads} threads, {args.connections} connections, {args.seconds:g} s "
        "per route after a 2 s warm-up, on the same CPUs as the server",
        "- `/api/v1/users/me` with `X-API-Key`: Argus looks the key up in SQLite and reads the account; "
        "the bare server ignores the header; the peer compares it with a constant",
        "",
        "| server | route | req/s | p50 ms | p99 ms | non-2xx | socket errors | server CPU µs/req | RSS peak MB |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for r in rows:
        if not r.get("rps"):
            lines.append(f"| {label[r['server']]} | `{r['route']}` | - | - | - | - | {r.get('error', 'failed')} | - | - |")
            continue
        errors = ", ".join(f"{k} {v}" for k, v in r["socket_errors"].items() if v) or "0"
        lines.append(f"| {label[r['server']]} | `{r['route']}` | {r['rps']:.0f} | {fmt(r['p50_ms'], 2)} | "
                     f"{fmt(r['p99_ms'], 2)} | {r['non_2xx']} | {errors} | {fmt(r['cpu_us_per_request'], 0)} | "
                     f"{r['rss_peak_mb']:.0f} |")
    ratios = []
    lines += ["", "Ratios (req/s; p99; CPU per request):", ""]
    for other in ("bare", "peer"):
        for route in ROUTES:
            a, b = by.get(("argus", route)), by.get((other, route))
            if not a or not b:
                continue
            entry = {"vs": other, "route": route, "rps": a["rps"] / b["rps"],
                     "p99": (a["p99_ms"] / b["p99_ms"]) if a.get("p99_ms") and b.get("p99_ms") else None,
                     "cpu_per_request": (a["cpu_us_per_request"] / b["cpu_us_per_request"])
                     if a.get("cpu_us_per_request") and b.get("cpu_us_per_request") else None}
            ratios.append(entry)
            lines.append(f"- Argus / {label[other]}, `{route}`: req/s {entry['rps']:.2f}×, p99 {fmt(entry['p99'], 2)}×, "
                         f"CPU/request {fmt(entry['cpu_per_request'], 2)}×")
    if not ratios:
        lines.append("- none (a server is missing)")
    if notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    text = "\n".join(lines) + "\n"
    out = {"date": L.now_text(), "machine": machine, "command": L.command_line(), "threads": args.threads,
           "connections": args.connections, "seconds": args.seconds, "rows": rows, "ratios": ratios, "notes": notes}
    Path(args.out_md).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out_md).write_text(text)
    Path(args.out_json).write_text(json.dumps(out, indent=1) + "\n")
    print(text)
    return 0 if rows and all(r.get("rps") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
