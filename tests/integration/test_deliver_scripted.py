"""The SMTP client against scripted receivers (rbhelpers_deliver.ScriptedMta): replies chosen
per command, slow greetings, STARTTLS with a certificate made by `openssl req` here, broken TLS,
PIPELINING, SIZE, DSN parameters and connection reuse. MX data comes from a real nsd."""
import pytest

from rbhelpers_deliver import (ScriptedMta, deliver_once, free_port_on, make_cert, outcomes,
                               zone)
from rbhelpers_dns import Nsd

D = "scripted.test"
IP_S, IP_SLOW, IP_FAST, IP_TLS = "127.0.0.21", "127.0.0.22", "127.0.0.23", "127.0.0.24"
RECORDS = [
    "a IN MX 10 mx-s", "b IN MX 10 mx-s", f"mx-s IN A {IP_S}",
    "slow IN MX 10 mx-slow", "slow IN MX 20 mx-fast",
    f"mx-slow IN A {IP_SLOW}", f"mx-fast IN A {IP_FAST}",
    "tls IN MX 10 mx.tls", f"mx.tls IN A {IP_TLS}",
]
MESSAGE = b"Subject: scripted\r\n\r\nhello\r\n.dot\r\n"
WIRE = b"Subject: scripted\r\n\r\nhello\r\n..dot\r\n"  # dot-stuffed, as the receiver reads it
FROM = "rp@bounce.test"
EHLO_TLS = ("250-mx.tls.scripted.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250-8BITMIME\r\n"
            "250 ENHANCEDSTATUSCODES")


@pytest.fixture(scope="module")
def nsd(tmp_path_factory):
    with Nsd(tmp_path_factory.mktemp("dns"), {D: zone(D, RECORDS)}) as server:
        yield server


@pytest.fixture
def port():
    return free_port_on([IP_S, IP_SLOW, IP_FAST, IP_TLS])


@pytest.fixture
def msgfile(tmp_path):
    p = tmp_path / "m.eml"
    p.write_bytes(MESSAGE)
    return p


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    return make_cert(tmp_path_factory.mktemp("tls"), "mx.tls.scripted.test")


def send(nsd, port, msgfile, *rcpts, extra=()):
    args = list(extra) + ["--from", FROM]
    for r in rcpts:
        args += ["--to", r]
    return deliver_once(nsd, port, *args, str(msgfile))


def test_per_recipient_5xx_with_multi_line_reply(nsd, port, msgfile):
    def rcpt(line, session):
        if "bad" in line:
            return "550-5.1.1 The email account that you tried to reach does not exist.\r\n" \
                   "550 5.1.1 Please check the address."
        return "250 2.1.5 Ok"

    with ScriptedMta(IP_S, port, {"RCPT": rcpt}) as mta:
        r = send(nsd, port, msgfile, "good@a.scripted.test", "bad@a.scripted.test")
    assert r.returncode == 1
    got = outcomes(r)
    assert got["good@a.scripted.test"] == ("delivered", "2.0.0", IP_S,
                                           "250 2.0.0 Ok: queued as SCRIPTED")
    assert got["bad@a.scripted.test"] == (
        "permanent", "5.1.1", IP_S,
        "550-5.1.1 The email account that you tried to reach does not exist. | "
        "550 5.1.1 Please check the address.")
    assert len(mta.sessions) == 1
    assert mta.sessions[0]["data"] == [WIRE]  # sent once, to the accepted recipient


def test_4xx_then_2xx_on_the_next_attempt(nsd, port, msgfile):
    attempts = []

    def rcpt(line, session):
        attempts.append(line)
        return "451 4.7.1 Greylisted, try again later" if len(attempts) == 1 else "250 2.1.5 Ok"

    with ScriptedMta(IP_S, port, {"RCPT": rcpt}) as mta:
        first = send(nsd, port, msgfile, "x@a.scripted.test")
        second = send(nsd, port, msgfile, "x@a.scripted.test")
    assert first.returncode == 1
    assert outcomes(first)["x@a.scripted.test"] == ("temporary", "4.7.1", IP_S,
                                                   "451 4.7.1 Greylisted, try again later")
    assert second.returncode == 0, second.stderr
    assert outcomes(second)["x@a.scripted.test"][0] == "delivered"
    assert [s["data"] for s in mta.sessions] == [[], [WIRE]]


def test_all_recipients_refused_means_no_data(nsd, port, msgfile):
    with ScriptedMta(IP_S, port, {"RCPT": "550 5.1.1 no"}) as mta:
        r = send(nsd, port, msgfile, "x@a.scripted.test", "y@a.scripted.test")
    assert r.returncode == 1
    assert all(o[0:2] == ("permanent", "5.1.1") for o in outcomes(r).values())
    assert "DATA" not in mta.sessions[0]["lines"]


def test_mail_refused_applies_to_every_recipient(nsd, port, msgfile):
    with ScriptedMta(IP_S, port, {"MAIL": "553 5.7.1 Sender rejected"}):
        r = send(nsd, port, msgfile, "x@a.scripted.test", "y@a.scripted.test")
    assert r.returncode == 1
    for rcpt in ("x@a.scripted.test", "y@a.scripted.test"):
        assert outcomes(r)[rcpt] == ("permanent", "5.7.1", IP_S, "553 5.7.1 Sender rejected")


def test_reply_without_enhanced_code_gets_class_default(nsd, port, msgfile):
    with ScriptedMta(IP_S, port, {".": "554 Transaction failed"}):
        r = send(nsd, port, msgfile, "x@a.scripted.test")
    assert outcomes(r)["x@a.scripted.test"] == ("permanent", "5.0.0", IP_S,
                                               "554 Transaction failed")


def test_pipelining_batches_mail_and_rcpt(nsd, port, msgfile):
    with ScriptedMta(IP_S, port) as mta:
        r = send(nsd, port, msgfile, "x@a.scripted.test", "y@a.scripted.test")
    assert r.returncode == 0, r.stderr
    s = mta.sessions[0]
    assert s["lines"][1:4] == [f"MAIL FROM:<{FROM}> SIZE={len(MESSAGE)}",
                               "RCPT TO:<x@a.scripted.test>", "RCPT TO:<y@a.scripted.test>"]
    assert s["pipelined"]["MAIL"] is True  # the RCPTs were already on the wire
    assert s["pipelined"]["DATA"] is False  # DATA waits for the RCPT replies


def test_without_pipelining_one_command_at_a_time(nsd, port, msgfile):
    ehlo = "250-mx.test\r\n250 8BITMIME"
    with ScriptedMta(IP_S, port, {"EHLO": ehlo}) as mta:
        r = send(nsd, port, msgfile, "x@a.scripted.test", "y@a.scripted.test")
    assert r.returncode == 0, r.stderr
    s = mta.sessions[0]
    assert s["pipelined"]["MAIL"] is False and s["pipelined"]["RCPT"] is False
    assert s["lines"][1] == f"MAIL FROM:<{FROM}>"  # no SIZE= when SIZE is not offered


def test_ehlo_refused_falls_back_to_helo(nsd, port, msgfile):
    with ScriptedMta(IP_S, port, {"EHLO": "502 5.5.1 Command not implemented"}) as mta:
        r = send(nsd, port, msgfile, "x@a.scripted.test")
    assert r.returncode == 0, r.stderr
    assert mta.sessions[0]["lines"][:3] == ["EHLO client.test", "HELO client.test",
                                            f"MAIL FROM:<{FROM}>"]


def test_message_over_server_size_is_refused_before_sending(nsd, port, msgfile):
    ehlo = "250-mx.test\r\n250-PIPELINING\r\n250 SIZE 10"
    with ScriptedMta(IP_S, port, {"EHLO": ehlo}) as mta:
        r = send(nsd, port, msgfile, "x@a.scripted.test")
    assert r.returncode == 1
    status, enhanced, ip, reply = outcomes(r)["x@a.scripted.test"]
    assert (status, enhanced) == ("permanent", "5.3.4")
    assert f"{len(MESSAGE)} bytes exceeds the 10 byte limit" in reply
    assert not any(line.startswith("MAIL") for line in mta.sessions[0]["lines"])


def test_dsn_parameters_passed_when_offered(nsd, port, msgfile):
    with ScriptedMta(IP_S, port) as mta:
        r = send(nsd, port, msgfile, "x@a.scripted.test",
                 extra=["--envid", "msg id+1", "--ret", "HDRS", "--notify", "SUCCESS,FAILURE",
                        "--orcpt"])
    assert r.returncode == 0, r.stderr
    lines = mta.sessions[0]["lines"]
    assert lines[1] == f"MAIL FROM:<{FROM}> SIZE={len(MESSAGE)} RET=HDRS ENVID=msg+20id+2B1"
    assert lines[2] == ("RCPT TO:<x@a.scripted.test> NOTIFY=SUCCESS,FAILURE "
                        "ORCPT=rfc822;x@a.scripted.test")


def test_dsn_parameters_left_out_when_not_offered(nsd, port, msgfile):
    ehlo = "250-mx.test\r\n250 PIPELINING"
    with ScriptedMta(IP_S, port, {"EHLO": ehlo}) as mta:
        r = send(nsd, port, msgfile, "x@a.scripted.test",
                 extra=["--envid", "id1", "--ret", "FULL", "--notify", "NEVER", "--orcpt"])
    assert r.returncode == 0, r.stderr
    assert mta.sessions[0]["lines"][1:3] == [f"MAIL FROM:<{FROM}>", "RCPT TO:<x@a.scripted.test>"]


def test_utf8_address_needs_smtputf8(nsd, port, msgfile):
    with ScriptedMta(IP_S, port) as mta:  # no SMTPUTF8 offered
        r = send(nsd, port, msgfile, "jöe@a.scripted.test")
    assert r.returncode == 1
    assert outcomes(r)["jöe@a.scripted.test"][:2] == ("permanent", "5.6.7")
    assert not any(line.startswith("MAIL") for line in mta.sessions[0]["lines"])


def test_utf8_address_sent_with_smtputf8_when_offered(nsd, port, msgfile):
    ehlo = "250-mx.test\r\n250-PIPELINING\r\n250 SMTPUTF8"
    with ScriptedMta(IP_S, port, {"EHLO": ehlo}) as mta:
        r = send(nsd, port, msgfile, "jöe@a.scripted.test")
    assert r.returncode == 0, r.stderr
    lines = mta.sessions[0]["lines"]
    assert lines[1] == f"MAIL FROM:<{FROM}> SMTPUTF8"
    assert lines[2].encode("latin-1").decode() == "RCPT TO:<jöe@a.scripted.test>"


def test_connection_reused_for_the_next_domain_with_rset(nsd, port, msgfile):
    with ScriptedMta(IP_S, port) as mta:
        r = send(nsd, port, msgfile, "x@a.scripted.test", "y@b.scripted.test")
    assert r.returncode == 0, r.stderr
    assert len(mta.sessions) == 1, "the second domain must reuse the open connection"
    lines = mta.sessions[0]["lines"]
    assert [l.split(":")[0].split(" ")[0] for l in lines] == [
        "EHLO", "MAIL", "RCPT", "DATA", "RSET", "MAIL", "RCPT", "DATA", "QUIT"]
    assert mta.sessions[0]["data"] == [WIRE, WIRE]
    assert mta.sessions[0]["pipelined"]["RSET"] is True  # RSET opens the pipelined group


def test_cached_connection_refusing_rset_is_replaced(nsd, port, msgfile):
    with ScriptedMta(IP_S, port, {"RSET": "421 4.4.2 closing"}) as mta:
        r = send(nsd, port, msgfile, "x@a.scripted.test", "y@b.scripted.test")
    assert r.returncode == 0, r.stderr
    assert len(mta.sessions) == 2
    assert [s["data"] for s in mta.sessions] == [[WIRE], [WIRE]]


def test_cached_connection_closed_by_server_is_replaced(nsd, port, msgfile):
    def dot(line, session):
        session["close"] = True  # one message per connection, then the server hangs up
        return "250 2.0.0 Ok"

    with ScriptedMta(IP_S, port, {".": dot}) as mta:
        r = send(nsd, port, msgfile, "x@a.scripted.test", "y@b.scripted.test")
    assert r.returncode == 0, r.stderr
    assert [s["data"] for s in mta.sessions] == [[WIRE], [WIRE]]


def test_connection_lost_before_final_reply_is_temporary(nsd, port, msgfile):
    with ScriptedMta(IP_S, port, {".": None}) as mta:
        r = send(nsd, port, msgfile, "x@a.scripted.test")
    status, enhanced, ip, reply = outcomes(r)["x@a.scripted.test"]
    assert (status, enhanced, ip) == ("temporary", "4.4.2", IP_S)
    assert "lost connection" in reply
    assert mta.sessions[0]["data"] == [WIRE]  # it may have arrived: a retry may duplicate it


def test_slow_greeting_times_out_and_next_mx_delivers(nsd, port, msgfile):
    with ScriptedMta(IP_SLOW, port, greeting_delay=1) as slow, \
            ScriptedMta(IP_FAST, port) as fast:
        r = send(nsd, port, msgfile, "x@slow.scripted.test", extra=["--timeout", "500"])
    assert r.returncode == 0, r.stderr
    assert outcomes(r)["x@slow.scripted.test"][2] == IP_FAST
    assert len(slow.sessions) == 1 and slow.sessions[0]["data"] == []
    assert fast.sessions[0]["data"] == [WIRE]


def test_only_slow_mx_gives_temporary_timeout(nsd, port, msgfile):
    with ScriptedMta(IP_SLOW, port, greeting_delay=1):
        r = send(nsd, port, msgfile, "x@slow.scripted.test", extra=["--timeout", "300"])
    assert r.returncode == 1
    status, enhanced, ip, reply = outcomes(r)["x@slow.scripted.test"]
    # the slow MX timed out; the next one refused the connection: the last reason is kept
    assert (status, enhanced, ip) == ("temporary", "4.4.1", IP_FAST)


def test_greeting_timeout_reason(nsd, port, msgfile):
    with ScriptedMta(IP_SLOW, port, greeting_delay=1), ScriptedMta(IP_FAST, port,
                                                                  greeting_delay=1):
        r = send(nsd, port, msgfile, "x@slow.scripted.test", extra=["--timeout", "300"])
    status, enhanced, ip, reply = outcomes(r)["x@slow.scripted.test"]
    assert (status, enhanced, ip) == ("temporary", "4.4.2", IP_FAST)
    assert "timeout" in reply and "greeting" in reply


# ---- TLS ----

def test_opportunistic_starttls(nsd, port, msgfile, cert):
    with ScriptedMta(IP_TLS, port, {"EHLO": EHLO_TLS}, tls_cert=cert) as mta:
        r = send(nsd, port, msgfile, "x@tls.scripted.test")
    assert r.returncode == 0, r.stderr
    s = mta.sessions[0]
    assert s["tls"] is True
    assert s["lines"][:3] == ["EHLO client.test", "STARTTLS", "EHLO client.test"]
    assert s["data"] == [WIRE]


def test_broken_tls_falls_back_to_plain_text(nsd, port, msgfile, cert):
    with ScriptedMta(IP_TLS, port, {"EHLO": EHLO_TLS}, tls_cert=cert, tls_broken=True) as mta:
        r = send(nsd, port, msgfile, "x@tls.scripted.test")
    assert r.returncode == 0, r.stderr
    assert len(mta.sessions) == 2
    assert mta.sessions[0]["lines"] == ["EHLO client.test", "STARTTLS"]
    assert "STARTTLS" not in mta.sessions[1]["lines"]
    assert mta.sessions[1]["data"] == [WIRE]


def test_tls_policy_none_never_starts_tls(nsd, port, msgfile, cert):
    with ScriptedMta(IP_TLS, port, {"EHLO": EHLO_TLS}, tls_cert=cert) as mta:
        r = send(nsd, port, msgfile, "x@tls.scripted.test", extra=["--tls-policy", "none"])
    assert r.returncode == 0, r.stderr
    assert "STARTTLS" not in mta.sessions[0]["lines"]


def test_verify_refuses_untrusted_certificate(nsd, port, msgfile, cert):
    with ScriptedMta(IP_TLS, port, {"EHLO": EHLO_TLS}, tls_cert=cert) as mta:
        r = send(nsd, port, msgfile, "x@tls.scripted.test", extra=["--tls-policy", "verify"])
    assert r.returncode == 1
    status, enhanced, ip, reply = outcomes(r)["x@tls.scripted.test"]
    assert (status, enhanced, ip) == ("temporary", "4.7.5", IP_TLS)
    assert "not verified" in reply and "self-signed" in reply
    assert all(s["data"] == [] for s in mta.sessions)
    assert len(mta.sessions) == 1, "a verified policy never retries in plain text"


def test_verify_accepts_trusted_certificate_for_the_mx_name(nsd, port, msgfile, cert):
    with ScriptedMta(IP_TLS, port, {"EHLO": EHLO_TLS}, tls_cert=cert) as mta:
        r = send(nsd, port, msgfile, "x@tls.scripted.test",
                 extra=["--tls-policy", "verify", "--tls-ca", str(cert[0])])
    assert r.returncode == 0, r.stderr
    assert mta.sessions[0]["tls"] is True and mta.sessions[0]["data"] == [WIRE]


def test_verify_refuses_certificate_for_another_name(nsd, port, msgfile, tmp_path):
    other = make_cert(tmp_path, "other.example")
    with ScriptedMta(IP_TLS, port, {"EHLO": EHLO_TLS}, tls_cert=other):
        r = send(nsd, port, msgfile, "x@tls.scripted.test",
                 extra=["--tls-policy", "verify", "--tls-ca", str(other[0])])
    assert r.returncode == 1
    status, enhanced, _, reply = outcomes(r)["x@tls.scripted.test"]
    assert (status, enhanced) == ("temporary", "4.7.5")
    assert "hostname mismatch" in reply


def test_verify_refuses_server_without_starttls(nsd, port, msgfile):
    with ScriptedMta(IP_S, port) as mta:
        r = send(nsd, port, msgfile, "x@a.scripted.test", extra=["--tls-policy", "verify"])
    assert r.returncode == 1
    status, enhanced, _, reply = outcomes(r)["x@a.scripted.test"]
    assert (status, enhanced) == ("temporary", "4.7.10")
    assert "does not offer STARTTLS" in reply
    assert not any(l.startswith("MAIL") for l in mta.sessions[0]["lines"])


def test_verify_for_listed_domains_only(nsd, port, msgfile, tmp_path):
    conf = tmp_path / "rebound.conf"
    conf.write_text("deliver.tls_verify_domains = b.scripted.test\n")
    with ScriptedMta(IP_S, port):
        r = send(nsd, port, msgfile, "x@a.scripted.test", "y@b.scripted.test",
                 extra=["--config", str(conf)])
    got = outcomes(r)
    assert got["x@a.scripted.test"][0] == "delivered"
    assert got["y@b.scripted.test"][:2] == ("temporary", "4.7.10")
