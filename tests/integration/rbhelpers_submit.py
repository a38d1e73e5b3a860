"""Helpers for the submission tests: a private `rebound serve` (its own config, SQLite store,
certificate, SRS secret and loopback ports) with one account and a verified identity made with
the real CLI, started and stopped by pid, and readers of the store (python's sqlite3 on the
same file, and `rebound message show`)."""
import os
import re
import sqlite3
import subprocess
import time

from rbhelpers_smtp import free_port, make_cert

REBOUND = os.environ.get("REBOUND_BIN", "build/rebound")
BOUNCE_DOMAIN = "bounce.rebound.test"
CREATE_RE = re.compile(r"smtp username: (?P<user>\S+)\nsmtp password: (?P<password>\S+)\n")


class Serve:
    """One `rebound serve` with account `acme` (identity example.com verified)."""

    def __init__(self, directory, options=None, start=True):
        self.dir = str(directory)
        self.port = free_port()
        self.tls_port = free_port()
        self.db = os.path.join(self.dir, "rebound.db")
        cert, key = make_cert(self.dir)
        secret = os.path.join(self.dir, "srs.secret")
        with open(secret, "w") as f:
            f.write("integration-test-secret\n")
        self.secret = secret
        conf = {
            "store": f"sqlite:{self.db}",
            "srs.domain": BOUNCE_DOMAIN,
            "srs.secret_file": secret,
            "smtp.hostname": "mx.rebound.test",
            "submission.listen": f"127.0.0.1:{self.port}",
            "submission.listen_tls": f"127.0.0.1:{self.tls_port}",
            "submission.tls_cert": cert,
            "submission.tls_key": key,
            # These tests inspect what was committed: keep messages in the store.
            "serve.delivery": "no",
        }
        conf.update({k: str(v) for k, v in (options or {}).items()})
        self.config = os.path.join(self.dir, "rebound.conf")
        with open(self.config, "w") as f:
            for k, v in conf.items():
                f.write(f'{k} = "{v}"\n')
        self.user, self.password = self.account("acme")
        self.cli("identity", "add", "example.com", "--account", "acme")
        self.cli("identity", "verify", "--force", "example.com")
        self.proc = None
        self.log_path = os.path.join(self.dir, "serve.log")
        if start:
            self.start()

    def cli(self, *args, check=True):
        r = subprocess.run([REBOUND, *args, "--config", self.config], capture_output=True,
                           text=True, timeout=60)
        if check:
            assert r.returncode == 0, (args, r.stderr)
        return r

    def account(self, name):
        out = self.cli("account", "create", name).stdout
        m = CREATE_RE.search(out)
        assert m, out
        return m["user"], m["password"]

    def start(self):
        self.log = open(self.log_path, "a")
        self.log_start = os.path.getsize(self.log_path)
        # Under the sanitizer build, also catch pointers kept into a returned stack frame.
        env = dict(os.environ)
        opts = env.get("ASAN_OPTIONS", "")
        env["ASAN_OPTIONS"] = (opts + ":" if opts else "") + "detect_stack_use_after_return=1"
        self.proc = subprocess.Popen([REBOUND, "serve", "--config", self.config],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("serve exited: " + self.read_log())
            if "serve ready" in self.read_log():
                return
            time.sleep(0.02)
        raise RuntimeError("serve did not start: " + self.read_log())

    def read_log(self):
        with open(self.log_path) as f:
            f.seek(self.log_start)
            return f.read()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.log.close()

    def alive(self):
        return self.proc.poll() is None

    def sql(self, query, *params):
        con = sqlite3.connect(self.db, timeout=30)
        try:
            rows = con.execute(query, params).fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def message_count(self):
        return self.sql("SELECT count(*) FROM messages")[0][0]

    def show(self, message_id, body=False):
        args = ["message", "show", message_id] + (["--body"] if body else ["--envelope"])
        r = subprocess.run([REBOUND, *args, "--config", self.config], capture_output=True,
                           timeout=60)
        assert r.returncode == 0, r.stderr
        return r.stdout if body else r.stdout.decode()
