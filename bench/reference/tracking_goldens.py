"""Goldens for the tracker's building blocks, from independent implementations:
the assignment solver against scipy.optimize.linear_sum_assignment, and the box Kalman
filter against supervision 0.30's ByteTrack KalmanFilter.

    .deps/venv-bench/bin/python bench/reference/tracking_goldens.py \
        --out Tests/ArgusCoreTests/Golden/tracking
"""

import argparse
import json
import os

import numpy as np
from scipy.optimize import linear_sum_assignment
from supervision.tracker.byte_tracker.kalman_filter import KalmanFilter


def assignment_cases(rng):
    cases = []
    shapes = [(1, 1), (1, 4), (4, 1), (2, 2), (3, 5), (5, 3), (6, 6), (10, 10), (7, 12), (12, 7),
              (25, 25), (40, 60), (60, 40), (80, 80)]
    for rows, cols in shapes:
        # Uniform costs rounded to 6 decimals: exact in JSON, and ties have probability ~0,
        # so the optimum (and so the pairs) is unique.
        costs = np.round(rng.random((rows, cols)), 6)
        cases.append(("uniform", costs))
    for rows, cols in [(8, 8), (15, 20), (20, 15)]:
        # IoU-like costs: most pairs at 1 (no overlap), a few below.
        costs = np.ones((rows, cols))
        mask = rng.random((rows, cols)) < 0.2
        costs[mask] = np.round(rng.random(mask.sum()), 6)
        cases.append(("sparse", costs))
    for rows, cols in [(5, 5), (6, 9)]:
        # Small integers: many optimal assignments; only the total is compared.
        costs = rng.integers(0, 4, (rows, cols)).astype(float)
        cases.append(("ties", costs))
    out = []
    for kind, costs in cases:
        rows, cols = linear_sum_assignment(costs)
        out.append({
            "kind": kind,
            "costs": costs.tolist(),
            "rows": rows.tolist(),
            "columns": cols.tolist(),
            "total": float(costs[rows, cols].sum()),
        })
    return out


def kalman_cases(rng):
    kf = KalmanFilter()
    out = []
    for case in range(4):
        # A box moving at constant velocity with measurement noise; case 3 skips
        # measurements (predict only, as a lost track: height velocity zeroed).
        x, y, w, h = rng.uniform(50, 500), rng.uniform(50, 400), rng.uniform(20, 80), rng.uniform(40, 160)
        vx, vy = rng.uniform(-6, 6), rng.uniform(-4, 4)
        measurements = []
        for step in range(12):
            box = np.array([x + vx * step, y + vy * step, w, h]) + rng.normal(0, 1.5, 4)
            cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
            measurements.append([float(cx), float(cy), float(box[2] / box[3]), float(box[3])])
        mean, cov = kf.initiate(np.array(measurements[0]))
        steps = [{"op": "initiate", "measurement": measurements[0], "mean": mean.tolist(), "covariance": cov.ravel().tolist()}]
        for index, measurement in enumerate(measurements[1:], start=1):
            lost = case == 3 and 4 <= index < 8
            if lost:
                mean = mean.copy()
                mean[7] = 0
            mean, cov = kf.predict(mean, cov)
            steps.append({"op": "predict", "lost": lost, "mean": mean.tolist(), "covariance": cov.ravel().tolist()})
            if not lost:
                mean, cov = kf.update(mean, cov, np.array(measurement))
                steps.append({"op": "update", "measurement": measurement, "mean": mean.tolist(),
                              "covariance": cov.ravel().tolist()})
        out.append(steps)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rng = np.random.default_rng(20261202)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "assignment.json"), "w") as f:
        json.dump(assignment_cases(rng), f)
    with open(os.path.join(args.out, "kalman.json"), "w") as f:
        json.dump(kalman_cases(rng), f)


if __name__ == "__main__":
    main()
