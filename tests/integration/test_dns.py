"""rebound's DNS layer (c-ares backend, cache, sync runner) against a real DNS server: nsd,
started on a loopback port with zones written here, asked through `rebound dns`."""
import os
import subprocess

import dns.rcode
import pytest

from rbhelpers_dns import Nsd, SilentUdp, ask, free_port

REBOUND = os.environ.get("REBOUND_BIN", "build/rebound")

LONG_A = "a" * 255
BIG = ["%c" % c * 200 for c in "wxyz"]  # 4 x 200 bytes: over 512, so answered over TCP

EXAMPLE_ZONE = f"""$ORIGIN example.test.
$TTL 300
@       IN SOA  ns.example.test. admin.example.test. 1 3600 600 86400 60
@       IN NS   ns
ns      IN A    127.0.0.1
@       IN A    192.0.2.1
@       IN A    192.0.2.2
@       IN AAAA 2001:db8::1
@       IN MX   20 mx2
@       IN MX   10 mx1
mx1     IN A    192.0.2.10
multi   IN TXT  "v=spf1 " "ip4:192.0.2.0/24 " "-all"
long    IN TXT  "{LONG_A}" "bbbb"
big     IN TXT  "{BIG[0]}" "{BIG[1]}" "{BIG[2]}" "{BIG[3]}"
nul     IN TXT  "a\\000b" "quote\\"back\\\\slash"
spf     IN TYPE99 \\# 12 0b763d73706631202d616c6c
alias1  120 IN CNAME alias2
alias2  60  IN CNAME @
out     IN CNAME www.other.test.
away    IN CNAME www.third.test.
short   30  IN A 192.0.2.30
"""

OTHER_ZONE = """$ORIGIN other.test.
$TTL 600
@       IN SOA  ns.other.test. admin.other.test. 1 3600 600 86400 60
@       IN NS   ns.example.test.
www     IN A    198.51.100.7
"""

REVERSE4_ZONE = """$ORIGIN 2.0.192.in-addr.arpa.
$TTL 300
@       IN SOA  ns.example.test. admin.example.test. 1 3600 600 86400 60
@       IN NS   ns.example.test.
1       IN PTR  example.test.
10      IN PTR  mx1.example.test.
"""

REVERSE6_ZONE = """$ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.
$TTL 300
@       IN SOA  ns.example.test. admin.example.test. 1 3600 600 86400 60
@       IN NS   ns.example.test.
1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 IN PTR example.test.
"""


THIRD_ZONE = """$ORIGIN third.test.
$TTL 300
@       IN SOA  ns.third.test. admin.third.test. 1 3600 600 86400 60
@       IN NS   ns.example.test.
www     IN A    203.0.113.3
"""


@pytest.fixture(scope="module")
def nsd2(tmp_path_factory):
    """A second server, for the one zone the first does not serve."""
    with Nsd(tmp_path_factory.mktemp("dns2"), {"third.test": THIRD_ZONE}) as server:
        yield server


@pytest.fixture(scope="module")
def nsd(tmp_path_factory):
    zones = {
        "example.test": EXAMPLE_ZONE,
        "other.test": OTHER_ZONE,
        "2.0.192.in-addr.arpa": REVERSE4_ZONE,
        "8.b.d.0.1.0.0.2.ip6.arpa": REVERSE6_ZONE,
        "broken.test": None,  # configured, no zone file: nsd answers SERVFAIL
    }
    with Nsd(tmp_path_factory.mktemp("dns"), zones) as server:
        yield server


def rebound_dns(*args, timeout=30):
    return subprocess.run([REBOUND, "dns", *args], capture_output=True, text=True,
                          timeout=timeout)


def query(nsd, rtype, name, *extra):
    return rebound_dns("--dns", nsd.address, "--timeout", "500", "--tries", "2", *extra,
                       rtype, name)


def records(result):
    lines = result.stdout.splitlines()
    return lines[0], lines[1:]


def test_a_records(nsd):
    r = query(nsd, "A", "example.test")
    assert r.returncode == 0, r.stderr
    status, rrs = records(r)
    assert status == "status ok"
    assert sorted(rrs) == ["example.test 300 A 192.0.2.1", "example.test 300 A 192.0.2.2"]


def test_name_is_case_insensitive_and_takes_a_trailing_dot(nsd):
    r = query(nsd, "a", "EXAMPLE.Test.")
    assert r.returncode == 0, r.stderr
    assert len(records(r)[1]) == 2


def test_aaaa_record(nsd):
    r = query(nsd, "AAAA", "example.test")
    assert r.returncode == 0, r.stderr
    assert records(r) == ("status ok", ["example.test 300 AAAA 2001:db8::1"])


def test_mx_preference_kept_with_its_exchange(nsd):
    r = query(nsd, "MX", "example.test")
    assert r.returncode == 0, r.stderr
    status, rrs = records(r)
    assert status == "status ok"
    assert sorted(rrs) == ["example.test 300 MX 10 mx1.example.test",
                           "example.test 300 MX 20 mx2.example.test"]
    # answer order is the server's: the same as what dnspython gets from nsd
    direct = ask(nsd.port, "example.test", "MX").answer[0]
    want = [f"example.test 300 MX {rd.preference} {str(rd.exchange).rstrip('.')}"
            for rd in direct]
    assert rrs == want


def test_txt_strings_stay_separate(nsd):
    r = query(nsd, "TXT", "multi.example.test")
    assert r.returncode == 0, r.stderr
    assert records(r) == ("status ok",
                          ['multi.example.test 300 TXT "v=spf1 " "ip4:192.0.2.0/24 " "-all"'])


def test_txt_record_longer_than_255_bytes(nsd):
    r = query(nsd, "TXT", "long.example.test")
    assert r.returncode == 0, r.stderr
    assert records(r) == ("status ok", [f'long.example.test 300 TXT "{LONG_A}" "bbbb"'])


def test_txt_answer_over_512_bytes_comes_over_tcp(nsd):
    udp = ask(nsd.port, "big.example.test", "TXT")
    assert udp.flags & 0x0200, "premise: nsd truncates this answer over UDP"
    r = query(nsd, "TXT", "big.example.test")
    assert r.returncode == 0, r.stderr
    assert records(r) == ("status ok",
                          ["big.example.test 300 TXT " + " ".join(f'"{s}"' for s in BIG)])


def test_txt_with_nul_quote_and_backslash(nsd):
    r = query(nsd, "TXT", "nul.example.test")
    assert r.returncode == 0, r.stderr
    assert records(r) == ("status ok",
                          ['nul.example.test 300 TXT "a\\000b" "quote\\"back\\\\slash"'])


def test_spf_type_99(nsd):
    for rtype in ("SPF", "TYPE99"):
        r = query(nsd, rtype, "spf.example.test")
        assert r.returncode == 0, r.stderr
        assert records(r) == ("status ok", ['spf.example.test 300 SPF "v=spf1 -all"'])


def test_ptr_from_ipv4_and_ipv6_address(nsd):
    r = query(nsd, "PTR", "192.0.2.10")
    assert r.returncode == 0, r.stderr
    assert records(r) == ("status ok",
                          ["10.2.0.192.in-addr.arpa 300 PTR mx1.example.test"])
    r = query(nsd, "PTR", "2001:db8::1")
    assert r.returncode == 0, r.stderr
    status, rrs = records(r)
    assert rrs == ["1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa "
                   "300 PTR example.test"]


def test_cname_chain_gives_records_of_the_asked_type(nsd):
    r = query(nsd, "A", "alias1.example.test")
    assert r.returncode == 0, r.stderr
    status, rrs = records(r)
    # owner is the chain's end; TTL clamped to the shortest link (alias2: 60)
    assert sorted(rrs) == ["example.test 60 A 192.0.2.1", "example.test 60 A 192.0.2.2"]


def test_cname_asked_directly(nsd):
    r = query(nsd, "CNAME", "alias1.example.test")
    assert r.returncode == 0, r.stderr
    assert records(r) == ("status ok", ["alias1.example.test 120 CNAME alias2.example.test"])


def test_cname_into_another_zone_of_the_same_server(nsd):
    r = query(nsd, "A", "out.example.test")
    assert r.returncode == 0, r.stderr
    assert records(r) == ("status ok", ["www.other.test 300 A 198.51.100.7"])


def test_cname_leaving_the_server_is_followed_with_a_new_query(nsd, nsd2):
    direct = ask(nsd.port, "away.example.test", "A")
    assert [rr.rdtype for rr in direct.answer] == [5], "premise: nsd stops at the CNAME"
    # The new query for www.third.test gets REFUSED from the first server; c-ares then asks
    # the second, which serves third.test.
    r = rebound_dns("--dns", f"{nsd.address},{nsd2.address}", "--timeout", "500", "A",
                    "away.example.test")
    assert r.returncode == 0, r.stderr
    assert records(r) == ("status ok", ["www.third.test 300 A 203.0.113.3"])


def test_nxdomain(nsd):
    r = query(nsd, "A", "nope.example.test")
    assert r.returncode == 1
    assert r.stdout == "status nxdomain\n"
    assert r.stderr == ""


def test_nodata_is_not_nxdomain(nsd):
    r = query(nsd, "TXT", "example.test")
    assert r.returncode == 1
    assert r.stdout == "status nodata\n"
    r = query(nsd, "MX", "mx1.example.test")
    assert r.stdout == "status nodata\n"


def test_servfail_is_tempfail(nsd):
    assert ask(nsd.port, "x.broken.test", "A").rcode() == dns.rcode.SERVFAIL, "premise"
    r = query(nsd, "A", "x.broken.test")
    assert r.returncode == 1
    assert r.stdout == "status tempfail\n"
    assert "rebound: dns: A x.broken.test: " in r.stderr


def test_refused_is_tempfail(nsd):
    assert ask(nsd.port, "elsewhere.invalid", "A").rcode() == dns.rcode.REFUSED, "premise"
    r = query(nsd, "A", "elsewhere.invalid")
    assert r.returncode == 1
    assert r.stdout == "status tempfail\n"


def test_silent_server_times_out_as_tempfail():
    with SilentUdp() as silent:
        r = rebound_dns("--dns", silent.address, "--timeout", "100", "--tries", "1", "A",
                        "example.test")
    assert r.returncode == 1
    assert r.stdout == "status tempfail\n"
    assert r.stderr == "rebound: dns: A example.test: DNS query timed out\n"


def test_nobody_listening_is_tempfail():
    r = rebound_dns("--dns", f"127.0.0.1:{free_port()}", "--timeout", "200", "--tries", "1",
                    "A", "example.test")
    assert r.returncode == 1
    assert r.stdout == "status tempfail\n"


def test_second_server_answers_when_first_is_silent(nsd):
    with SilentUdp() as silent:
        r = rebound_dns("--dns", f"{silent.address},{nsd.address}", "--timeout", "100",
                        "--tries", "2", "A", "short.example.test")
    assert r.returncode == 0, r.stderr
    assert records(r) == ("status ok", ["short.example.test 30 A 192.0.2.30"])


def test_servers_from_config_file(nsd, tmp_path):
    conf = tmp_path / "rebound.conf"
    conf.write_text(f"dns.servers = {nsd.address}\ndns.timeout_ms = 500\n")
    r = rebound_dns("--config", str(conf), "A", "short.example.test")
    assert r.returncode == 0, r.stderr
    assert records(r)[1] == ["short.example.test 30 A 192.0.2.30"]


@pytest.mark.parametrize("servers", ["dns.example:53", "127.0.0.1:0", "[::1", ""])
def test_bad_servers_refused_with_a_sentence(servers):
    r = rebound_dns("--dns", servers, "A", "example.test")
    assert r.returncode == 3
    assert r.stderr.startswith("rebound: dns: dns.servers: ")
    assert r.stdout == ""


def test_usage_errors():
    r = rebound_dns("BOGUS", "example.test")
    assert r.returncode == 2
    assert "unknown record type 'BOGUS'" in r.stderr
    r = rebound_dns("A")
    assert r.returncode == 2
    r = rebound_dns("--timeout", "5", "A", "example.test")
    assert r.returncode == 3
    assert "dns.timeout_ms" in r.stderr


def test_help_explains_every_flag():
    r = rebound_dns("--help")
    assert r.returncode == 0
    for flag in ("--dns", "--timeout", "--tries", "--config", "TYPE", "NAME"):
        assert flag in r.stdout
