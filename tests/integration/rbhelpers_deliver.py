"""Receivers for delivery tests, each on its own 127.0.0.N loopback address and the same port
(rebound's test-bed option deliver.smtp_port / `deliver-once --port` applies to every MX):

- SmtpSink: Postfix's real smtp-sink, dumping each transaction to a file (-d) so a test can
  check the bytes that arrived; extra flags select its refusing modes.
- ScriptedMta: a small SMTP receiver in a thread whose replies a test scripts (per-command
  strings or functions), with optional STARTTLS from a certificate made by `openssl req`.
- make_cert(): a self-signed certificate for a host name.
- free_port_on(ips): a TCP port free on every given address.

Everything a test starts it stops: SmtpSink by its PID, ScriptedMta by closing its sockets.
"""
import os
import pathlib
import select
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time

SMTP_SINK = "/usr/sbin/smtp-sink"
REBOUND = os.environ.get("REBOUND_BIN", "build/rebound")


def free_port_on(ips):
    """A TCP port that every address in ips can bind now."""
    def family(ip):
        return socket.AF_INET6 if ":" in ip else socket.AF_INET

    for _ in range(100):
        with socket.socket(family(ips[0])) as s:
            s.bind((ips[0], 0))
            port = s.getsockname()[1]
        ok = True
        for ip in ips:
            with socket.socket(family(ip)) as t:
                t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    t.bind((ip, port))
                except OSError:
                    ok = False
                    break
        if ok:
            return port
    raise RuntimeError("no common free port")


def make_cert(workdir, hostname):
    """Writes a self-signed certificate for hostname; returns (cert_path, key_path)."""
    d = pathlib.Path(workdir)
    cert, key = d / f"{hostname}.crt", d / f"{hostname}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", f"/CN={hostname}", "-addext", f"subjectAltName=DNS:{hostname}",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


class SmtpSink:
    """smtp-sink on ip:port, one dump file per transaction in workdir/dump."""

    def __init__(self, workdir, ip, port, *flags):
        self.ip, self.port, self.flags = ip, port, flags
        self.dir = pathlib.Path(workdir) / f"sink-{ip}"
        self.dump = None
        self.proc = None

    def start(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        # smtp-sink writes its dumps after dropping to an unprivileged user, which cannot
        # enter pytest's private tmp_path: give it a directory of its own.
        self.dump = pathlib.Path(tempfile.mkdtemp(prefix="rebound-sink-"))
        os.chmod(self.dump, 0o777)
        user = ["-u", "nobody"] if os.getuid() == 0 else []
        args = [SMTP_SINK, *user, "-d", str(self.dump) + "/msg.", "-h", f"sink-{self.ip}",
                *self.flags, f"{self.ip}:{self.port}", "100"]
        log = open(self.dir / "sink.log", "w")
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("smtp-sink exited: " + (self.dir / "sink.log").read_text())
            with socket.socket() as s:
                if s.connect_ex((self.ip, self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise RuntimeError("smtp-sink did not listen")

    def dumps(self):
        """The transaction dumps received so far (bytes each), oldest first."""
        # smtp-sink may replace a dump file while we list the directory: a name that vanished
        # between the listing and the read is skipped (its successor shows up next time).
        found = []
        for p in self.dump.glob("msg.*"):
            try:
                found.append((p.stat().st_mtime_ns, p.name, p.read_bytes()))
            except FileNotFoundError:
                continue
        return [data for _, _, data in sorted(found)]

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
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
        if self.dump is not None:
            shutil.rmtree(self.dump, ignore_errors=True)
            self.dump = None


def parse_dump(raw):
    """Splits an smtp-sink dump into (headers it added as a dict of lists, the message)."""
    lines = raw.split(b"\n")
    meta = {}
    i = 0
    while i < len(lines) and not lines[i].startswith(b"Received: "):
        key, _, value = lines[i].decode().partition(": ")
        meta.setdefault(key, []).append(value)
        i += 1
    i += 3  # the three-line Received: header smtp-sink writes
    return meta, b"\n".join(lines[i:])


class LineReader:
    """Reads CRLF lines from a socket with its own buffer, so a test can tell whether the
    client had already sent more (pipelined) when a command arrived."""

    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def readline(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                line, self.buf = self.buf, b""
                return line
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line + b"\n"

    def pending(self, wait):
        """True when more input is buffered or arrives within wait seconds."""
        if self.buf:
            return True
        readable, _, _ = select.select([self.sock], [], [], wait)
        return bool(readable)


class ScriptedMta:
    """An SMTP receiver whose replies are scripted, on ip (IPv4 or IPv6) and port.

    replies maps a command word (EHLO, HELO, MAIL, RCPT, DATA, ".", RSET, QUIT, STARTTLS) to a
    reply string ("250 ok"; multi-line replies as "250-a\\r\\n250 b") or a function
    f(line, session) -> reply string, or None to close the connection without a reply (a
    function may also set session["close"] to close right after its reply).
    sessions: one dict per connection: {"lines": [...], "data": [bytes, ...], "tls": bool,
    "pipelined": {command word: whether more input was already there when it arrived}}.
    """

    DEFAULT = {
        "EHLO": "250-mx.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 10240000\r\n"
                "250-DSN\r\n250 ENHANCEDSTATUSCODES",
        "HELO": "250 mx.test",
        "MAIL": "250 2.1.0 Ok",
        "RCPT": "250 2.1.5 Ok",
        "DATA": "354 End data with <CR><LF>.<CR><LF>",
        ".": "250 2.0.0 Ok: queued as SCRIPTED",
        "RSET": "250 2.0.0 Ok",
        "QUIT": "221 2.0.0 Bye",
        "STARTTLS": "220 2.0.0 Ready to start TLS",
    }

    def __init__(self, ip, port, replies=None, greeting="220 mx.test ESMTP scripted",
                 greeting_delay=0.0, tls_cert=None, tls_broken=False):
        self.ip, self.port = ip, port
        self.replies = dict(self.DEFAULT)
        self.replies.update(replies or {})
        self.greeting, self.greeting_delay = greeting, greeting_delay
        self.tls_cert, self.tls_broken = tls_cert, tls_broken
        self.sessions = []
        self.sock = None
        self.threads = []
        self.stopping = False

    def __enter__(self):
        family = socket.AF_INET6 if ":" in self.ip else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((self.ip, self.port))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self.threads.append(t)
        return self

    def __exit__(self, *exc):
        self.stopping = True
        for t in self.threads:
            t.join(timeout=15)
        self.sock.close()

    def _accept(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            session = {"lines": [], "data": [], "tls": False, "pipelined": {}}
            self.sessions.append(session)
            t = threading.Thread(target=self._serve, args=(conn, session), daemon=True)
            t.start()
            self.threads.append(t)

    def _reply(self, word, line, session):
        r = self.replies.get(word, "502 5.5.2 Error: command not recognized")
        return r(line, session) if callable(r) else r

    def _serve(self, conn, session):
        conn.settimeout(10)
        reader = LineReader(conn)
        try:
            if self.greeting_delay:
                time.sleep(self.greeting_delay)
            self._send(conn, self.greeting)
            while not self.stopping:
                line = reader.readline()
                if not line:
                    return
                text = line.rstrip(b"\r\n").decode("latin-1")
                session["lines"].append(text)
                word = text.split(" ")[0].split(":")[0].upper()
                if word in ("RSET", "MAIL", "RCPT", "DATA") and word not in session["pipelined"]:
                    session["pipelined"][word] = reader.pending(0.1)
                if word == "DATA":
                    r = self._reply("DATA", text, session)
                    if not self._send(conn, r):
                        return
                    if not r.startswith("354"):
                        continue
                    session["data"].append(self._read_data(reader))
                    word = "."
                r = self._reply(word, text, session)
                if word == "STARTTLS" and r and r.startswith("220"):
                    self._send(conn, r)
                    if self.tls_broken:  # answer the ClientHello with garbage
                        conn.recv(65536)
                        conn.sendall(b"this is not a TLS record\r\n" * 4)
                        return
                    conn = self._start_tls(conn, session)
                    reader = LineReader(conn)
                    continue
                if not self._send(conn, r) or word == "QUIT" or session.get("close"):
                    return
        except (OSError, ssl.SSLError, ValueError):
            return
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def _start_tls(self, conn, session):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*self.tls_cert)
        tls = ctx.wrap_socket(conn, server_side=True)
        session["tls"] = True
        return tls

    @staticmethod
    def _read_data(reader):
        raw = b""
        while True:
            line = reader.readline()
            if not line or line == b".\r\n":
                return raw
            raw += line

    @staticmethod
    def _send(conn, reply):
        if reply is None:
            return False
        conn.sendall(reply.encode() + b"\r\n")
        return True


def deliver_once(nsd, port, *args, timeout=60):
    """Runs `rebound deliver-once` against the test's nsd and receivers' port."""
    return subprocess.run([REBOUND, "deliver-once", "--dns", nsd.address, "--port", str(port),
                           "--helo", "client.test", *args],
                          capture_output=True, timeout=timeout)


def outcomes(result):
    """{recipient: (status, enhanced, ip, reply)} from deliver-once's output."""
    out = {}
    for line in result.stdout.decode().splitlines():
        rcpt, status, enhanced, ip, reply = (line.split(" ", 4) + [""])[:5]
        out[rcpt] = (status, enhanced, ip, reply)
    return out


def zone(origin, records):
    """A zone file for origin with an SOA, an NS and the given record lines."""
    return (f"$ORIGIN {origin}.\n$TTL 300\n"
            f"@ IN SOA ns.{origin}. admin.{origin}. 1 3600 600 86400 60\n"
            f"@ IN NS ns.{origin}.\nns IN A 127.0.0.1\n" + "\n".join(records) + "\n")
