#!/usr/bin/env python3
"""Resident memory under the vision routes: 500 mixed requests from 8 concurrent clients
(background removal, faces, detection, similarity search by upload, embed uploads).
The peers' users report memory that grows with every background-removal request and
crashes under parallel requests (rembg #108, #752, #289): Argus's RSS must stay flat.

    python bench/vision_rss.py --argus .build/release/argus [--requests 500] [--clients 8]

One `argus serve` (fresh data folder, its defaults; loadlib.start_argus) and an API key.
Each client takes the next request of a fixed, shuffled list of --requests, round-robin
over the kinds:

  remove-bg  POST /api/v1/remove-background     a DAVIS 854x480 frame              -> 200
  faces      POST /api/v1/faces                 the astronaut photo                -> 200
  detect     POST /api/v1/detect                a coco128 JPEG                      -> 200
  similar    POST /api/v1/search/similar        a coco128 JPEG (not stored)         -> 200
  embed      POST /api/v1/uploads?tasks=embed   a coco128 JPEG made unique          -> 202

A 503 (busy) is retried after its Retry-After. The server's VmRSS is sampled every
0.25 s. Printed (and written to bench/results/vision_rss.json): answers per kind, lost
requests, RSS after the first 10 % of the requests (every model loaded by then), at the
end, its peak, and the least-squares slope over the rest in MB per 100 requests.
Exit status 1 when a request was lost or answered with another status than expected.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import loadlib as L  # noqa: E402

EXPECTED = {"remove-bg": 200, "faces": 200, "detect": 200, "similar": 200, "embed": 202}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--argus", required=True)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--out", default=str(HERE / "results" / "vision_rss.json"))
    args = parser.parse_args()

    davis = sorted((L.SHARED / "datasets" / "davis2016-sub" / "images").glob("*.jpg"))[:20]
    frames = [p.read_bytes() for p in davis]
    astronaut = (L.SHARED / "datasets" / "samples" / "images" / "skimage_astronaut.png").read_bytes()
    coco = L.coco_bodies(40)
    kinds = list(EXPECTED)
    plan = [kinds[i % len(kinds)] for i in range(args.requests)]
    random.Random(7).shuffle(plan)

    server = L.start_argus(args.argus, api_key=True)
    auth = {"X-API-Key": server.api_key}
    lock = threading.Lock()
    state = {"next": 0, "done": 0, "answers": {}, "lost": 0, "unexpected": []}
    samples: list[tuple[int, float]] = []
    stop = threading.Event()

    def sampler() -> None:
        while not stop.is_set():
            with lock:
                done = state["done"]
            samples.append((done, L.tree_rss(server.pid) / 1e6))
            time.sleep(0.25)

    def client(number: int) -> None:
        conn = L.Connection(server.port, timeout=120)
        rng = random.Random(number)
        while True:
            with lock:
                if state["next"] >= len(plan):
                    break
                kind = plan[state["next"]]
                state["next"] += 1
            if kind == "remove-bg":
                path, (body, ct) = "/api/v1/remove-background", L.multipart(rng.choice(frames), "image")
            elif kind == "faces":
                path, (body, ct) = "/api/v1/faces", L.multipart(astronaut, "image", "a.png")
            elif kind == "detect":
                path, (body, ct) = "/api/v1/detect", L.multipart(rng.choice(coco), "image")
            elif kind == "similar":
                path, (body, ct) = "/api/v1/search/similar?limit=5", L.multipart(rng.choice(coco), "image")
            else:
                unique = L.unique_jpeg(rng.choice(coco), f"rss {number} {time.time_ns()}")
                path, (body, ct) = "/api/v1/uploads?tasks=embed", L.multipart(unique, "file")
            while True:
                status, headers, payload = conn.request("POST", path, body, {"Content-Type": ct, **auth})
                if status != 503:
                    break
                time.sleep(L.parse_retry_after(headers.get("retry-after")))
            with lock:
                state["done"] += 1
                key = f"{kind} {status}"
                state["answers"][key] = state["answers"].get(key, 0) + 1
                if status == 0:
                    state["lost"] += 1
                elif status != EXPECTED[kind] and len(state["unexpected"]) < 10:
                    state["unexpected"].append(f"{kind} {status}: {payload[:200].decode(errors='replace')}")
        conn.close()

    watcher = threading.Thread(target=sampler, daemon=True)
    watcher.start()
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    stop.set()
    watcher.join()
    alive = server.process.poll() is None
    server.stop()

    warm = args.requests // 10
    after = [(d, r) for d, r in samples if d >= warm]
    xs, ys = [d for d, _ in after], [r for _, r in after]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs) or 1
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    report = {
        "requests": args.requests, "clients": args.clients, "seconds": round(seconds, 1), "server_alive": alive,
        "answers": dict(sorted(state["answers"].items())), "lost": state["lost"], "unexpected": state["unexpected"],
        "rss_mb_after_warmup": round(ys[0], 1), "rss_mb_end": round(ys[-1], 1), "rss_mb_peak": round(max(ys), 1),
        "rss_mb_per_100_requests": round(slope * 100, 2),
        "curve": [[d, round(r, 1)] for d, r in samples[:: max(1, len(samples) // 60)]],
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "curve"}, indent=1))
    bad = state["lost"] or not alive or any(
        int(k.split()[-1]) != EXPECTED[k.split()[0]] for k in state["answers"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
