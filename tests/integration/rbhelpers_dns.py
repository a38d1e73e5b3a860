"""A real authoritative DNS server for tests: nsd (Debian package nsd) on 127.0.0.1 at a free
port, with zone files the test writes, its own config/pid/log files in a temporary directory,
started in the foreground and stopped by its PID.

    with Nsd(tmp_path, {"example.test": ZONE_TEXT, "broken.test": None}) as ns:
        ns.address   # "127.0.0.1:PORT", what `rebound dns --dns` takes

A zone given as None is configured without a zone file: nsd answers SERVFAIL for it.
Names outside every zone get REFUSED.
"""
import os
import pathlib
import signal
import socket
import subprocess
import time

import dns.exception
import dns.message
import dns.query
import dns.rcode

NSD = "/usr/sbin/nsd"
START_TIMEOUT = 15.0


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 (the kernel picks it)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                try:
                    t.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port


def ask(port, name, rdtype, tcp=False, timeout=1.0):
    """Asks the server directly with dnspython (to check what the peer really says)."""
    q = dns.message.make_query(name, rdtype)
    if tcp:
        return dns.query.tcp(q, "127.0.0.1", port=port, timeout=timeout)
    return dns.query.udp(q, "127.0.0.1", port=port, timeout=timeout)


class Nsd:
    def __init__(self, workdir, zones):
        self.dir = pathlib.Path(workdir) / "nsd"
        self.zones = zones
        self.proc = None
        self.port = None

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def _write_config(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        d = self.dir
        lines = [
            "server:",
            f"    ip-address: 127.0.0.1@{self.port}",
            f"    port: {self.port}",
            '    username: ""',
            '    chroot: ""',
            f'    zonesdir: "{d}"',
            f'    pidfile: "{d}/nsd.pid"',
            '    database: ""',
            f'    xfrdfile: "{d}/xfrd.state"',
            f'    zonelistfile: "{d}/zone.list"',
            f'    logfile: "{d}/nsd.log"',
            "    server-count: 1",
            "    do-ip6: no",
            "    verbosity: 1",
            "remote-control:",
            "    control-enable: no",
        ]
        for name, text in self.zones.items():
            lines += ["zone:", f"    name: {name}", f"    zonefile: {name}.zone"]
            if text is not None:
                (d / f"{name}.zone").write_text(text)
        (d / "nsd.conf").write_text("\n".join(lines) + "\n")

    def _ready(self):
        first = next(name for name, text in self.zones.items() if text is not None)
        try:
            return ask(self.port, first, "SOA", timeout=0.2).rcode() == dns.rcode.NOERROR
        except (dns.exception.Timeout, OSError):
            return False

    def start(self):
        for _attempt in range(3):  # the port may be taken between free_port() and nsd's bind
            self.port = free_port()
            self._write_config()
            out = open(self.dir / "stdout.log", "w")
            self.proc = subprocess.Popen([NSD, "-d", "-c", str(self.dir / "nsd.conf")],
                                         stdout=out, stderr=subprocess.STDOUT)
            out.close()
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline and self.proc.poll() is None:
                if self._ready():
                    return self
                time.sleep(0.05)
            self.stop()
        raise RuntimeError("nsd did not start: " + self.log())

    def log(self):
        text = ""
        for name in ("stdout.log", "nsd.log"):
            p = self.dir / name
            if p.exists():
                text += p.read_text()
        return text

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class SilentUdp:
    """A UDP socket on 127.0.0.1 that receives and never answers: queries to it time out."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.address = "127.0.0.1:%d" % self.sock.getsockname()[1]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sock.close()
