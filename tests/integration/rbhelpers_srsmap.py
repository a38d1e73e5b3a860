"""Helpers for the `rebound srsmap` integration tests: start the real binary on loopback with a
generated configuration, find the ports it bound (it logs them), talk tcp_table and socketmap
over real sockets, and stop it by PID."""
import csv
import os
import re
import signal
import socket
import subprocess
import time

REBOUND = os.environ.get("REBOUND_BIN", "build/rebound")
SHARED = os.environ.get("REBOUND_SHARED", "tests/yardsticks")
VECTORS = os.path.join(SHARED, "vectors")
# Long enough for a sanitizer build on a loaded machine; only failures ever wait this long.
IO_TIMEOUT = 10.0


def read_tsv(name):
    """Rows of a yardstick TSV file as dicts (fields never contain TAB or LF)."""
    with open(os.path.join(VECTORS, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def write_secrets(path, secrets, crlf=False):
    end = "\r\n" if crlf else "\n"
    with open(path, "w", newline="") as f:
        f.write("".join(s + end for s in secrets))


class Srsmap:
    """A running `rebound srsmap` process."""

    def __init__(self, tmpdir, settings, name="srsmap"):
        self.conf = os.path.join(tmpdir, name + ".conf")
        self.log_path = os.path.join(tmpdir, name + ".log")
        with open(self.conf, "w") as f:
            for k, v in settings.items():
                f.write("%s = %s\n" % (k, v))
        self.log = open(self.log_path, "w+")
        self.proc = subprocess.Popen([REBOUND, "srsmap", "--config", self.conf],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.ports = {}
        expected = sum(1 for k in ("srsmap.socketmap", "srsmap.tcp_forward",
                                   "srsmap.tcp_reverse") if k in settings)
        deadline = time.monotonic() + IO_TIMEOUT
        while len(self.ports) < expected:
            if self.proc.poll() is not None:
                raise AssertionError("rebound srsmap exited %d: %s"
                                     % (self.proc.returncode, self.log_text()))
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError("rebound srsmap did not listen: " + self.log_text())
            for m in re.finditer(r"srsmap listening proto=(\S+) map=(\S+) addr=(\S+)",
                                 self.log_text()):
                self.ports[(m.group(1), m.group(2))] = m.group(3)
            time.sleep(0.02)

    def log_text(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def address(self, proto, mapname):
        """(host, port) or a unix path for a listener."""
        addr = self.ports[(proto, mapname)]
        if addr.startswith("unix:"):
            return addr[5:]
        host, port = addr.rsplit(":", 1)
        return (host, int(port))

    def stop(self, sig=signal.SIGTERM):
        """Stops the process by PID; returns its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=IO_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def connect(address):
    if isinstance(address, str):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(address)
    else:
        s = socket.create_connection(address)
    s.settimeout(IO_TIMEOUT)
    return s


class LineReader:
    """Reads LF-terminated reply lines (tcp_table) from a socket."""

    def __init__(self, sock):
        self.sock = sock
        self.pending = b""

    def line(self):
        while b"\n" not in self.pending:
            data = self.sock.recv(65536)
            if not data:
                raise AssertionError("connection closed; got %r before it" % self.pending)
            self.pending += data
        line, self.pending = self.pending.split(b"\n", 1)
        return line


def netstring(payload):
    return b"%d:%s," % (len(payload), payload)


class NetstringReader:
    """Reads netstring replies (socketmap) from a socket."""

    def __init__(self, sock):
        self.sock = sock
        self.pending = b""

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise AssertionError("connection closed; got %r before it" % self.pending)
        self.pending += data

    def reply(self):
        while b":" not in self.pending:
            self._fill()
        length, rest = self.pending.split(b":", 1)
        n = int(length)
        while len(rest) < n + 1:
            self._fill()
            length, rest = self.pending.split(b":", 1)
        assert rest[n:n + 1] == b",", "netstring not terminated by ',': %r" % self.pending
        self.pending = rest[n + 1:]
        return rest[:n]


def assert_closed(sock, pending=b""):
    """The server closed the connection (EOF), sending nothing more."""
    assert pending == b"", "unexpected extra bytes %r" % pending
    data = sock.recv(65536)
    assert data == b"", "expected the server to close the connection, got %r" % data


def assert_open(sock):
    """The connection is still usable: nothing arrives and no EOF within a short wait."""
    sock.settimeout(0.2)
    try:
        data = sock.recv(65536)
        raise AssertionError("expected an open, quiet connection, got %r" % data)
    except socket.timeout:
        pass
    finally:
        sock.settimeout(IO_TIMEOUT)
