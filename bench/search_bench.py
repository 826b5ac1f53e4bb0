"""Exact similarity search: Argus's index (ArgusCore's ExactVectorIndex, through the
argus-bench-search binary) against numpy doing the same exact search, in one run, on the
same random unit vectors and queries.

    search_bench.py --binary .build/release/argus-bench-search [--sizes 10000,100000,1000000]
                    [--dimension 1280] [--queries 200] [--k 10] [--threads N]

numpy's search is what a Python service would write: `scores = vectors @ query`, then
`argpartition` for the k best and a sort of those k. Its matrix-vector product uses
OpenBLAS with --threads threads (default: every core); Argus scans large blocks on every core. The
script checks that both return the same top-k row numbers for every query and prints,
per size, p50 and p99 milliseconds of each and Argus's time as a share of numpy's.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--dimension", type=int, default=1280)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args()
    # OpenBLAS reads its thread count when numpy is first imported.
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    import numpy as np

    rng = np.random.default_rng(args.seed)
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        vectors = rng.standard_normal((size, args.dimension), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        # Queries near stored vectors, as real queries are: a stored one plus noise.
        picks = rng.integers(0, size, args.queries)
        queries = vectors[picks] + 0.5 * rng.standard_normal((args.queries, args.dimension), dtype=np.float32) / np.sqrt(
            args.dimension
        )
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        queries = queries.astype(np.float32)

        numpy_ms, numpy_top = [], []
        for query in queries:
            start = time.perf_counter()
            scores = vectors @ query
            best = np.argpartition(-scores, args.k)[: args.k]
            best = best[np.argsort(-scores[best])]
            numpy_ms.append((time.perf_counter() - start) * 1000)
            numpy_top.append(best.tolist())

        with tempfile.TemporaryDirectory() as folder:
            vector_file, query_file = os.path.join(folder, "v.f32"), os.path.join(folder, "q.f32")
            vectors.tofile(vector_file)
            queries.tofile(query_file)
            del vectors
            out = subprocess.run(
                [args.binary, vector_file, query_file, str(args.dimension), str(args.k)],
                check=True, capture_output=True, text=True,
            ).stdout
        argus = json.loads(out)
        same = sum(1 for a, b in zip(argus["top"], numpy_top) if a == b)
        p = lambda values, q: float(np.percentile(values, q))
        row = {
            "vectors": size,
            "queries": args.queries,
            "same_top_k": f"{same}/{args.queries}",
            "argus_kernel": argus.get("kernel"),
            "argus_p50_ms": round(p(argus["ms"], 50), 3),
            "argus_p99_ms": round(p(argus["ms"], 99), 3),
            "numpy_p50_ms": round(p(numpy_ms, 50), 3),
            "numpy_p99_ms": round(p(numpy_ms, 99), 3),
        }
        row["argus_share_of_numpy_p50"] = round(row["argus_p50_ms"] / row["numpy_p50_ms"], 3)
        rows.append(row)
        print(json.dumps(row), flush=True)
        if same != args.queries:
            print(f"search_bench: {args.queries - same} queries differ from numpy's top-{args.k}", file=sys.stderr)
    return rows


if __name__ == "__main__":
    main()
