"""`rebound account` and `rebound identity`: what an operator sees (stdout, stderr, exit)."""
import base64
import re
import hashlib
import sqlite3
import subprocess

from rbhelpers_store import REBOUND, Rebound


def b64(s):
    return base64.b64decode(s + "=" * (-len(s) % 4))


def test_create_prints_credentials_once_and_stores_only_a_hash(tmp_path):
    rb = Rebound(tmp_path)
    user, password = rb.create("acme")
    db = sqlite3.connect(rb.db)
    (stored,) = db.execute("SELECT password_hash FROM credentials WHERE username = ?",
                           (user,)).fetchone()
    db.close()
    scheme, iterations, salt, digest = stored.split("$")
    assert (scheme, iterations) == ("pbkdf2-sha256", "200000")
    assert len(b64(salt)) == 16
    # Checked with Python's own PBKDF2, not with rebound's.
    assert hashlib.pbkdf2_hmac("sha256", password.encode(), b64(salt), 200000) == b64(digest)
    # The database holds password hashes: only its owner may read it.
    assert rb.db.stat().st_mode & 0o777 == 0o600
    # The password appears nowhere on disk and is never shown again.
    for f in tmp_path.iterdir():
        assert password.encode() not in f.read_bytes(), f
    for args in (("account", "show", "acme"), ("account", "list")):
        r = rb.run(*args)
        assert r.returncode == 0 and user in r.stdout and password not in r.stdout


def test_two_creates_give_different_credentials(tmp_path):
    rb = Rebound(tmp_path)
    assert rb.create("a") != rb.create("b")


def test_list_show_delete(tmp_path):
    rb = Rebound(tmp_path, "clock.fixed = 1710504000\n")
    user_b, _ = rb.create("beta")
    user_a, _ = rb.create("acme")
    r = rb.run("account", "list")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "SMTP-USERNAME", "CREATED"]
    assert [l.split() for l in lines[1:]] == [
        ["acme", "ACTIVE", user_a, "2024-03-15T12:00:00Z"],
        ["beta", "ACTIVE", user_b, "2024-03-15T12:00:00Z"]]
    assert rb.run("identity", "add", "Example.COM", "--account", "acme").returncode == 0
    r = rb.run("account", "show", "acme")
    assert r.stdout == ("name: acme\nstatus: ACTIVE\ncreated: 2024-03-15T12:00:00Z\n"
                        f"smtp username: {user_a}\nidentities: 1\n"
                        "  example.com DOMAIN PENDING\n")
    r = rb.run("account", "delete", "acme")
    assert (r.returncode, r.stdout) == (0, "account 'acme' deleted\n")
    r = rb.run("account", "list")
    assert [l.split()[0] for l in r.stdout.splitlines()[1:]] == ["beta"]
    # The identity went with the account: another account may take it now.
    assert rb.run("identity", "add", "example.com", "--account", "beta").returncode == 0


def test_account_errors(tmp_path):
    rb = Rebound(tmp_path)
    rb.create("acme")
    cases = [
        (("account", "create", "acme"), 1, "rebound: account create: account 'acme' already exists\n"),
        (("account", "create", "-x"), 2, "rebound: account: unknown flag or missing value: '-x' (try --help)\n"),
        (("account", "create", "bad name!"), 1,
         "rebound: account create: 'bad name!' is not a valid account name (1-64 of letters, "
         "digits, '.', '_', '-', starting with a letter or digit)\n"),
        (("account", "show", "ghost"), 1, "rebound: account show: no account 'ghost'\n"),
        (("account", "delete", "ghost"), 1, "rebound: account delete: no account 'ghost'\n"),
    ]
    for args, code, err in cases:
        r = rb.run(*args)
        assert (r.returncode, r.stdout, r.stderr) == (code, "", err), args


def test_delete_refused_while_mail_is_queued(tmp_path):
    rb = Rebound(tmp_path)
    rb.create("acme")
    db = sqlite3.connect(rb.db)
    (acct,) = db.execute("SELECT id FROM accounts WHERE name = 'acme'").fetchone()
    db.execute("INSERT INTO messages (id, account_id, identity, envelope_from, return_path, size,"
               " arrival_ms, body) VALUES ('m1', ?, 'example.com', 'a@example.com', 'r@b', 1, 0,"
               " x'41')", (acct,))
    db.execute("INSERT INTO recipients (message_id, address, next_attempt_ms) VALUES"
               " ('m1', 'x@example.org', 0)")
    db.commit()
    db.close()
    r = rb.run("account", "delete", "acme")
    assert (r.returncode, r.stderr) == (
        1, "rebound: account delete: account 'acme' still has 1 undelivered recipient(s) in the"
           " queue\n")
    assert "acme" in rb.run("account", "list").stdout


def test_identity_add_verify_list_delete(tmp_path):
    rb = Rebound(tmp_path)
    rb.create("acme")
    rb.create("beta")
    r = rb.run("identity", "add", "Example.COM", "--account", "acme")
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(r"identity example.com \(DOMAIN\) added to account 'acme', status "
                        r"PENDING\npublish: _rebound.example.com. 3600 IN TXT \"[0-9a-f]{32}\"\n",
                        r.stdout), r.stdout
    r = rb.run("identity", "add", "Bob@Example.NET", "--account", "beta")
    assert re.fullmatch(r"identity Bob@example.net \(EMAIL_ADDRESS\) added to account 'beta', "
                        r"status PENDING\nverification link \(valid 24 h\): "
                        r"http://127.0.0.1:8780/v2/rebound/verify/[0-9a-f]{64}\n",
                        r.stdout), r.stdout
    r = rb.run("identity", "verify", "--force", "EXAMPLE.com")
    assert (r.returncode, r.stdout) == (
        0, "identity example.com marked SUCCESS by the operator (forced)\n"), r.stderr
    r = rb.run("identity", "list")
    rows = [l.split() for l in r.stdout.splitlines()]
    assert rows == [["IDENTITY", "TYPE", "STATUS", "ACCOUNT"],
                    ["Bob@example.net", "EMAIL_ADDRESS", "PENDING", "beta"],
                    ["example.com", "DOMAIN", "SUCCESS", "(forced)", "acme"]]
    r = rb.run("identity", "list", "--account", "beta")
    assert [l.split()[0] for l in r.stdout.splitlines()] == ["IDENTITY", "Bob@example.net"]
    r = rb.run("identity", "delete", "example.com")
    assert (r.returncode, r.stdout) == (0, "identity example.com deleted\n")
    r = rb.run("identity", "list", "--account", "acme")
    assert r.stdout.splitlines()[1:] == []


def test_identity_errors(tmp_path):
    rb = Rebound(tmp_path)
    rb.create("acme")
    rb.create("beta")
    assert rb.run("identity", "add", "example.com", "--account", "acme").returncode == 0
    cases = [
        (("identity", "add", "example.com", "--account", "beta"), 1,
         "rebound: identity add: identity 'example.com' belongs to another account ('acme')\n"),
        (("identity", "add", "EXAMPLE.COM", "--account", "acme"), 1,
         "rebound: identity add: account 'acme' already has identity 'example.com'\n"),
        (("identity", "add", "x.example", "--account", "ghost"), 1,
         "rebound: identity add: no account 'ghost'\n"),
        (("identity", "add", "exa_mple.com", "--account", "acme"), 1,
         "rebound: identity add: 'exa_mple.com' is not a domain or email address: the domain may"
         " only contain letters, digits, '-' and '.'\n"),
        (("identity", "add", "a@b@example.com", "--account", "acme"), 1,
         "rebound: identity add: 'a@b@example.com' is not a domain or email address: it has more"
         " than one '@'\n"),
        (("identity", "add", "localhost", "--account", "acme"), 1,
         "rebound: identity add: 'localhost' is not a domain or email address: the domain needs"
         " at least two labels (example.com)\n"),
        (("identity", "add", "example.org"), 2,
         "rebound: identity add: --account NAME is required\n"),
        (("identity", "verify", "example.com"), 2,
         "rebound: identity verify: --force is required (it marks the identity verified as an"
         " operator decision); 'rebound identity check' verifies through DNS\n"),
        (("identity", "verify", "--force", "nope.example"), 1,
         "rebound: identity verify: no identity 'nope.example'\n"),
        (("identity", "delete", "nope.example"), 1,
         "rebound: identity delete: no identity 'nope.example'\n"),
        (("identity", "list", "--account", "ghost"), 1,
         "rebound: identity list: no account 'ghost'\n"),
        (("identity", "add", "x.example", "--acount", "acme"), 2,
         "rebound: identity: unknown flag or missing value: '--acount' (try --help)\n"),
    ]
    for args, code, err in cases:
        r = rb.run(*args)
        assert (r.returncode, r.stdout, r.stderr) == (code, "", err), args


def test_help_and_usage(tmp_path):
    rb = Rebound(tmp_path)
    r = rb.run("account", "--help", config=False)
    assert r.returncode == 0 and r.stderr == ""
    for word in ("create NAME", "list", "show NAME", "delete NAME", "--config FILE",
                 "shown only this once"):
        assert word in r.stdout, word
    r = rb.run("identity", "--help", config=False)
    assert r.returncode == 0
    for word in ("add DOMAIN-OR-ADDRESS --account NAME", "list [--account NAME]",
                 "verify --force IDENTITY", "delete IDENTITY", "--force", "--config FILE"):
        assert word in r.stdout, word
    for args in (("account",), ("account", "frobnicate"), ("account", "create"),
                 ("account", "list", "extra"), ("identity",), ("identity", "list", "x")):
        r = rb.run(*args)
        assert r.returncode == 2 and r.stdout == "" and "usage: rebound" in r.stderr, args
    assert not rb.db.exists()  # usage errors never create a database


def test_config_errors(tmp_path):
    bad = tmp_path / "bad.conf"
    bad.write_text("store = mysql://x\n")
    r = Rebound(tmp_path).run("account", "list", "--config", str(bad), config=False)
    assert r.returncode == 3
    assert r.stderr == (f"rebound: {bad}:1: store: 'mysql://x' is not a store this rebound"
                        " supports (sqlite:PATH)\n")
    missing = tmp_path / "nodir" / "x.db"
    bad.write_text(f"store = sqlite:{missing}\n")
    r = Rebound(tmp_path).run("account", "list", "--config", str(bad), config=False)
    assert r.returncode == 1
    assert r.stderr.startswith(f"rebound: store {missing}: opening the database: ")


def test_refuses_a_newer_database(tmp_path):
    rb = Rebound(tmp_path)
    rb.create("acme")
    db = sqlite3.connect(rb.db)
    known = db.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    assert known >= 4  # accounts, suppressions, verification, delivery leases (and later)
    db.execute("INSERT INTO schema_version VALUES (99, 0)")
    db.commit()
    db.close()
    r = rb.run("account", "list")
    assert r.returncode == 1
    assert r.stderr == (f"rebound: store {rb.db}: the database schema is version 99, newer than"
                        f" this rebound knows ({known}); run a newer rebound\n")


def test_default_store_is_rebound_db_in_working_directory(tmp_path):
    r = subprocess.run([REBOUND, "account", "create", "acme"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "rebound.db").exists()
