# shellcheck shell=bash
# Shared by the scripts/setup-*.sh scripts; source it, do not run it.
# Sets ARGUS_REPO, ARGUS_DEPS_DIR, ARGUS_MODELS_DIR, ARGUS_PYTHON and defines helpers.

ARGUS_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ARGUS_REPO="$(cd "$ARGUS_SCRIPTS/.." && pwd)"
ARGUS_DEPS_DIR="${ARGUS_DEPS_DIR:-$ARGUS_REPO/.deps}"
ARGUS_MODELS_DIR="${ARGUS_MODELS_DIR:-$ARGUS_REPO/models}"
ARGUS_PYTHON="${ARGUS_PYTHON:-python3}"
export ARGUS_REPO ARGUS_DEPS_DIR ARGUS_MODELS_DIR ARGUS_PYTHON

# One short line for each thing actually installed.
say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# sha256 of a file, or nothing when it does not exist.
sha256_of() { [ -f "$1" ] && sha256sum "$1" | cut -d' ' -f1 || true; }

# True when FILE exists and has sha256 SUM.
has_sha256() { [ -f "$1" ] && [ "$(sha256_of "$1")" = "$2" ]; }

# Fail loudly unless FILE has sha256 SUM (HINT, optional, says what it means).
verify_sha256() {
    local file="$1" want="$2" hint="${3:-}" got
    got="$(sha256_of "$file")"
    [ "$got" = "$want" ] || die "sha256 mismatch for $file
    expected $want
    got      ${got:-<missing>}${hint:+
    $hint}"
}

# Run a command with its output captured; show the output only if it fails.
quietly() {
    local log rc=0
    log="$(mktemp)"
    "$@" >"$log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        cat "$log" >&2
        rm -f "$log"
        die "command failed ($rc): $*"
    fi
    rm -f "$log"
}

# Path relative to the repository when inside it (for messages).
rel() { case "$1" in "$ARGUS_REPO"/*) printf '%s' "${1#"$ARGUS_REPO"/}" ;; *) printf '%s' "$1" ;; esac; }

# Run as root: directly when we are root, through sudo otherwise.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# fetch_wheel SPEC FILE SHA256 CACHE_DIR TMP_DIR [PLATFORM]: the cp311 x86_64 wheel (PLATFORM
# manylinux_2_28_x86_64 unless given)
# SPEC (e.g. onnxruntime==1.31.1) into CACHE_DIR/FILE, checked against SHA256, unless a
# good copy is already there. The platform is given explicitly so that the same file (and
# sha256) is fetched whichever Python runs pip.
fetch_wheel() {
    local spec="$1" file="$2" sha="$3" cache_dir="$4" tmp_dir="$5" platform="${6:-manylinux_2_28_x86_64}"
    has_sha256 "$cache_dir/$file" "$sha" && return 0
    mkdir -p "$cache_dir" "$tmp_dir"
    quietly "$ARGUS_PYTHON" -m pip download --quiet --disable-pip-version-check \
        --no-deps --only-binary :all: --implementation cp --python-version 3.11 \
        --abi cp311 --platform "$platform" --dest "$tmp_dir" "$spec"
    verify_sha256 "$tmp_dir/$file" "$sha"
    mv -f "$tmp_dir/$file" "$cache_dir/$file"
}
