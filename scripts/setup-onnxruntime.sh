#!/usr/bin/env bash
# ONNX Runtime for Argus, into $ARGUS_DEPS_DIR/onnxruntime:
#   lib/libonnxruntime.so.1.31.1 (+ libonnxruntime.so.1, libonnxruntime.so symlinks)
#       from the `onnxruntime` 1.31.1 wheel (cp311, manylinux_2_28 x86_64)
#   include/onnxruntime_c_api.h and the other public headers
#       from Debian trixie's libonnxruntime-dev 1.21.0 (an older C header works
#       with the newer library: GetApi(ORT_API_VERSION))
#   share/  licence files of both
# Every download is checked against the sha256 pinned below.  Each half has a
# stamp file holding its pins, so a second run does nothing and prints nothing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/_common.sh
. "$here/_common.sh"

ORT_VERSION=1.31.1
ORT_WHEEL=onnxruntime-1.31.1-cp311-cp311-manylinux_2_28_x86_64.whl
ORT_WHEEL_SHA256=5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f
ORT_DEV_VERSION=1.21.0+dfsg-1
ORT_DEV_DEB=libonnxruntime-dev_1.21.0+dfsg-1_amd64.deb
ORT_DEV_SHA256=14f7d959d5deacbcf1504830d4189f91fc67382b399ed9ae9d3aa9c4050ced08
ORT_DEV_SUITE=trixie

dest="$ARGUS_DEPS_DIR/onnxruntime"
cache="$ARGUS_DEPS_DIR/cache"
lib_stamp="$dest/lib/.argus-stamp"
inc_stamp="$dest/include/.argus-stamp"
lib_want="onnxruntime $ORT_VERSION $ORT_WHEEL_SHA256"
inc_want="libonnxruntime-dev $ORT_DEV_VERSION $ORT_DEV_SHA256"

lib_done() {
    [ "$(cat "$lib_stamp" 2>/dev/null)" = "$lib_want" ] &&
        [ -f "$dest/lib/libonnxruntime.so.$ORT_VERSION" ] &&
        [ -L "$dest/lib/libonnxruntime.so.1" ] && [ -L "$dest/lib/libonnxruntime.so" ]
}
inc_done() {
    [ "$(cat "$inc_stamp" 2>/dev/null)" = "$inc_want" ] &&
        [ -f "$dest/include/onnxruntime_c_api.h" ]
}
lib_done && inc_done && exit 0

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] ||
    die "setup-onnxruntime.sh pins the Linux x86_64 build; this is $(uname -s)-$(uname -m)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/argus-ort.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$cache"

# --- the library, from the wheel ---------------------------------------------
if ! lib_done; then
    wheel="$cache/pip/$ORT_WHEEL"
    fetch_wheel "onnxruntime==$ORT_VERSION" "$ORT_WHEEL" "$ORT_WHEEL_SHA256" "$cache/pip" "$tmp/wheel"
    mkdir -p "$tmp/lib"
    "$ARGUS_PYTHON" - "$wheel" "$tmp/lib" "$ORT_VERSION" <<'PY'
import os, sys, zipfile
wheel, out, version = sys.argv[1:]
members = {
    f"onnxruntime/capi/libonnxruntime.so.{version}": f"libonnxruntime.so.{version}",
    "onnxruntime/LICENSE": "LICENSE",
    "onnxruntime/ThirdPartyNotices.txt": "ThirdPartyNotices.txt",
}
with zipfile.ZipFile(wheel) as z:
    for member, name in members.items():
        with z.open(member) as src, open(os.path.join(out, name), "wb") as dst:
            while True:
                chunk = src.read(1 << 20)
                if not chunk:
                    break
                dst.write(chunk)
PY
    mkdir -p "$dest/lib" "$dest/share/onnxruntime"
    rm -f "$lib_stamp"
    chmod 0755 "$tmp/lib/libonnxruntime.so.$ORT_VERSION"
    mv -f "$tmp/lib/libonnxruntime.so.$ORT_VERSION" "$dest/lib/"
    mv -f "$tmp/lib/LICENSE" "$tmp/lib/ThirdPartyNotices.txt" "$dest/share/onnxruntime/"
    ln -sfn "libonnxruntime.so.$ORT_VERSION" "$dest/lib/libonnxruntime.so.1"
    ln -sfn "libonnxruntime.so.1" "$dest/lib/libonnxruntime.so"
    printf '%s\n' "$lib_want" >"$lib_stamp"
    say "ONNX Runtime $ORT_VERSION library -> $(rel "$dest/lib")"
fi

# --- the C header, from Debian trixie's libonnxruntime-dev --------------------
# The mirror is the one the system already uses: the first URIs: line of the
# deb822 sources (security archives skipped), else the first deb line of
# sources.list; ARGUS_DEBIAN_MIRROR overrides.  apt runs with a private sources
# list, lists, cache and preferences, so the system's apt state is untouched.
debian_mirror() {
    if [ -n "${ARGUS_DEBIAN_MIRROR:-}" ]; then
        printf '%s\n' "$ARGUS_DEBIAN_MIRROR"; return
    fi
    local uri=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        uri="$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
            /etc/apt/sources.list.d/debian.sources)"
    fi
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
        uri="$(sed -n -e 's/^[[:space:]]*deb[[:space:]]\+\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]\+\).*/\2/p' \
            /etc/apt/sources.list | grep -v security | head -n 1)"
    fi
    [ -n "$uri" ] || die "cannot find a Debian mirror in /etc/apt; set ARGUS_DEBIAN_MIRROR"
    printf '%s\n' "$uri"
}

if ! inc_done; then
    deb="$cache/debs/$ORT_DEV_DEB"
    if ! has_sha256 "$deb" "$ORT_DEV_SHA256"; then
        command -v apt-get >/dev/null || die "apt-get is needed to fetch $ORT_DEV_DEB"
        mirror="$(debian_mirror)"
        apt_dir="$tmp/apt"
        mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" \
            "$apt_dir/preferences.d" "$tmp/deb"
        keyring=/usr/share/keyrings/debian-archive-keyring.gpg
        opts="arch=amd64"
        [ -f "$keyring" ] && opts="$opts signed-by=$keyring"
        printf 'deb [%s] %s %s main\n' "$opts" "$mirror" "$ORT_DEV_SUITE" >"$apt_dir/sources.list"
        apt_opts=(
            -o "Dir::Etc::sourcelist=$apt_dir/sources.list"
            -o "Dir::Etc::sourceparts=-"
            -o "Dir::Etc::preferences=$apt_dir/preferences"
            -o "Dir::Etc::preferencesparts=$apt_dir/preferences.d"
            -o "Dir::State::Lists=$apt_dir/lists"
            -o "Dir::Cache=$apt_dir/cache"
            -o "Dir::Cache::pkgcache="
            -o "Dir::Cache::srcpkgcache="
            -o "APT::Sandbox::User=root"
            -o "Acquire::Languages=none"
        )
        quietly apt-get "${apt_opts[@]}" -qq update
        (cd "$tmp/deb" && quietly apt-get "${apt_opts[@]}" -qq download "libonnxruntime-dev=$ORT_DEV_VERSION")
        verify_sha256 "$tmp/deb/$ORT_DEV_DEB" "$ORT_DEV_SHA256"
        mkdir -p "$cache/debs"
        mv -f "$tmp/deb/$ORT_DEV_DEB" "$deb"
    fi
    dpkg-deb -x "$deb" "$tmp/dev"
    [ -f "$tmp/dev/usr/include/onnxruntime/onnxruntime_c_api.h" ] ||
        die "$ORT_DEV_DEB has no usr/include/onnxruntime/onnxruntime_c_api.h"
    rm -rf "$dest/include"
    mkdir -p "$dest/share/libonnxruntime-dev"
    cp -R "$tmp/dev/usr/include/onnxruntime" "$dest/include"
    cp "$tmp/dev/usr/share/doc/libonnxruntime-dev/copyright" "$dest/share/libonnxruntime-dev/"
    printf '%s\n' "$inc_want" >"$inc_stamp"
    say "ONNX Runtime headers (Debian libonnxruntime-dev $ORT_DEV_VERSION) -> $(rel "$dest/include")"
fi
