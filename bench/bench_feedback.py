#!/usr/bin/env python3
"""Feedback MX benchmark: bounces accepted per second (each 250 after the report is parsed,
classified and committed with its event, suppression entry and forwarded copy: one SQLite
transaction, group-committed) by `rebound feedback-mx`, against `rebound smtp-sink` on the same
SMTP engine (each 250 after two fsync'd files: durable acceptance without understanding), with
the same report (the testbed's Postfix DSN) at 1 and 20 parallel sessions, in the same run.
Loopback only, numeric addresses; both servers are started and stopped by pid.
Usage: bench_feedback.py --rebound build/rebound [--messages N]"""
import argparse
import os
import pathlib
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
DSN = ROOT / "tests" / "yardsticks" / "testbed-samples" / "dsn-from-postfix.eml"
NOW = 1795859310


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def report():
    lines = DSN.read_bytes().split(b"\n")
    while lines and lines[0].startswith(b"X-Sink-"):
        lines.pop(0)
    return b"\r\n".join(line.rstrip(b"\r") for line in lines)


def start(rebound, args, log):
    proc = subprocess.Popen([rebound, *args], stdout=log, stderr=subprocess.STDOUT)
    for _ in range(1000):
        if " ready" in pathlib.Path(log.name).read_text():
            return proc
        if proc.poll() is not None:
            raise RuntimeError(pathlib.Path(log.name).read_text())
        time.sleep(0.01)
    raise RuntimeError("server did not start")


def stop(proc):
    proc.terminate()
    proc.wait(timeout=30)


def blast(port, rcpt, data, sessions, messages):
    """Messages per second over `sessions` connections; every one must get 250."""
    per = messages // sessions
    errors = []

    def one():
        try:
            c = smtplib.SMTP("127.0.0.1", port, local_hostname="mx.example.net", timeout=60)
            for _ in range(per):
                c.sendmail("", [rcpt], data)
            c.quit()
        except Exception as e:  # counted below: a benchmark with failures reports nothing
            errors.append(e)

    threads = [threading.Thread(target=one) for _ in range(sessions)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} sessions failed: {errors[0]}")
    return per * sessions / (time.monotonic() - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rebound", default="build/rebound")
    ap.add_argument("--messages", type=int, default=2000)
    a = ap.parse_args()
    rebound = os.path.abspath(a.rebound)
    data = report()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "secret").write_text("bench-secret\n")
        fport, sport = free_port(), free_port()
        conf = tmp / "rebound.conf"
        conf.write_text(f'store = "sqlite:{tmp}/rebound.db"\nsrs.domain = "bounce.bench.test"\n'
                        f'srs.secret_file = "{tmp}/secret"\nclock.fixed = "{NOW}"\n'
                        f'feedback.listen = "127.0.0.1:{fport}"\n'
                        f'submission.listen = "127.0.0.1:{sport}"\nsink.dir = "{tmp}/sink"\n'
                        'submission.trusted_networks = "127.0.0.1/32"\n'
                        'submission.trusted_account = "acme"\n')
        run = lambda *args: subprocess.run([rebound, *args, "--config", str(conf)], check=True,
                                           capture_output=True, text=True).stdout
        run("account", "create", "acme")
        run("identity", "add", "example.com", "--account", "acme")
        run("identity", "verify", "--force", "example.com")
        rp = subprocess.run([rebound, "srs", "forward", "--config", str(conf), "--now", str(NOW),
                             "alice@example.com"], check=True, capture_output=True,
                            text=True).stdout.strip()
        with open(tmp / "fb.log", "w") as flog, open(tmp / "sink.log", "w") as slog:
            fb = start(rebound, ["feedback-mx", "--config", str(conf)], flog)
            sink = start(rebound, ["smtp-sink", "--config", str(conf)], slog)
            try:
                for sessions in (1, 20):
                    f = blast(fport, rp, data, sessions, a.messages)
                    s = blast(sport, "b@example.org", data, sessions, a.messages)
                    print(f"{sessions:2d} sessions: feedback-mx {f:8.0f} reports/s, smtp-sink "
                          f"{s:8.0f} msgs/s, ratio {f / s:.2f}")
            except RuntimeError:
                print("feedback-mx log tail:", (tmp / "fb.log").read_text()[-1500:])
                raise
            finally:
                stop(fb)
                stop(sink)
        rows = subprocess.run(["sqlite3", str(tmp / "rebound.db"),
                               "SELECT count(*) FROM events"], capture_output=True, text=True)
        print(f"events stored: {rows.stdout.strip()} ({len(data)} octets per report)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
