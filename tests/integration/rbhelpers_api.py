"""Helpers for the API tests: `rebound api` started on a free loopback port and stopped by PID,
access keys from `rebound account keys create`, and an AWS CLI environment in a temp dir."""
import os
import re
import signal
import subprocess

REBOUND = os.environ.get("REBOUND_BIN", "build/rebound")
KEYS_RE = re.compile(r"\Aaccount: (?P<account>\S+)\naccess key id: (?P<id>RBAK[A-Z2-7]{16})\n"
                     r"secret access key: (?P<secret>[A-Za-z0-9+/]{40})\n"
                     r"smtp password \(us-east-1\): (?P<smtp>[A-Za-z0-9+/=]{44})\n\Z")


class Api:
    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.db = tmp_path / "rebound.db"
        self.config = tmp_path / "rebound.conf"
        self.write("")
        self.proc = None
        self.port = None

    def write(self, extra):
        self.config.write_text(f"store = sqlite:{self.db}\napi.listen = 127.0.0.1:0\n{extra}")

    def cli(self, *args):
        r = subprocess.run([REBOUND, *args, "--config", str(self.config)], capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, f"rebound {' '.join(args)}: {r.stderr}"
        return r.stdout

    def account_with_key(self, name):
        self.cli("account", "create", name)
        m = KEYS_RE.match(self.cli("account", "keys", "create", name))
        assert m, "unexpected keys output"
        return m["id"], m["secret"], m["smtp"]

    def start(self):
        self.err = open(self.tmp / "api.err", "w")
        self.proc = subprocess.Popen([REBOUND, "api", "--config", str(self.config)],
                                     stdout=subprocess.PIPE, stderr=self.err, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"api listening on 127\.0\.0\.1:(\d+)$", line.strip())
        assert m, f"unexpected first line {line!r}"
        self.port = int(m.group(1))
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.proc is not None:
            self.proc.stdout.close()
            self.err.close()
        self.proc = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def aws_env(tmp_path, key_id, secret):
    """Environment for /usr/bin/aws reading only files in tmp_path."""
    creds = tmp_path / "aws-credentials"
    creds.write_text(f"[default]\naws_access_key_id = {key_id}\n"
                     f"aws_secret_access_key = {secret}\n")
    cfg = tmp_path / "aws-config"
    cfg.write_text("[default]\nregion = us-east-1\noutput = json\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_SHARED_CREDENTIALS_FILE=str(creds), AWS_CONFIG_FILE=str(cfg),
               AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="", HOME=str(tmp_path))
    return env
