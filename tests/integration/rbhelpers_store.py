"""Helpers for the store CLI tests: a config naming a private SQLite file, and a runner."""
import os
import re
import subprocess

REBOUND = os.environ.get("REBOUND_BIN", "build/rebound")

CREATE_RE = re.compile(
    r"\Aaccount: (?P<name>\S+)\n"
    r"smtp username: (?P<user>RB[A-Z2-7]{18})\n"
    r"smtp password: (?P<password>[A-Za-z0-9_-]{32})\n"
    r"\(the password is shown only this once; rebound keeps only a salted hash of it\)\n\Z")


class Rebound:
    """Runs `rebound ...` against one config file (and so one database)."""

    def __init__(self, tmp_path, extra=""):
        self.db = tmp_path / "rebound.db"
        self.config = tmp_path / "rebound.conf"
        self.config.write_text(f"store = sqlite:{self.db}\n{extra}")

    def run(self, *args, config=True):
        argv = [REBOUND, *args]
        if config:
            argv += ["--config", str(self.config)]
        return subprocess.run(argv, capture_output=True, text=True, timeout=60)

    def create(self, name):
        r = self.run("account", "create", name)
        assert r.returncode == 0, r.stderr
        m = CREATE_RE.match(r.stdout)
        assert m, f"unexpected create output: {r.stdout!r}"
        return m["user"], m["password"]
