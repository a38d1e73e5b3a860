#!/usr/bin/python3
"""Writes the seed corpus of fuzz_dns_answer: real-shaped DNS responses built with dnspython
(python3-dnspython), each prefixed by the byte that selects the asked type in the target.
Run from the repository root: fuzz/gen_dns_answer_corpus.py"""
import pathlib

import dns.flags
import dns.message
import dns.rcode
import dns.rrset

OUT = pathlib.Path(__file__).parent / "corpus" / "dns_answer"
# Index of each type in fuzz_types[] of fuzz_dns_answer.c.
SELECT = {"A": 0, "AAAA": 1, "MX": 2, "TXT": 3, "SPF": 4, "PTR": 5, "NS": 6, "CNAME": 7}


def response(qname, qtype, answers=(), authority=(), rcode=dns.rcode.NOERROR):
    query = dns.message.make_query(qname, qtype)
    msg = dns.message.make_response(query)
    msg.set_rcode(rcode)
    for owner, ttl, rtype, *rdatas in answers:
        msg.answer.append(dns.rrset.from_text(owner, ttl, "IN", rtype, *rdatas))
    for owner, ttl, rtype, *rdatas in authority:
        msg.authority.append(dns.rrset.from_text(owner, ttl, "IN", rtype, *rdatas))
    return msg.to_wire()


SOA = ("example.test.", 300, "SOA", "ns.example.test. admin.example.test. 1 3600 600 86400 60")
SEEDS = {
    "a": ("A", response("example.test.", "A", [("example.test.", 300, "A", "192.0.2.1", "192.0.2.2")])),
    "aaaa": ("AAAA", response("example.test.", "AAAA", [("example.test.", 300, "AAAA", "2001:db8::1")])),
    "mx": ("MX", response("example.test.", "MX", [("example.test.", 300, "MX", "10 mx1.example.test.", "20 mx2.example.test.")])),
    "txt-multi": ("TXT", response("t.example.test.", "TXT", [("t.example.test.", 60, "TXT", '"v=spf1 " "ip4:192.0.2.0/24" " -all"')])),
    "txt-nul": ("TXT", response("n.example.test.", "TXT", [("n.example.test.", 60, "TXT", '"a\\000b"')])),
    "txt-long": ("TXT", response("l.example.test.", "TXT", [("l.example.test.", 60, "TXT", '"' + "a" * 255 + '" "' + "b" * 100 + '"')])),
    "spf": ("SPF", response("s.example.test.", "SPF", [("s.example.test.", 60, "SPF", '"v=spf1 -all"')])),
    "ptr": ("PTR", response("1.2.0.192.in-addr.arpa.", "PTR", [("1.2.0.192.in-addr.arpa.", 60, "PTR", "host.example.test.")])),
    "ns": ("NS", response("example.test.", "NS", [("example.test.", 60, "NS", "ns.example.test.")])),
    "cname": ("CNAME", response("alias.example.test.", "CNAME", [("alias.example.test.", 60, "CNAME", "example.test.")])),
    "chain": ("A", response("a1.example.test.", "A", [("a1.example.test.", 60, "CNAME", "a2.example.test."), ("a2.example.test.", 30, "CNAME", "example.test."), ("example.test.", 300, "A", "192.0.2.1")])),
    "dangling": ("A", response("out.example.test.", "A", [("out.example.test.", 60, "CNAME", "www.elsewhere.test.")])),
    "nxdomain": ("A", response("nope.example.test.", "A", authority=[SOA], rcode=dns.rcode.NXDOMAIN)),
    "nodata": ("TXT", response("example.test.", "TXT", authority=[SOA])),
    "referral": ("A", response("www.child.example.test.", "A", authority=[("child.example.test.", 60, "NS", "ns.child.example.test.")])),
    "servfail": ("A", response("example.test.", "A", rcode=dns.rcode.SERVFAIL)),
}

OUT.mkdir(parents=True, exist_ok=True)
for name, (qtype, wire) in SEEDS.items():
    (OUT / name).write_bytes(bytes([SELECT[qtype]]) + wire)
