#!/usr/bin/env bash
# Runs the whole test suite: the formatting lint, the Python reference's own tests, the
# HTTP suite against a private PostgreSQL server, schemathesis against the live server,
# then every Swift test on SQLite (real ONNX Runtime, real models, real HTTP against the
# built binary), with every fuzz target run for a bounded time between the two passes.
# Every answer the HTTP suite receives is checked against the API document after each
# pass (scripts/validate_exchanges.py).
# A private PostgreSQL and a real KServe model server (deploy/kserve) are started here and
# stopped on exit; the mail tests start their own SMTP server (aiosmtpd).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Formatting first: it takes seconds (configuration in .swift-format).
if ! swift format lint --strict -r Sources Tests Package.swift; then
    echo "swift format lint failed: run swift format --in-place -r Sources Tests Package.swift" >&2
    exit 1
fi

bash scripts/setup-bench-venv.sh
# The mail tests' SMTP server (scripts/smtp_sink.py, aiosmtpd from the bench venv) makes
# its certificate with the openssl command.
bash scripts/setup-system.sh openssl
.deps/venv-bench/bin/python -m unittest discover -s bench/tests -q 2>&1 | tail -n 3

# Two PostgreSQL servers: Debian's, for the PostgreSQL pass, and one with pgvector, for
# the tests of the pgvector search index in that pass.
eval "$(bash scripts/test-postgres.sh start)"
trap 'bash scripts/test-postgres.sh stop "$ARGUS_TEST_POSTGRES_DIR"' EXIT
eval "$(bash scripts/test-postgres.sh start pgvector)"
stop_postgres='bash scripts/test-postgres.sh stop "$ARGUS_TEST_POSTGRES_DIR"; bash scripts/test-postgres.sh stop "$ARGUS_TEST_PGVECTOR_DIR"'
trap "$stop_postgres" EXIT
eval "$(bash scripts/test-kserve.sh start)"
trap 'bash scripts/test-kserve.sh stop "$ARGUS_TEST_KSERVE_PID"; '"$stop_postgres" EXIT

# validate PASS: the recorded answers of one pass against the document.
document=Sources/ArgusServer/APIDocs/openapi.yaml
validate() {
    .deps/venv-bench/bin/python scripts/validate_exchanges.py --skip-options "$document" ".build/test-exchanges/$1" |
        sed "s/^/[$1] /"
}

# Suites that measure how the server treats others while it is pushed (slow clients,
# a full circles pool, the pool's deadline) run last, on their own: beside the rest of
# the suite on 2 cores their timings say more about the machine than about Argus. They
# do not touch the database, so the PostgreSQL pass leaves them out too.
under_load='ConnectionDefenceTests|SlowTaskIsolationTests|InferencePoolTests'

# The same build serves both passes: `swift test` with or without --filter compiles alike.
postgres_status=0
mkdir -p .build
rm -rf .build/test-exchanges
ARGUS_TEST_EXCHANGES_DIR=.build/test-exchanges/postgres ARGUS_TEST_DATABASE=postgres \
    swift test --filter ArgusServerTests --skip "$under_load" >.build/postgres-tests.log 2>&1 || postgres_status=$?
grep -E "^(✔|✘) Test run" .build/postgres-tests.log | sed 's/^/[postgres] /' || true
if [ "$postgres_status" -ne 0 ]; then
    grep -E "✘|recorded an issue" .build/postgres-tests.log | head -n 40 >&2 || true
    echo "the HTTP suite failed on PostgreSQL (full log: .build/postgres-tests.log)" >&2
fi
validate postgres || postgres_status=1

# schemathesis against the built server and its own /openapi.json (a fixed seed, so that
# a run is repeatable; ST_SEED=... tries others).
schemathesis_status=0
ST_SEED="${ST_SEED:-20261201}" bash scripts/schemathesis.sh .build/debug/argus || schemathesis_status=$?

# Each fuzz target for a bounded time (ARGUS_TEST_FUZZ_SECONDS, default 45) on its corpus.
# Before the last pass, so that swift test's summary closes the run.
fuzz_status=0
bash scripts/fuzz.sh "${ARGUS_TEST_FUZZ_SECONDS:-45}" 2>&1 | tee .build/fuzz-run.log || fuzz_status=$?

sqlite_status=0
ARGUS_TEST_EXCHANGES_DIR=.build/test-exchanges/sqlite swift test --skip "$under_load" 2>&1 |
    tee .build/sqlite-tests.log || sqlite_status=$?
validate sqlite || sqlite_status=1
under_load_status=0
ARGUS_TEST_EXCHANGES_DIR=.build/test-exchanges/sqlite-under-load swift test --filter "$under_load" 2>&1 |
    tee .build/sqlite-under-load-tests.log || under_load_status=$?
validate sqlite-under-load || under_load_status=1

# A summary last, so that the tail of a CI log says which pass failed and why.
echo "== summary: postgres=$postgres_status schemathesis=$schemathesis_status fuzz=$fuzz_status" \
    "sqlite=$sqlite_status sqlite-under-load=$under_load_status"
for log in .build/postgres-tests.log .build/sqlite-tests.log .build/sqlite-under-load-tests.log; do
    grep -E "^✘|recorded an issue" "$log" | head -n 20 | sed "s|^|[$(basename "$log" .log)] |" || true
done
# A failed fuzz run: which target and how (its log's tail), or why the build failed.
if [ "$fuzz_status" -ne 0 ]; then
    sed "s|^|[fuzz] |" .build/fuzz-run.log | tail -n 40 || true
fi
for status in "$postgres_status" "$sqlite_status" "$under_load_status" "$fuzz_status" "$schemathesis_status"; do
    [ "$status" -eq 0 ] || exit "$status"
done
