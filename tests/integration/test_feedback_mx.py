"""The feedback MX (`rebound feedback-mx`): real SMTP clients (smtplib, swaks) on loopback
against a real SQLite store. Expected classifications come from the corpus's expected.tsv
(Sisimai's results), never from rebound itself."""
import csv
import os
import subprocess

import pytest

from rbhelpers_feedback import (BOUNCE_DOMAIN, CORPUS, DAY, MAILFROM_DOMAIN, NOW, OPERATOR,
                                POSTFIX_DSN, SHARED, FeedbackMX, read_sample)

NO_SUCH = "5.1.1 No such recipient here"


@pytest.fixture
def mx(tmp_path):
    m = FeedbackMX(tmp_path)
    m.tenants()
    m.start()
    yield m
    m.stop()


def expected(sample):
    with open(os.path.join(SHARED, "bounces", "expected.tsv")) as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t")
                if r["sample"] == f"maildir/bsd/{sample}"]
    assert rows, sample
    return rows


def test_postfix_bounce_is_recorded_suppressed_and_forwarded_with_swaks(mx):
    rp = mx.mint("alice@example.com")
    assert rp.startswith("SRS0=") and rp.endswith("@" + BOUNCE_DOMAIN)
    data = mx.tmp / "bounce.eml"
    data.write_bytes(read_sample(POSTFIX_DSN))
    r = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(mx.port),
                        "--helo", "mx.example.net", "--from", "<>", "--to", rp,
                        "--data", "@" + str(data)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert " -> MAIL FROM:<>\n" in r.stdout, r.stdout
    ((queued,),) = mx.query("SELECT id FROM messages")
    assert f"<-  250 2.0.0 Ok {queued}\n" in r.stdout, r.stdout
    ((etype, linked, ev),) = mx.events()
    assert (etype, linked) == ("Bounce", None)
    assert ev["eventType"] == "Bounce"
    b = ev["bounce"]
    assert (b["bounceType"], b["bounceSubType"]) == ("Permanent", "General") or \
        (b["bounceType"], b["bounceSubType"]) == ("Permanent", "NoEmail")
    assert b["bouncedRecipients"][0]["emailAddress"] == "nosuchuser@example.net"
    assert b["bouncedRecipients"][0]["action"] == "failed"
    assert b["bouncedRecipients"][0]["status"] == "5.1.1"
    assert b["reportingMTA"] == "dns; mx.example.net"
    assert b["remoteMtaIp"] == "127.0.0.1"
    assert b["timestamp"] == "2026-11-28T09:48:30.000Z"
    assert ev["mail"]["source"] == "alice@example.com"
    assert mx.suppressions() == [("acme", "nosuchuser@example.net", "BOUNCE")]
    ((account, rcpt, notify, body),) = mx.forwards()
    assert (account, rcpt, notify) == ("acme", "alice@example.com", 1)  # NOTIFY=NEVER
    assert body.startswith(b"Received: from mx.example.net")
    assert b"Subject: Undelivered Mail Returned to Sender\r\n" in body
    assert b"unknown user: \"nosuchuser@example.net\"" in body


def test_corpus_exim_bounce_two_permanent_recipients(mx):
    rp = mx.mint("alice@example.com")
    rows = expected("lhost-exim-02.eml")
    assert mx.send(rp, read_sample(os.path.join(CORPUS, "lhost-exim-02.eml"))) == (250, 250)
    got = [(e["bounce"]["bouncedRecipients"][0]["emailAddress"], e["bounce"]["bounceType"],
            e["bounce"]["bounceSubType"]) for _, _, e in mx.events()]
    assert got == [(r["recipient"], r["ses_type"], r["ses_subtype"]) for r in rows]
    assert mx.suppressions() == [("acme", r["recipient"], "BOUNCE") for r in rows]


def test_transient_bounce_is_not_suppressed(mx):
    rp = mx.mint("bob@example.com")
    (row,) = expected("lhost-exim-01.eml")
    assert row["ses_type"] == "Transient"
    assert mx.send(rp, read_sample(os.path.join(CORPUS, "lhost-exim-01.eml"))) == (250, 250)
    ((etype, _, ev),) = mx.events()
    assert (etype, ev["bounce"]["bounceType"], ev["bounce"]["bounceSubType"]) == \
        ("Bounce", row["ses_type"], row["ses_subtype"])
    assert mx.suppressions() == []
    assert [(a, r) for a, r, _, _ in mx.forwards()] == [("acme", "bob@example.com")]


def test_arf_complaint(mx):
    rp = mx.mint("news@example.com")
    (row,) = expected("arf-14.eml")
    assert mx.send(rp, read_sample(os.path.join(CORPUS, "arf-14.eml"))) == (250, 250)
    ((etype, _, ev),) = mx.events()
    assert etype == "Complaint"
    c = ev["complaint"]
    assert c["complainedRecipients"] == [{"emailAddress": row["recipient"]}]
    assert c["complaintFeedbackType"] == row["feedbacktype"]
    assert mx.suppressions() == [("acme", row["recipient"], "COMPLAINT")]
    assert [(a, r) for a, r, _, _ in mx.forwards()] == [("acme", "news@example.com")]


def test_auto_reply_is_forwarded_but_not_counted(mx):
    rp = mx.mint("alice@example.com")
    (row,) = expected("rfc3834-01.eml")
    assert row["reason"] == "vacation"
    assert mx.send(rp, read_sample(os.path.join(CORPUS, "rfc3834-01.eml"))) == (250, 250)
    assert mx.events() == []
    assert mx.suppressions() == []
    assert [(a, r) for a, r, _, _ in mx.forwards()] == [("acme", "alice@example.com")]
    assert "feedback-report kind=autoreply" in mx.logs()


def test_bounce_is_linked_to_the_original_message_by_envid(mx):
    (acme,) = mx.query("SELECT id FROM accounts WHERE name = 'acme'")[0]
    orig = "019ac9a2e2e4-00112233aabbccdd"
    mx.query("INSERT INTO messages (id, account_id, identity, envelope_from, return_path, size,"
             " arrival_ms, body) VALUES (?, ?, 'example.com', 'alice@example.com', 'x', 0, 0, '')",
             orig, acme)
    db_rows = mx.query("SELECT id FROM messages")
    assert db_rows == [(orig,)]
    rp = mx.mint("alice@example.com")
    data = read_sample(POSTFIX_DSN).replace(
        b"Reporting-MTA: dns; mx.example.net\r\n",
        b"Reporting-MTA: dns; mx.example.net\r\nOriginal-Envelope-Id: " + orig.encode() + b"\r\n")
    assert mx.send(rp, data) == (250, 250)
    ((etype, linked, ev),) = mx.events()
    assert (etype, linked, ev["mail"]["messageId"]) == ("Bounce", orig, orig)


def test_mail_from_domain_of_the_owner(mx):
    rp = mx.mint("alice@example.com", domain=MAILFROM_DOMAIN)
    assert rp.endswith("@" + MAILFROM_DOMAIN)
    assert mx.send(rp, read_sample(POSTFIX_DSN)) == (250, 250)
    assert [(a, r) for a, r, _, _ in mx.forwards()] == [("acme", "alice@example.com")]
    # beta's verified victim.co may not use acme's MAIL FROM domain.
    assert mx.rcpt(mx.mint("m@victim.co", domain=MAILFROM_DOMAIN))[0] == 550


def test_refusals_at_rcpt(mx):
    good = mx.mint("alice@example.com")
    local = good.split("@")[0]
    tag, hash_, stamp, host, user = local.split("=")
    forged = f"{tag}={'A' if hash_[0] != 'A' else 'B'}{hash_[1:]}={stamp}={host}={user}"
    expired = mx.mint("alice@example.com", now=NOW - 22 * DAY)
    # SRS.md section 2: fields are concatenated without delimiters, so moving the host/user
    # boundary keeps the MAC valid; the reversed address is no verified identity.
    shifted = mx.mint("m.spam@victim.co").split("@")[0].replace("=victim.co=m.spam",
                                                                "=victim.com=.spam")
    shifted_plain = mx.mint("am@victim.co").split("@")[0].replace("=victim.co=am",
                                                                  "=victim.coa=m")
    cases = {
        "forged hash": f"{forged}@{BOUNCE_DOMAIN}",
        "expired stamp": expired,
        "unknown bounce domain": f"{local}@bounce.other.test",
        "field shifting (SRS.md)": f"{shifted}@{BOUNCE_DOMAIN}",
        "field shifting, valid syntax": f"{shifted_plain}@{BOUNCE_DOMAIN}",
        "unverified identity": mx.mint("carol@unverified.example"),
        "unknown sender": mx.mint("dave@nowhere.example"),
        "not an SRS address": f"alice@{BOUNCE_DOMAIN}",
        "SRS1": "SRS1=abcd=foreign.example==HHHH=TT=example.com=alice@" + BOUNCE_DOMAIN,
    }
    for name, address in cases.items():
        code, text = mx.rcpt(address)
        assert (code, text[:len(NO_SUCH)]) == (550, NO_SUCH), f"{name}: got {code} {text}"
    assert "expired" in mx.rcpt(expired)[1]
    assert mx.rcpt(good)[0] == 250
    assert mx.events() == [] and mx.forwards() == [] and mx.suppressions() == []


def test_refused_report_stores_nothing(mx):
    expired = mx.mint("alice@example.com", now=NOW - 30 * DAY)
    assert mx.send(expired, read_sample(POSTFIX_DSN)) == (550, None)
    assert mx.query("SELECT count(*) FROM messages") == [(0,)]
    assert mx.query("SELECT count(*) FROM events") == [(0,)]


# Each classic relay trick with the exact reply: the engine's path grammar refuses what is not
# a mailbox (501 5.1.3), the feedback MX refuses every mailbox it does not serve (550 5.1.1).
RELAY_TRICKS = [
    (f"victim%victim.example@{BOUNCE_DOMAIN}", 550),
    ("VICTIM%Victim.EXAMPLE@Bounce.Rebound.TEST", 550),
    (f"victim.example!victim@{BOUNCE_DOMAIN}", 550),
    (f'"victim@victim.example"@{BOUNCE_DOMAIN}', 550),
    (f"victim@victim.example@{BOUNCE_DOMAIN}", 501),
    (f"@{BOUNCE_DOMAIN}:victim@victim.example", 550),
    (f"@{BOUNCE_DOMAIN},@relay.example:victim@victim.example", 550),
    ("victim@[127.0.0.1]", 550),
    ("postmaster@[127.0.0.1]", 550),
    ("victim@[IPv6:::1]", 550),
    ("victim@victim.example", 550),
    ("victim@victim.example.", 501),
    (f"postmaster@{BOUNCE_DOMAIN}.", 501),
    (f"postmaster@{BOUNCE_DOMAIN.upper()}.", 501),
    (f"victim@{BOUNCE_DOMAIN}", 550),
]


@pytest.mark.parametrize("address,code", RELAY_TRICKS)
def test_relay_tricks_are_refused(mx, address, code):
    got, text = mx.rcpt(address)
    assert got == code, f"{address}: got {got} {text}, want {code}"
    if code == 550:
        assert text.startswith(NO_SUCH), text
    assert mx.query("SELECT count(*) FROM messages") == [(0,)]


def test_postmaster_and_abuse_go_to_the_operator(mx):
    for rcpt in (f"postmaster@{BOUNCE_DOMAIN}", f"Abuse@{MAILFROM_DOMAIN.upper()}",
                 "Postmaster"):
        assert mx.send(rcpt, b"Subject: hello\r\n\r\nplease look\r\n",
                       sender="<someone@example.net>") == (250, 250), rcpt
    fw = mx.forwards()
    assert [(a, r) for a, r, _, _ in fw] == [("ops", OPERATOR)] * 3
    assert mx.events() == []


def test_postmaster_refused_without_operator(tmp_path):
    m = FeedbackMX(tmp_path, operator=False)
    m.tenants()
    m.start()
    try:
        code, text = m.rcpt(f"postmaster@{BOUNCE_DOMAIN}")
        assert (code, text[:len(NO_SUCH)]) == (550, NO_SUCH)
    finally:
        m.stop()


def test_starttls_offered_with_a_certificate(tmp_path):
    m = FeedbackMX(tmp_path, tls=True)
    m.tenants()
    m.start()
    try:
        c = m.client()
        assert c.has_extn("starttls")
        assert not c.has_extn("auth")
        c.close()
    finally:
        m.stop()


def test_no_starttls_and_no_auth_without_certificate(mx):
    c = mx.client()
    assert not c.has_extn("starttls") and not c.has_extn("auth")
    c.close()


def test_one_recipient_per_report(mx):
    c = mx.client()
    try:
        assert c.docmd("MAIL", "FROM:<>")[0] == 250
        assert c.docmd("RCPT", f"TO:<{mx.mint('alice@example.com')}>")[0] == 250
        assert c.docmd("RCPT", f"TO:<{mx.mint('bob@example.com')}>")[0] == 452
    finally:
        c.close()


def test_report_size_limit(tmp_path):
    m = FeedbackMX(tmp_path)
    with open(m.config, "a") as f:
        f.write('feedback.max_report_size = "2048"\n')
    m.tenants()
    m.start()
    try:
        c = m.client()
        assert c.docmd("MAIL", "FROM:<> SIZE=4096")[0] == 552
        c.close()
    finally:
        m.stop()


def test_one_log_line_per_event(mx):
    rp = mx.mint("alice@example.com")
    mx.send(rp, read_sample(os.path.join(CORPUS, "lhost-exim-02.eml")))
    mx.rcpt(f"victim%victim.example@{BOUNCE_DOMAIN}")
    logs = mx.logs()
    assert logs.count("feedback-event type=Bounce") == 2
    assert logs.count("feedback-queued ") == 1
    assert "feedback-refuse rcpt=<victim%victim.example@" in logs
    assert "feedback-test-secret" not in logs


def test_identity_verified_while_running_is_seen(mx):
    # The CLI writes the store while the MX runs (the MX must neither hold stale state nor
    # lose its locks on the database: a commit after this must be visible to other readers).
    rp = mx.mint("eve@newco.example")
    assert mx.rcpt(rp)[0] == 550
    mx.cli("identity", "add", "newco.example", "--account", "acme")
    mx.cli("identity", "verify", "--force", "newco.example")
    assert mx.send(rp, read_sample(POSTFIX_DSN)) == (250, 250)
    assert [(a, r) for a, r, _, _ in mx.forwards()] == [("acme", "eve@newco.example")]


def test_concurrent_reports_each_get_their_own_commit(mx):
    # Regression: the engine's struct smtp_message lives on its stack during the commit call
    # only; several sessions in DATA at once must each commit their own report.
    import threading
    senders = [f"user{i}@example.com" for i in range(12)]
    rps = [mx.mint(s) for s in senders]
    data = read_sample(POSTFIX_DSN)
    results = {}

    def one(i):
        results[i] = mx.send(rps[i], data)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(rps))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {i: (250, 250) for i in range(len(rps))}
    assert sorted(r for _, r, _, _ in mx.forwards()) == sorted(senders)
    assert len(mx.events()) == len(senders)
