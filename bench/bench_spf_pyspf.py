"""bench_spf_pyspf: pyspf (Debian python3-spf) over the same OpenSPF suite tests as
bench_spf, with DNS answered from each scenario's zonedata through pyspf's DNSLookup hook, for
scale next to rebound. rebound's figure comes from build/bench/bench_spf run in the same
invocation. usage: bench_spf_pyspf.py --rebound build/rebound [--seconds N]"""
import argparse
import os
import re
import subprocess
import sys
import time

import spf
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SUITES = [os.path.join(HERE, "..", "tests", "yardsticks", "spf", f)
          for f in ("rfc7208-tests.yml", "rfc4408-tests.yml")]


class Zone:
    """A scenario's zonedata with the README's driver rules (SPF->TXT copy, TIMEOUT)."""

    def __init__(self, zonedata):
        self.rrs = {}
        self.timeout = set()
        for name, entries in (zonedata or {}).items():
            key = name.lower().rstrip(".")
            rrs = self.rrs.setdefault(key, [])
            has_txt = any(isinstance(e, dict) and "TXT" in e for e in entries)
            for e in entries:
                if e == "TIMEOUT":
                    self.timeout.add(key)
                    continue
                for rtype, value in e.items():
                    if value == "NONE":
                        continue
                    rrs.append((rtype, value))
                    if rtype == "SPF" and not has_txt:
                        rrs.append(("TXT", value))

    def lookup(self, name, qtype, strict=True, timeout=None):
        key = name.lower().rstrip(".")
        rrs = self.rrs.get(key)
        out = []
        for rtype, value in rrs or []:
            if rtype == qtype:
                if rtype in ("TXT", "SPF"):
                    strings = value if isinstance(value, list) else [value]
                    value = [s.encode("utf-8", "surrogateescape") if isinstance(s, str) else s
                             for s in strings]
                elif rtype == "MX":
                    value = (value[0], value[1])
                out.append(((key, rtype), value))
        if not out:
            for rtype, value in rrs or []:
                if rtype == "CNAME":
                    return [((key, "CNAME"), value.rstrip("."))]
            if key in self.timeout:
                raise spf.TempError("DNS timeout")
        return out


def load():
    tests = []
    for path in SUITES:
        with open(path, "rb") as f:
            for doc in yaml.safe_load_all(f):
                if not doc:
                    continue
                zone = Zone(doc.get("zonedata"))
                for name, t in doc["tests"].items():
                    want = t["result"] if isinstance(t["result"], list) else [t["result"]]
                    tests.append((zone, name, t, want))
    return tests


def check(zone, t):
    spf.DNSLookup = zone.lookup
    q = spf.query(i=t["host"], s=t["mailfrom"], h=t["helo"], strict=t.get("strict", True))
    q.set_default_explanation("DEFAULT")
    return q.check()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rebound", default="build/rebound")
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args()
    tests = load()
    passed = sum(1 for zone, _, t, want in tests if check(zone, t)[0] in want)
    evals, start = 0, time.monotonic()
    while time.monotonic() - start < args.seconds:
        for zone, _, t, _ in tests:
            check(zone, t)
        evals += len(tests)
    pyspf_rate = evals / (time.monotonic() - start)
    bench = os.path.join(os.path.dirname(args.rebound), "bench", "bench_spf")
    env = dict(os.environ, BENCH_SPF_SECONDS=str(args.seconds))
    out = subprocess.run([bench], capture_output=True, text=True, env=env, check=True).stdout
    rebound_rate = float(re.search(r"rebound\s+(\d+) evaluations/s", out).group(1))
    print(f"SPF check_host, one core, in-memory DNS, {len(tests)} suite tests per round")
    print(f"  rebound  {rebound_rate:10.0f} evaluations/s   (bench_spf, same run)")
    print(f"  pyspf    {pyspf_rate:10.0f} evaluations/s   suite {passed}/{len(tests)} results right")
    print(f"  ratio rebound/pyspf: {rebound_rate / pyspf_rate:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
