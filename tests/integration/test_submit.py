"""The submission role end to end: `rebound serve` with a real SQLite store, driven by swaks
and Python's smtplib over STARTTLS and implicit TLS. Every accepted message is read back from
the store (`rebound message show`) with its SRS return path, envelope and exact bytes."""
import base64
import sqlite3
import smtplib
import socket
import subprocess
import time

import pytest

from rbhelpers_smtp import Raw, client_tls_context, greet, strip_received
from rbhelpers_submit import BOUNCE_DOMAIN, REBOUND, Serve

NOT_VERIFIED = ("Message rejected: Email address is not verified. The following identities "
                "failed the check: ")


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = Serve(tmp_path_factory.mktemp("submit"),
              options={"smtp.max_recipients": 3, "smtp.max_message_size": 8192,
                       "submission.trusted_networks": "127.0.0.2/32",
                       "submission.trusted_account": "acme"})
    yield s
    assert s.stop() == 0


def authed(srv, tls_port=False):
    if tls_port:
        s = smtplib.SMTP_SSL("127.0.0.1", srv.tls_port, context=client_tls_context(),
                             timeout=30)
    else:
        s = smtplib.SMTP("127.0.0.1", srv.port, timeout=30)
        s.starttls(context=client_tls_context())
    s.login(srv.user, srv.password)
    return s


def auth_plain(srv):
    return base64.b64encode(f"\0{srv.user}\0{srv.password}".encode()).decode()


def send_raw(s, mail_from, rcpts, data):
    """MAIL, RCPT..., DATA with smtplib's low-level calls; returns the final (code, text)."""
    assert s.mail(mail_from)[0] == 250
    for r in rcpts:
        assert s.rcpt(r)[0] == 250
    return s.data(data)


def message_id(reply_text):
    text = reply_text.decode() if isinstance(reply_text, bytes) else reply_text
    assert text.startswith("2.0.0 Ok "), text
    return text.split()[-1]


def swaks(*args):
    return subprocess.run(["swaks", "--helo", "client.rebound.test", "--timeout", "20", *args],
                          capture_output=True, text=True, timeout=60)


def test_swaks_starttls_auth_stores_message_with_srs_return_path(srv):
    p = swaks("--server", f"127.0.0.1:{srv.port}", "--tls", "--auth", "PLAIN", "--auth-user",
              srv.user, f"--auth-password={srv.password}", "--from", "alice@example.com",
              "--to", "bob@example.org", "--header", "Subject: swaks")
    assert p.returncode == 0, p.stdout + p.stderr
    line = [ln for ln in p.stdout.splitlines() if ln.startswith("<~  250 2.0.0 Ok ")][-1]
    mid = line.split()[-1]
    shown = srv.show(mid)
    assert "envelope-from: <alice@example.com>\n" in shown
    assert "identity: example.com\n" in shown
    assert "rcpt: <bob@example.org> notify=- orcpt=- state=queued\n" in shown
    rp = [ln for ln in shown.splitlines() if ln.startswith("return-path: ")][0]
    assert rp.startswith("return-path: <SRS0=") and rp.endswith(
        f"=example.com=alice@{BOUNCE_DOMAIN}>"), rp
    # The SRS address reverses, with the configured secret, to the original sender.
    r = srv.cli("srs", "reverse", rp[len("return-path: <"):-1])
    assert r.stdout == "alice@example.com\n"


def test_stored_body_is_byte_exact_after_received_header(srv):
    body = (b"From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: exact\r\n\r\n"
            b"line one\r\n.leading dot\r\n\ttab line  \r\n\r\nlast")
    with authed(srv) as s:
        code, text = send_raw(s, "alice@example.com", ["bob@example.org"], body)
    assert code == 250
    stored = srv.show(message_id(text), body=True)
    assert stored.startswith(b"Received: from ")
    assert b"by mx.rebound.test" in stored.split(b"\r\n\r\n")[0]
    # smtplib adds the final CRLF; dot-stuffing is undone by the server.
    assert strip_received(stored) == body + b"\r\n"


def test_implicit_tls_auth_and_submit(srv):
    with authed(srv, tls_port=True) as s:
        code, text = send_raw(s, "news@mail.example.com", ["c@example.org"],
                              b"From: news@mail.example.com\r\n\r\nhi\r\n")
    assert code == 250
    assert "envelope-from: <news@mail.example.com>" in srv.show(message_id(text))


def test_auth_failure_535_5_7_8(srv):
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=30) as s:
        s.starttls(context=client_tls_context())
        with pytest.raises(smtplib.SMTPAuthenticationError) as e:
            s.login(srv.user, "wrong password")
        assert e.value.smtp_code == 535
        assert e.value.smtp_error == b"5.7.8 Authentication credentials invalid"
        with pytest.raises(smtplib.SMTPAuthenticationError):
            s.login("RBNOSUCHUSER0000000", srv.password)


def test_no_mail_without_auth(srv):
    r = greet(srv.port)
    code, lines = r.cmd("MAIL FROM:<alice@example.com>")
    assert code == 530, lines
    r.close()


def test_unverified_envelope_sender_554_5_7_1(srv):
    with authed(srv) as s:
        code, text = s.mail("mallory@evil.example")
    assert (code, text.decode()) == (554, "5.7.1 " + NOT_VERIFIED + "mallory@evil.example")


def test_null_sender_refused(srv):
    with authed(srv) as s:
        code, text = s.mail("<>")
    assert code == 554 and b"null sender" in text


def test_unverified_from_header_554_at_end_of_data(srv):
    before = srv.message_count()
    with authed(srv) as s:
        code, text = send_raw(s, "alice@example.com", ["bob@example.org"],
                              b"From: \"Alice\" <alice@example.com>,\r\n"
                              b" CEO <ceo@evil.example>\r\nSubject: x\r\n\r\nbody\r\n")
        assert (code, text.decode()) == (554, "5.7.1 " + NOT_VERIFIED + "ceo@evil.example")
        # The session goes on; a Sender: outside the identities is refused the same way.
        code, text = send_raw(s, "alice@example.com", ["bob@example.org"],
                              b"From: alice@example.com\r\nSender: x@other.example\r\n\r\nb\r\n")
        assert (code, text.decode()) == (554, "5.7.1 " + NOT_VERIFIED + "x@other.example")
    assert srv.message_count() == before


def test_paused_account_554(srv):
    user, password = srv.account("paused-co")
    srv.cli("identity", "add", "paused.example", "--account", "paused-co")
    srv.cli("identity", "verify", "--force", "paused.example")
    srv.sql("UPDATE accounts SET status = 'PAUSED' WHERE name = 'paused-co'")
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=30) as s:
        s.starttls(context=client_tls_context())
        s.login(user, password)
        code, text = s.mail("a@paused.example")
    assert (code, text) == (554, b"5.7.1 Message rejected: Sending paused for this account")
    # An identity of another account never covers: acme cannot send as paused.example.
    with authed(srv) as s:
        assert s.mail("a@paused.example")[0] == 554


def test_dsn_parameters_and_recipients_are_stored(srv):
    r = greet(srv.port)
    r.cmd("STARTTLS")
    r.starttls()
    r.cmd("EHLO client.rebound.test")
    assert r.cmd("AUTH PLAIN " + auth_plain(srv))[0] == 235
    assert r.cmd("MAIL FROM:<alice@example.com> RET=HDRS ENVID=env+2Bid")[0] == 250
    assert r.cmd("RCPT TO:<b1@example.org> NOTIFY=SUCCESS,FAILURE "
                 "ORCPT=rfc822;b1+40example.org")[0] == 250
    assert r.cmd("RCPT TO:<b2@example.org> NOTIFY=NEVER")[0] == 250
    assert r.cmd("DATA")[0] == 354
    r.send("From: alice@example.com\r\n\r\ndsn\r\n.\r\n")
    code, lines = r.reply()
    assert code == 250
    shown = srv.show(message_id(lines[0]))
    assert "ret: HDRS\nenvid: env+id\n" in shown
    assert "rcpt: <b1@example.org> notify=SUCCESS,FAILURE orcpt=rfc822;b1@example.org" in shown
    assert "rcpt: <b2@example.org> notify=NEVER orcpt=-" in shown
    r.close()


def test_trusted_network_submits_as_its_account_without_auth(srv):
    r = Raw(srv.port, source="127.0.0.2")
    assert r.reply()[0] == 220
    r.cmd("EHLO relay.rebound.test")
    assert r.cmd("MAIL FROM:<app@example.com>")[0] == 250
    assert r.cmd("RCPT TO:<x@example.org>")[0] == 250
    assert r.cmd("DATA")[0] == 354
    r.send("From: app@example.com\r\n\r\ntrusted\r\n.\r\n")
    code, lines = r.reply()
    assert code == 250
    assert "envelope-from: <app@example.com>" in srv.show(message_id(lines[0]))
    # The trusted account's identities still apply.
    assert r.cmd("MAIL FROM:<app@evil.example>")[0] == 554
    r.close()


def test_oversized_message_552(srv):
    before = srv.message_count()
    with authed(srv) as s:
        assert s.mail("alice@example.com", ["SIZE=9000"])[0] == 552
        code, _ = send_raw(s, "alice@example.com", ["b@example.org"],
                           b"From: alice@example.com\r\n\r\n" + (b"x" * 70 + b"\r\n") * 200)
        assert code == 552
    assert srv.message_count() == before


def test_too_many_recipients_452(srv):
    with authed(srv) as s:
        s.mail("alice@example.com")
        for i in range(3):
            assert s.rcpt(f"r{i}@example.org")[0] == 250
        assert s.rcpt("r3@example.org") == (452, b"4.5.3 Too many recipients")


def test_bad_command_order_503(srv):
    with authed(srv) as s:
        code, _ = s.docmd("DATA")
        assert code == 503
        code, _ = s.docmd("RCPT TO:<b@example.org>")
        assert code == 503


def test_over_long_line_500(srv):
    r = greet(srv.port)
    assert r.cmd("NOOP " + "x" * 600) == (500, ["5.5.2 Line too long"])
    assert r.cmd("NOOP")[0] == 250
    r.close()


def test_pipelined_session(srv):
    r = greet(srv.port)
    r.cmd("STARTTLS")
    r.starttls()
    r.cmd("EHLO client.rebound.test")
    r.send("AUTH PLAIN " + auth_plain(srv) + "\r\n"
           "MAIL FROM:<alice@example.com>\r\nRCPT TO:<p1@example.org>\r\n"
           "RCPT TO:<p2@example.org>\r\nDATA\r\n")
    assert [r.reply()[0] for _ in range(5)] == [235, 250, 250, 250, 354]
    r.send("From: alice@example.com\r\n\r\npipelined\r\n.\r\n"
           "MAIL FROM:<mallory@evil.example>\r\nRSET\r\nQUIT\r\n")
    code, lines = r.reply()
    assert code == 250
    assert r.reply()[0] == 554
    assert r.reply()[0] == 250
    assert r.reply()[0] == 221
    assert "rcpt: <p2@example.org>" in srv.show(message_id(lines[0]))


def test_client_gone_mid_data_stores_nothing(srv):
    before = srv.message_count()
    r = greet(srv.port)
    r.cmd("STARTTLS")
    r.starttls()
    r.cmd("EHLO c")
    assert r.cmd("AUTH PLAIN " + auth_plain(srv))[0] == 235
    r.cmd("MAIL FROM:<alice@example.com>")
    r.cmd("RCPT TO:<b@example.org>")
    assert r.cmd("DATA")[0] == 354
    r.send("From: alice@example.com\r\n\r\nthe client dies here")
    r.close()
    time.sleep(0.3)
    with smtplib.SMTP("127.0.0.1", srv.port) as s:
        assert s.noop()[0] == 250
    assert srv.message_count() == before
    assert srv.alive()


def test_idle_timeout_421(tmp_path):
    s = Serve(tmp_path, options={"smtp.timeout_command": 1})
    try:
        r = greet(s.port)
        code, lines = r.reply()
        assert code == 421 and lines[0].startswith("4.4.2"), lines
        assert r.closed()
    finally:
        assert s.stop() == 0


def test_sigterm_stops_cleanly_and_the_store_reopens(tmp_path):
    s = Serve(tmp_path)
    with authed(s) as c:
        code, text = send_raw(c, "alice@example.com", ["b@example.org"],
                              b"From: alice@example.com\r\n\r\nbefore stop\r\n")
    assert code == 250
    assert s.stop() == 0
    assert "serve stopped" in s.read_log()
    assert b"before stop" in s.show(message_id(text), body=True)


def test_srsmap_role_runs_inside_serve(tmp_path):
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    fwd = port.getsockname()[1]
    port.close()
    s = Serve(tmp_path, options={"srsmap.tcp_forward": f"127.0.0.1:{fwd}"})
    try:
        assert "roles=submission,srsmap" in s.read_log()
        with socket.create_connection(("127.0.0.1", fwd), timeout=10) as c:
            c.sendall(b"get user@example.org\n")
            reply = c.recv(1000).decode()
        assert reply.startswith("200 SRS0=") and reply.endswith(
            f"=example.org=user@{BOUNCE_DOMAIN}\n"), reply
    finally:
        assert s.stop() == 0


def test_serve_refuses_bad_configs(tmp_path):
    s = Serve(tmp_path, start=False, options={"submission.trusted_networks": "10.0.0.0/8",
                                               "submission.trusted_account": "nobody"})
    r = subprocess.run([REBOUND, "serve", "--config", s.config], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert "submission.trusted_account 'nobody'" in r.stderr
    r = subprocess.run([REBOUND, "serve"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 2 and "--config FILE is required" in r.stderr


def test_commits_stay_visible_after_another_process_read_the_store(srv):
    # Regression: store_sqlite_open used to open()+close() the existing database file, which
    # dropped the SQLite locks of the service's other connections; the next CLI reader then
    # deleted the WAL under the running server and every later commit became invisible.
    for i in range(3):
        with authed(srv) as s:
            code, text = send_raw(s, "alice@example.com", ["b@example.org"],
                                  f"From: alice@example.com\r\n\r\nround {i}\r\n".encode())
        assert code == 250
        assert f"round {i}".encode() in srv.show(message_id(text), body=True)
        mid = message_id(text)
        assert srv.sql("SELECT count(*) FROM messages WHERE id = ?", mid) == [(1,)]


def test_store_busy_gives_451_4_3_0_and_stores_nothing(tmp_path):
    s = Serve(tmp_path)
    try:
        with authed(s) as c:  # AUTH and the identities are read before the lock is taken
            assert c.mail("alice@example.com")[0] == 250
            c.rset()
            blocker = sqlite3.connect(s.db, isolation_level=None, timeout=30)
            blocker.execute("BEGIN IMMEDIATE")  # holds the write lock past the busy timeout
            try:
                before = blocker.execute("SELECT count(*) FROM messages").fetchone()[0]
                code, text = send_raw(c, "alice@example.com", ["b@example.org"],
                                      b"From: alice@example.com\r\n\r\nblocked\r\n")
                assert (code, text) == (451, b"4.3.0 Temporary failure, please try again later")
            finally:
                blocker.execute("ROLLBACK")
                blocker.close()
            assert s.message_count() == before
            code, text = send_raw(c, "alice@example.com", ["b@example.org"],
                                  b"From: alice@example.com\r\n\r\nretried\r\n")
            assert code == 250
        assert s.message_count() == before + 1
    finally:
        assert s.stop() == 0


def test_identity_changes_apply_within_the_cache_period(srv):
    with authed(srv) as s:
        assert s.mail("a@later.example")[0] == 554
        s.rset()
        srv.cli("identity", "add", "later.example", "--account", "acme")
        srv.cli("identity", "verify", "--force", "later.example")
        time.sleep(1.1)  # SUBMIT_IDENTITY_CACHE_MS
        assert s.mail("a@later.example")[0] == 250
        s.rset()
        srv.cli("identity", "delete", "later.example")
        time.sleep(1.1)
        assert s.mail("a@later.example")[0] == 554


def test_commit_that_waits_for_an_identity_lookup(srv):
    # Regression (found by bench_submit at 100 sessions): when the identities cache has
    # expired, the end-of-DATA decision waits for the store; the role must not keep a pointer
    # to the engine's stack copy of the message across that wait.
    for _ in range(2):
        with authed(srv) as s:
            assert s.mail("alice@example.com")[0] == 250
            assert s.rcpt("late@example.org")[0] == 250
            time.sleep(1.1)  # past SUBMIT_IDENTITY_CACHE_MS
            code, text = s.data(b"From: alice@example.com\r\n\r\nlate\r\n")
        assert code == 250
        shown = srv.show(message_id(text))
        assert "envelope-from: <alice@example.com>" in shown
        assert "rcpt: <late@example.org>" in shown
