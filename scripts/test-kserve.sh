#!/usr/bin/env bash
# A real KServe model server for the test suite, serving deploy/kserve/circles_model.py
# on loopback: `start` prints the variables to export once it is ready; `stop PID`
# ends it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

case "${1:-}" in
start)
    python="$(bash "$ROOT/scripts/setup-kserve-venv.sh" --print-python)"
    free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
    http_port="$(free_port)"
    grpc_port="$(free_port)"
    log="$(mktemp /tmp/argus-test-kserve.XXXXXX.log)"
    "$python" "$ROOT/deploy/kserve/circles_model.py" --http_port "$http_port" --grpc_port "$grpc_port" \
        --model_name circles >"$log" 2>&1 &
    pid=$!
    for _ in $(seq 1 240); do
        if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
            "http://127.0.0.1:$http_port/v2/models/circles/ready" >/dev/null 2>&1; then
            echo "export ARGUS_TEST_KSERVE_URL=http://127.0.0.1:$http_port"
            echo "export ARGUS_TEST_KSERVE_PID=$pid"
            exit 0
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.25
    done
    cat "$log" >&2
    kill "$pid" 2>/dev/null || true
    echo "test-kserve: the KServe server did not become ready" >&2
    exit 1
    ;;
stop)
    kill "${2:?usage: test-kserve.sh stop PID}" 2>/dev/null || true
    ;;
*)
    echo "usage: test-kserve.sh start | stop PID" >&2
    exit 2
    ;;
esac
