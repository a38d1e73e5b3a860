"""The SMTP engine against real clients over real sockets: Python's smtplib with STARTTLS and
implicit TLS, AUTH PLAIN and LOGIN, DSN and SIZE parameters, byte-exact storage, and swaks."""
import smtplib
import socket
import ssl
import subprocess
import warnings

import pytest

from rbhelpers_smtp import PASSWORD, USER, Raw, Sink, client_tls_context, greet, strip_received


@pytest.fixture(scope="module")
def sink(tmp_path_factory):
    s = Sink(str(tmp_path_factory.mktemp("clients")))
    yield s
    assert s.stop() == 0, "smtp-sink did not exit cleanly on SIGTERM"


def test_starttls_auth_plain_and_delivery_is_byte_exact(sink):
    before = len(sink.messages())
    body = (b"From: a@example.com\r\nSubject: exact\r\n\r\n.leading dot\r\n..two dots\r\n"
            b"\xc3\xa9 8bit\r\n\r\n \r\nlast line without newline")
    with smtplib.SMTP("127.0.0.1", sink.port) as s:
        s.starttls(context=client_tls_context())
        s.login(USER, PASSWORD)
        refused = s.sendmail("a@example.com", ["b@example.org", "c@example.org"], body,
                             mail_options=["BODY=8BITMIME"])
        assert refused == {}
    env, msg = sink.messages()[before]
    # smtplib adds the final CRLF to a body that lacks it (RFC 5321 4.1.1.4).
    assert strip_received(msg) == body + b"\r\n"
    assert "mail-from <a@example.com>\n" in env
    assert "param BODY=8BITMIME\n" in env
    assert "rcpt <b@example.org>\nrcpt <c@example.org>\n" in env
    assert "account alice\n" in env and "tls yes\n" in env


def test_implicit_tls_auth_login(sink):
    before = len(sink.messages())
    with smtplib.SMTP_SSL("127.0.0.1", sink.tls_port, context=client_tls_context()) as s:
        s.ehlo()
        assert "auth" in s.esmtp_features and "LOGIN" in s.esmtp_features["auth"]
        assert "starttls" not in s.esmtp_features  # already encrypted
        s.user, s.password = USER, PASSWORD
        # No initial response: the full 334 Username:/Password: exchange.
        code, text = s.auth("LOGIN", s.auth_login, initial_response_ok=False)
        assert (code, text) == (235, b"2.7.0 Authentication successful")
        code, text = s.mail("x@example.com")
        assert code == 250 and text == b"2.1.0 Sender ok"
        s.rcpt("y@example.org")
        code, text = s.data(b"Subject: login\r\n\r\nhi\r\n")
        assert code == 250 and text.startswith(b"2.0.0 Ok ")
    assert len(sink.messages()) == before + 1


def test_tls_1_2_is_accepted_and_older_refused(sink):
    ctx = client_tls_context()
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    with smtplib.SMTP_SSL("127.0.0.1", sink.tls_port, context=ctx) as s:
        assert s.sock.version() == "TLSv1.2"
        assert s.noop()[0] == 250
    old = client_tls_context()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old.minimum_version = ssl.TLSVersion.TLSv1
        old.maximum_version = ssl.TLSVersion.TLSv1_1
    old.set_ciphers("ALL:@SECLEVEL=0")
    with pytest.raises(ssl.SSLError) as e:
        old.wrap_socket(socket.create_connection(("127.0.0.1", sink.tls_port), timeout=10))
    # The server's alert, not a client-side inability: the client did offer TLS 1.1.
    assert e.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION"
    assert sink.alive()


def test_ehlo_advertises_extensions_and_no_auth_before_tls(sink):
    r = greet(sink.port, ehlo=False)
    code, lines = r.cmd("EHLO client.rebound.test")
    assert code == 250
    assert lines == ["mx.rebound.test", "PIPELINING", "SIZE 41943040", "8BITMIME",
                     "ENHANCEDSTATUSCODES", "STARTTLS", "DSN", "SMTPUTF8"]
    assert r.cmd("AUTH PLAIN AGFsaWNlAGNvcnJlY3QgaG9yc2U=") == (
        538, ["5.7.11 Encryption required for requested authentication mechanism: issue "
              "STARTTLS first"])
    assert r.cmd("MAIL FROM:<a@example.com>") == (530, ["5.7.0 Authentication required"])
    r.close()


def test_auth_failures_give_535_and_501(sink):
    with smtplib.SMTP("127.0.0.1", sink.port) as s:
        s.starttls(context=client_tls_context())
        with pytest.raises(smtplib.SMTPAuthenticationError) as e:
            s.login(USER, "wrong password")
        assert e.value.smtp_code == 535
        assert e.value.smtp_error == b"5.7.8 Authentication credentials invalid"
    r = greet(sink.port)
    assert r.cmd("STARTTLS")[0] == 220
    r.starttls()
    r.cmd("EHLO client.rebound.test")
    assert r.cmd("AUTH PLAIN =") == (501, ["5.5.2 Cannot decode the AUTH PLAIN response"])
    assert r.cmd("AUTH PLAIN") == (334, [""])
    assert r.cmd("*") == (501, ["5.7.0 Authentication cancelled"])
    assert r.cmd("AUTH LOGIN") == (334, ["VXNlcm5hbWU6"])
    assert r.cmd("YWxpY2U=") == (334, ["UGFzc3dvcmQ6"])
    assert r.cmd("not base64!") == (501, ["5.5.2 Cannot decode the AUTH response (base64 "
                                          "expected)"])
    assert r.cmd("AUTH CRAM-MD5") == (504, ["5.5.4 Unrecognized authentication type"])
    # PLAIN with an authzid that is not the user: we do not allow acting as someone else.
    assert r.cmd("AUTH PLAIN Ym9iAGFsaWNlAGNvcnJlY3QgaG9yc2U=")[0] == 535
    assert r.cmd("AUTH PLAIN AGFsaWNlAGNvcnJlY3QgaG9yc2U=") == (
        235, ["2.7.0 Authentication successful"])
    assert r.cmd("AUTH PLAIN AGFsaWNlAGNvcnJlY3QgaG9yc2U=") == (
        503, ["5.5.1 Bad sequence of commands: already authenticated"])
    r.close()


def test_dsn_parameters_are_parsed_and_kept(sink):
    before = len(sink.messages())
    with smtplib.SMTP("127.0.0.1", sink.port) as s:
        s.starttls(context=client_tls_context())
        s.login(USER, PASSWORD)
        s.sendmail("a@example.com", ["b@example.org"], b"Subject: dsn\r\n\r\nx\r\n",
                   mail_options=["RET=HDRS", "ENVID=QQ+2Bx+3D1"],
                   rcpt_options=["NOTIFY=SUCCESS,DELAY", "ORCPT=rfc822;b+2Bc@example.org"])
    env, _ = sink.messages()[before]
    assert "param SIZE=19\n" in env  # smtplib declares len(message) itself
    assert "param RET=HDRS\n" in env
    assert "param ENVID=QQ+x=1\n" in env
    assert "rcpt <b@example.org> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;b+c@example.org\n" in env


def test_smtputf8_addresses(sink):
    r = greet(sink.tls_port and sink.port)
    r.cmd("STARTTLS")
    r.starttls()
    r.cmd("EHLO client.rebound.test")
    assert r.cmd("AUTH PLAIN AGFsaWNlAGNvcnJlY3QgaG9yc2U=")[0] == 235
    assert r.cmd("MAIL FROM:<jösé@example.com>") == (
        553, ["5.6.7 The sender address is not ASCII: use the SMTPUTF8 parameter"])
    assert r.cmd("MAIL FROM:<a@example.com>")[0] == 250
    assert r.cmd("RCPT TO:<δοκιμή@παράδειγμα.δοκιμή>")[0] == 553
    assert r.cmd("RSET")[0] == 250
    assert r.cmd("MAIL FROM:<jösé@example.com> SMTPUTF8")[0] == 250
    assert r.cmd("RCPT TO:<δοκιμή@παράδειγμα.δοκιμή>") == (250, ["2.1.5 Recipient ok"])
    # Invalid UTF-8 is a syntax error even with SMTPUTF8.
    r.send(b"RCPT TO:<\xc3\x28@example.com>\r\n")
    assert r.reply()[0] == 501
    r.close()


def test_misc_commands(sink):
    r = greet(sink.port)
    assert r.cmd("VRFY alice") == (
        252, ["2.5.0 Cannot VRFY user, but will accept message and attempt delivery"])
    assert r.cmd("EXPN list") == (502, ["5.5.1 EXPN is not implemented"])
    code, lines = r.cmd("HELP")
    assert code == 214 and len(lines) == 2 and all(l.startswith("2.0.0 ") for l in lines)
    assert r.cmd("NOOP anything") == (250, ["2.0.0 Ok"])
    assert r.cmd("FROB") == (500, ["5.5.1 Command unrecognized"])
    assert r.cmd("RCPT TO:<a@example.com>") == (
        503, ["5.5.1 Bad sequence of commands: need MAIL before RCPT"])
    assert r.cmd("DATA") == (
        503, ["5.5.1 Bad sequence of commands: need MAIL and RCPT before DATA"])
    assert r.cmd("QUIT") == (221, ["2.0.0 Bye"])
    assert r.closed()


def test_mail_before_helo_is_bad_sequence(sink):
    r = greet(sink.port, ehlo=False)
    assert r.cmd("MAIL FROM:<a@example.com>") == (
        503, ["5.5.1 Bad sequence of commands: send EHLO or HELO first"])
    assert r.cmd("HELO client") == (250, ["mx.rebound.test"])
    r.close()


def test_client_gone_mid_data_stores_nothing(sink):
    before = len(sink.messages())
    r = greet(sink.port)
    r.cmd("STARTTLS")
    r.starttls()
    r.cmd("EHLO c")
    r.cmd("AUTH PLAIN AGFsaWNlAGNvcnJlY3QgaG9yc2U=")
    r.cmd("MAIL FROM:<a@example.com>")
    r.cmd("RCPT TO:<b@example.org>")
    assert r.cmd("DATA")[0] == 354
    r.send("Subject: half\r\n\r\nthe client dies here")
    r.close()
    # A new session still works and the half message never shows up.
    with smtplib.SMTP("127.0.0.1", sink.port) as s:
        assert s.noop()[0] == 250
    assert len(sink.messages()) == before
    assert sink.alive()


def swaks(*args):
    # Numeric server address and explicit --helo: swaks needs no name resolution here.
    return subprocess.run(["swaks", "--helo", "client.rebound.test", "--from", "a@example.com",
                           "--to", "b@example.org", "--timeout", "20", *args],
                          capture_output=True, text=True, timeout=60)


def test_swaks_starttls_pipelined_auth_plain(sink):
    before = len(sink.messages())
    p = swaks("--server", f"127.0.0.1:{sink.port}", "--tls", "--pipeline", "--auth", "PLAIN",
              "--auth-user", USER, "--auth-password", PASSWORD)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "<~  250 2.0.0 Ok " in p.stdout
    assert len(sink.messages()) == before + 1


def test_swaks_implicit_tls_auth_login(sink):
    p = swaks("--server", f"127.0.0.1:{sink.tls_port}", "--tlsc", "--auth", "LOGIN",
              "--auth-user", USER, "--auth-password", PASSWORD)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "<~  235 2.7.0 Authentication successful" in p.stdout


def test_swaks_wrong_password(sink):
    p = swaks("--server", f"127.0.0.1:{sink.port}", "--tls", "--auth", "PLAIN", "--auth-user",
              USER, "--auth-password", "nope")
    assert p.returncode != 0
    assert "<~* 535 5.7.8 Authentication credentials invalid" in p.stdout


def test_starttls_discards_pipelined_plaintext_commands(sink):
    # CVE-2011-0411 style injection: a command sent with STARTTLS, before the handshake,
    # must not be executed as if it had come over TLS.
    r = greet(sink.port)
    r.send("STARTTLS\r\nNOOP injected\r\n")
    assert r.reply() == (220, ["2.0.0 Ready to start TLS"])
    r.starttls()
    code, lines = r.cmd("EHLO client.rebound.test")
    assert code == 250 and lines[0] == "mx.rebound.test", (code, lines)
    assert "AUTH PLAIN LOGIN" in lines and "STARTTLS" not in lines
    assert r.cmd("STARTTLS") == (503, ["5.5.1 Bad sequence of commands: TLS is already active"])
    r.close()


def test_auth_plaintext_when_listener_allows_it(tmp_path):
    s = Sink(str(tmp_path), tls=False, options={"submission.auth_plaintext": "yes"})
    try:
        with smtplib.SMTP("127.0.0.1", s.port) as c:
            c.ehlo()
            assert c.esmtp_features["auth"].strip() == "PLAIN LOGIN"
            assert "starttls" not in c.esmtp_features  # no certificate configured
            assert c.login(USER, PASSWORD)[0] == 235
            assert c.sendmail("a@example.com", ["b@example.org"], b"Subject: p\r\n\r\nx\r\n") == {}
        env, _ = s.messages()[0]
        assert "tls no\n" in env and "account alice\n" in env
    finally:
        assert s.stop() == 0
