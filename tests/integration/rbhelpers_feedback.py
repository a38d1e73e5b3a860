"""Helpers for the feedback MX tests: a store with accounts and identities made through the
CLI, an SRS secret, a running `rebound feedback-mx` (started and stopped by pid), addresses
minted with `rebound srs forward`, a raw RCPT probe, and readers of the SQLite file."""
import json
import os
import smtplib
import socket
import sqlite3
import subprocess
import time

REBOUND = os.environ.get("REBOUND_BIN", "build/rebound")
SHARED = os.environ.get("REBOUND_SHARED", "tests/yardsticks")
CORPUS = os.path.join(SHARED, "bounces", "set-of-emails", "maildir", "bsd")
POSTFIX_DSN = os.path.join(SHARED, "testbed-samples", "dsn-from-postfix.eml")

BOUNCE_DOMAIN = "bounce.rebound.test"    # srs.domain, shared by every account
MAILFROM_DOMAIN = "mail.example.com"     # a MAIL FROM domain of acme (under example.com)
OPERATOR = "ops@operator.example"
NOW = 1795859310                         # 2026-11-28 09:48:30 UTC, pinned with clock.fixed
DAY = 86400


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_cert(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=mx.rebound.test"],
                   check=True, capture_output=True)
    return cert, key


class FeedbackMX:
    """A store prepared through the CLI and a `rebound feedback-mx` serving it."""

    def __init__(self, tmp_path, now=NOW, tls=False, operator=True):
        self.tmp = tmp_path
        self.db = tmp_path / "rebound.db"
        self.secret = tmp_path / "srs.secret"
        self.secret.write_text("feedback-test-secret\n")
        self.port = free_port()
        conf = {
            "store": f"sqlite:{self.db}",
            "srs.domain": BOUNCE_DOMAIN,
            "srs.secret_file": str(self.secret),
            "smtp.hostname": "mx.rebound.test",
            "feedback.listen": f"127.0.0.1:{self.port}",
            "feedback.domains": MAILFROM_DOMAIN,
            "clock.fixed": str(now),
        }
        if operator:
            conf["feedback.operator"] = OPERATOR
            conf["feedback.operator_account"] = "ops"
        if tls:
            conf["feedback.tls_cert"], conf["feedback.tls_key"] = make_cert(str(tmp_path))
        self.config = tmp_path / "rebound.conf"
        self.config.write_text("".join(f'{k} = "{v}"\n' for k, v in conf.items()))
        self.proc = None
        self.log_path = tmp_path / "feedback.log"

    def cli(self, *args, check=True):
        r = subprocess.run([REBOUND, *args, "--config", str(self.config)], capture_output=True,
                           text=True, timeout=60)
        if check:
            assert r.returncode == 0, f"{args}: {r.stderr}"
        return r

    def tenants(self):
        """acme owns example.com (verified); beta has unverified.example (pending); ops carries
        operator mail."""
        for name in ("acme", "beta", "ops"):
            self.cli("account", "create", name)
        self.cli("identity", "add", "example.com", "--account", "acme")
        self.cli("identity", "verify", "--force", "example.com")
        self.cli("identity", "add", "unverified.example", "--account", "beta")
        self.cli("identity", "add", "victim.co", "--account", "beta")
        self.cli("identity", "verify", "--force", "victim.co")

    def mint(self, address, now=NOW, domain=None):
        extra = ["--domain", domain] if domain else []
        r = subprocess.run([REBOUND, "srs", "forward", "--config", str(self.config),
                            "--now", str(now), *extra, address],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return r.stdout.strip()

    def start(self):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([REBOUND, "feedback-mx", "--config", str(self.config)],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("feedback-mx exited: " + self.log_path.read_text())
            if " ready" in self.log_path.read_text():
                return self
            time.sleep(0.02)
        raise RuntimeError("feedback-mx did not start: " + self.log_path.read_text())

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None:
            self.log.close()

    def logs(self):
        return self.log_path.read_text()

    def client(self):
        c = smtplib.SMTP("127.0.0.1", self.port, local_hostname="mx.example.net", timeout=30)
        c.ehlo("mx.example.net")
        return c

    def rcpt(self, address, sender="<>"):
        """The exact (code, text) of RCPT TO:<address> in a fresh transaction."""
        c = self.client()
        try:
            code, _ = c.docmd("MAIL", f"FROM:{sender}")
            assert code == 250
            code, text = c.docmd("RCPT", f"TO:<{address}>")
            return code, text.decode()
        finally:
            c.close()

    def send(self, rcpt, data, sender="<>"):
        """Sends one message; returns (code of RCPT, code of the end of DATA or None)."""
        c = self.client()
        try:
            assert c.docmd("MAIL", f"FROM:{sender}")[0] == 250
            code, text = c.docmd("RCPT", f"TO:<{rcpt}>")
            if code != 250:
                return code, None
            code, text = c.data(data)
            return 250, code
        finally:
            c.close()

    # --- what the store holds ---
    def query(self, sql, *args):
        db = sqlite3.connect(str(self.db))
        try:
            rows = db.execute(sql, args).fetchall()
            db.commit()
            return rows
        finally:
            db.close()

    def events(self):
        return [(t, m, json.loads(p)) for t, m, p in
                self.query("SELECT type, message_id, payload FROM events ORDER BY id")]

    def suppressions(self):
        return self.query("SELECT a.name, s.address, s.reason FROM suppressions s JOIN accounts a"
                          " ON a.id = s.account_id ORDER BY s.address")

    def forwards(self):
        """Queued messages with a null envelope-from: (account, rcpt, notify, body)."""
        return self.query("SELECT a.name, r.address, r.notify, m.body FROM messages m "
                          "JOIN accounts a ON a.id = m.account_id "
                          "JOIN recipients r ON r.message_id = m.id "
                          "WHERE m.envelope_from = '' AND m.return_path = '' ORDER BY m.id")


def read_sample(path):
    with open(path, "rb") as f:
        data = f.read()
    # The testbed samples carry the sink's X-Sink-* envelope lines first: not part of the mail.
    lines = data.split(b"\n")
    while lines and lines[0].startswith(b"X-Sink-"):
        lines.pop(0)
    # SMTP lines end with CRLF (the corpus is stored with LF).
    return b"\r\n".join(line.rstrip(b"\r") for line in lines)
