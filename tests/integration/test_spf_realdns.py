"""`rebound spf --dns`: OpenSPF suite scenarios served by a real authoritative DNS server (nsd,
started on a loopback port by rbhelpers_dns.Nsd and stopped by PID) and evaluated through
c-ares give the same result, explanation and mechanism as the in-memory run (`--zone`) of the
same zone data. Scenarios whose data DNS cannot carry (the TIMEOUT marker, owner names with
spaces or '%', TXT records without strings) are left to the in-memory suite."""
import os
import re
import subprocess

import pytest
import yaml

from rbhelpers_dns import Nsd

REBOUND = os.environ.get("REBOUND_BIN", "build/rebound")
SUITES = [os.path.join(os.environ.get("REBOUND_SHARED", "tests/yardsticks"), "spf", f)
          for f in ("rfc7208-tests.yml", "rfc4408-tests.yml")]
SIMPLE_NAME = re.compile(r"^[A-Za-z0-9._-]+\.?$")


def load_scenarios():
    docs = []
    for path in SUITES:
        with open(path, "rb") as f:
            docs += [dict(d, file=os.path.basename(path)) for d in yaml.safe_load_all(f) if d]
    usable = []
    for doc in docs:
        zone = doc.get("zonedata") or {}
        ok = all(SIMPLE_NAME.match(name) for name in zone)
        for entries in zone.values():
            for e in entries:
                if e == "TIMEOUT" or (isinstance(e, dict) and any(
                        t in ("TXT", "SPF") and v == [] for t, v in e.items())):
                    ok = False
        if ok:
            usable.append(doc)
    return usable


def records(zone):
    """(owner, type, value) with the README's SPF->TXT duplication rule applied. Identical
    records are kept once: DNS has sets, so a server serves a duplicate only once, and both
    runs must see the same data."""
    out, seen = [], set()
    for name, entries in zone.items():
        has_txt = any(isinstance(e, dict) and "TXT" in e for e in entries)
        for e in entries:
            for rtype, value in e.items():
                if value == "NONE":
                    continue
                types = [rtype] + (["TXT"] if rtype == "SPF" and not has_txt else [])
                for t in types:
                    key = (name.rstrip(".").lower(), t, repr(value))
                    if key not in seen:
                        seen.add(key)
                        out.append((name.rstrip("."), t, value))
    return out


def strings_of(value):
    items = value if isinstance(value, list) else [value]
    return [s.encode("utf-8", "surrogateescape") if isinstance(s, str) else s for s in items]


def escape(data):
    out = ""
    for b in data:
        if b in (0x22, 0x5C):
            out += "\\" + chr(b)
        elif 0x20 <= b < 0x7F:
            out += chr(b)
        else:
            out += "\\%03d" % b
    return '"' + out + '"'


def zone_texts(zone):
    """(nsd root zone file, rebound --zone file) for the same records."""
    nsd = ["$TTL 300", ". IN SOA ns. hostmaster. 1 3600 600 86400 300", ". IN NS ns.",
           "ns. IN A 127.0.0.1"]
    mine = []
    for name, rtype, value in records(zone):
        if rtype in ("TXT", "SPF"):
            pieces = []
            for s in strings_of(value):  # one DNS character-string holds 255 octets at most
                pieces += [s[i:i + 255] for i in range(0, len(s), 255)] or [b""]
            nsd.append(f"{name}. IN {rtype} " + " ".join(escape(p) for p in pieces))
            mine.append(f"{name} {rtype} " + " ".join(escape(s) for s in strings_of(value)))
        elif rtype == "MX":
            nsd.append(f"{name}. IN MX {value[0]} {value[1].rstrip('.')}.")
            mine.append(f"{name} MX {value[0]} {value[1]}")
        elif rtype in ("PTR", "CNAME"):
            nsd.append(f"{name}. IN {rtype} {value.rstrip('.')}.")
            mine.append(f"{name} {rtype} {value}")
        else:
            nsd.append(f"{name}. IN {rtype} {value}")
            mine.append(f"{name} {rtype} {value}")
    for name in zone:  # listed names exist even without records (NODATA, not NXDOMAIN)
        mine.append(f"{name} EXISTS")
    return "\n".join(nsd) + "\n", "\n".join(mine) + "\n"


def spf(*args):
    r = subprocess.run([REBOUND, "spf", *args], capture_output=True, text=True, timeout=60)
    got = {}
    for line in r.stdout.splitlines():
        key, _, value = line.partition(": ")
        got[key] = value
    return r.returncode, got.get("result"), got.get("explanation"), got.get("mechanism"), r.stderr


SCENARIOS = load_scenarios()


@pytest.mark.parametrize("doc", SCENARIOS, ids=[f'{d["file"]}:{d["description"]}' for d in SCENARIOS])
def test_real_dns_matches_in_memory(tmp_path, doc):
    nsd_text, mine_text = zone_texts(doc.get("zonedata") or {})
    zone_file = tmp_path / "zone"
    zone_file.write_text(mine_text)
    mismatches = []
    with Nsd(tmp_path, {".": nsd_text}) as ns:
        for name, t in doc["tests"].items():
            common = ["--receiver", "rx.test", "--helo", t["helo"], t["host"], t["mailfrom"]]
            real = spf("--dns", ns.address, *common)
            memory = spf("--zone", str(zone_file), *common)
            if real[:4] != memory[:4]:
                mismatches.append(f"{name}: real DNS {real[:4]} {real[4].strip()}, "
                                  f"in-memory {memory[:4]}")
    assert not mismatches, "\n".join(mismatches)


def test_enough_scenarios_are_served_for_real():
    assert len(SCENARIOS) >= 15
