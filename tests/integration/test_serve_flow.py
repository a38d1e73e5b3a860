"""`rebound serve` running every role on one loop: a message submitted by a tenant is delivered
to the recipient's MX (found through a real nsd) with an SRS return path; a bounce sent back to
that return path is accepted by the feedback MX in the same process, classified, and returned to
the tenant with a null envelope sender by the same delivery queue."""
import os
import signal
import smtplib
import subprocess
import time

from rbhelpers_deliver import REBOUND, SmtpSink, free_port_on, make_cert, parse_dump
from rbhelpers_queue import IPS, QueueBed, addr

ALICE = addr("alice", "sender")  # alice@sender.queue.test, MX -> IPS["sender"]
BOB = addr("bob", "ok")          # bob@ok.queue.test, MX -> IPS["ok"]
BOUNCE_DOMAIN = "bounce.rebound.test"


def wait_for(predicate, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = predicate()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def dsn_for(return_path, failed):
    return (f"From: MAILER-DAEMON@mx.ok.queue.test\r\nTo: {return_path}\r\n"
            "Subject: Undelivered Mail Returned to Sender\r\nAuto-Submitted: auto-replied\r\n"
            "MIME-Version: 1.0\r\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
            "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
            "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.ok.queue.test\r\n\r\n"
            f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
            f"Diagnostic-Code: smtp; 550 5.1.1 <{failed}>: Recipient address rejected: "
            "User unknown in local recipient table\r\n\r\n--B--\r\n").encode()


def test_submit_deliver_bounce_and_return_in_one_serve(tmp_path):
    submit_port = free_port_on(["127.0.0.1"])
    feedback_port = free_port_on(["127.0.0.1"])
    cert, key = make_cert(tmp_path, "rebound.test")
    secret = tmp_path / "srs.secret"
    secret.write_text("serve-flow-secret\n")
    with QueueBed(tmp_path) as bed, \
            SmtpSink(tmp_path, IPS["ok"], bed.port) as recipient_mx, \
            SmtpSink(tmp_path, IPS["sender"], bed.port) as tenant_mx:
        for args in (["identity", "add", "sender.queue.test", "--account", "acme"],
                     ["identity", "verify", "--force", "sender.queue.test"]):
            out = bed.rebound(*args)
            assert out.returncode == 0, out.stderr.decode()
        bed.write_config(**{
            "srs.domain": BOUNCE_DOMAIN, "srs.secret_file": str(secret),
            "smtp.hostname": "rebound.test",
            "submission.listen": f"127.0.0.1:{submit_port}",
            "submission.tls_cert": str(cert), "submission.tls_key": str(key),
            "submission.trusted_networks": "127.0.0.0/8", "submission.trusted_account": "acme",
            "feedback.listen": f"127.0.0.1:{feedback_port}",
            "serve.delivery": "yes"})
        log = open(tmp_path / "serve.log", "wb")
        proc = subprocess.Popen([REBOUND, "serve", "--config", str(bed.config)], stderr=log)
        try:
            wait_for(lambda: b"serve ready" in (tmp_path / "serve.log").read_bytes(), "serve")
            ready = (tmp_path / "serve.log").read_text()
            assert "roles=submission,feedback,delivery" in ready, ready

            # 1. The tenant submits; the recipient's MX gets it with an SRS0 return path.
            body = (f"From: Alice <{ALICE}>\r\nTo: {BOB}\r\nSubject: hello\r\n\r\nHi Bob.\r\n")
            with smtplib.SMTP("127.0.0.1", submit_port, timeout=30) as c:
                c.ehlo("app.sender.queue.test")
                c.sendmail(ALICE, [BOB], body.encode())
            dump = wait_for(recipient_mx.dumps, "delivery to the recipient's MX")[0]
            meta, delivered = parse_dump(dump)
            return_path = meta["X-Mail-Args"][0].split(" ")[0].strip("<>")
            assert return_path.startswith("SRS0=") and return_path.endswith("=alice@" + BOUNCE_DOMAIN), meta
            assert "=sender.queue.test=alice@" in return_path
            assert meta["X-Rcpt-Args"] == [f"<{BOB}>"]
            assert b"Hi Bob." in delivered

            # 2. The recipient's MX bounces to the return path: the feedback MX accepts it ...
            with smtplib.SMTP("127.0.0.1", feedback_port, timeout=30) as c:
                c.ehlo("mx.ok.queue.test")
                code, _ = c.mail("<>")
                assert code == 250
                code, msg = c.rcpt(return_path)
                assert code == 250, msg
                code, msg = c.data(dsn_for(return_path, BOB))
                assert code == 250, msg
                # ... and refuses a forged one, storing nothing.
                c.rset()
                c.mail("<>")
                forged = return_path.replace("SRS0=", "SRS0=x", 1)
                code, msg = c.rcpt(forged)
                assert code == 550 and msg.startswith(b"5.1.1"), (code, msg)

            # 3. ... and the report goes back to alice with a null envelope sender.
            back = wait_for(tenant_mx.dumps, "the bounce returned to the tenant")[0]
            meta, report = parse_dump(back)
            assert meta["X-Mail-Args"][0].split(" ")[0] == "<>", meta
            assert meta["X-Rcpt-Args"][0].split(" ")[0] == f"<{ALICE}>", meta
            assert b"Status: 5.1.1" in report and b"User unknown" in report
        finally:
            os.kill(proc.pid, signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
            log.close()
        suppressed = subprocess.run(
            ["sqlite3", str(tmp_path / "queue.db"),
             "SELECT address, reason FROM suppressions"], capture_output=True, text=True)
        assert suppressed.stdout.strip() == f"{BOB}|BOUNCE", suppressed
