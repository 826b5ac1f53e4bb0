#!/usr/bin/env bash
# Runs the whole test suite: the Python reference's own tests, the HTTP suite against a
# private PostgreSQL server, then every Swift test on SQLite (real ONNX Runtime, real
# models, real HTTP against the built binary), with every fuzz target run for a bounded
# time between the two passes.
# A private PostgreSQL and a real KServe model server (deploy/kserve) are started here and
# stopped on exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/setup-bench-venv.sh
.deps/venv-bench/bin/python -m unittest discover -s bench/tests -q 2>&1 | tail -n 3

eval "$(bash scripts/test-postgres.sh start)"
trap 'bash scripts/test-postgres.sh stop "$ARGUS_TEST_POSTGRES_DIR"' EXIT
eval "$(bash scripts/test-kserve.sh start)"
trap 'bash scripts/test-kserve.sh stop "$ARGUS_TEST_KSERVE_PID"; bash scripts/test-postgres.sh stop "$ARGUS_TEST_POSTGRES_DIR"' EXIT

# The same build serves both passes: `swift test` with or without --filter compiles alike.
postgres_status=0
mkdir -p .build
ARGUS_TEST_DATABASE=postgres swift test --filter ArgusServerTests >.build/postgres-tests.log 2>&1 || postgres_status=$?
grep -E "^(✔|✘) Test run" .build/postgres-tests.log | sed 's/^/[postgres] /' || true
if [ "$postgres_status" -ne 0 ]; then
    grep -E "✘|recorded an issue" .build/postgres-tests.log | head -n 40 >&2 || true
    echo "the HTTP suite failed on PostgreSQL (full log: .build/postgres-tests.log)" >&2
fi

# Each fuzz target for a bounded time (ARGUS_TEST_FUZZ_SECONDS, default 45) on its corpus.
# Before the last pass, so that swift test's summary closes the run.
fuzz_status=0
bash scripts/fuzz.sh "${ARGUS_TEST_FUZZ_SECONDS:-45}" || fuzz_status=$?

sqlite_status=0
swift test || sqlite_status=$?

for status in "$postgres_status" "$sqlite_status" "$fuzz_status"; do
    [ "$status" -eq 0 ] || exit "$status"
done
