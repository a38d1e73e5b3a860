"""The SMTP engine's limits and its refusal of smuggling-prone input, over real sockets against
`rebound smtp-sink`. Each limit is configured small, exceeded, and must give its reply code,
leave the session usable (or close it with 421), and never kill the server."""
import socket
import time

import pytest

from rbhelpers_smtp import Raw, Sink, greet, strip_received

TRUSTED = {"submission.trusted_networks": "127.0.0.0/8", "submission.trusted_account": "relay"}


@pytest.fixture(scope="module")
def sink(tmp_path_factory):
    opts = dict(TRUSTED)
    opts.update({"smtp.max_recipients": 3, "smtp.max_message_size": 4096,
                 "smtp.max_commands": 40, "smtp.max_sessions_per_ip": 1000})
    s = Sink(str(tmp_path_factory.mktemp("limits")), tls=False, options=opts)
    yield s
    assert s.stop() == 0


def start_transaction(r, rcpts=("b@example.org",)):
    assert r.cmd("MAIL FROM:<a@example.com>")[0] == 250
    for rcpt in rcpts:
        assert r.cmd(f"RCPT TO:<{rcpt}>")[0] == 250
    assert r.cmd("DATA")[0] == 354


def test_trusted_network_submits_without_auth(sink):
    before = len(sink.messages())
    r = greet(sink.port)
    start_transaction(r)
    r.send("Subject: trusted\r\n\r\nhello\r\n.\r\n")
    code, lines = r.reply()
    assert code == 250 and lines[0].startswith("2.0.0 Ok ")
    env, msg = sink.messages()[before]
    assert "account relay\n" in env
    assert strip_received(msg) == b"Subject: trusted\r\n\r\nhello\r\n"
    r.close()


def test_command_line_too_long_500_5_5_2_and_session_continues(sink):
    r = greet(sink.port)
    # 512 octets including CRLF is the limit (RFC 5321 4.5.3.1.4): 510 + CRLF passes...
    assert r.cmd("NOOP " + "x" * 505)[0] == 250
    # ...511 + CRLF does not.
    assert r.cmd("NOOP " + "x" * 506) == (500, ["5.5.2 Line too long"])
    # A huge line is discarded as it streams in, not buffered.
    r.send("NOOP " + "y" * 1_000_000 + "\r\n")
    assert r.reply() == (500, ["5.5.2 Line too long"])
    assert r.cmd("NOOP") == (250, ["2.0.0 Ok"])
    r.close()


def test_text_line_too_long_500_after_final_dot(sink):
    before = len(sink.messages())
    r = greet(sink.port)
    start_transaction(r)
    r.send("Subject: long\r\n\r\n" + "z" * 998 + "\r\n" + "z" * 999 + "\r\n.\r\n")
    code, lines = r.reply()
    assert code == 500 and lines[0].startswith("5.5.2 Line too long")
    assert r.cmd("NOOP")[0] == 250
    assert len(sink.messages()) == before
    r.close()


def test_too_many_recipients_452_4_5_3(sink):
    r = greet(sink.port)
    r.cmd("MAIL FROM:<a@example.com>")
    for i in range(3):
        assert r.cmd(f"RCPT TO:<r{i}@example.org>") == (250, ["2.1.5 Recipient ok"])
    assert r.cmd("RCPT TO:<r3@example.org>") == (452, ["4.5.3 Too many recipients"])
    assert r.cmd("DATA")[0] == 354
    r.send("Subject: three\r\n\r\n.\r\n")
    assert r.reply()[0] == 250
    r.close()


def test_message_size_552_5_3_4_at_mail_and_during_data(sink):
    before = len(sink.messages())
    r = greet(sink.port)
    assert r.cmd("MAIL FROM:<a@example.com> SIZE=4097") == (
        552, ["5.3.4 Message size exceeds fixed maximum message size"])
    assert r.cmd("MAIL FROM:<a@example.com> SIZE=99999999999999999999")[0] == 552  # saturates
    assert r.cmd("MAIL FROM:<a@example.com> SIZE=123456789012345678901")[0] == 501  # 1*20DIGIT
    assert r.cmd("MAIL FROM:<a@example.com> SIZE=4096")[0] == 250
    assert r.cmd("RCPT TO:<b@example.org>")[0] == 250
    assert r.cmd("DATA")[0] == 354
    r.send(("x" * 70 + "\r\n") * 100 + ".\r\n")  # 7200 octets, declared 4096
    assert r.reply() == (552, ["5.3.4 Message size exceeds fixed maximum message size"])
    assert r.cmd("NOOP")[0] == 250
    assert len(sink.messages()) == before
    r.close()


def test_too_many_commands_421_and_close(sink):
    r = greet(sink.port)  # EHLO was command 1
    for _ in range(39):
        assert r.cmd("NOOP")[0] == 250
    assert r.cmd("NOOP") == (421, ["4.7.0 Too many commands in one session, closing connection"])
    assert r.closed()


@pytest.mark.parametrize("body", [
    b"a\r\n\n.\nMAIL FROM:<evil@example.com>\r\n",     # LF . LF
    b"a\r\n\n.\r\nMAIL FROM:<evil@example.com>\r\n",   # LF . CRLF
    b"a\r\n.\nMAIL FROM:<evil@example.com>\r\n",       # CRLF . LF
    b"a\r\r.\r\rMAIL FROM:<evil@example.com>\r\n",     # CR . CR
    b"a\r\n\r.\r\nMAIL FROM:<evil@example.com>\r\n",   # CR . CRLF
    b"a\nb\r\n",                                        # a plain bare LF
    b"a\rb\r\n",                                        # a plain bare CR
], ids=["lf-dot-lf", "lf-dot-crlf", "crlf-dot-lf", "cr-dot-cr", "cr-dot-crlf", "bare-lf",
        "bare-cr"])
def test_smuggling_attempt_refused_550_5_6_0_as_one_message(sink, body):
    before = len(sink.messages())
    r = greet(sink.port)
    start_transaction(r)
    # Whatever follows a fake end-of-data is still data: one message, one refusal.
    r.send(body + b"RCPT TO:<victim@example.org>\r\nDATA\r\nsmuggled\r\n.\r\n")
    code, lines = r.reply()
    assert code == 550, (code, lines)
    assert lines[0].startswith("5.6.0 Message refused: bare ")
    # The session is still in step: the next reply answers the next command.
    assert r.cmd("NOOP") == (250, ["2.0.0 Ok"])
    assert len(sink.messages()) == before
    r.close()


def test_bare_lf_command_line_is_refused(sink):
    r = greet(sink.port)
    r.send("NOOP\n")
    assert r.reply() == (500, ["5.5.2 Syntax error: bare LF; lines must end with CRLF (RFC "
                               "5321 2.3.8)"])
    r.send("NO\rOP\r\n")
    assert r.reply()[0] == 500
    assert r.cmd("NOOP")[0] == 250
    r.close()


def test_pipelined_batch_answered_in_order(sink):
    before = len(sink.messages())
    r = greet(sink.port)
    r.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<bad address>\r\n"
           "RCPT TO:<c@example.org>\r\nDATA\r\n")
    assert [r.reply()[0] for _ in range(5)] == [250, 250, 501, 250, 354]
    # The end of data, a second whole transaction and QUIT, all in one write.
    r.send("Subject: one\r\n\r\n1\r\n.\r\nRSET\r\nMAIL FROM:<>\r\nRCPT TO:<d@example.org>\r\n"
           "DATA\r\nSubject: two\r\n\r\n2\r\n.\r\nNOOP\r\nFROB\r\nQUIT\r\n")
    codes = [r.reply()[0] for _ in range(9)]
    assert codes == [250, 250, 250, 250, 354, 250, 250, 500, 221]
    assert r.closed()
    msgs = sink.messages()[before:]
    assert [strip_received(m) for _, m in msgs] == [b"Subject: one\r\n\r\n1\r\n",
                                                    b"Subject: two\r\n\r\n2\r\n"]
    assert msgs[1][0].startswith("mail-from <>\n")


def test_large_pipelined_batch_of_many_commands(sink):
    r = greet(sink.port)
    r.send("NOOP\r\n" * 30)
    assert [r.reply()[0] for _ in range(30)] == [250] * 30
    r.close()


def test_session_fed_a_byte_at_a_time(sink):
    before = len(sink.messages())
    r = greet(sink.port, ehlo=False)
    r.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    script = (b"EHLO x\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"
              b"Subject: slow\r\n\r\n..dot\r\n.\r\n")
    for i in range(len(script)):
        r.send(script[i:i + 1])
    assert r.reply()[0] == 250  # EHLO
    assert [r.reply()[0] for _ in range(4)] == [250, 250, 354, 250]
    _, msg = sink.messages()[before]
    assert strip_received(msg) == b"Subject: slow\r\n\r\n.dot\r\n"
    r.close()


def test_flood_past_the_command_limit_ends_with_421(sink):
    r = greet(sink.port)
    # 40 commands is the session limit, so the session ends; it must not hang or crash.
    r.send("NOOP\r\n" * 1000)
    codes = []
    try:
        while True:
            codes.append(r.reply()[0])
    except (EOFError, ConnectionResetError):
        pass
    assert codes[-1] == 421 and codes.count(250) == 39
    assert sink.alive()


def test_timeout_421_4_4_2(tmp_path):
    opts = dict(TRUSTED)
    opts.update({"smtp.timeout_command": 1, "smtp.timeout_data": 1})
    s = Sink(str(tmp_path), tls=False, options=opts)
    try:
        r = greet(s.port)
        # Wait without sending: the server must say 421 and close.
        assert r.reply() == (421, ["4.4.2 Timeout exceeded: no command received in time, "
                                   "closing connection"])
        assert r.closed()
        # Mid-DATA the data timeout applies; the half message is not stored.
        r = greet(s.port)
        r.cmd("MAIL FROM:<a@example.com>")
        r.cmd("RCPT TO:<b@example.org>")
        assert r.cmd("DATA")[0] == 354
        r.send("Subject: stalled\r\n\r\nhalf a line")
        assert r.reply() == (421, ["4.4.2 Timeout exceeded: no message data received in time, "
                                   "closing connection"])
        assert r.closed()
        assert s.messages() == []
    finally:
        assert s.stop() == 0


def test_sessions_per_ip_and_total_421_4_7_0(tmp_path):
    s = Sink(str(tmp_path), tls=False,
             options={"smtp.max_sessions_per_ip": 2, "smtp.max_sessions": 3})
    try:
        a, b = greet(s.port), greet(s.port)
        c = Raw(s.port)
        assert c.reply() == (421, ["4.7.0 Too many connections from your address, try again "
                                   "later"])
        assert c.closed()
        d = Raw(s.port, source="127.0.0.2")  # another client address: fits the total of 3
        assert d.reply()[0] == 220
        e = Raw(s.port, source="127.0.0.3")
        assert e.reply() == (421, ["4.7.0 Too many connections, try again later"])
        assert e.closed()
        a.cmd("QUIT")
        assert a.closed()
        # The slot is free again once the first session has gone.
        deadline = time.monotonic() + 10
        while True:
            f = Raw(s.port)
            code, _ = f.reply()
            if code == 220 or time.monotonic() > deadline:
                break
            f.close()
        assert code == 220
        for r in (b, d, f):
            r.close()
    finally:
        assert s.stop() == 0


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.parametrize("tls", [False, True], ids=["plaintext", "starttls"])
def test_client_that_does_not_read_gets_backpressure_not_memory_growth(tmp_path, tls):
    import threading
    opts = dict(TRUSTED)
    opts["smtp.max_commands"] = 10_000_000
    s = Sink(str(tmp_path), tls=tls, options=opts)
    try:
        r = greet(s.port)
        if tls:
            assert r.cmd("STARTTLS")[0] == 220
            r.starttls()
            r.cmd("EHLO c")
        before = rss_kb(s.proc.pid)
        # Each HELP is 6 octets in and 130 out: 32 MB of replies if they were all buffered.
        n = 250_000
        sender = threading.Thread(target=r.send, args=("HELP\r\n" * n,))
        sender.start()
        time.sleep(2)  # not reading: the server must stop producing, then stop reading
        grown = rss_kb(s.proc.pid) - before
        # Bounded buffers (64 KiB per direction plus TLS and allocator slack) stay far below.
        assert grown < 16 * 1024, f"server RSS grew {grown} kB while the client did not read"
        codes = [r.reply()[0] for _ in range(n)]  # now read: everything arrives, in order
        sender.join()
        assert codes == [214] * n
        assert r.cmd("NOOP")[0] == 250
        r.close()
    finally:
        assert s.stop() == 0


def test_thousand_sessions_at_once_each_served_or_refused(tmp_path):
    s = Sink(str(tmp_path), tls=False,
             options={"smtp.max_sessions": 600, "smtp.max_sessions_per_ip": 1000})
    try:
        clients = [Raw(s.port) for _ in range(1000)]
        replies = [c.reply() for c in clients]
        served = [c for c, (code, _) in zip(clients, replies) if code == 220]
        refused = [r for r in replies if r[0] != 220]
        assert len(served) == 600
        assert refused == [(421, ["4.7.0 Too many connections, try again later"])] * 400
        # Every served session still answers, and once they are gone new ones are served.
        for c in served[:50]:
            assert c.cmd("NOOP")[0] == 250
        for c in clients:
            c.close()
        deadline = time.monotonic() + 10
        while True:
            c = Raw(s.port)
            code, _ = c.reply()
            c.close()
            if code == 220 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert code == 220
    finally:
        assert s.stop() == 0
