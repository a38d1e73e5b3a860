#!/bin/sh
# Runs every libFuzzer target in BUILD_DIR for SECONDS each, starting from its corpus.
# New interesting inputs go to a scratch directory (add real finds to fuzz/corpus/<name>/),
# crashes to fuzz/artifacts/. Exits non-zero if any target crashed.
set -u
build=${1:-build-fuzz}
seconds=${2:-60}
mkdir -p fuzz/artifacts
status=0
for bin in $(find "$build" -maxdepth 2 -type f -name "fuzz_*" -perm -u+x | sort); do
    name=$(basename "$bin" | sed 's/^fuzz_//')
    scratch=$(mktemp -d)
    supp=fuzz/lsan-"$name".supp
    if [ -f "$supp" ]; then
        export LSAN_OPTIONS="suppressions=$PWD/$supp" ASAN_OPTIONS="fast_unwind_on_malloc=0"
    else
        unset LSAN_OPTIONS ASAN_OPTIONS
    fi
    log=$(mktemp)
    if "$bin" -max_total_time="$seconds" -artifact_prefix=fuzz/artifacts/"$name"- \
        -print_final_stats=1 "$scratch" fuzz/corpus/"$name" >"$log" 2>&1; then
        result=ok
    else
        result=CRASH
        status=1
        grep -E 'ERROR|SUMMARY|artifact' "$log" | head -n 5
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -E '^#[0-9]+.*(DONE|NEW|pulse)' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+')
    echo "fuzz: $name ${seconds}s: $result, ${runs:-0} runs, ${cov:-cov: ?}"
    rm -rf "$scratch" "$log"
done
exit $status
