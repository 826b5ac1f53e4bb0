#!/usr/bin/env bash
# Property-based API tests of a built server against its OpenAPI document:
#   scripts/schemathesis.sh BINARY [SCHEMA]
# Starts BINARY (`argus serve`) on a free loopback port with a private, temporary data
# folder (SQLite, storage, JWT secret), rate limits off and bcrypt cost 4; creates an
# admin and a normal account with `argus users create` and signs both in; uploads two
# fixture images; and runs schemathesis against every operation with the checks
# not_a_server_error, status_code_conformance, content_type_conformance and
# response_schema_conformance, in the phases examples, coverage, fuzzing and stateful.
#
# SCHEMA is where the document is read from: by default the server's own
# http://127.0.0.1:PORT/openapi.json; a file (Sources/ArgusServer/APIDocs/openapi.yaml)
# or another URL tests the live server against that document instead.
#
# The run authenticates with an API key (scopes read, write, admin) that the signed-in
# admin creates, sent as `Authorization: Bearer argus_...`: schemathesis calls
# POST /api/v1/auth/logout, which would deny a plain access token for the rest of the run.
# The fixture ids (an image, its object and signed link, a second image to delete, both
# accounts) are offered to the path parameters through a generated schemathesis.toml;
# scripts/schemathesis_hooks.py puts real images into half of the positive uploads.
#
# Settings (environment): ST_MAX_EXAMPLES (default 300 test cases per operation and
# phase), ST_SEED (default random; printed), ST_CHECKS (default the four above; `all`
# adds schemathesis's stricter checks, which flag some expected answers), ST_PHASES,
# ST_MODE (positive, negative or all; default all), ST_WORKERS (default 1: the coverage
# phase can fail with a Python 3.11 AST error when threaded), ST_REPORTS (default junit;
# also har, vcr, ndjson ...), ST_REPORT_DIR (default .build/schemathesis: the full output,
# the reports, the generated config and the server's log; `st replay ID` works there).
# With the defaults the run takes about 1.5 minutes on 2 cores. The server is stopped on
# exit. Exits non-zero when schemathesis found anything.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
binary="${1:?usage: scripts/schemathesis.sh BINARY [SCHEMA]}"
schema="${2:-}"
[ -x "$binary" ] || { echo "schemathesis.sh: $binary is not an executable" >&2; exit 2; }
binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
if [ -n "$schema" ] && [ -e "$schema" ]; then schema="$(cd "$(dirname "$schema")" && pwd)/$(basename "$schema")"; fi

bash "$ROOT/scripts/setup-bench-venv.sh"
PY="$ROOT/.deps/venv-bench/bin/python"
ST="$ROOT/.deps/venv-bench/bin/schemathesis"

report="${ST_REPORT_DIR:-$ROOT/.build/schemathesis}"
mkdir -p "$report"
report="$(cd "$report" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/argus-schemathesis.XXXXXX")"
server_pid=""

stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=""
}
trap 'stop_server; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# A private environment: no ARGUS_* setting of the caller (config file, database URL,
# secrets) leaks in, except where the models and the runtime library are.
for name in $(compgen -e | grep '^ARGUS_' || true); do
    case "$name" in ARGUS_MODELS_DIR | ARGUS_ORT_LIBRARY) ;; *) unset "$name" ;; esac
done
port="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
export ARGUS_HOST=127.0.0.1 ARGUS_PORT="$port" ARGUS_DATA_DIR="$work/data"
export ARGUS_MODELS_DIR="${ARGUS_MODELS_DIR:-$ROOT/models}"
export ARGUS_DOCS_ASSETS_DIR="$ROOT/.deps/swagger-ui"
[ -z "${ARGUS_ORT_LIBRARY:-}" ] && [ -e "$ROOT/.deps/onnxruntime/lib/libonnxruntime.so.1" ] &&
    export ARGUS_ORT_LIBRARY="$ROOT/.deps/onnxruntime/lib/libonnxruntime.so.1"
export ARGUS_RATE_LIMIT_INFERENCE=off ARGUS_RATE_LIMIT_API=off ARGUS_RATE_LIMIT_AUTH=off
export ARGUS_BCRYPT_COST=4 ARGUS_INFERENCE_THREADS=1 ARGUS_LOG_FORMAT=text

password() { "$PY" -c 'import secrets; print("st-" + secrets.token_urlsafe(18))'; }
admin_password="$(password)"
user_password="$(password)"
cd "$ROOT"
printf '%s\n' "$admin_password" | "$binary" users create --admin --password-stdin admin@example.com >/dev/null
printf '%s\n' "$user_password" | "$binary" users create --password-stdin user@example.com >/dev/null

"$binary" serve >"$report/server.log" 2>&1 &
server_pid=$!
ready() { curl -fsS -o /dev/null "$base/health/ready" 2>/dev/null; }
for _ in $(seq 240); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "schemathesis.sh: the server exited; see $report/server.log" >&2
        exit 1
    fi
    ready && break
    sleep 0.5
done
ready || { echo "schemathesis.sh: the server is not ready after 120 s" >&2; exit 1; }

# field KEY... < JSON: prints one field of a JSON answer (list indices as numbers).
field() {
    "$PY" -c 'import json, sys
value = json.load(sys.stdin)
for key in sys.argv[1:]:
    value = value[int(key)] if isinstance(value, list) else value[key]
print(value)' "$@"
}
api() { curl -fsS -H "Authorization: Bearer $credential" "$@"; }
login() {
    curl -fsS "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\": \"$1\", \"password\": \"$2\"}" | field access_token
}

# Sign both accounts in, then make the admin's key for the run.
credential="$(login user@example.com "$user_password")"
user_id="$(api "$base/api/v1/users/me" | field id)"
credential="$(login admin@example.com "$admin_password")"
admin_id="$(api "$base/api/v1/users/me" | field id)"
credential="$(api "$base/api/v1/api-keys" -H 'Content-Type: application/json' \
    -d '{"name": "schemathesis", "scopes": ["read", "write", "admin"]}' | field key)"

# Fixtures, so that the routes of a stored image reach more than 404: an image with its
# objects and signed link, and a second image for DELETE. Their ids are offered to the
# generator through dictionaries (half the cases; the others stay random).
"$PY" "$ROOT/scripts/schemathesis_hooks.py" "$work/kept.png" 1000
"$PY" "$ROOT/scripts/schemathesis_hooks.py" "$work/doomed.jpg" 1001
api -F "file=@$work/kept.png" "$base/api/v1/images?tasks=detect,circles" >"$work/kept.json"
image_id="$(field id <"$work/kept.json")"
file_token="$(field file_url <"$work/kept.json")"
file_token="${file_token##*/}"
doomed_id="$(api -F "file=@$work/doomed.jpg" "$base/api/v1/images?tasks=none" | field id)"
object_id="$(api "$base/api/v1/images/$image_id/objects" | field 0 object_id 2>/dev/null || true)"
{
    echo "[dictionaries.images]"
    echo "values = [\"$image_id\"]"
    echo "[dictionaries.doomed]"
    echo "values = [\"$doomed_id\"]"
    echo "[dictionaries.users]"
    echo "values = [\"$admin_id\", \"$user_id\"]"
    echo "[dictionaries.tokens]"
    echo "values = [\"$file_token\"]"
    [ -n "$object_id" ] && echo "[dictionaries.objects]" && echo "values = [\"$object_id\"]"
    echo
    echo "[[operations]]"
    echo 'include-operation-id-regex = "^(getImage|getImageFile|getAnnotatedImage|getImageThumbnail|listImageObjects)$"'
    echo 'parameters = { "path.id" = { dictionary = "images", probability = 0.5 } }'
    echo "[[operations]]"
    echo 'include-operation-id = "getImageObject"'
    if [ -n "$object_id" ]; then
        echo 'parameters = { "path.id" = { dictionary = "images", probability = 0.7 },' \
            '"path.object_id" = { dictionary = "objects", probability = 0.7 } }'
    else
        echo 'parameters = { "path.id" = { dictionary = "images", probability = 0.7 } }'
    fi
    echo "[[operations]]"
    echo 'include-operation-id = "deleteImage"'
    echo 'parameters = { "path.id" = { dictionary = "doomed", probability = 0.5 } }'
    echo "[[operations]]"
    echo 'include-operation-id-regex = "^(getUser|adminUpdateUser)$"'
    echo 'parameters = { "path.id" = { dictionary = "users", probability = 0.5 } }'
    echo "[[operations]]"
    echo 'include-operation-id = "getSignedFile"'
    echo 'parameters = { "path.token" = { dictionary = "tokens", probability = 0.5 } }'
} >"$work/schemathesis.toml"
cp "$work/schemathesis.toml" "$report/schemathesis.toml"

location="${schema:-$base/openapi.json}"
seed="${ST_SEED:-$("$PY" -c 'import random; print(random.randrange(2**31))')}"
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
checks="${ST_CHECKS:-$checks}"
examples="${ST_MAX_EXAMPLES:-300}"
echo "schemathesis: $location against $base, seed $seed, up to $examples examples per operation"
started=$(date +%s)
rc=0
# `timeout` bounds a run whose settings were raised too far; the report keeps what ran.
# Run from the report folder, where schemathesis keeps what `st replay ID` needs.
cd "$report"
export ST_SEED="$seed" ST_KEEP_IMAGE_ID="$image_id" SCHEMATHESIS_HOOKS="$ROOT/scripts/schemathesis_hooks.py"
timeout --signal=INT 900 \
    "$ST" --config-file "$work/schemathesis.toml" run "$location" --url "$base" --checks "$checks" \
    --phases "${ST_PHASES:-examples,coverage,fuzzing,stateful}" --mode "${ST_MODE:-all}" \
    --max-examples "$examples" --seed "$seed" --workers "${ST_WORKERS:-1}" \
    --header "Authorization: Bearer $credential" --generation-with-security-parameters false \
    --request-timeout 60 --generation-database none --suppress-health-check all \
    --no-color --output-truncate false \
    --report "${ST_REPORTS:-junit}" --report-dir "$report" >"$report/schemathesis.log" 2>&1 || rc=$?
elapsed=$(($(date +%s) - started))

# The summary: schemathesis's own closing section and the time.
sed -n '/^=* *SUMMARY *=*$/,$p' "$report/schemathesis.log" | grep -v '^$' | head -n 40
echo "schemathesis: exit $rc after ${elapsed} s; full output $report/schemathesis.log, server log $report/server.log"
exit "$rc"
