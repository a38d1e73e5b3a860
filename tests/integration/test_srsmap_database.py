"""Database mode (postsrsd 2.x original-envelope = database) beyond the vector rows: aliases
live in a real SQLite file that survives a restart, expire after srs.max_age_days, and the two
alias failures answer as postsrsd does. Addresses and answers come from rows v2-037/v2-039."""
import os
import sqlite3

from rbhelpers_srsmap import NetstringReader, Srsmap, connect, netstring, read_tsv, write_secrets

V2 = {r["id"]: r for r in read_tsv("srs-postsrsd2-socketmap.tsv")}
FORWARD = V2["v2-037"]  # forward user@example.org -> OK SRS0=...=1=<alias>@srs.example.net
REVERSE = V2["v2-039"]  # reverse of that -> OK user@example.org


def start(tmp, name, envelope, clock):
    secret_file = os.path.join(tmp, "secrets")
    write_secrets(secret_file, [FORWARD["secrets_first_signs"]])
    s = {
        "srs.domain": FORWARD["srs_domain"],
        "srs.secret_file": secret_file,
        "clock.fixed": str(clock),
        "srsmap.socketmap": "inet:127.0.0.1:0",
        "srsmap.original_envelope": envelope,
    }
    if envelope == "database":
        s["srsmap.envelope_database"] = "sqlite:" + os.path.join(tmp, "aliases.db")
    return Srsmap(tmp, s, name=name)


def ask(srv, payload):
    s = connect(srv.address("socketmap", "forward,reverse"))
    s.sendall(netstring(payload.encode()))
    reply = NetstringReader(s).reply().decode()
    s.close()
    return reply


def test_alias_survives_a_restart(tmp_path):
    t0 = int(FORWARD["clock_unix"])
    a = start(str(tmp_path), "first", "database", t0)
    try:
        assert ask(a, FORWARD["request_payload"]) == FORWARD["response_payload"]
    finally:
        assert a.stop() == 0
    b = start(str(tmp_path), "second", "database", t0 + 3600)
    try:
        assert ask(b, REVERSE["request_payload"]) == REVERSE["response_payload"]
    finally:
        assert b.stop() == 0


def test_unknown_alias(tmp_path):
    srv = start(str(tmp_path), "empty", "database", int(REVERSE["clock_unix"]))
    try:
        assert ask(srv, REVERSE["request_payload"]) == "NOTFOUND Unknown alias."
    finally:
        assert srv.stop() == 0


def test_no_database_for_alias_in_embedded_mode(tmp_path):
    srv = start(str(tmp_path), "embedded", "embedded", int(REVERSE["clock_unix"]))
    try:
        assert ask(srv, REVERSE["request_payload"]) == "PERM No database for alias."
    finally:
        assert srv.stop() == 0


def test_expired_alias_is_not_used_and_purged_at_start(tmp_path):
    t0 = int(FORWARD["clock_unix"])
    a = start(str(tmp_path), "first", "database", t0)
    try:
        assert ask(a, FORWARD["request_payload"]) == FORWARD["response_payload"]
    finally:
        assert a.stop() == 0
    # srs.max_age_days (21) later the alias row has expired, although the SRS0 stamp is still
    # within its 21 days for the rest of that day.
    b = start(str(tmp_path), "later", "database", t0 + 21 * 86400)
    try:
        assert ask(b, REVERSE["request_payload"]) == "NOTFOUND Unknown alias."
    finally:
        assert b.stop() == 0
    db = sqlite3.connect(os.path.join(str(tmp_path), "aliases.db"))
    assert db.execute("SELECT COUNT(*) FROM kv").fetchone()[0] == 0
    db.close()
