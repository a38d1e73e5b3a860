"""`rebound srsmap` refuses a broken configuration with one clear sentence and a non-zero exit
before it listens anywhere."""
import os
import subprocess

import pytest

REBOUND = os.environ.get("REBOUND_BIN", "build/rebound")


def run(tmp_path, text, extra_files=True):
    (tmp_path / "secrets").write_text("tops3cr3t\n")
    conf = tmp_path / "r.conf"
    conf.write_text(text.replace("SECRETS", str(tmp_path / "secrets")))
    return subprocess.run([REBOUND, "srsmap", "--config", str(conf)], capture_output=True,
                          text=True, timeout=30)


BASE = "srs.domain = srs.example.net\nsrs.secret_file = SECRETS\n"


@pytest.mark.parametrize("text,needle", [
    (BASE + "srsmap.socketmap = 127.0.0.1:10003\n", "srsmap.socketmap"),
    (BASE + "srsmap.socketmap = inet:127.0.0.1:99999\n", "port from 0 to 65535"),
    (BASE + "srsmap.tcp_forward = localhost\n", "srsmap.tcp_forward"),
    (BASE + "srsmap.local_domains = example.com, bad_domain.org\n", "bad_domain.org"),
    (BASE + "srsmap.original_envelope = redis\n", "embedded or database"),
    (BASE + "srsmap.socketmap = inet:127.0.0.1:0\nsrsmap.original_envelope = database\n",
     "srsmap.envelope_database"),
    (BASE + "srsmap.envelope_database = redis:127.0.0.1:6379\n", "sqlite:FILE"),
    (BASE + "srsmap.keep_alive = 0\n", "srsmap.keep_alive"),
    (BASE + "srsmap.connection_limit = many\n", "srsmap.connection_limit"),
    (BASE + "srsmap.sockmap = inet:127.0.0.1:0\n", "unknown setting 'srsmap.sockmap'"),
    ("srs.secret_file = SECRETS\nsrsmap.socketmap = inet:127.0.0.1:0\n", "srs.domain"),
    ("srs.domain = x.example\nsrs.secret_file = /nonexistent/secrets\n"
     "srsmap.socketmap = inet:127.0.0.1:0\n", "/nonexistent/secrets"),
])
def test_configuration_errors_exit_3(tmp_path, text, needle):
    r = run(tmp_path, text)
    assert r.returncode == 3, r.stderr
    assert r.stderr.startswith("rebound: ") and needle in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_no_listener_configured(tmp_path):
    r = run(tmp_path, BASE)
    assert r.returncode == 1
    assert "no listener configured" in r.stderr


def test_port_in_use_is_reported(tmp_path):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    try:
        r = run(tmp_path, BASE + "srsmap.tcp_forward = 127.0.0.1:%d\n" % port)
    finally:
        s.close()
    assert r.returncode == 1
    assert "cannot listen on 127.0.0.1:%d" % port in r.stderr


def test_missing_config_flag_is_a_usage_error(tmp_path):
    r = subprocess.run([REBOUND, "srsmap"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "--config FILE is required" in r.stderr


def test_help_explains_the_flags():
    r = subprocess.run([REBOUND, "srsmap", "--help"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0
    assert "--config FILE" in r.stdout and "socketmap:inet:" in r.stdout and "tcp:" in r.stdout
