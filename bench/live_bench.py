#!/usr/bin/env python3
"""Live detection over `GET /api/v1/live`: round-trip latency, drops and memory.

    .deps/venv-bench/bin/python bench/live_bench.py --argus .build/release/argus \
        [--video ../shared/datasets/samples/video/vtest.avi] [--frames 300] [--sessions 16] \
        [--out bench/results/live_bench]

The frames are the first --frames frames of the video as JPEGs (quality 80), sent as a
camera would: one every 1/30 s, on a schedule, whatever the answers do. Argus runs with
its defaults for a 2-core machine (2 inference slots of 1 thread), model yolov3-tiny.

  (a) one session: the round trip of every answered frame (sent -> its `result`
      received), p50 and p99, how many were answered and dropped (latest frame wins), and
      the answered frames per second.
  (b) --sessions sessions at once, each sending the same frames at 30 fps: the same
      figures over all of them, and the server's resident memory (its process tree,
      sampled every 0.1 s) before, at its peak and after the sessions closed. Each
      session holds at most one waiting frame, so the peak should not grow with the
      number of frames sent, only with the sessions.

Writes OUT.md and OUT.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
from websockets.asyncio.client import connect

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import loadlib as L  # noqa: E402
from images_load import start_argus  # noqa: E402


def video_frames(path: str, count: int) -> list[bytes]:
    capture = cv2.VideoCapture(path)
    frames = []
    while len(frames) < count:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes())
    capture.release()
    if not frames:
        raise SystemExit(f"no frames in {path}")
    return frames


async def session(port: int, token: str, frames: list[bytes], fps: float) -> dict:
    """Sends `frames` at `fps` and collects the answers: round trips in ms, answered, dropped."""
    sent: dict[int, float] = {}
    received: dict[int, float] = {}
    last = {"dropped": 0}
    async with connect(f"ws://127.0.0.1:{port}/api/v1/live", max_size=8 << 20) as socket:
        await socket.send(json.dumps({"token": token}))
        ready = json.loads(await socket.recv())
        if ready.get("type") != "ready":
            raise SystemExit(f"not ready: {ready}")
        done = asyncio.Event()

        async def read() -> None:
            async for message in socket:
                answer = json.loads(message)
                if answer.get("type") == "result":
                    received[answer["frame"]] = time.perf_counter()
                    last["dropped"] = answer["dropped"]
                    if answer["frame"] == len(frames):
                        done.set()

        reader = asyncio.create_task(read())
        start = time.perf_counter()
        for index, jpeg in enumerate(frames):
            await asyncio.sleep(max(0.0, start + index / fps - time.perf_counter()))
            sent[index + 1] = time.perf_counter()
            await socket.send(jpeg)
        await asyncio.wait_for(done.wait(), timeout=300)
        elapsed = time.perf_counter() - start
        reader.cancel()
    trips = sorted((received[number] - sent[number]) * 1000 for number in received if number in sent)
    return {"answered": len(received), "dropped": last["dropped"], "round_trips_ms": trips, "seconds": elapsed}


def summary(results: list[dict], frames: int) -> dict:
    trips = sorted(trip for result in results for trip in result["round_trips_ms"])
    answered = sum(result["answered"] for result in results)
    seconds = max(result["seconds"] for result in results)
    return {
        "sessions": len(results), "frames_sent": frames * len(results), "answered": answered,
        "dropped": sum(result["dropped"] for result in results),
        "unaccounted": frames * len(results) - answered - sum(result["dropped"] for result in results),
        "answered_fps": answered / seconds, "p50_ms": L.percentile(trips, 50), "p99_ms": L.percentile(trips, 99),
        "mean_ms": statistics.fmean(trips) if trips else None,
    }


async def run(port: int, token: str, frames: list[bytes], sessions: int) -> list[dict]:
    return await asyncio.gather(*(session(port, token, frames, 30.0) for _ in range(sessions)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--argus", required=True)
    parser.add_argument("--video", default=str(HERE.parent.parent / "shared/datasets/samples/video/vtest.avi"))
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--sessions", type=int, default=16)
    parser.add_argument("--out", default=str(HERE / "results" / "live_bench"))
    arguments = parser.parse_args()

    frames = video_frames(arguments.video, arguments.frames)
    with tempfile.TemporaryDirectory() as folder:
        port = L.free_port()
        process, token, _ = start_argus(arguments.argus, Path(folder), port)
        try:
            asyncio.run(run(port, token, frames[:30], 1))  # warm-up: the model's first runs
            one = summary(asyncio.run(run(port, token, frames, 1)), len(frames))
            sampler = L.RSSSampler(process.pid)
            before = L.tree_rss(process.pid)
            sampler.start()
            many = summary(asyncio.run(run(port, token, frames, arguments.sessions)), len(frames))
            time.sleep(2)
            peak = sampler.stop()
            after = L.tree_rss(process.pid)
        finally:
            L.stop_process(process)
    many.update({"rss_before_mb": before / 2**20, "rss_peak_mb": peak / 2**20, "rss_after_mb": after / 2**20})
    document = {"when": L.now_text(), "machine": L.machine_line(), "command": L.command_line(),
                "frames": len(frames), "one_session": one, "many_sessions": many}

    def row(name: str, figures: dict) -> str:
        return (f"| {name} | {figures['frames_sent']} | {figures['answered']} | {figures['dropped']} | "
                f"{figures['answered_fps']:.1f} | {figures['p50_ms']:.0f} | {figures['p99_ms']:.0f} |")

    lines = [
        "# Live detection: round trips, drops and memory", "",
        f"{document['when']}, {document['machine']}. `{document['command']}`", "",
        f"{len(frames)} frames of the video (JPEG, quality 80) per session at 30 fps; yolov3-tiny; 2 inference slots × 1 thread.", "",
        "| sessions | frames sent | answered | dropped | answered fps (all) | p50 round trip ms | p99 round trip ms |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        row("1", one), row(str(arguments.sessions), many), "",
        f"Every frame answered or counted as dropped: {one['unaccounted'] == 0 and many['unaccounted'] == 0}.", "",
        f"Server memory with {arguments.sessions} sessions: {many['rss_before_mb']:.0f} MB before, "
        f"{many['rss_peak_mb']:.0f} MB at the peak, {many['rss_after_mb']:.0f} MB after they closed.", "",
    ]
    out = Path(arguments.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text("\n".join(lines))
    out.with_suffix(".json").write_text(json.dumps(document, indent=2) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
