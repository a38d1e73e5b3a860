#!/usr/bin/env python3
"""Reports parsed and classified per second: `rebound dsn parse` against Sisimai 4.25
(Debian libsisimai-perl), over the same corpus files, in the same run.

Each side gets the whole corpus (tests/yardsticks/bounces/set-of-emails/maildir/*/*.eml)
repeated --rounds times in one process, so process start-up is amortised the same way.
Usage: bench_dsn.py --rebound build/rebound [--rounds N]
"""
import argparse
import pathlib
import resource
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "yardsticks" / "bounces" / "set-of-emails" / "maildir"

SISIMAI = r"""
use strict; use warnings; use Sisimai;
my $rows = 0;
for my $f (@ARGV) { my $v = Sisimai->make($f) // []; $rows += scalar(@$v); }
print "$rows\n";
"""


def timed(cmd):
    """Wall seconds, CPU seconds (user+sys of the child) and stdout of one run. The rate is
    computed on CPU time, which stays comparable when the machine is shared."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rebound", default="build/rebound")
    ap.add_argument("--rounds", type=int, default=10)
    a = ap.parse_args()
    files = sorted(str(p) for p in CORPUS.glob("*/*.eml")) * a.rounds
    reports = len(files)
    r_wall, r_secs, r_out = timed([a.rebound, "dsn", "parse", "--bounces-only"] + files)
    r_rows = len(r_out.splitlines()) - 1
    try:
        s_wall, s_secs, s_out = timed(["perl", "-e", SISIMAI] + files)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"sisimai unavailable ({e}); rebound: {reports / r_secs:.0f} reports/s")
        return 1
    s_rows = int(s_out.strip() or 0)
    r_rate, s_rate = reports / r_secs, reports / s_secs
    print(f"corpus: {reports // a.rounds} files x {a.rounds} rounds = {reports} reports")
    print(f"rebound dsn parse : {r_rate:10.0f} reports/s CPU  ({r_secs:.2f} s CPU, {r_wall:.2f} s wall, "
          f"{r_rows} result rows)")
    print(f"sisimai 4.25      : {s_rate:10.0f} reports/s CPU  ({s_secs:.2f} s CPU, {s_wall:.2f} s wall, "
          f"{s_rows} result rows)")
    print(f"ratio rebound/sisimai: {r_rate / s_rate:.1f}x (goal >= 20x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
