#!/usr/bin/env bash
# The CUDA build of ONNX Runtime, beside the CPU one, into $ARGUS_DEPS_DIR/onnxruntime-gpu/lib
# (`make setup GPU=1`): libonnxruntime.so.1.31.1 with its CUDA and shared provider
# libraries, from the `onnxruntime-gpu` 1.31.1 wheel (cp311, manylinux_2_28 x86_64),
# checked against the sha256 pinned below. ARGUS_EXECUTION_PROVIDER=cuda loads it.
# The CUDA libraries its provider links (CUDA 13's libcudart, libcublasLt, and cuDNN)
# come from the machine's NVIDIA installation. A second run does nothing and prints nothing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/_common.sh
. "$here/_common.sh"

ORT_VERSION=1.31.1
ORT_WHEEL=onnxruntime_gpu-1.31.1-cp311-cp311-manylinux_2_28_x86_64.whl
ORT_WHEEL_SHA256=e26c475fe361b2015f45b4b824bd13f0bb20204e59b62814e6f0acd5f3d491a6

dest="$ARGUS_DEPS_DIR/onnxruntime-gpu"
cache="$ARGUS_DEPS_DIR/cache"
stamp="$dest/lib/.argus-stamp"
want="onnxruntime-gpu $ORT_VERSION $ORT_WHEEL_SHA256"
[ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && [ -f "$dest/lib/libonnxruntime_providers_cuda.so" ] && exit 0

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] ||
    die "setup-onnxruntime-gpu.sh pins the Linux x86_64 build; this is $(uname -s)-$(uname -m)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/argus-ort-gpu.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
wheel="$cache/pip/$ORT_WHEEL"
fetch_wheel "onnxruntime-gpu==$ORT_VERSION" "$ORT_WHEEL" "$ORT_WHEEL_SHA256" "$cache/pip" "$tmp/wheel"
mkdir -p "$tmp/lib"
"$ARGUS_PYTHON" - "$wheel" "$tmp/lib" "$ORT_VERSION" <<'PY'
import os, shutil, sys, zipfile
wheel, out, version = sys.argv[1:]
names = [f"libonnxruntime.so.{version}", "libonnxruntime_providers_cuda.so", "libonnxruntime_providers_shared.so"]
with zipfile.ZipFile(wheel) as z:
    for name in names:
        with z.open(f"onnxruntime/capi/{name}") as src, open(os.path.join(out, name), "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        os.chmod(os.path.join(out, name), 0o755)
PY
mkdir -p "$dest/lib"
rm -f "$stamp"
mv -f "$tmp/lib/"*.so* "$dest/lib/"
ln -sfn "libonnxruntime.so.$ORT_VERSION" "$dest/lib/libonnxruntime.so.1"
ln -sfn "libonnxruntime.so.1" "$dest/lib/libonnxruntime.so"
printf '%s\n' "$want" >"$stamp"
say "ONNX Runtime $ORT_VERSION (CUDA) -> $(rel "$dest/lib")"
