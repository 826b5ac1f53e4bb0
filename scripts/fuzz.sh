#!/usr/bin/env bash
# Builds argus-fuzz with libFuzzer and AddressSanitizer (ARGUS_FUZZ=1, see Package.swift)
# and runs each fuzz target for a bounded time on its checked-in corpus.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default: 60 seconds, every target
#
# New inputs the fuzzer finds go to .build/fuzz/corpus/<target>/ (the checked-in corpus
# in Fuzz/corpus/ is only read); a crash is written to .build/fuzz/crashes/<target>/ and
# fails the run. Prints one line per target with its executions. ARGUS_FUZZ_SKIP_BUILD=1
# reuses the instrumented binary built last (for runs side by side; use other targets,
# since each target has one log, .build/fuzz/<target>.log).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-60}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(multipart image-header metadata tokens json inference video)

# The instrumented binary is kept as .build/fuzz/argus-fuzz: the next ordinary build
# replaces the one in .build/debug with the corpus replayer.
mkdir -p .build/fuzz
if [ "${ARGUS_FUZZ_SKIP_BUILD:-}" != 1 ] || [ ! -x .build/fuzz/argus-fuzz ]; then
    ARGUS_FUZZ=1 swift build --product argus-fuzz >.build/fuzz-build.log 2>&1 || {
        tail -n 30 .build/fuzz-build.log >&2
        echo "fuzz: the instrumented build failed (log: .build/fuzz-build.log)" >&2
        exit 1
    }
    cp "$(ARGUS_FUZZ=1 swift build --product argus-fuzz --show-bin-path)/argus-fuzz" .build/fuzz/argus-fuzz
fi
# Each run uses a copy, so that a build meanwhile cannot replace the binary under it.
binary=".build/fuzz/argus-fuzz-$$"
cp .build/fuzz/argus-fuzz "$binary"
trap 'rm -f "$binary"' EXIT

status=0
for target in "${targets[@]}"; do
    work=".build/fuzz/corpus/$target" crashes=".build/fuzz/crashes/$target"
    mkdir -p "$work" "$crashes"
    log=".build/fuzz/$target.log"
    # Swift's own crash reporter would hide AddressSanitizer's report: leave crashes to libFuzzer.
    if SWIFT_BACKTRACE=enable=no ARGUS_FUZZ_TARGET="$target" ASAN_OPTIONS=detect_leaks=0 \
        "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
        -artifact_prefix="$crashes/" "$work" "Fuzz/corpus/$target" >"$log" 2>&1; then
        runs=$(grep -aE '^stat::number_of_executed_units' "$log" | awk '{print $2}')
        echo "fuzz: $target: ${runs:-?} executions in ${seconds} s, no crash"
    else
        status=1
        echo "fuzz: $target: FAILED (log: $log, inputs: $crashes/)" >&2
        grep -aE "ERROR|Fatal error|SUMMARY|Test unit written" "$log" | head -n 8 >&2 || true
        tail -n 12 "$log" >&2 || true
    fi
done
exit "$status"
