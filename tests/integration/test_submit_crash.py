"""Durability: `kill -9` of `rebound serve` while several client threads submit a stream of
messages. After the crash every message that got a 250 must be in the store, intact (body
byte-exact after the Received: header, its recipient row present), and a restarted server
serves again on the same store."""
import smtplib
import sqlite3
import threading
import time

from rbhelpers_submit import Serve

THREADS = 6


def submitter(srv, tid, accepted, stop):
    n = 0
    while not stop.is_set():
        try:
            with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as s:
                s.ehlo("crash.rebound.test")
                while not stop.is_set():
                    body = (f"From: alice@example.com\r\nSubject: t{tid} n{n}\r\n\r\n"
                            f"thread {tid} message {n}\r\n" + "payload line\r\n" * (n % 40))
                    s.mail("alice@example.com")
                    s.rcpt(f"t{tid}@example.org")
                    code, text = s.data(body.encode())
                    if code == 250:
                        accepted.append((text.decode().split()[-1], body.encode(), tid))
                    n += 1
        except (OSError, smtplib.SMTPException):
            if stop.is_set():
                return
            time.sleep(0.05)


def test_kill_9_loses_no_acknowledged_message(tmp_path):
    srv = Serve(tmp_path, options={"submission.trusted_networks": "127.0.0.1/32",
                                   "submission.trusted_account": "acme"})
    accepted, stop = [], threading.Event()
    threads = [threading.Thread(target=submitter, args=(srv, t, accepted, stop))
               for t in range(THREADS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(accepted) < 300 and time.monotonic() < deadline:
        time.sleep(0.02)
    srv.kill9()  # mid-stream: sessions are in every state
    stop.set()
    for t in threads:
        t.join(timeout=30)
    acked = list(accepted)
    assert len(acked) >= 300, len(acked)
    con = sqlite3.connect(srv.db)
    try:
        for mid, body, tid in acked:
            row = con.execute("SELECT body FROM messages WHERE id = ?", (mid,)).fetchone()
            assert row is not None, f"250 for {mid} but it is not in the store"
            stored = row[0]
            head, _, rest = stored.partition(b"\r\n\tby ")
            assert head.startswith(b"Received: from "), stored[:80]
            assert rest.split(b"\r\n", 2)[2] == body, mid
            rcpts = con.execute("SELECT address FROM recipients WHERE message_id = ?",
                                (mid,)).fetchall()
            assert rcpts == [(f"t{tid}@example.org",)], (mid, rcpts)
        # Nothing half-stored: every message has its recipient.
        orphans = con.execute("SELECT count(*) FROM messages m WHERE NOT EXISTS "
                              "(SELECT 1 FROM recipients r WHERE r.message_id = m.id)").fetchone()
        assert orphans == (0,)
    finally:
        con.close()
    print(f"\nkill -9 after {len(acked)} acknowledged messages from {THREADS} threads: all "
          f"present and intact")
    # The store opens again and the server serves.
    srv.start()
    try:
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as s:
            assert s.sendmail("alice@example.com", ["z@example.org"],
                              b"From: alice@example.com\r\n\r\nafter restart\r\n") == {}
        assert srv.show(acked[0][0], body=True).endswith(acked[0][1])
    finally:
        assert srv.stop() == 0
