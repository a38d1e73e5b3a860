"""The outbound path (MX routing + SMTP client) through `rebound deliver-once`, against real
receivers: Postfix's smtp-sink and scripted Python MTAs, each on its own 127.0.0.N address (or
::1), with MX data served by a real nsd started here. Every receiver listens on the port the
test bed gives deliver-once with --port."""
import subprocess

import pytest

from rbhelpers_deliver import (REBOUND, ScriptedMta, SmtpSink, deliver_once, free_port_on,
                               outcomes, parse_dump, zone)
from rbhelpers_dns import Nsd

D = "deliver.test"
IPS = {
    "mx-a": "127.0.0.11", "mx-b": "127.0.0.12", "implicit": "127.0.0.13", "mx-sink": "127.0.0.14",
    "mx-s": "127.0.0.15", "mx-slow": "127.0.0.16", "mx-fast": "127.0.0.17",
    "mx.tls": "127.0.0.18", "mx-dead4": "127.0.0.19",
}
ALL_IPS = list(IPS.values()) + ["::1"]

RECORDS = [
    "order IN MX 10 mx-a", "order IN MX 20 mx-b",
    f"mx-a IN A {IPS['mx-a']}", f"mx-b IN A {IPS['mx-b']}",
    f"implicit IN A {IPS['implicit']}",
    "nullmx IN MX 0 .",
    "sink IN MX 10 mx-sink", f"mx-sink IN A {IPS['mx-sink']}",
    "script IN MX 10 mx-s", "script2 IN MX 10 mx-s", f"mx-s IN A {IPS['mx-s']}",
    "slow IN MX 10 mx-slow", "slow IN MX 20 mx-fast",
    f"mx-slow IN A {IPS['mx-slow']}", f"mx-fast IN A {IPS['mx-fast']}",
    "tls IN MX 10 mx.tls", f"mx.tls IN A {IPS['mx.tls']}",
    "v6 IN MX 10 mx6", "mx6 IN AAAA ::1",
    "dual IN MX 10 mx-dual", f"mx-dual IN A {IPS['mx-dead4']}", "mx-dual IN AAAA ::1",
]

MESSAGE = (b"From: Alice <alice@example.test>\r\nTo: bob@sink.deliver.test\r\n"
           b"Subject: dots and bytes\r\nMessage-ID: <m1@example.test>\r\n\r\n"
           b"first line\r\n.a line starting with a dot\r\n..two dots\r\n.\r\n"
           b"tabs\tand trailing spaces   \r\nlast line\r\n")
RETURN_PATH = "SRS0=HHH=TT=example.test=alice@bounce.rebound.test"


@pytest.fixture(scope="module")
def nsd(tmp_path_factory):
    zones = {D: zone(D, RECORDS), "broken.test": None}
    with Nsd(tmp_path_factory.mktemp("dns"), zones) as server:
        yield server


@pytest.fixture
def port():
    return free_port_on(ALL_IPS)


@pytest.fixture
def msgfile(tmp_path):
    p = tmp_path / "message.eml"
    p.write_bytes(MESSAGE)
    return p


def run(nsd, port, msgfile, *rcpts, extra=(), sender=RETURN_PATH):
    args = list(extra) + ["--from", sender]
    for r in rcpts:
        args += ["--to", r]
    return deliver_once(nsd, port, *args, str(msgfile))


# ---- smtp-sink: what arrives ----

def test_message_arrives_byte_identical_in_one_transaction(nsd, port, msgfile, tmp_path):
    with SmtpSink(tmp_path, IPS["mx-sink"], port) as sink:
        r = run(nsd, port, msgfile, "bob@sink.deliver.test", "carol@SINK.deliver.test")
        assert r.returncode == 0, r.stderr
        got = outcomes(r)
        for rcpt in ("bob@sink.deliver.test", "carol@SINK.deliver.test"):
            status, enhanced, ip, reply = got[rcpt]
            assert (status, enhanced, ip) == ("delivered", "2.0.0", IPS["mx-sink"])
            assert reply.startswith("250 ")
        sink.stop()
        dumps = sink.dumps()
    assert len(dumps) == 1, "both recipients must share one transaction"
    meta, body = parse_dump(dumps[0])
    assert meta["X-Mail-Args"] == [f"<{RETURN_PATH}>"]
    assert meta["X-Rcpt-Args"] == ["<bob@sink.deliver.test>", "<carol@SINK.deliver.test>"]
    assert meta["X-Helo-Args"] == ["client.test"]
    # smtp-sink writes lines with LF and an empty line after the message; the dot-stuffing
    # was undone by the receiver, so the dots are exactly as submitted
    assert body == MESSAGE.replace(b"\r\n", b"\n") + b"\n"


def test_8bit_message_announced_with_body_8bitmime(nsd, port, tmp_path):
    msg = tmp_path / "8bit.eml"
    msg.write_bytes(b"Subject: caf\xc3\xa9\r\nContent-Transfer-Encoding: 8bit\r\n\r\nna\xc3\xafve\r\n")
    with SmtpSink(tmp_path, IPS["mx-sink"], port) as sink:
        r = run(nsd, port, msg, "bob@sink.deliver.test")
        assert r.returncode == 0, r.stderr
        sink.stop()
        meta, body = parse_dump(sink.dumps()[0])
    assert meta["X-Mail-Args"] == [f"<{RETURN_PATH}> BODY=8BITMIME"]
    assert body == msg.read_bytes().replace(b"\r\n", b"\n") + b"\n"


def test_8bit_message_to_server_without_8bitmime_fails_permanently(nsd, port, tmp_path):
    msg = tmp_path / "8bit.eml"
    msg.write_bytes(b"Subject: x\r\n\r\nna\xc3\xafve\r\n")
    with SmtpSink(tmp_path, IPS["mx-sink"], port, "-8") as sink:
        r = run(nsd, port, msg, "bob@sink.deliver.test")
        sink.stop()
        assert sink.dumps() == []
    assert r.returncode == 1
    status, enhanced, ip, reply = outcomes(r)["bob@sink.deliver.test"]
    assert (status, enhanced, ip) == ("permanent", "5.6.3", IPS["mx-sink"])
    assert "8BITMIME" in reply


def test_null_sender(nsd, port, msgfile, tmp_path):
    with SmtpSink(tmp_path, IPS["mx-sink"], port) as sink:
        r = run(nsd, port, msgfile, "bob@sink.deliver.test", sender="")
        assert r.returncode == 0, r.stderr
        sink.stop()
        meta, _ = parse_dump(sink.dumps()[0])
    assert meta["X-Mail-Args"] == ["<>"]


@pytest.mark.parametrize("flags, status, enhanced, reply_start", [
    (("-r", "RCPT"), "temporary", "4.3.0", "450 4.3.0"),
    (("-f", "RCPT"), "permanent", "5.3.0", "500 5.3.0"),
    (("-f", "MAIL"), "permanent", "5.3.0", "500 5.3.0"),
    (("-r", "DATA"), "temporary", "4.3.0", "450 4.3.0"),
    (("-f", "."), "permanent", "5.3.0", "500 5.3.0"),
    (("-q", "."), "temporary", "4.4.2", "lost connection"),
    (("-Q", "MAIL"), "temporary", "4.0.0", "421 4.0.0"),
])
def test_smtp_sink_refusals_are_classified(nsd, port, msgfile, tmp_path, flags, status,
                                           enhanced, reply_start):
    with SmtpSink(tmp_path, IPS["mx-sink"], port, *flags):
        r = run(nsd, port, msgfile, "bob@sink.deliver.test")
    assert r.returncode == 1
    got_status, got_enhanced, ip, reply = outcomes(r)["bob@sink.deliver.test"]
    assert (got_status, got_enhanced, ip) == (status, enhanced, IPS["mx-sink"]), reply
    assert reply.startswith(reply_start), reply


# ---- routing through a real DNS server ----

def test_mx_order_then_fallback_when_first_refuses(nsd, port, msgfile, tmp_path):
    with SmtpSink(tmp_path, IPS["mx-a"], port) as a, SmtpSink(tmp_path, IPS["mx-b"], port) as b:
        r = run(nsd, port, msgfile, "x@order.deliver.test")
        assert r.returncode == 0, r.stderr
        assert outcomes(r)["x@order.deliver.test"][2] == IPS["mx-a"]
        a.stop()  # the preferred MX now refuses connections
        r = run(nsd, port, msgfile, "y@order.deliver.test")
        assert r.returncode == 0, r.stderr
        assert outcomes(r)["y@order.deliver.test"][2] == IPS["mx-b"]
        b.stop()
        assert len(b.dumps()) == 1


def test_all_mx_refuse_is_temporary(nsd, port, msgfile):
    r = run(nsd, port, msgfile, "x@order.deliver.test")
    assert r.returncode == 1
    status, enhanced, ip, reply = outcomes(r)["x@order.deliver.test"]
    assert (status, enhanced, ip) == ("temporary", "4.4.1", IPS["mx-b"])
    assert "Connection refused" in reply


def test_implicit_mx(nsd, port, msgfile, tmp_path):
    with SmtpSink(tmp_path, IPS["implicit"], port):
        r = run(nsd, port, msgfile, "x@implicit.deliver.test")
    assert r.returncode == 0, r.stderr
    assert outcomes(r)["x@implicit.deliver.test"][:3] == ("delivered", "2.0.0", IPS["implicit"])


def test_null_mx_is_permanent_5_1_10(nsd, port, msgfile):
    r = run(nsd, port, msgfile, "x@nullmx.deliver.test")
    assert r.returncode == 1
    status, enhanced, ip, reply = outcomes(r)["x@nullmx.deliver.test"]
    assert (status, enhanced, ip) == ("permanent", "5.1.10", "-")
    assert "null MX" in reply


def test_nxdomain_is_permanent_5_1_2(nsd, port, msgfile):
    r = run(nsd, port, msgfile, "x@nope.deliver.test")
    assert r.returncode == 1
    assert outcomes(r)["x@nope.deliver.test"][:3] == ("permanent", "5.1.2", "-")


def test_dns_servfail_is_temporary(nsd, port, msgfile):
    r = run(nsd, port, msgfile, "x@broken.test")
    assert r.returncode == 1
    assert outcomes(r)["x@broken.test"][:3] == ("temporary", "4.4.3", "-")


def test_ipv6_mx(nsd, port, msgfile):
    with ScriptedMta("::1", port) as mta:
        r = run(nsd, port, msgfile, "x@v6.deliver.test")
    assert r.returncode == 0, r.stderr
    assert outcomes(r)["x@v6.deliver.test"][:3] == ("delivered", "2.0.0", "::1")
    assert mta.sessions[0]["data"] == [MESSAGE.replace(b"\r\n.", b"\r\n..")]


def test_ipv4_refused_then_ipv6_of_the_same_host(nsd, port, msgfile):
    with ScriptedMta("::1", port):
        r = run(nsd, port, msgfile, "x@dual.deliver.test")
    assert r.returncode == 0, r.stderr
    assert outcomes(r)["x@dual.deliver.test"][2] == "::1"


def test_per_domain_outcomes_in_one_run(nsd, port, msgfile, tmp_path):
    with SmtpSink(tmp_path, IPS["mx-sink"], port):
        r = run(nsd, port, msgfile, "a@sink.deliver.test", "b@nullmx.deliver.test",
                "c@sink.deliver.test")
    assert r.returncode == 1
    lines = r.stdout.decode().splitlines()
    assert [line.split(" ")[:2] for line in lines] == [
        ["a@sink.deliver.test", "delivered"], ["b@nullmx.deliver.test", "permanent"],
        ["c@sink.deliver.test", "delivered"]]


# ---- the command itself ----

@pytest.mark.parametrize("args, code, message", [
    (["--from", "a@b.test", "--to", "x@y.test"], 2, "want --from, at least one --to"),
    (["--from", "a@b.test", "--to", "no-at-sign", "m"], 2, "'no-at-sign' is not an address"),
    (["--from", "a@b.test", "--to", "x@y.test", "--port", "0", "m"], 3,
     "deliver.smtp_port: '0' is not an integer between 1 and 65535"),
    (["--from", "a@b.test", "--to", "x@y.test", "--tls-policy", "maybe", "m"], 3,
     "deliver.tls_policy: 'maybe' is not none, may or verify"),
    (["--from", "a@b.test", "--to", "x@y.test", "--tls-ca", "/nonexistent/ca.pem", "m"], 3,
     "cannot load CA certificates from /nonexistent/ca.pem"),
])
def test_usage_and_configuration_errors(tmp_path, args, code, message):
    (tmp_path / "m").write_bytes(b"Subject: x\r\n\r\nx\r\n")
    r = subprocess.run([REBOUND, "deliver-once", *args], capture_output=True, text=True,
                       cwd=tmp_path, timeout=30)
    assert r.returncode == code
    assert message in r.stderr
    assert r.stdout == ""
