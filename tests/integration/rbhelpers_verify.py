"""Helpers for the verification tests: a config with a pinned clock and DNS settings that the
test rewrites between steps, zones for nsd, and parsers for what the CLI prints."""
import os
import re
import signal
import subprocess
import time

import dns.rcode

from rbhelpers_dns import Nsd, ask

REBOUND = os.environ.get("REBOUND_BIN", "build/rebound")
HOUR = 3600
T0 = 1700000000  # 2023-11-14T22:13:20Z
FEEDBACK = "fb.rebound.test"
IPS = ["192.0.2.10", "192.0.2.11"]


def zone(origin, serial, records):
    """A zone file for origin with the given record lines (relative or absolute owners)."""
    head = [f"$ORIGIN {origin}.", "$TTL 60",
            f"@ IN SOA ns.{origin}. hostmaster.{origin}. {serial} 60 60 600 1",
            f"@ IN NS ns.{origin}.", "ns IN A 127.0.0.1"]
    return "\n".join(head + list(records)) + "\n"


class ZoneServer:
    """nsd serving one zone, rewritten and reloaded (SIGHUP, then waiting until the new SOA
    serial is served) between steps."""

    def __init__(self, tmp_path, origin, records=(), servfail=()):
        """servfail: zones configured without a zone file (nsd answers SERVFAIL in them)."""
        self.origin = origin
        self.serial = 1
        zones = {origin: zone(origin, self.serial, records)}
        zones.update({name: None for name in servfail})
        self.nsd = Nsd(tmp_path, zones)

    def __enter__(self):
        self.nsd.start()
        return self

    def __exit__(self, *exc):
        self.nsd.stop()

    @property
    def address(self):
        return self.nsd.address

    def publish(self, records):
        self.serial += 1
        path = self.nsd.dir / f"{self.origin}.zone"
        path.write_text(zone(self.origin, self.serial, records))
        os.kill(self.nsd.proc.pid, signal.SIGHUP)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                r = ask(self.nsd.port, self.origin, "SOA", timeout=0.3)
                if r.rcode() == dns.rcode.NOERROR and r.answer and \
                        r.answer[0][0].serial == self.serial:
                    return
            except Exception:  # noqa: BLE001 - the server is reloading
                pass
            time.sleep(0.05)
        raise RuntimeError("nsd did not serve serial %d: %s" % (self.serial, self.nsd.log()))


class Rebound:
    """`rebound ...` with a config whose clock and DNS server the test moves."""

    def __init__(self, tmp_path, dns_server, now=T0, extra=""):
        self.db = tmp_path / "rebound.db"
        self.config = tmp_path / "rebound.conf"
        self.dns = dns_server
        self.now = now
        self.extra = extra
        self.write()

    def write(self):
        self.config.write_text(
            f"store = sqlite:{self.db}\n"
            f"dns.servers = {self.dns}\n"
            "dns.timeout_ms = 200\n"
            "dns.tries = 1\n"
            f"clock.fixed = {self.now}\n"
            "srs.domain = bounces.rebound.test\n"
            f"mail_from.feedback_host = {FEEDBACK}\n"
            f"mail_from.sending_ips = {' '.join(IPS)}\n"
            + self.extra)

    def at(self, now, dns_server=None):
        self.now = now
        if dns_server is not None:
            self.dns = dns_server
        self.write()

    def run(self, *args):
        return subprocess.run([REBOUND, *args, "--config", str(self.config)],
                              capture_output=True, text=True, timeout=60)

    def ok(self, *args):
        r = self.run(*args)
        assert r.returncode == 0, f"rebound {' '.join(args)}: {r.stderr}"
        return r.stdout


TOKEN_RE = re.compile(r'^publish: (\S+)\. 3600 IN TXT "([0-9a-f]{32})"$', re.M)
CHECK_RE = re.compile(r"^(identity|mail-from) (\S+): (\S+) -> (\S+)(?: \((.*)\))?$", re.M)


def parse_check(out):
    """(from, to, reason) of a `check` line."""
    m = CHECK_RE.search(out)
    assert m, f"no check line in {out!r}"
    return m.group(3), m.group(4), m.group(5)
