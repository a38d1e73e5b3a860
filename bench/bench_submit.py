"""Submission benchmark: Postfix's smtp-source submits 1 KiB messages at 1, 20 and 100
parallel sessions to
  - rebound serve: the submission role, trusted-network account, durable SQLite store
    (synchronous=FULL, group commit): every 250 is on disk;
  - Postfix's smtpd: a private Postfix instance (its own config, queue and log directories;
    master.cf with only what a submission needs: smtpd, cleanup, trivial-rewrite, qmgr and
    the discard transport, so mail is queued durably by cleanup(8), then relayed nowhere);
  - Postfix's smtp-sink: the no-disk ceiling (accepts and forgets).
All in the same run, each inside a network namespace created here (Postfix resolves names:
the namespace's resolv.conf points at its own loopback, where nothing answers), stopped by
pid. Prints msg/s per target, the ratio rebound/Postfix, and peak RSS (VmHWM) of rebound and
of Postfix's processes.
Usage: bench_submit.py --rebound build/rebound [--messages N]"""
import argparse
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time

NS = f"rbsubmit{os.getpid()}"
PORT_REBOUND, PORT_POSTFIX, PORT_SINK = 2525, 2526, 2527
SESSIONS = (1, 20, 100)


def sh(*args, **kw):
    return subprocess.run(list(args), check=True, **kw)


def in_ns(*args):
    return ["ip", "netns", "exec", NS, *args]


def wait_port(port):
    for _ in range(500):
        r = subprocess.run(in_ns("/usr/bin/python3", "-c",
                                 f"import socket; s = socket.create_connection(('127.0.0.1', "
                                 f"{port}), timeout=1); assert s.recv(3) == b'220'"),
                           capture_output=True)
        if r.returncode == 0:
            return
        time.sleep(0.02)
    raise RuntimeError(f"port {port} never answered 220")


def source(port, sessions, messages):
    t0 = time.monotonic()
    sh(*in_ns("smtp-source", "-c", "-m", str(messages), "-s", str(sessions), "-l", "1024",
              "-f", "a@example.com", "-t", "b@example.org", "-M", "client.rebound.test",
              f"127.0.0.1:{port}"), stdout=subprocess.DEVNULL)
    return messages / (time.monotonic() - t0)


def hwm_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kb(pid):
    """Proportional set size: shared pages split among the processes sharing them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_s(pid):
    """User + system CPU seconds of a process (threads included)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                kids = [int(k) for k in f.read().split()]
        except OSError:
            kids = []
        out += kids
        todo += kids
    return out


MAIN_CF = """compatibility_level = 3.6
queue_directory = {d}/spool
data_directory = {d}/data
maillog_file_prefixes = {d}
maillog_file = {d}/maillog
myhostname = postfix.bench.rebound.test
mydomain = bench.rebound.test
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
default_transport = discard:relaying nowhere (benchmark)
relay_transport = discard:relaying nowhere (benchmark)
default_process_limit = 200
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_peername_lookup = no
biff = no
"""

MASTER_CF = """127.0.0.1:{port} inet n - n - 150 smtpd
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
anvil     unix  -       -       n       -       1       anvil
discard   unix  -       -       n       -       -       discard
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def postfix_start(work):
    d = os.path.join(work, "postfix")
    etc = os.path.join(d, "etc")
    os.makedirs(etc)
    os.makedirs(os.path.join(d, "data"))
    os.makedirs(os.path.join(d, "spool"))
    os.chmod(os.path.join(d, "spool"), 0o755)
    pw = pwd.getpwnam("postfix")
    os.chown(os.path.join(d, "data"), pw.pw_uid, pw.pw_gid)
    os.chmod(d, 0o755)
    with open(os.path.join(etc, "main.cf"), "w") as f:
        f.write(MAIN_CF.format(d=d))
    with open(os.path.join(etc, "master.cf"), "w") as f:
        f.write(MASTER_CF.format(port=PORT_POSTFIX))
    old = time.time() - 60  # Postfix waits for a fresh main.cf to settle (TESTBED pitfall 1)
    for n in ("main.cf", "master.cf"):
        os.utime(os.path.join(etc, n), (old, old))
    r = subprocess.run(in_ns("postfix", "-c", etc, "start"), capture_output=True, text=True)
    if r.returncode != 0:
        log = open(os.path.join(d, "maillog")).read() if os.path.exists(
            os.path.join(d, "maillog")) else ""
        raise RuntimeError("postfix start failed: " + r.stdout + r.stderr + log)
    pidfile = os.path.join(d, "spool", "pid", "master.pid")
    for _ in range(500):
        if os.path.exists(pidfile) and open(pidfile).read().strip():
            break
        time.sleep(0.02)
    return d, int(open(pidfile).read().strip())


def postfix_stop(master):
    try:
        os.kill(master, 15)
    except ProcessLookupError:
        return
    for _ in range(500):
        try:
            with open(f"/proc/{master}/stat") as f:
                if f.read().split()[2] == "Z":
                    return
        except OSError:
            return
        time.sleep(0.02)


def rebound_start(rebound, work):
    db = os.path.join(work, "rebound.db")
    secret = os.path.join(work, "srs.secret")
    with open(secret, "w") as f:
        f.write("bench-secret\n")
    conf = os.path.join(work, "rebound.conf")
    with open(conf, "w") as f:
        f.write(f"store = sqlite:{db}\nsrs.domain = bounce.bench.rebound.test\n"
                f"srs.secret_file = {secret}\nsmtp.hostname = rebound.bench.rebound.test\n"
                f"submission.listen = 127.0.0.1:{PORT_REBOUND}\n"
                f"submission.trusted_networks = 127.0.0.0/8\n"
                f"submission.trusted_account = bench\nsmtp.max_sessions = 2000\n"
                f"smtp.max_sessions_per_ip = 2000\nlog.level = warning\n"
                # submission only: the bench measures accepted messages
                f"serve.delivery = no\n")
    for args in (["account", "create", "bench"], ["identity", "add", "example.com",
                                                   "--account", "bench"],
                 ["identity", "verify", "--force", "example.com"]):
        sh(rebound, *args, "--config", conf, stdout=subprocess.DEVNULL)
    return subprocess.Popen(in_ns(rebound, "serve", "--config", conf)), db


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rebound", default="build/rebound")
    ap.add_argument("--messages", type=int, default=3000)
    a = ap.parse_args()
    rebound = os.path.abspath(a.rebound)
    # On disk (not a tmpfs): both queues must really reach the disk.
    work = tempfile.mkdtemp(prefix="rbbench-submit-", dir="/var/tmp")
    os.chmod(work, 0o755)
    procs, master = [], None
    sh("ip", "netns", "add", NS)
    os.makedirs(f"/etc/netns/{NS}", exist_ok=True)
    with open(f"/etc/netns/{NS}/resolv.conf", "w") as f:
        f.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    try:
        sh(*in_ns("ip", "link", "set", "lo", "up"))
        rb, db = rebound_start(rebound, work)
        procs.append(rb)
        pfdir, master = postfix_start(work)
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        sink = subprocess.Popen(in_ns("smtp-sink", *user, f"127.0.0.1:{PORT_SINK}", "1000"),
                                stdout=subprocess.DEVNULL)
        procs.append(sink)
        for p in (PORT_REBOUND, PORT_POSTFIX, PORT_SINK):
            wait_port(p)
        print(f"{a.messages} messages of 1 KiB per run; rebound: SQLite synchronous=FULL, "
              f"group commit; Postfix {subprocess.run(['postconf', '-h', '-d', 'mail_version'], capture_output=True, text=True).stdout.strip()}: "
              f"queue file fsync'd by cleanup, then discarded")
        print(f"{'sessions':>8} {'rebound':>10} {'postfix':>10} {'smtp-sink':>10} "
              f"{'rebound/postfix':>16} {'rebound/sink':>13}   (msg/s)")
        cpu = {}
        for sessions in SESSIONS:
            c0 = cpu_s(rb.pid)
            r = source(PORT_REBOUND, sessions, a.messages)
            cpu[sessions] = (cpu_s(rb.pid) - c0) * 1000 / a.messages
            p = source(PORT_POSTFIX, sessions, a.messages)
            s = source(PORT_SINK, sessions, a.messages)
            print(f"{sessions:>8} {r:>10.0f} {p:>10.0f} {s:>10.0f} {r / p:>16.2f} "
                  f"{r / s:>13.2f}", flush=True)
        print("rebound CPU per message (ms): " +
              ", ".join(f"{k} sessions {v:.2f}" for k, v in cpu.items()))
        stored = subprocess.run(["sqlite3", db, "SELECT count(*) FROM messages"],
                                capture_output=True, text=True).stdout.strip()
        print(f"rebound stored {stored} messages of {len(SESSIONS) * a.messages} sent")
        pf_pids = [master] + descendants(master)
        pf_pss = sum(pss_kb(p) for p in pf_pids)
        print(f"peak RSS: rebound serve {hwm_kb(rb.pid) / 1024:.1f} MB (VmHWM, one process); "
              f"Postfix {pf_pss / 1024:.1f} MB (PSS summed over its {len(pf_pids)} processes "
              f"still alive after the 100-session run)")
    finally:
        if master is not None:
            postfix_stop(master)
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        left = subprocess.run(["ip", "netns", "pids", NS], capture_output=True,
                              text=True).stdout.split()
        for pid in left:
            try:
                os.kill(int(pid), 9)
            except ProcessLookupError:
                pass
        subprocess.run(["ip", "netns", "del", NS])
        shutil.rmtree(f"/etc/netns/{NS}", ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
