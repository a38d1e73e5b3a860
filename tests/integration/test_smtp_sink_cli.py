"""`rebound smtp-sink` as a command: usage and configuration errors are sentences with the
documented exit codes, and the option table documents the SMTP settings."""
import os
import subprocess

REBOUND = os.environ.get("REBOUND_BIN", "build/rebound")


def run(*args):
    return subprocess.run([REBOUND, *args], capture_output=True, text=True, timeout=30)


def test_help_explains_flags():
    r = run("smtp-sink", "--help")
    assert r.returncode == 0
    assert "--config FILE" in r.stdout and "--dir DIR" in r.stdout


def test_config_is_required():
    r = run("smtp-sink")
    assert r.returncode == 2
    assert r.stderr == "rebound: smtp-sink: --config FILE is required\n"


def test_no_listener_is_a_config_error(tmp_path):
    conf = tmp_path / "c.conf"
    conf.write_text(f"sink.dir = {tmp_path}/mail\n")
    r = run("smtp-sink", "--config", str(conf))
    assert r.returncode == 3
    assert "no listener: set submission.listen or submission.listen_tls" in r.stderr


def test_implicit_tls_without_certificate_is_refused(tmp_path):
    conf = tmp_path / "c.conf"
    conf.write_text(f"sink.dir = {tmp_path}/mail\nsubmission.listen_tls = 127.0.0.1:0\n")
    r = run("smtp-sink", "--config", str(conf))
    assert r.returncode == 1
    assert "needs a TLS certificate and key" in r.stderr


def test_trusted_networks_need_an_account(tmp_path):
    conf = tmp_path / "c.conf"
    conf.write_text(f"sink.dir = {tmp_path}/mail\nsubmission.listen = 127.0.0.1:0\n"
                    "submission.trusted_networks = 10.0.0.0/8\n")
    r = run("smtp-sink", "--config", str(conf))
    assert r.returncode == 3
    assert "submission.trusted_networks needs submission.trusted_account" in r.stderr


def test_bad_network_and_missing_key_file(tmp_path):
    conf = tmp_path / "c.conf"
    conf.write_text(f"sink.dir = {tmp_path}/mail\nsubmission.listen = 127.0.0.1:0\n"
                    "submission.trusted_networks = 10.0.0.0/33\n"
                    "submission.trusted_account = relay\n")
    r = run("smtp-sink", "--config", str(conf))
    assert r.returncode == 3 and "'10.0.0.0/33' is not an address or address/prefix" in r.stderr
    conf.write_text(f"sink.dir = {tmp_path}/mail\nsubmission.listen = 127.0.0.1:0\n"
                    f"submission.tls_cert = {tmp_path}/none.pem\n"
                    f"submission.tls_key = {tmp_path}/none.key\n")
    r = run("smtp-sink", "--config", str(conf))
    assert r.returncode == 3 and f"cannot load the certificate chain {tmp_path}/none.pem" in r.stderr


def test_limits_are_bounded_in_the_option_table(tmp_path):
    conf = tmp_path / "c.conf"
    conf.write_text("smtp.max_command_line = 100\n")  # RFC 5321 4.5.3.1.4: at least 512
    r = run("check-config", "--config", str(conf))
    assert r.returncode == 3 and "smtp.max_command_line" in r.stderr
    r = run("check-config")
    for line in ("smtp.max_recipients = 50", "smtp.max_message_size = 41943040",
                 "smtp.timeout_command = 300", "submission.auth_plaintext = no"):
        assert line in r.stdout.splitlines()
