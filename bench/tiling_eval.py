"""Tiled detection on the 1927 Solvay photo (29 people): how many people the default
detector finds with and without tiling, and what it costs.

    tiling_eval.py --argus .build/release/argus [--model yolov3-tiny] [--tiles off,auto,624x624]

The people are known by their faces: the 29 CenterFace faces of the independent
reference (Tests/ArgusVisionTests/Golden/centerface/scrfd_solvay_conference_1927.json,
made by bench/reference/centerface_ref.py). A person box finds a face when the face's
centre lies inside it, in its upper half, and the face is narrower than the box; each
box finds at most one face and each face one box (greedy, best box first). A person box
that finds no face is counted as unmatched (someone whose face is hidden, or a false
detection). Time is the wall time of one `argus detect` call, model loading included,
the fastest of --repeats.
"""

import argparse
import json
import os
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PHOTO = os.path.join(ROOT, "..", "shared", "datasets", "samples", "images", "scrfd_solvay_conference_1927.jpg")
FACES = os.path.join(ROOT, "Tests", "ArgusVisionTests", "Golden", "centerface", "scrfd_solvay_conference_1927.json")


def matched(faces, people):
    people = sorted(people, key=lambda p: -p["confidence"])
    free = list(range(len(faces)))
    found = 0
    for person in people:
        box = person["bbox"]
        x1, y1, x2, y2 = box["x1"], box["y1"], box["x2"], box["y2"]
        for index in free:
            fx1, fy1, fx2, fy2 = faces[index]
            cx, cy = (fx1 + fx2) / 2, (fy1 + fy2) / 2
            if x1 <= cx <= x2 and y1 <= cy <= (y1 + y2) / 2 and fx2 - fx1 <= x2 - x1:
                free.remove(index)
                found += 1
                break
    return found, len(people) - found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--argus", required=True)
    parser.add_argument("--model", default="yolov3-tiny")
    parser.add_argument("--tiles", default="off,auto,624x624,1248x1248")
    parser.add_argument("--overlap", type=float, default=0.6)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with open(FACES) as f:
        faces = [face["box"] for face in json.load(f)["faces"]]
    print(f"{len(faces)} faces in the reference; model {args.model}")
    print("| tile | people found | unmatched person boxes | seconds |")
    print("|---|---|---|---|")
    for tile in args.tiles.split(","):
        command = [args.argus, "detect", "--quiet", "--format", "jsonl", "--model", args.model, "--tile", tile,
                   "--tile-overlap", str(args.overlap), PHOTO]
        best, out = None, ""
        for _ in range(args.repeats):
            start = time.perf_counter()
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            elapsed = time.perf_counter() - start
            best = elapsed if best is None else min(best, elapsed)
        line = json.loads(out.splitlines()[0])
        people = [d for d in line["detections"] if d["label"] == "person"]
        found, unmatched = matched(faces, people)
        print(f"| {tile} | {found} of {len(faces)} | {unmatched} | {best:.2f} |")


if __name__ == "__main__":
    main()
