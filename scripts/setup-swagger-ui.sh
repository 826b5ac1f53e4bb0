#!/usr/bin/env bash
# Swagger UI's static files for the interactive API page at /docs, from the
# swagger-ui-bundle-v2 wheel (Swagger UI 5, which renders OpenAPI 3.1).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/_common.sh
. "$here/_common.sh"

version=5.31.0
wheel="swagger_ui_bundle_v2-$version-py3-none-any.whl"
wheel_sha256=ad8484399c8da2868db86080bcd89bd3209d8efb69159a2c0145766da8968112
files=(swagger-ui-bundle.js swagger-ui.css favicon-32x32.png)
target="$ARGUS_DEPS_DIR/swagger-ui"
marker="$target/.version-$version"

[ -f "$marker" ] && exit 0

cache="$ARGUS_DEPS_DIR/cache"
mkdir -p "$cache"
if ! has_sha256 "$cache/$wheel" "$wheel_sha256"; then
    quietly "$ARGUS_PYTHON" -m pip download --no-deps --only-binary :all: "swagger-ui-bundle-v2==$version" -d "$cache"
fi
verify_sha256 "$cache/$wheel" "$wheel_sha256"

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
# A wheel is a zip file; Python reads it, so unzip need not be installed.
"$ARGUS_PYTHON" - "$cache/$wheel" "swagger_ui_bundle/vendor/swagger-ui-$version" "$staging" "${files[@]}" <<'PY'
import sys, zipfile, pathlib
wheel, prefix, out, *names = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    for name in names:
        pathlib.Path(out, name).write_bytes(z.read(f"{prefix}/{name}"))
PY
rm -rf "$target"
mkdir -p "$target"
cp "$staging"/* "$target/"
: > "$marker"
say "Swagger UI $version (swagger-ui-bundle-v2) -> $(rel "$target")"
