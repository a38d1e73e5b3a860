"""Queue drain benchmark: N messages of 1 KiB are committed to a fresh SQLite store with
`rebound queue inject --count N` (one transaction), then `rebound queue run` delivers them
(MX from an nsd started here, 20 jobs at once) to Postfix's smtp-sink; compared in the same run
with Postfix's smtp-source sending the same number of messages straight to the same smtp-sink
over 20 sessions (the wire ceiling: no queue, no store). The end-to-end comparison the issue
asks for (smtp-source -> rebound -> smtp-sink vs smtp-source -> Postfix -> smtp-sink) needs the
submission role (`rebound serve`), which is not on this branch.
Usage: bench_queue_drain.py --rebound build/rebound [--messages N]"""
import argparse
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

SRC = pathlib.Path(os.environ.get("REBOUND_SRC", pathlib.Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(SRC / "tests" / "integration"))

from rbhelpers_deliver import free_port_on, zone  # noqa: E402
from rbhelpers_dns import Nsd  # noqa: E402

SESSIONS = 20


def sink(port, workdir):
    log = open(pathlib.Path(workdir) / "sink.log", "w")
    user = ["-u", "nobody"] if os.getuid() == 0 else []
    proc = subprocess.Popen(["/usr/sbin/smtp-sink", *user, "-c", f"127.0.0.1:{port}", "256"],
                            stdout=log, stderr=subprocess.STDOUT)
    time.sleep(0.3)
    return proc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rebound", required=True)
    ap.add_argument("--messages", type=int, default=10000)
    a = ap.parse_args()
    n = a.messages
    work = tempfile.mkdtemp(prefix="rebound-bench-queue-")
    port = free_port_on(["127.0.0.1"])
    nsd = Nsd(work, {"bench.test": zone("bench.test", ["sink IN MX 10 mx", "mx IN A 127.0.0.1"])})
    nsd.start()
    proc = sink(port, work)
    try:
        t0 = time.monotonic()
        subprocess.run(["smtp-source", "-c", "-m", str(n), "-s", str(SESSIONS), "-l", "1024",
                        "-f", "a@example.com", "-t", "b@sink.bench.test", "-M", "client.test",
                        f"127.0.0.1:{port}"], check=True, stdout=subprocess.DEVNULL)
        direct = n / (time.monotonic() - t0)

        cfg = pathlib.Path(work) / "rebound.conf"
        cfg.write_text(f"store = sqlite:{work}/bench.db\ndns.servers = {nsd.address}\n"
                       f"deliver.smtp_port = {port}\ndeliver.helo_name = client.test\n"
                       f"deliver.tls_policy = none\ndeliver.concurrency = {SESSIONS}\n"
                       f"deliver.domain_concurrency = {SESSIONS}\nlog.level = warning\n")
        rb = [a.rebound]
        subprocess.run(rb + ["account", "create", "acme", "--config", str(cfg)], check=True,
                       stdout=subprocess.DEVNULL)
        msg = pathlib.Path(work) / "m.eml"
        msg.write_bytes(b"From: a@example.com\r\nTo: b@sink.bench.test\r\nSubject: bench\r\n\r\n"
                        + (b"x" * 78 + b"\r\n") * 12)
        t0 = time.monotonic()
        subprocess.run(rb + ["queue", "inject", "--config", str(cfg), "--account", "acme",
                             "--from", "a@example.com", "--to", "b@sink.bench.test",
                             "--count", str(n), str(msg)], check=True, stdout=subprocess.DEVNULL)
        inject = n / (time.monotonic() - t0)
        t0 = time.monotonic()
        out = subprocess.run(rb + ["queue", "run", "--config", str(cfg)], check=True,
                             capture_output=True).stdout.decode().strip()
        drain_s = time.monotonic() - t0
        assert f"delivered={n} " in out, out
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait()
        nsd.stop()
    print(f"messages={n} size=1KiB sessions/jobs={SESSIONS}")
    print(f"rebound queue inject (one transaction): {inject:10.0f} msg/s")
    print(f"rebound queue run drain -> smtp-sink:  {n / drain_s:10.0f} msg/s "
          f"(drained in {drain_s:.2f} s)")
    print(f"smtp-source -> smtp-sink (no queue):   {direct:10.0f} msg/s")
    print(f"ratio rebound drain / direct wire:     {n / drain_s / direct:10.2f}")


if __name__ == "__main__":
    main()
