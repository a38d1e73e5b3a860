"""`rebound spf`: what an operator sees (stdout, stderr, exit status), and agreement with
pyspf (python3-spf, which passes the whole OpenSPF suite) on the same zone data."""
import os
import subprocess

import pytest

import rbhelpers_dns
import rbhelpers_spf

REBOUND = os.environ.get("REBOUND_BIN", "build/rebound")
EXIT = {"pass": 0, "fail": 4, "softfail": 5, "neutral": 6, "none": 7, "temperror": 8,
        "permerror": 9}


@pytest.fixture(scope="module")
def zone(tmp_path_factory):
    path = tmp_path_factory.mktemp("spf") / "zone"
    path.write_text(rbhelpers_spf.zone_file_text())
    return str(path)


def run(*args):
    return subprocess.run([REBOUND, "spf", *args], capture_output=True, text=True, timeout=30)


def fields(stdout):
    out = {}
    for line in stdout.splitlines():
        key, _, value = line.partition(": ")
        out[key] = value
    return out


def test_fail_prints_explanation_mechanism_and_headers(zone):
    r = run("--zone", zone, "--helo", "mx.client.example", "--receiver", "mx.rebound.test",
            "203.0.113.5", "alice@example.com")
    assert r.returncode == EXIT["fail"], r.stderr
    f = fields(r.stdout)
    assert f["result"] == "fail"
    assert f["explanation"] == "203.0.113.5 is not allowed to send mail as alice@example.com"
    assert f["mechanism"] == "-all"
    assert f["Received-SPF"] == (
        "fail (mx.rebound.test: domain of alice@example.com does not designate 203.0.113.5 as "
        "permitted sender) client-ip=203.0.113.5; envelope-from=\"alice@example.com\"; "
        "helo=mx.client.example; receiver=mx.rebound.test; mechanism=-all; identity=mailfrom")
    assert f["Authentication-Results"] == (
        "mx.rebound.test; spf=fail (mx.rebound.test: domain of alice@example.com does not "
        "designate 203.0.113.5 as permitted sender) smtp.mailfrom=alice@example.com")


def test_check_form_with_flags_and_mx_match(zone):
    r = run("check", "--zone", zone, "--ip", "198.51.100.7", "--sender", "bob@example.com")
    assert r.returncode == EXIT["pass"], r.stderr
    f = fields(r.stdout)
    assert (f["result"], f["mechanism"], f["explanation"]) == ("pass", "mx", "")


def test_helo_identity(zone):
    r = run("--zone", zone, "--helo", "helo.example.org", "192.0.2.99", "")
    assert r.returncode == EXIT["pass"], r.stderr
    f = fields(r.stdout)
    assert f["domain"] == "helo.example.org"
    assert f["Received-SPF"].endswith("identity=helo")
    assert "smtp.helo=helo.example.org" in f["Authentication-Results"]


@pytest.mark.parametrize("ip,sender,helo", [
    ("203.0.113.5", "alice@example.com", "h.example"),
    ("192.0.2.10", "alice@example.com", "h.example"),
    ("::ffff:192.0.2.10", "alice@example.com", "h.example"),
    ("198.51.100.7", "alice@example.com", "h.example"),
    ("2001:db8::7", "alice@example.com", "h.example"),
    ("2001:db8:1::5", "alice@example.com", "h.example"),
    ("2001:db8:2::5", "alice@example.com", "h.example"),
    ("203.0.113.9", "x@soft.example.org", "h.example"),
    ("198.51.100.1", "x@soft.example.org", "h.example"),
    ("192.0.2.1", "x@broken.example.org", "h.example"),
    ("192.0.2.1", "x@two.example.org", "h.example"),
    ("192.0.2.1", "x@slow.example.org", "h.example"),
    ("192.0.2.1", "x@nothing.example.org", "h.example"),
    ("192.0.2.99", "", "helo.example.org"),
])
def test_agrees_with_pyspf(zone, ip, sender, helo):
    want = rbhelpers_spf.pyspf_check(ip, sender, helo)
    r = run("--zone", zone, "--helo", helo, ip, sender)
    assert fields(r.stdout)["result"] == want, r.stdout + r.stderr
    assert r.returncode == EXIT[want]


def test_permerror_reports_problem(zone):
    r = run("--zone", zone, "192.0.2.1", "x@broken.example.org")
    assert r.returncode == EXIT["permerror"]
    f = fields(r.stdout)
    assert "ip4:192.0.2.300" in f["problem"]
    assert 'problem="' in f["Received-SPF"]


@pytest.mark.parametrize("args,message", [
    (["1.2.3", "a@example.com"], "'1.2.3' is not an IPv4 or IPv6 address"),
    (["192.0.2.1", "no-domain"], "sender 'no-domain' has no domain part"),
    (["192.0.2.1", "user@"], "sender 'user@' has no domain part"),
    (["192.0.2.1", ""], "neither a sender nor a HELO name to check"),
    (["192.0.2.1"], "need a client IP and a sender"),
    (["--bogus", "192.0.2.1", "a@b.example"], "unknown option '--bogus'"),
])
def test_malformed_input_is_a_clear_error(zone, args, message):
    r = run("--zone", zone, *args)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.startswith("rebound: spf: ") and message in r.stderr


def test_zone_file_errors(tmp_path):
    bad = tmp_path / "bad"
    bad.write_text("ok.example A 192.0.2.1\nbroken.example A not-an-ip\n")
    r = run("--zone", str(bad), "192.0.2.1", "a@ok.example")
    assert r.returncode == 1
    assert "line 2: bad IPv4 address" in r.stderr
    r = run("--zone", str(tmp_path / "missing"), "192.0.2.1", "a@ok.example")
    assert r.returncode == 1 and "cannot open" in r.stderr


def test_bad_dns_server_is_a_clear_error():
    r = run("--dns", "bogus", "192.0.2.1", "a@example.com")
    assert r.returncode == 3
    assert r.stdout == ""
    assert "'bogus' is not a DNS server address" in r.stderr


def test_unreachable_dns_server_is_temperror():
    port = rbhelpers_dns.free_port()  # nothing listens there: the query is refused
    r = run("--dns", f"127.0.0.1:{port}", "192.0.2.1", "a@example.com")
    assert r.returncode == EXIT["temperror"], r.stderr
    f = fields(r.stdout)
    assert f["result"] == "temperror"
    assert f["Received-SPF"].startswith("temperror (")


def test_dns_settings_come_from_the_config_file(tmp_path):
    port = rbhelpers_dns.free_port()
    conf = tmp_path / "rebound.conf"
    conf.write_text(f"dns.servers = 127.0.0.1:{port}\ndns.timeout_ms = 200\ndns.tries = 1\n")
    r = run("--config", str(conf), "192.0.2.1", "a@example.com")
    assert r.returncode == EXIT["temperror"], r.stderr
    conf.write_text("dns.servers = not-an-address\n")
    r = run("--config", str(conf), "192.0.2.1", "a@example.com")
    assert r.returncode == 3 and "not-an-address" in r.stderr


def test_help_explains_every_flag():
    r = run("--help")
    assert r.returncode == 0
    for flag in ("--zone", "--dns", "--helo", "--receiver", "--config", "--ip", "--sender",
                 "exit status"):
        assert flag in r.stdout
