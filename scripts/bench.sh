#!/bin/sh
# Runs every benchmark: compiled ones in build/bench/ and scripted ones bench/*.py.
# Each prints rebound's figures beside its peer's, measured in the same run, and the ratio.
set -eu
for b in build/bench/bench_*; do
    [ -x "$b" ] || continue
    echo "== $(basename "$b")"
    "$b"
done
for s in bench/bench_*.py; do
    [ -f "$s" ] || continue
    echo "== $(basename "$s")"
    /usr/bin/python3 "$s" --rebound build/rebound
done
