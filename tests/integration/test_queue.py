"""The delivery queue end to end: messages committed to a real SQLite store with
`rebound queue inject`, delivered by `rebound queue run` through MX data from a real nsd to
Postfix's smtp-sink and scripted receivers; outcomes read back with `rebound message show`."""
import email
import email.policy
import os
import signal
import subprocess
import time

from rbhelpers_deliver import REBOUND, ScriptedMta, SmtpSink, parse_dump
from rbhelpers_queue import IPS, RETURN_PATH, SENDER, QueueBed, addr

MESSAGE = (b"From: Alice <alice@sender.queue.test>\r\nTo: bob@ok.queue.test\r\n"
           b"Subject: queued\r\nMessage-ID: <q1@sender.queue.test>\r\n\r\n"
           b"first line\r\n.a line starting with a dot\r\nlast line\r\n")


def test_accepting_sink_gets_the_message_byte_identical_with_the_return_path(tmp_path):
    with QueueBed(tmp_path) as bed, SmtpSink(tmp_path, IPS["ok"], bed.port) as sink:
        [mid] = bed.inject(MESSAGE, [addr("bob", "ok"), addr("carol", "ok")])
        stats = bed.run()
        assert stats["delivered"] == "2", stats
        dumps = sink.dumps()
        assert len(dumps) == 1, f"got {len(dumps)} transactions, want 1 (one per domain)"
        meta, body = parse_dump(dumps[0])
        # smtp-sink writes LF lines and an empty line after the message
        assert body == MESSAGE.replace(b"\r\n", b"\n") + b"\n"
        assert meta["X-Mail-Args"][0].split(" ")[0] == f"<{RETURN_PATH}>", meta
        assert meta["X-Rcpt-Args"] == [f"<{addr('bob', 'ok')}>", f"<{addr('carol', 'ok')}>"]
        lines = bed.show(mid)
        assert any(" accepted " in line for line in lines)
        assert sum(" attempt " in line and "result=delivered" in line for line in lines) == 2
        assert any(f"recipient <{addr('bob', 'ok')}> state=delivered attempts=1" in line
                   for line in lines), lines
        events = bed.events(mid)
        assert [t for t, _ in events] == ["Delivery", "Delivery"]
        ev = events[0][1]
        assert ev["eventType"] == "Delivery"
        assert ev["mail"]["messageId"] == mid
        assert ev["mail"]["source"] == SENDER
        assert sorted(ev["mail"]["destination"]) == [addr("bob", "ok"), addr("carol", "ok")]
        d = ev["delivery"]
        assert d["recipients"] in ([addr("bob", "ok")], [addr("carol", "ok")])
        assert d["smtpResponse"].startswith("250")
        assert d["reportingMTA"] == "mta.rebound.test"
        assert d["remoteMtaIp"] == IPS["ok"]
        assert d["processingTimeMillis"] >= 0 and d["timestamp"].endswith("Z")


def dsn_parts(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "delivery-status"
    parts = msg.get_payload()
    return msg, parts


def test_rejecting_sink_bounces_with_an_event_and_a_dsn_to_the_original_sender(tmp_path):
    with QueueBed(tmp_path) as bed, \
            SmtpSink(tmp_path, IPS["bad"], bed.port, "-f", "RCPT") as bad, \
            SmtpSink(tmp_path, IPS["sender"], bed.port) as sender:
        [mid] = bed.inject(MESSAGE, [addr("bob", "bad")], SENDER, RETURN_PATH,
                           "--orcpt", "--envid", "ENV-42")
        stats = bed.run()
        assert stats == {"delivered": "1", "deferred": "0", "bounced": "1", "dsns": "1"}, stats
        assert bad.dumps() == []
        [(etype, ev)] = bed.events(mid)
        assert etype == "Bounce"
        assert ev["bounce"]["bounceType"] == "Permanent"
        assert ev["bounce"]["bouncedRecipients"][0]["emailAddress"] == addr("bob", "bad")
        assert ev["bounce"]["bouncedRecipients"][0]["status"].startswith("5.")
        assert ev["bounce"]["reportingMTA"] == "dns; mta.rebound.test"
        [dump] = sender.dumps()
        meta, raw = parse_dump(dump)
        # the DSN goes to the ORIGINAL envelope-from, from the null reverse-path
        assert meta["X-Mail-Args"][0].split(" ")[0] == "<>", meta
        assert meta["X-Rcpt-Args"] == [f"<{SENDER}>"], meta
        msg, parts = dsn_parts(raw.replace(b"\n", b"\r\n"))
        assert msg["To"] == f"<{SENDER}>"
        assert msg["Auto-Submitted"] == "auto-replied"
        assert [p.get_content_type() for p in parts] == [
            "text/plain", "message/delivery-status", "text/rfc822-headers"]
        status = parts[1].get_payload()
        per_msg, per_rcpt = status[0], status[1]
        assert per_msg["Reporting-MTA"] == "dns; mta.rebound.test"
        assert per_msg["Original-Envelope-Id"] == "ENV-42"
        assert per_msg["Arrival-Date"]
        assert per_rcpt["Final-Recipient"] == f"rfc822; {addr('bob', 'bad')}"
        assert per_rcpt["Original-Recipient"] == f"rfc822; {addr('bob', 'bad')}"
        assert per_rcpt["Action"] == "failed"
        assert per_rcpt["Status"].startswith("5.")
        assert per_rcpt["Remote-MTA"] == "dns; mx-bad.queue.test"
        assert per_rcpt["Diagnostic-Code"].startswith("smtp; 5")
        headers = parts[2].get_payload()
        assert "Message-ID: <q1@sender.queue.test>" in headers
        assert "first line" not in headers


def test_ret_full_returns_the_whole_message(tmp_path):
    with QueueBed(tmp_path) as bed, \
            SmtpSink(tmp_path, IPS["bad"], bed.port, "-f", "RCPT"), \
            SmtpSink(tmp_path, IPS["sender"], bed.port) as sender:
        bed.inject(MESSAGE, [addr("bob", "bad")], SENDER, RETURN_PATH, "--ret", "FULL")
        bed.run()
        [dump] = sender.dumps()
        _, raw = parse_dump(dump)
        _, parts = dsn_parts(raw.replace(b"\n", b"\r\n"))
        assert parts[2].get_content_type() == "message/rfc822"
        assert b"last line" in raw


def test_null_sender_never_gets_a_dsn(tmp_path):
    with QueueBed(tmp_path) as bed, \
            SmtpSink(tmp_path, IPS["bad"], bed.port, "-f", "RCPT"), \
            SmtpSink(tmp_path, IPS["sender"], bed.port) as sender:
        [mid] = bed.inject(MESSAGE, [addr("bob", "bad")], "", "")
        stats = bed.run()
        assert stats["bounced"] == "1" and stats["dsns"] == "0", stats
        assert sender.dumps() == []
        assert [t for t, _ in bed.events(mid)] == ["Bounce"]


def test_4xx_then_2xx_gives_a_delay_then_a_delivery(tmp_path):
    calls = []

    def rcpt(line, session):
        calls.append(line)
        return "451 4.3.0 try again later" if len(calls) == 1 else "250 2.1.5 Ok"

    with QueueBed(tmp_path, deliver__retry_initial_ms=200) as bed, \
            ScriptedMta(IPS["flaky"], bed.port, {"RCPT": rcpt}) as mta:
        [mid] = bed.inject(MESSAGE, [addr("bob", "flaky")])
        stats = bed.run()
        assert stats["deferred"] == "1" and stats["delivered"] == "1", stats
        events = bed.events(mid)
        assert [t for t, _ in events] == ["DeliveryDelay", "Delivery"]
        delay = events[0][1]["deliveryDelay"]
        assert delay["delayedRecipients"][0]["status"] == "4.3.0"
        assert delay["delayedRecipients"][0]["diagnosticCode"].startswith("smtp; 451")
        lines = bed.show(mid)
        attempts = [line for line in lines if " attempt " in line]
        assert "result=deferred" in attempts[0] and "451 4.3.0 try again later" in attempts[0]
        assert "result=delivered" in attempts[1]
        assert any("state=delivered attempts=2" in line for line in lines)
        assert len(mta.sessions[-1]["data"]) == 1


def test_lifetime_expired_bounces_with_4_4_7_and_a_dsn(tmp_path):
    t0 = 1_900_000_000
    with QueueBed(tmp_path) as bed, \
            ScriptedMta(IPS["flaky"], bed.port, {"RCPT": "451 4.2.2 mailbox full"}), \
            SmtpSink(tmp_path, IPS["sender"], bed.port) as sender:
        bed.write_config(clock__fixed=t0)
        [mid] = bed.inject(MESSAGE, [addr("bob", "flaky")])
        bed.write_config(clock__fixed=t0 + 24 * 3600)  # the default lifetime: 24 h
        stats = bed.run()
        assert stats["bounced"] == "1" and stats["dsns"] == "1", stats
        [(etype, ev)] = bed.events(mid)
        assert etype == "Bounce"
        assert ev["bounce"]["bouncedRecipients"][0]["status"] == "4.4.7"
        [dump] = sender.dumps()
        _, raw = parse_dump(dump)
        _, parts = dsn_parts(raw.replace(b"\n", b"\r\n"))
        per_rcpt = parts[1].get_payload()[1]
        assert per_rcpt["Status"] == "4.4.7" and per_rcpt["Action"] == "failed"
        assert "451 4.2.2 mailbox full" in per_rcpt["Diagnostic-Code"]


def test_kill_9_during_a_run_loses_nothing(tmp_path):
    n = 300
    with QueueBed(tmp_path, deliver__lease_ms=1000, deliver__concurrency=2) as bed, \
            SmtpSink(tmp_path, IPS["ok"], bed.port) as sink:
        ids = bed.inject(MESSAGE, [addr("bob", "ok")], SENDER, RETURN_PATH, "--count", str(n))
        assert len(ids) == n
        proc = subprocess.Popen([REBOUND, "queue", "run", "--watch", "--config",
                                 str(bed.config)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while len(sink.dumps()) < 10 and time.monotonic() < deadline:
                time.sleep(0.01)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        before = len(sink.dumps())
        assert 0 < before < n, f"got {before} deliveries before the kill, want some but not all"
        stats = bed.run(timeout=120)
        assert int(stats["delivered"]) <= n
        # ENVID is rebound's message id: every message arrived at least once, none is lost
        envids = [parse_dump(d)[0]["X-Mail-Args"][0].split("ENVID=")[1] for d in sink.dumps()]
        assert set(envids) == set(ids), f"missing at the sink: {sorted(set(ids) - set(envids))[:5]}"
        assert len(envids) >= n
        listed = bed.message_list()
        assert len(listed) == n
        assert all("delivered=1 bounced=0 pending=0" in line for line in listed), listed[:3]


def test_queue_usage_errors(tmp_path):
    out = subprocess.run([REBOUND, "queue", "launch"], capture_output=True)
    assert out.returncode == 2 and b"rebound: queue" in out.stderr
    out = subprocess.run([REBOUND, "message", "show"], capture_output=True)
    assert out.returncode == 2
    with QueueBed(tmp_path) as bed:
        out = bed.rebound("message", "show", "000000000000-0000000000000000")
        assert out.returncode == 1 and b"no message" in out.stderr


def concurrency_probe(window, hold):
    """A "." reply that records how many transactions are between DATA and its reply at once.
    Each holds its reply for `hold` seconds, or until one more than `window` are in at once, so
    a scheduler that broke the window would be caught with the extra transaction inside."""
    import threading
    state = {"now": 0, "max": 0, "seen": 0}
    cond = threading.Condition()

    def dot(line, session):
        with cond:
            state["now"] += 1
            state["seen"] += 1
            state["max"] = max(state["max"], state["now"])
            cond.notify_all()
            cond.wait_for(lambda: state["now"] > window, timeout=hold)
            state["now"] -= 1
        return "250 2.0.0 Ok"
    return state, dot


def test_per_domain_window_bounds_parallel_transactions(tmp_path):
    state, dot = concurrency_probe(2, 0.4)
    with QueueBed(tmp_path, deliver__concurrency=10, deliver__domain_concurrency=2) as bed, \
            ScriptedMta(IPS["flaky"], bed.port, {".": dot}):
        bed.inject(MESSAGE, [addr("bob", "flaky")], SENDER, RETURN_PATH, "--count", "8")
        stats = bed.run()
        assert stats["delivered"] == "8", stats
    assert state["seen"] == 8
    assert state["max"] == 2, f"got {state['max']} transactions at once, want 2 (the window)"


def test_global_window_bounds_parallel_transactions(tmp_path):
    state, dot = concurrency_probe(1, 0.3)
    with QueueBed(tmp_path, deliver__concurrency=1, deliver__domain_concurrency=5) as bed, \
            ScriptedMta(IPS["flaky"], bed.port, {".": dot}):
        bed.inject(MESSAGE, [addr("bob", "flaky")], SENDER, RETURN_PATH, "--count", "4")
        stats = bed.run()
        assert stats["delivered"] == "4", stats
    assert state["seen"] == 4
    assert state["max"] == 1, f"got {state['max']} transactions at once, want 1 (the window)"


def test_watch_runs_until_sigterm_and_then_exits_cleanly(tmp_path):
    with QueueBed(tmp_path) as bed, SmtpSink(tmp_path, IPS["ok"], bed.port) as sink:
        proc = subprocess.Popen([REBOUND, "queue", "run", "--watch", "--config",
                                 str(bed.config)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:
            # mail queued while it watches is picked up by its next look at the store
            [mid] = bed.inject(MESSAGE, [addr("bob", "ok")])
            deadline = time.monotonic() + 30
            seen = False
            while not seen and time.monotonic() < deadline:
                time.sleep(0.05)
                seen = any("state=delivered" in line for line in bed.show(mid))
            # visible to other processes while it still runs (regression: its connections'
            # locks were dropped and another process deleted the WAL they wrote to)
            assert seen, bed.show(mid)
            assert len(sink.dumps()) == 1
            assert proc.poll() is None, "queue run --watch exited on its own"
        finally:
            os.kill(proc.pid, signal.SIGTERM)
            out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert out.decode().strip() == "delivered=1 deferred=0 bounced=0 dsns=0"
        assert any("state=delivered" in line for line in bed.show(mid))


def test_notify_never_bounces_without_a_dsn(tmp_path):
    with QueueBed(tmp_path) as bed, \
            SmtpSink(tmp_path, IPS["bad"], bed.port, "-f", "RCPT"), \
            SmtpSink(tmp_path, IPS["sender"], bed.port) as sender:
        [mid] = bed.inject(MESSAGE, [addr("bob", "bad")], SENDER, RETURN_PATH,
                           "--notify", "NEVER")
        stats = bed.run()
        assert stats["bounced"] == "1" and stats["dsns"] == "0", stats
        assert sender.dumps() == []
        assert [t for t, _ in bed.events(mid)] == ["Bounce"]
