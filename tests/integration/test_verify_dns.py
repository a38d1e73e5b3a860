"""Identity and custom MAIL FROM verification against a real DNS server (nsd) that the test
starts, rewrites and reloads: every state transition, with a pinned clock for the 72 h rule,
the return path a message would get in each state under both behaviours, and the events."""
import json

import pytest

from rbhelpers_dns import SilentUdp
from rbhelpers_verify import FEEDBACK, HOUR, T0, TOKEN_RE, Rebound, ZoneServer, parse_check

ORIGIN = "example.test"
MF = "bounce.example.test"
GOOD_MX = [f"bounce IN MX 10 {FEEDBACK}."]
GOOD_SPF = ['bounce IN TXT "v=spf1 ip4:192.0.2.10 ip4:192.0.2.11 ~all"']
REFUSED = "554 5.7.1 Message rejected: Custom MAIL FROM domain is not verified"


@pytest.fixture
def zone_server(tmp_path):
    with ZoneServer(tmp_path, ORIGIN) as z:
        yield z


def add_domain(rb):
    out = rb.ok("identity", "add", ORIGIN, "--account", "acme")
    m = TOKEN_RE.search(out)
    assert m, out
    assert m.group(1) == f"_rebound.{ORIGIN}"
    return m.group(2)


def setup_account(rb):
    rb.ok("account", "create", "acme")
    return add_domain(rb)


def check(rb, *what):
    return parse_check(rb.ok(*what))


def test_domain_token_transitions(tmp_path, zone_server):
    rb = Rebound(tmp_path, zone_server.address)
    token = setup_account(rb)
    assert check(rb, "identity", "check", ORIGIN) == (
        "PENDING", "PENDING", f"no TXT record at _rebound.{ORIGIN} (the name does not exist)")
    zone_server.publish(['_rebound IN TXT "not-the-token"'])
    rb.at(T0 + HOUR)
    assert check(rb, "identity", "check", ORIGIN) == (
        "PENDING", "PENDING",
        f"the TXT record at _rebound.{ORIGIN} does not hold this identity's token")
    zone_server.publish([f'_rebound IN TXT "{token}"'])
    rb.at(T0 + 2 * HOUR)
    assert check(rb, "identity", "check", ORIGIN) == ("PENDING", "SUCCESS", None)
    show = rb.ok("identity", "show", ORIGIN)
    assert "status        : SUCCESS (last check: 2023-11-15T00:13:20Z)" in show
    events = [json.loads(line.split(None, 3)[3]) for line in show.splitlines()
              if line.startswith("event:")]
    assert [(e["from"], e["to"]) for e in events] == [("PENDING", "SUCCESS")]


def test_domain_failed_after_72_hours(tmp_path, zone_server):
    rb = Rebound(tmp_path, zone_server.address)
    setup_account(rb)
    rb.at(T0 + 72 * HOUR - 1)
    assert check(rb, "identity", "check", ORIGIN)[1] == "PENDING"
    rb.at(T0 + 72 * HOUR)
    frm, to, reason = check(rb, "identity", "check", ORIGIN)
    assert (frm, to) == ("PENDING", "FAILED")
    assert "no TXT record" in reason


def test_dns_records_are_publishable(tmp_path, zone_server):
    """What `rebound dns-records` prints, pasted into the zone, verifies both checks."""
    rb = Rebound(tmp_path, zone_server.address)
    setup_account(rb)
    rb.ok("mail-from", "set", ORIGIN, MF)
    lines = rb.ok("dns-records", ORIGIN).splitlines()
    assert len(lines) == 3
    assert lines[1] == f"{MF}. 3600 IN MX 10 {FEEDBACK}."
    assert lines[2] == f'{MF}. 3600 IN TXT "v=spf1 ip4:192.0.2.10 ip4:192.0.2.11 ~all"'
    zone_server.publish(lines)
    assert check(rb, "identity", "check", ORIGIN)[1] == "SUCCESS"
    assert check(rb, "mail-from", "check", ORIGIN)[1] == "SUCCESS"


def return_path(rb):
    for line in rb.ok("mail-from", "show", ORIGIN).splitlines():
        if line.startswith("return path:") or line.startswith("submission:"):
            return line
    raise AssertionError("no return path line")


def test_mail_from_every_transition(tmp_path, zone_server):
    rb = Rebound(tmp_path, zone_server.address)
    setup_account(rb)
    rb.ok("mail-from", "set", ORIGIN, MF, "REJECT_MESSAGE")
    assert return_path(rb) == f"submission:  refused: {REFUSED} " \
                              "(API: MailFromDomainNotVerifiedException)"
    steps = [
        ([], "PENDING", f"no MX record at {MF} (the name does not exist)"),
        ([f"bounce IN MX 10 {FEEDBACK}.", "bounce IN MX 20 mx2.example.test."] + GOOD_SPF,
         "PENDING", f"{MF} has 2 MX records; exactly one, pointing at {FEEDBACK}, is needed"),
        (["bounce IN MX 10 mx.other.test."] + GOOD_SPF, "PENDING",
         f"the MX record of {MF} points at mx.other.test, not at the feedback host {FEEDBACK}"),
        (GOOD_MX, "PENDING", f"no SPF record at {MF}"),
        (GOOD_MX + ['bounce IN TXT "v=spf1 ip4:192.0.2.10 -all"'], "PENDING",
         f"the SPF record of {MF} gives fail for sending IP 192.0.2.11, not pass"),
        (GOOD_MX + GOOD_SPF, "SUCCESS", None),
    ]
    now = T0
    for records, want, reason in steps:
        zone_server.publish(records)
        now += HOUR
        rb.at(now)
        got = check(rb, "mail-from", "check", ORIGIN)
        assert got[1:] == (want, reason), f"records {records}"
    assert return_path(rb) == f"return path: {MF} (custom MAIL FROM)"
    success_at = now

    # the records go: SUCCESS drops to TEMPORARY_FAILURE; both behaviours
    zone_server.publish([])
    rb.at(now + HOUR)
    assert check(rb, "mail-from", "check", ORIGIN) == (
        "SUCCESS", "TEMPORARY_FAILURE", f"no MX record at {MF} (the name does not exist)")
    assert return_path(rb).startswith(f"submission:  refused: {REFUSED}")
    rb.ok("mail-from", "set", ORIGIN, MF, "USE_DEFAULT_VALUE")  # same domain: state kept
    assert "status     : TEMPORARY_FAILURE" in rb.ok("mail-from", "show", ORIGIN)
    assert return_path(rb) == "return path: bounces.rebound.test (default bounce domain)"

    # records back, then the DNS server stops answering: TEMPORARY_FAILURE
    zone_server.publish(GOOD_MX + GOOD_SPF)
    rb.at(now + 2 * HOUR)
    assert check(rb, "mail-from", "check", ORIGIN)[1] == "SUCCESS"
    success_at = now + 2 * HOUR
    with SilentUdp() as silent:
        rb.at(now + 3 * HOUR, silent.address)
        frm, to, reason = check(rb, "mail-from", "check", ORIGIN)
        assert (frm, to) == ("SUCCESS", "TEMPORARY_FAILURE")
        assert reason.startswith(f"the MX lookup of {MF} failed temporarily")
        # 72 hours after the last success, still no answer: FAILED
        rb.at(success_at + 72 * HOUR)
        assert check(rb, "mail-from", "check", ORIGIN)[:2] == ("TEMPORARY_FAILURE", "FAILED")
    assert return_path(rb) == "return path: bounces.rebound.test (default bounce domain)"

    events = [json.loads(line.split(None, 3)[3]) for line in
              rb.ok("identity", "show", ORIGIN).splitlines() if line.startswith("event:")]
    mf = [(e["from"], e["to"], e["reason"]) for e in events if e["target"] == "MAIL_FROM"]
    assert [(f, t) for f, t, _ in mf] == [
        ("PENDING", "SUCCESS"), ("SUCCESS", "TEMPORARY_FAILURE"),
        ("TEMPORARY_FAILURE", "SUCCESS"), ("SUCCESS", "TEMPORARY_FAILURE"),
        ("TEMPORARY_FAILURE", "FAILED")]
    assert mf[1][2] == f"no MX record at {MF} (the name does not exist)"


def test_mail_from_rules_refused(tmp_path, zone_server):
    rb = Rebound(tmp_path, zone_server.address)
    setup_account(rb)
    rb.ok("account", "create", "other")
    rb.ok("identity", "add", "other.test", "--account", "other")
    rb.ok("identity", "add", "taken.example.test", "--account", "other")
    rb.ok("mail-from", "set", "other.test", "mf.other.test")
    cases = [
        (ORIGIN, f"MAIL FROM domain '{ORIGIN}' must be a subdomain of {ORIGIN}, "
                 "not the identity itself"),
        ("bounce.other.test", f"MAIL FROM domain 'bounce.other.test' is not a subdomain of "
                              f"{ORIGIN}"),
        ("b_x.example.test", "MAIL FROM domain 'b_x.example.test' is not a valid DNS name"),
        ("taken.example.test", "MAIL FROM domain 'taken.example.test' is an identity of "
                               "another account"),
    ]
    for domain, why in cases:
        r = rb.run("mail-from", "set", ORIGIN, domain)
        assert r.returncode == 1
        assert r.stderr.startswith(f"rebound: mail-from set: {why}"), r.stderr
    r = rb.run("mail-from", "set", "other.test", "mf.other.test", "SOMETIMES")
    assert r.returncode == 2 and "is not USE_DEFAULT_VALUE or REJECT_MESSAGE" in r.stderr
    rb.ok("account", "create", "third")
    rb.ok("identity", "add", "x.test", "--account", "third")
    r = rb.run("mail-from", "set", "alice@example.test", "b.example.test")
    assert r.returncode == 1


def test_check_issues_missing_token(tmp_path, zone_server):
    """A domain recorded before verification existed (no token) gets one at its first check."""
    import sqlite3
    rb = Rebound(tmp_path, zone_server.address)
    setup_account(rb)
    with sqlite3.connect(rb.db) as db:
        db.execute("UPDATE identities SET token = NULL")
    out = rb.ok("identity", "check", ORIGIN)
    m = TOKEN_RE.search(out)
    assert m and m.group(1) == f"_rebound.{ORIGIN}", out
    zone_server.publish([f'_rebound IN TXT "{m.group(2)}"'])
    assert check(rb, "identity", "check", ORIGIN)[1] == "SUCCESS"
