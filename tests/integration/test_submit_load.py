"""Load: 1,000 sessions opened at once against `rebound serve` from one bounded loopback
client. Every session is served (220, then a whole pipelined transaction committed to the
store) or refused with 421 4.7.0; the server's RSS per open session is printed (not asserted
against a time or a machine-dependent figure, only against a generous bound)."""
import os

from rbhelpers_smtp import Raw
from rbhelpers_submit import Serve

SESSIONS = 1000
LIMIT = 800


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_thousand_sessions_served_or_refused(tmp_path):
    srv = Serve(tmp_path, options={"smtp.max_sessions": LIMIT, "smtp.max_sessions_per_ip": 2000,
                                   "submission.trusted_networks": "127.0.0.1/32",
                                   "submission.trusted_account": "acme"})
    try:
        before = srv.message_count()
        base = rss_kb(srv.proc.pid)
        clients = [Raw(srv.port, timeout=60) for _ in range(SESSIONS)]
        greetings = [c.reply() for c in clients]
        peak = rss_kb(srv.proc.pid)
        served = [c for c, (code, _) in zip(clients, greetings) if code == 220]
        refused = [g for g in greetings if g[0] != 220]
        assert len(served) == LIMIT
        assert refused == [(421, ["4.7.0 Too many connections, try again later"])] * (
            SESSIONS - LIMIT)
        for i, c in enumerate(served):
            c.send(f"EHLO load{i}.rebound.test\r\nMAIL FROM:<load@example.com>\r\n"
                   f"RCPT TO:<r{i}@example.org>\r\nDATA\r\n")
        for c in served:
            assert [c.reply()[0] for _ in range(4)] == [250, 250, 250, 354]
        for i, c in enumerate(served):
            c.send(f"From: load@example.com\r\n\r\nsession {i}\r\n.\r\n")
        codes = [c.reply()[0] for c in served]
        peak = max(peak, rss_kb(srv.proc.pid))
        assert codes == [250] * LIMIT
        for c in clients:
            c.close()
        assert srv.message_count() == before + LIMIT
        per_session = (peak - base) / LIMIT
        print(f"\nrebound serve RSS: {base} kB idle, {peak} kB peak with {LIMIT} sessions "
              f"(+{SESSIONS - LIMIT} refused): {per_session:.1f} kB per session")
        # Bounded memory: far below a megabyte per session even under ASan.
        assert per_session < 1024, per_session
    finally:
        assert srv.stop() == 0
