#!/usr/bin/env python3
"""Soak: Argus under a steady mixed load for a long time; does its memory grow, does any
request go unanswered?

    python bench/soak.py --argus .build/release/argus [--minutes 30] [--clients 8] \
        [--sample-seconds 10] [--mix upload=3,detect=3,list=2,thumbnail=2,history=1,export=0.03]

One `argus serve` (fresh data folder, SQLite, models/, rate limits off, logs at warning, its
defaults otherwise — no ARGUS_INFERENCE_* set), a user (`argus users create`) and an
API key with the read and write scopes (`POST /api/v1/api-keys`), sent as `X-API-Key`: an
access token would expire after 15 minutes of the run. --clients threads, each with its own keep-alive
connection, pick operations at random by the --mix weights, back to back:

  upload     POST /api/v1/images?tasks=detect  a coco128 JPEG made unique by a JPEG comment
                                              (the same bytes again would be a duplicate) -> 201
  detect     POST /api/v1/detect              a coco128 JPEG (field `image`)            -> 200
  list       GET  /api/v1/images?limit=20     newest first, and its next page half the time
  thumbnail  GET  /api/v1/images/{id}/thumbnail?size=64|128|256  of an image uploaded here
  history    GET  /api/v1/detect/history      the caller's runs, first page
  export     GET  /api/v1/exports/detections?format=csv|jsonl|json|coco  the caller's every
                                              object, streamed (it grows through the run)

Every request is counted as sent, and as answered when a complete HTTP answer came back
(any status); a request without one (refused, reset, timed out after --timeout s, a
truncated stream) is lost. Errors are answers other than the expected status. Every
--sample-seconds (10; shorter for short runs so there are at least 20 samples) the
resident memory of the server (VmRSS), its threads and open file descriptors, and the size
of the data folder are recorded. The trend is a least-squares line through the RSS samples
after the warm-up (the first 20 % of the run), in MB per hour.

Writes bench/results/soak.md and bench/results/soak.json (--out-md, --out-json) and the plot
docs/soak-rss.png (--plot; matplotlib, Agg backend). Exit status 1 when a request was lost
or Argus died.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import loadlib as L  # noqa: E402

EXPECTED = {"upload": {201}, "detect": {200}, "list": {200}, "thumbnail": {200}, "history": {200},
            "export": {200}}
EXPORT_FORMATS = ["csv", "jsonl", "json", "coco"]
WARMUP_SHARE = 0.2


def parse_mix(text: str) -> dict[str, float]:
    mix = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        name = name.strip()
        if name not in EXPECTED:
            raise SystemExit(f"soak: unknown operation {name!r} in --mix (known: {', '.join(EXPECTED)})")
        mix[name] = float(weight or 1)
    return {k: v for k, v in mix.items() if v > 0}


def folder_bytes(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


def count_entries(path: str) -> int:
    try:
        return len(os.listdir(path))
    except OSError:
        return 0


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_op: dict[str, dict] = {}
        self.image_ids: list[str] = []
        self.export_bytes: list[int] = []
        self.error_samples: list[str] = []

    def record(self, op: str, status: int, ms: float, payload: bytes) -> None:
        with self.lock:
            s = self.by_op.setdefault(op, {"sent": 0, "answered": 0, "lost": 0, "errors": 0, "statuses": {},
                                           "ms": []})
            s["sent"] += 1
            if status == 0:
                s["lost"] += 1
            else:
                s["answered"] += 1
            s["statuses"][str(status)] = s["statuses"].get(str(status), 0) + 1
            if status not in EXPECTED[op]:
                s["errors"] += 1
                if len(self.error_samples) < 20:
                    self.error_samples.append(f"{op} {status}: {payload[:160].decode(errors='replace')}")
            else:
                s["ms"].append(ms)


def client(i: int, server: L.Server, bodies: list[bytes], mix: dict[str, float], stats: Stats,
           stop: threading.Event, timeout: float) -> None:
    rng = random.Random(1000 + i)
    conn = L.Connection(server.port, timeout=timeout)
    auth = {"X-API-Key": server.api_key}
    ops, weights = list(mix), list(mix.values())
    serial = 0
    while not stop.is_set():
        op = rng.choices(ops, weights)[0]
        if op == "thumbnail" and not stats.image_ids:
            op = "upload" if "upload" in mix else op
            if op == "thumbnail":
                time.sleep(0.05)
                continue
        serial += 1
        start = time.perf_counter()
        if op == "upload":
            body = L.unique_jpeg(rng.choice(bodies), f"soak {i} {serial} {time.time_ns()}")
            data, ct = L.multipart(body, "file")
            status, _, payload = conn.request("POST", "/api/v1/images?tasks=detect", data,
                                              {"Content-Type": ct, **auth})
            if status == 201:
                try:
                    image_id = json.loads(payload)["id"]
                    with stats.lock:
                        stats.image_ids.append(image_id)
                except (ValueError, KeyError):
                    pass
        elif op == "detect":
            data, ct = L.multipart(rng.choice(bodies), "image")
            status, _, payload = conn.request("POST", "/api/v1/detect", data, {"Content-Type": ct, **auth})
        elif op == "list":
            status, _, payload = conn.request("GET", "/api/v1/images?limit=20", headers=auth)
            if status == 200 and rng.random() < 0.5:
                try:
                    cursor = json.loads(payload).get("next_cursor")
                except ValueError:
                    cursor = None
                if cursor:
                    stats.record(op, status, (time.perf_counter() - start) * 1000, payload)
                    start = time.perf_counter()
                    status, _, payload = conn.request("GET", f"/api/v1/images?limit=20&cursor={quote(cursor)}",
                                                      headers=auth)
        elif op == "thumbnail":
            with stats.lock:
                image_id = rng.choice(stats.image_ids)
            size = rng.choice([64, 128, 256])
            status, _, payload = conn.request("GET", f"/api/v1/images/{image_id}/thumbnail?size={size}", headers=auth)
        elif op == "history":
            status, _, payload = conn.request("GET", "/api/v1/detect/history", headers=auth)
        else:  # export
            fmt = EXPORT_FORMATS[serial % len(EXPORT_FORMATS)]
            status, _, payload = conn.request("GET", f"/api/v1/exports/detections?format={fmt}", headers=auth)
            if status == 200:
                with stats.lock:
                    stats.export_bytes.append(len(payload))
        stats.record(op, status, (time.perf_counter() - start) * 1000, payload if status not in EXPECTED[op] else b"")
        if status == 503:
            time.sleep(0.5)
    conn.close()


def trend(samples: list[dict], t_warm: float) -> dict:
    pts = [(s["t_s"] / 3600, s["rss_mb"]) for s in samples if s["t_s"] >= t_warm]
    if len(pts) < 3:
        return {"mb_per_hour": None, "r2": None, "points": len(pts)}
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    slope = sxy / sxx if sxx else 0.0
    intercept = my - slope * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys))
    return {"mb_per_hour": slope, "intercept_mb": intercept, "r2": 1 - ss_res / ss_tot if ss_tot else None,
            "points": len(pts)}


def plot(samples: list[dict], t_warm: float, fit: dict, path: Path, title: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    minutes = [s["t_s"] / 60 for s in samples]
    rss = [s["rss_mb"] for s in samples]
    fig, ax = plt.subplots(figsize=(8, 4), dpi=120)
    ax.axvspan(0, t_warm / 60, color="0.9", label=f"warm-up (first {WARMUP_SHARE:.0%})")
    ax.plot(minutes, rss, marker=".", linewidth=1, label="VmRSS")
    if fit.get("mb_per_hour") is not None:
        xs = [t_warm / 60, minutes[-1]]
        ax.plot(xs, [fit["intercept_mb"] + fit["mb_per_hour"] * x / 60 for x in xs], "--",
                label=f"trend {fit['mb_per_hour']:+.1f} MB/h")
    ax.set_xlabel("minutes")
    ax.set_ylabel("resident memory, MB")
    ax.set_title(title, fontsize=10)
    ax.set_ylim(0, max(rss) * 1.15)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def fmt(v, d: int = 1) -> str:
    return "-" if v is None else f"{v:.{d}f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--argus", default=str(L.ROOT / ".build" / "release" / "argus"))
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--sample-seconds", type=float, default=10)
    ap.add_argument("--mix", default="upload=3,detect=3,list=2,thumbnail=2,history=1,export=0.03")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--out-md", default=str(HERE / "results" / "soak.md"))
    ap.add_argument("--out-json", default=str(HERE / "results" / "soak.json"))
    ap.add_argument("--plot", default=str(L.ROOT / "docs" / "soak-rss.png"))
    args = ap.parse_args()
    mix = parse_mix(args.mix)
    duration = args.minutes * 60
    interval = max(0.5, min(args.sample_seconds, duration / 20))
    machine = L.machine_line()
    bodies = L.coco_bodies()

    server = L.start_argus(args.argus, api_key=True)
    settings = {}
    try:
        out = subprocess.run([args.argus, "config"], env=server.env, capture_output=True, text=True, timeout=30).stdout
        settings = dict(line.split("=", 1) for line in out.splitlines() if line.startswith("ARGUS_INFERENCE_"))
    except (OSError, ValueError):
        pass
    stats = Stats()
    stop = threading.Event()
    samples: list[dict] = []
    alive = True
    t0 = time.perf_counter()
    try:
        threads = [threading.Thread(target=client, args=(i, server, bodies, mix, stats, stop, args.timeout),
                                    daemon=True) for i in range(args.clients)]
        for t in threads:
            t.start()
        next_sample = t0
        while True:
            now = time.perf_counter()
            if now >= next_sample:
                with stats.lock:
                    done = sum(s["sent"] for s in stats.by_op.values())
                samples.append({"t_s": now - t0, "rss_mb": L.vm_rss(server.pid) / 2**20,
                                "threads": count_entries(f"/proc/{server.pid}/task"),
                                "fds": count_entries(f"/proc/{server.pid}/fd"),
                                "data_mb": folder_bytes(server.folder) / 2**20, "requests": done})
                s = samples[-1]
                print(f"soak: {s['t_s'] / 60:6.1f} min  RSS {s['rss_mb']:7.1f} MB  threads {s['threads']}  "
                      f"fds {s['fds']}  data {s['data_mb']:.0f} MB  requests {done}", file=sys.stderr, flush=True)
                next_sample += interval
            if server.process.poll() is not None:
                alive = False
                break
            if now - t0 >= duration:
                break
            time.sleep(min(0.2, max(0.0, next_sample - time.perf_counter())))
        stop.set()
        for t in threads:
            t.join(timeout=args.timeout + 10)
        elapsed = time.perf_counter() - t0
        samples.append({"t_s": elapsed, "rss_mb": L.vm_rss(server.pid) / 2**20,
                        "threads": count_entries(f"/proc/{server.pid}/task"),
                        "fds": count_entries(f"/proc/{server.pid}/fd"),
                        "data_mb": folder_bytes(server.folder) / 2**20,
                        "requests": sum(s["sent"] for s in stats.by_op.values())})
        health, _, _ = L.Connection(server.port, timeout=10).request("GET", "/health/live")
        alive = alive and server.process.poll() is None and health == 200
        stuck = sum(1 for t in threads if t.is_alive())
    finally:
        server.stop()

    t_warm = WARMUP_SHARE * elapsed
    fit = trend(samples, t_warm)
    after = [s for s in samples if s["t_s"] >= t_warm] or samples
    totals = {k: sum(s[k] for s in stats.by_op.values()) for k in ("sent", "answered", "lost", "errors")}
    ops = {}
    for op, s in sorted(stats.by_op.items()):
        ms = sorted(s["ms"])
        ops[op] = {k: s[k] for k in ("sent", "answered", "lost", "errors", "statuses")}
        ops[op].update(p50_ms=L.percentile(ms, 50), p99_ms=L.percentile(ms, 99))
    ok = totals["lost"] == 0 and alive and stuck == 0 and totals["sent"] == totals["answered"] + totals["lost"]
    title = f"Argus RSS under mixed load, {args.clients} clients, {elapsed / 60:.1f} min"
    plot_path = Path(args.plot)
    plot(samples, t_warm, fit, plot_path, title)

    lines = [
        "# Soak: Argus under mixed load",
        "",
        f"- date: {L.now_text()}",
        f"- machine: {machine}",
        f"- command: `{L.command_line()}`",
        f"- {args.clients} clients back to back for {elapsed / 60:.1f} min; mix "
        + ", ".join(f"{k} {v:g}" for k, v in mix.items())
        + "; Argus defaults (" + ", ".join(f"{k}={v}" for k, v in settings.items()) + "), rate limits off, SQLite",
        f"- samples every {interval:g} s; trend fitted after the first {WARMUP_SHARE:.0%} ({t_warm / 60:.1f} min)",
        f"- plot: `{os.path.relpath(plot_path, L.ROOT)}`",
        "",
        f"**Requests: {totals['sent']} sent, {totals['answered']} answered, {totals['lost']} lost, "
        f"{totals['errors']} unexpected statuses** ({totals['sent'] / elapsed:.1f} requests/s); Argus "
        + ("still answered /health/live at the end." if alive else "**died or stopped answering**.")
        + (f" {stuck} client threads were still stuck in a request at the end." if stuck else ""),
        "",
        "| operation | sent | answered | lost | unexpected | statuses | p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for op, s in ops.items():
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(s["statuses"].items()))
        lines.append(f"| {op} | {s['sent']} | {s['answered']} | {s['lost']} | {s['errors']} | {statuses} | "
                     f"{fmt(s['p50_ms'], 0)} | {fmt(s['p99_ms'], 0)} |")
    first, last = samples[0], samples[-1]
    lines += [
        "",
        "| | start | after warm-up | end | max |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| RSS MB | {first['rss_mb']:.1f} | {after[0]['rss_mb']:.1f} | {last['rss_mb']:.1f} | "
        f"{max(s['rss_mb'] for s in samples):.1f} |",
        f"| threads | {first['threads']} | {after[0]['threads']} | {last['threads']} | "
        f"{max(s['threads'] for s in samples)} |",
        f"| open fds | {first['fds']} | {after[0]['fds']} | {last['fds']} | {max(s['fds'] for s in samples)} |",
        f"| data folder MB | {first['data_mb']:.1f} | {after[0]['data_mb']:.1f} | {last['data_mb']:.1f} | "
        f"{max(s['data_mb'] for s in samples):.1f} |",
        "",
        f"RSS trend after the warm-up: **{fmt(fit['mb_per_hour'], 1)} MB/hour** (R² {fmt(fit['r2'], 2)}, "
        f"{fit['points']} samples). Images stored: {len(stats.image_ids)}; exports: {len(stats.export_bytes)}, "
        f"largest {max(stats.export_bytes, default=0) / 2**20:.1f} MB.",
    ]
    if stats.error_samples:
        lines += ["", "First unexpected answers:", ""] + [f"- `{e}`" for e in stats.error_samples]
    if args.minutes < 10:
        lines += ["", f"A short run ({args.minutes:g} min): the trend says little; use the default 30 minutes."]
    text = "\n".join(lines) + "\n"
    out = {"date": L.now_text(), "machine": machine, "command": L.command_line(), "minutes": elapsed / 60,
           "clients": args.clients, "mix": mix, "settings": settings, "totals": totals, "operations": ops,
           "alive": alive, "trend": fit, "samples": samples, "error_samples": stats.error_samples,
           "images": len(stats.image_ids), "export_bytes": stats.export_bytes}
    Path(args.out_md).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out_md).write_text(text)
    Path(args.out_json).write_text(json.dumps(out, indent=1) + "\n")
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
