#!/usr/bin/env bash
# Entry point of `make setup`: system packages, ONNX Runtime, the setup venv and
# the default models, in that order.  Idempotent and quiet: prints one line per
# thing it installs and nothing when everything is already in place.
#   ARGUS_DEPS_DIR    where dependencies go      (default <repo>/.deps)
#   ARGUS_MODELS_DIR  where model files go       (default <repo>/models)
#   ARGUS_PYTHON      Python used for the venv   (default python3)
#   GPU=1             also the CUDA build of ONNX Runtime (`make setup GPU=1`)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/_common.sh
. "$here/_common.sh"

bash "$here/setup-system.sh"
bash "$here/setup-onnxruntime.sh"
if [ "${GPU:-0}" = "1" ]; then bash "$here/setup-onnxruntime-gpu.sh"; fi
bash "$here/setup-venv.sh"
bash "$here/setup-models.sh"
bash "$here/setup-face-model.sh"
bash "$here/setup-background-model.sh"
bash "$here/setup-embedding-model.sh"
bash "$here/setup-swagger-ui.sh"
