#!/bin/sh
# Runs every libFuzzer target in BUILD_DIR for SECONDS each, starting from its corpus.
# New interesting inputs go to a scratch directory, crashes to fuzz/artifacts/.
set -eu
build=${1:-build-fuzz}
seconds=${2:-60}
mkdir -p fuzz/artifacts
status=0
for bin in "$build"/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin" | sed 's/^fuzz_//')
    scratch=$(mktemp -d)
    supp=fuzz/lsan-"$name".supp
    if [ -f "$supp" ]; then
        export LSAN_OPTIONS="suppressions=$PWD/$supp" ASAN_OPTIONS="fast_unwind_on_malloc=0"
    else
        unset LSAN_OPTIONS ASAN_OPTIONS
    fi
    echo "fuzz: $name for ${seconds}s"
    if ! "$bin" -max_total_time="$seconds" -artifact_prefix=fuzz/artifacts/"$name"- \
        -print_final_stats=1 "$scratch" fuzz/corpus/"$name" 2>&1 | tail -n 12; then
        status=1
    fi
    rm -rf "$scratch"
done
exit $status
