"""Helpers for the `rebound spf` tests: one zone description, written as a --zone file for
rebound and served to pyspf (Debian python3-spf) through its DNSLookup hook, so both
implementations answer from the same data."""
import spf

# (name, type, value): value is a str, a list of str (TXT strings), or (pref, exchange) for MX.
ZONE = [
    ("example.com", "TXT", ["v=spf1 ip4:192.0.2.0/24 ", "mx include:_spf.example.net ",
                            "-all exp=why.example.com"]),
    ("example.com", "MX", (10, "mail.example.com")),
    ("mail.example.com", "A", "198.51.100.7"),
    ("mail.example.com", "AAAA", "2001:db8::7"),
    ("why.example.com", "TXT", "%{i} is not allowed to send mail as %{s}"),
    ("_spf.example.net", "TXT", "v=spf1 ip6:2001:db8:1::/48 ~all"),
    ("soft.example.org", "TXT", "v=spf1 ?ip4:203.0.113.0/24 ~all"),
    ("broken.example.org", "TXT", "v=spf1 ip4:192.0.2.300 -all"),
    ("two.example.org", "TXT", "v=spf1 -all"),
    ("two.example.org", "TXT", "v=spf1 +all"),
    ("slow.example.org", "TXT", "v=spf1 a:dead.example.org -all"),
    ("dead.example.org", "TIMEOUT", None),
    ("helo.example.org", "TXT", "v=spf1 a -all"),
    ("helo.example.org", "A", "192.0.2.99"),
]


def zone_file_text():
    lines = []
    for name, rtype, value in ZONE:
        if rtype == "TIMEOUT":
            lines.append(f"{name}. TIMEOUT")
        elif rtype == "MX":
            lines.append(f"{name}. MX {value[0]} {value[1]}.")
        elif rtype == "TXT":
            strings = value if isinstance(value, list) else [value]
            quoted = " ".join('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
                              for s in strings)
            lines.append(f"{name}. TXT {quoted}")
        else:
            lines.append(f"{name}. {rtype} {value}")
    return "\n".join(lines) + "\n"


def _lookup(name, qtype, strict=True, timeout=None):
    name = name.rstrip(".").lower()
    found = [r for r in ZONE if r[0] == name]
    if any(r[1] == "TIMEOUT" for r in found) and not any(r[1] == qtype for r in found):
        raise spf.TempError("DNS timeout")
    out = []
    for rname, rtype, value in found:
        if rtype != qtype:
            continue
        if rtype == "TXT":
            strings = value if isinstance(value, list) else [value]
            out.append(((name, rtype), [s.encode() for s in strings]))
        else:
            out.append(((name, rtype), value))
    return out


def pyspf_check(ip, sender, helo):
    """Result of pyspf's check2 against ZONE."""
    saved = spf.DNSLookup
    spf.DNSLookup = _lookup
    try:
        return spf.check2(i=ip, s=sender, h=helo)[0]
    finally:
        spf.DNSLookup = saved
