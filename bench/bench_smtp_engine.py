"""SMTP engine benchmark: Postfix's smtp-source submits 1 KiB messages to
  - rebound smtp-sink: the engine + the test role, every 250 after two fsync'd files and a
    directory fsync (one writer thread, no group commit: the real store comes later), and
  - Postfix's smtp-sink: the no-disk ceiling,
at 1 and 20 parallel sessions, in the same run. Also the RSS of rebound per idle session
(1000 sessions open at once). Everything runs inside a network namespace created here
(smtp-source and smtp-sink are Postfix tools that might consult the resolver; the namespace's
resolv.conf points at its own loopback where nothing answers), and is stopped by pid.
Usage: bench_smtp_engine.py --rebound build/rebound [--messages N]"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

NS = f"rbbench{os.getpid()}"
PORT_REBOUND, PORT_POSTFIX = 2525, 2526


def sh(*args, **kw):
    return subprocess.run(list(args), check=True, **kw)


def in_ns(*args):
    return ["ip", "netns", "exec", NS, *args]


def wait_port(port):
    for _ in range(500):
        r = subprocess.run(in_ns("python3", "-c", f"import socket; socket.create_connection("
                                 f"('127.0.0.1', {port}), timeout=1).close()"),
                           capture_output=True)
        if r.returncode == 0:
            return
        time.sleep(0.02)
    raise RuntimeError(f"port {port} never opened")


def source(port, sessions, messages):
    t0 = time.monotonic()
    sh(*in_ns("smtp-source", "-c", "-m", str(messages), "-s", str(sessions), "-l", "1024",
              "-f", "a@example.com", "-t", "b@example.org", "-M", "client.rebound.test",
              f"127.0.0.1:{port}"), stdout=subprocess.DEVNULL)
    return messages / (time.monotonic() - t0)


def rss_per_session(pid, port, n=1000):
    script = f"""
import socket, time
def rss():
    for l in open('/proc/{pid}/status'):
        if l.startswith('VmRSS:'): return int(l.split()[1])
base = rss(); socks = []
for i in range({n}):
    s = socket.create_connection(('127.0.0.1', {port})); socks.append(s)
for s in socks:
    assert s.recv(100).startswith(b'220')
print((rss() - base) / {n})
"""
    out = subprocess.run(in_ns("python3", "-c", script), capture_output=True, text=True,
                         check=True).stdout
    return float(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rebound", default="build/rebound")
    ap.add_argument("--messages", type=int, default=4000)
    a = ap.parse_args()
    rebound = os.path.abspath(a.rebound)
    work = tempfile.mkdtemp(prefix="rbbench-")
    procs = []
    sh("ip", "netns", "add", NS)
    os.makedirs(f"/etc/netns/{NS}", exist_ok=True)
    with open(f"/etc/netns/{NS}/resolv.conf", "w") as f:
        f.write("nameserver 127.0.0.1\n")
    try:
        sh(*in_ns("ip", "link", "set", "lo", "up"))
        conf = os.path.join(work, "sink.conf")
        with open(conf, "w") as f:
            f.write(f"smtp.hostname = bench.rebound.test\nsubmission.listen = "
                    f"127.0.0.1:{PORT_REBOUND}\nsubmission.trusted_networks = 127.0.0.0/8\n"
                    f"submission.trusted_account = bench\nsink.dir = {work}/mail\n"
                    f"smtp.max_sessions = 2000\nsmtp.max_sessions_per_ip = 2000\n"
                    f"log.level = warning\n")
        rb = subprocess.Popen(in_ns(rebound, "smtp-sink", "--config", conf))
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        pf = subprocess.Popen(in_ns("smtp-sink", *user, f"127.0.0.1:{PORT_POSTFIX}", "1000"),
                              stdout=subprocess.DEVNULL)
        procs = [rb, pf]
        wait_port(PORT_REBOUND)
        wait_port(PORT_POSTFIX)
        print(f"{'sessions':>8} {'rebound msg/s':>14} {'postfix smtp-sink msg/s':>24} {'ratio':>6}")
        for sessions in (1, 20):
            r = source(PORT_REBOUND, sessions, a.messages)
            p = source(PORT_POSTFIX, sessions, a.messages)
            print(f"{sessions:>8} {r:>14.0f} {p:>24.0f} {r / p:>6.2f}")
        stored = len([n for n in os.listdir(f"{work}/mail/new") if n.endswith(".eml")])
        print(f"rebound stored {stored} messages (fsync'd) of {2 * a.messages} sent")
        # `ip netns exec` execs its command, so the Popen pid is rebound's own.
        kb = rss_per_session(rb.pid, PORT_REBOUND)
        print(f"rebound RSS per idle session (1000 open): {kb:.1f} kB")
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=30)
        subprocess.run(["ip", "netns", "del", NS])
        shutil.rmtree(f"/etc/netns/{NS}", ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
