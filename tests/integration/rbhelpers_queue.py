"""A delivery-queue test bed: a store file, an account, a config pointing rebound's resolver at a
real nsd started here, and helpers to run `rebound queue inject|run` and `rebound message show`.
Receivers (smtp-sink, ScriptedMta from rbhelpers_deliver) listen on 127.0.0.N at bed.port."""
import json
import pathlib
import subprocess

from rbhelpers_deliver import REBOUND, free_port_on, zone
from rbhelpers_dns import Nsd

DOMAIN = "queue.test"
IPS = {"ok": "127.0.0.31", "bad": "127.0.0.32", "sender": "127.0.0.33", "flaky": "127.0.0.34"}
RECORDS = [f"{name} IN MX 10 mx-{name}" for name in IPS] + \
          [f"mx-{name} IN A {ip}" for name, ip in IPS.items()]
SENDER = f"alice@sender.{DOMAIN}"
RETURN_PATH = f"SRS0=HHH=TT=sender.{DOMAIN}=alice@bounce.rebound.test"


def addr(local, name):
    return f"{local}@{name}.{DOMAIN}"


class QueueBed:
    def __init__(self, tmp_path, **settings):
        self.dir = pathlib.Path(tmp_path)
        self.port = free_port_on(list(IPS.values()))
        self.nsd = Nsd(self.dir, {DOMAIN: zone(DOMAIN, RECORDS)})
        self.settings = {
            "store": f"sqlite:{self.dir / 'queue.db'}",
            "deliver.smtp_port": str(self.port),
            "deliver.helo_name": "client.test",
            "deliver.reporting_mta": "mta.rebound.test",
            "deliver.tls_policy": "none",
            "deliver.poll_ms": "100",
            "log.level": "info",
        }
        self.settings.update({k.replace("__", "."): str(v) for k, v in settings.items()})
        self.config = self.dir / "rebound.conf"

    def write_config(self, **extra):
        s = dict(self.settings, **{"dns.servers": self.nsd.address})
        s.update({k.replace("__", "."): str(v) for k, v in extra.items()})
        self.config.write_text("".join(f"{k} = {v}\n" for k, v in s.items()))
        return self.config

    def __enter__(self):
        self.nsd.start()
        self.write_config()
        out = self.rebound("account", "create", "acme")
        assert out.returncode == 0, out.stderr
        return self

    def __exit__(self, *exc):
        self.nsd.stop()

    def rebound(self, *args, timeout=60):
        return subprocess.run([REBOUND, *args, "--config", str(self.config)],
                              capture_output=True, timeout=timeout)

    def inject(self, body, rcpts, sender=SENDER, return_path=RETURN_PATH, *flags):
        path = self.dir / "inject.eml"
        path.write_bytes(body)
        args = ["queue", "inject", "--account", "acme", "--from", sender,
                "--return-path", return_path, *flags]
        for r in rcpts:
            args += ["--to", r]
        out = self.rebound(*args, str(path))
        assert out.returncode == 0, out.stderr.decode()
        return out.stdout.decode().split()

    def run(self, timeout=60):
        out = self.rebound("queue", "run", timeout=timeout)
        assert out.returncode == 0, out.stderr.decode()
        return dict(kv.split("=") for kv in out.stdout.decode().split())

    def show(self, msg_id):
        out = self.rebound("message", "show", msg_id)
        assert out.returncode == 0, out.stderr.decode()
        return out.stdout.decode().splitlines()

    def events(self, msg_id):
        """[(type, parsed JSON)] of a message, oldest first, from `message show`."""
        found = []
        for line in self.show(msg_id):
            parts = line.split(" ", 4)
            if parts[1] == "event":
                found.append((parts[3], json.loads(parts[4])))
        return found

    def message_list(self):
        out = self.rebound("message", "list", "--limit", "100000")
        assert out.returncode == 0, out.stderr.decode()
        return out.stdout.decode().splitlines()
