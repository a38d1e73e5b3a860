"""Helpers for the SMTP engine's integration tests: a self-signed certificate made with
`openssl req`, a running `rebound smtp-sink` (started and stopped by pid), and a raw SMTP
client that reads replies exactly as sent (for pipelining and smuggling tests)."""
import os
import socket
import ssl
import subprocess
import time

REBOUND = os.environ.get("REBOUND_BIN", "rebound")
USER = "alice"
PASSWORD = "correct horse"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_cert(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=rebound.test"],
                   check=True, capture_output=True)
    return cert, key


def client_tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Sink:
    """A `rebound smtp-sink` process with its own config, ports and message directory."""

    def __init__(self, directory, tls=True, options=None):
        self.dir = directory
        self.maildir = os.path.join(directory, "mail")
        self.port = free_port()
        self.tls_port = free_port() if tls else None
        conf = {
            "smtp.hostname": "mx.rebound.test",
            "submission.listen": f"127.0.0.1:{self.port}",
            "sink.user": USER,
            "sink.password": PASSWORD,
            "sink.dir": self.maildir,
        }
        if tls:
            cert, key = make_cert(directory)
            conf["submission.tls_cert"] = cert
            conf["submission.tls_key"] = key
            conf["submission.listen_tls"] = f"127.0.0.1:{self.tls_port}"
        conf.update({k: str(v) for k, v in (options or {}).items()})
        self.config = os.path.join(directory, "sink.conf")
        with open(self.config, "w") as f:
            for k, v in conf.items():
                f.write(f'{k} = "{v}"\n')
        self.log_path = os.path.join(directory, "sink.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([REBOUND, "smtp-sink", "--config", self.config],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("smtp-sink exited: " + open(self.log_path).read())
            if "ready" in open(self.log_path).read():
                return
            time.sleep(0.02)
        raise RuntimeError("smtp-sink did not start: " + open(self.log_path).read())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def alive(self):
        return self.proc.poll() is None

    def messages(self):
        """Stored messages as a list of (envelope text, message bytes), oldest first."""
        new = os.path.join(self.maildir, "new")
        names = sorted((n[:-4] for n in os.listdir(new) if n.endswith(".eml")),
                       key=lambda n: int(n.split(".")[1]))
        out = []
        for n in names:
            with open(os.path.join(new, n + ".envelope")) as f:
                env = f.read()
            with open(os.path.join(new, n + ".eml"), "rb") as f:
                out.append((env, f.read()))
        return out


def strip_received(message):
    """The message without the engine's Received: header (3 lines: header + 2 folds)."""
    assert message.startswith(b"Received: from "), message[:80]
    lines = message.split(b"\r\n")
    assert lines[1].startswith(b"\tby ") and lines[2].startswith(b"\t"), lines[:3]
    return b"\r\n".join(lines[3:])


class Raw:
    """A byte-level SMTP client: send exactly these bytes, read whole replies."""

    def __init__(self, port, timeout=15, source=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        self.buf = b""

    def starttls(self):
        self.sock = client_tls_context().wrap_socket(self.sock)

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed; pending " + repr(self.buf))
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def reply(self):
        """One reply: (code, [text lines]) where each text line excludes 'NNN-'."""
        lines = []
        while True:
            line = self._line()
            lines.append(line[4:])
            if len(line) < 4 or line[3] != "-":
                return int(line[:3]), lines

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.reply()

    def closed(self):
        """True if the server closed the connection (EOF) with nothing more to read."""
        try:
            return self.sock.recv(1) == b""
        except (ConnectionResetError, ssl.SSLError):
            return True

    def close(self):
        self.sock.close()


def greet(port, ehlo=True):
    r = Raw(port)
    code, _ = r.reply()
    assert code == 220
    if ehlo:
        code, lines = r.cmd("EHLO client.rebound.test")
        assert code == 250, (code, lines)
    return r
