#!/usr/bin/env bash
# Debian packages the build needs; installs only the missing ones.
# With arguments, installs those packages instead (run-tests.sh: the PostgreSQL server).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/_common.sh
. "$here/_common.sh"

# ffmpeg and ffprobe: video decoding, probing and H.264 encoding (child processes).
packages=(libopencv-dev libturbojpeg0-dev libpng-dev pkg-config ffmpeg)
[ "$#" -gt 0 ] && packages=("$@")

# Debian's own python3 needs python3-venv for `python3 -m venv` (setup-venv.sh).
py="$(command -v "$ARGUS_PYTHON" || true)"
if [ -n "$py" ] && [ "$(readlink -f "$py")" = "$(readlink -f /usr/bin/python3 2>/dev/null || true)" ] \
    && ! "$py" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    packages+=(python3-venv)
fi

missing=()
for p in "${packages[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
    [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

command -v apt-get >/dev/null || die "apt-get not found; install ${missing[*]} by hand"
apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600)

# Run apt-get quietly; while another apt/dpkg holds a lock, wait and retry
# (DPkg::Lock::Timeout covers the dpkg lock, the retry covers the lists lock).
apt_get() {
    local log _
    for _ in $(seq 1 90); do
        log="$(mktemp)"
        if as_root "${apt[@]}" "$@" >"$log" 2>&1; then rm -f "$log"; return 0; fi
        if grep -q -E 'Could not get lock|Unable to acquire|is held by process' "$log"; then
            rm -f "$log"; sleep 10; continue
        fi
        cat "$log" >&2; rm -f "$log"
        die "apt-get $* failed"
    done
    die "gave up waiting for the apt lock (15 min)"
}

apt_get update -qq
apt_get install -y -qq --no-install-recommends "${missing[@]}"
say "installed Debian packages: ${missing[*]}"
