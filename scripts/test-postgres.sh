#!/usr/bin/env bash
# A private PostgreSQL server for the test suite: `start` makes a new cluster in a
# temporary folder, listening on loopback on a free port, and prints the variables to
# export (only those go to stdout: whatever setup prints goes to stderr, since callers
# eval the output); `stop DIR` stops it and removes the folder. Nothing outside that
# folder changes.
# `start pgvector` runs the PostgreSQL with pgvector of scripts/setup-pgvector.sh instead
# (copied into the folder, so that the postgres user can reach it wherever the checkout
# is) and names its variables ARGUS_TEST_PGVECTOR_URL and ARGUS_TEST_PGVECTOR_DIR.
# It runs with fsync=off (the tests need no durability); ARGUS_TEST_POSTGRES_FSYNC=on
# keeps PostgreSQL's default (bench/jobs_bench.py measures the queue that way).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

bin_dir() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && { echo "$dir"; return; }
    done
    return 1
}

# PostgreSQL refuses to run as root: run its programs as the postgres user then.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
    dir="$(mktemp -d /tmp/argus-test-pg.XXXXXX)"
    prefix=ARGUS_TEST_POSTGRES
    if [ "${2:-}" = pgvector ]; then
        bash "$here/setup-pgvector.sh" >&2
        cp -a "${ARGUS_DEPS_DIR:-$here/../.deps}/pgvector" "$dir/server"
        bin="$dir/server/pgserver/pginstall/bin"
        prefix=ARGUS_TEST_PGVECTOR
        # The system's server (for its postgres user) is needed all the same.
        bin_dir >/dev/null || bash "$here/setup-system.sh" postgresql >&2
    else
        bin="$(bin_dir)" || { bash "$here/setup-system.sh" postgresql >&2; bin="$(bin_dir)"; }
    fi
    [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    as_owner "$bin/initdb" -D "$dir/data" -U argus --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=${ARGUS_TEST_POSTGRES_FSYNC:-off} -c max_connections=300" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "export ${prefix}_URL=postgres://argus@127.0.0.1:$port/postgres"
    echo "export ${prefix}_DIR=$dir"
    ;;
stop)
    dir="${2:?usage: test-postgres.sh stop DIR}"
    bin="$(bin_dir)"
    [ -x "$dir/server/pgserver/pginstall/bin/pg_ctl" ] && bin="$dir/server/pgserver/pginstall/bin"
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: test-postgres.sh start [pgvector] | stop DIR" >&2
    exit 2
    ;;
esac
