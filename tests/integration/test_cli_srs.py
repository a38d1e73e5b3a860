"""`rebound srs forward|reverse`: the operator's view (stdout, stderr, exit status)."""
import os
import subprocess

import pytest

REBOUND = os.environ.get("REBOUND_BIN", "build/rebound")
T0 = "1710504000"  # 2024-03-15 12:00:00 UTC, the vectors' clock


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secrets"
    path.write_bytes(b"n3w-s3cret\r\ntops3cr3t\r\n")
    return str(path)


def srs(*args):
    return subprocess.run([REBOUND, "srs", *args], capture_output=True, text=True, timeout=30)


def test_forward_signs_with_first_secret(secret):
    r = srs("forward", "--secret-file", secret, "--domain", "srs.example.net", "--now", T0,
            "user@example.org")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "SRS0=6jEc=KV=example.org=user@srs.example.net\n"  # vector v1-089


def test_reverse_accepts_old_secret(secret):
    r = srs("reverse", "--secret-file", secret, "--domain", "srs.example.net", "--now", T0,
            "SRS0=NcIk=KV=example.org=user@srs.example.net")
    assert (r.returncode, r.stdout) == (0, "user@example.org\n"), r.stderr


def test_reverse_failure_is_reported_on_stderr(secret):
    r = srs("reverse", "--secret-file", secret, "--domain", "srs.example.net", "--now", "1712361600",
            "SRS0=NcIk=KV=example.org=user@srs.example.net")
    assert r.returncode == 1
    assert r.stdout == ""
    assert "Time stamp out of date." in r.stderr and "expired" in r.stderr


def test_flags_change_the_format(secret, tmp_path):
    one = tmp_path / "one"
    one.write_text("tops3cr3t\n")
    r = srs("forward", "--secret-file", str(one), "--domain", "bounce.example.com", "--now", T0,
            "--separator", "+", "--hash-length", "8", "--alphabet", "base64", "user@example.org")
    assert r.stdout == "SRS0+NcIkQ8bi=KV=example.org=user@bounce.example.com\n"  # v1-094
    r = srs("reverse", "--secret-file", str(one), "--domain", "bounce.example.com", "--now", T0,
            "--hash-length", "8", "--hash-min", "6", "SRS0+NcIkQ=KV=example.org=user@x")
    assert r.returncode == 1 and "Hash too short" in r.stderr


def test_max_age_flag(secret):
    later = str(int(T0) + 30 * 86400)
    args = ["--secret-file", secret, "--domain", "srs.example.net", "--now", later]
    addr = "SRS0=NcIk=KV=example.org=user@srs.example.net"
    assert srs("reverse", *args, addr).returncode == 1
    r = srs("reverse", *args, "--max-age", "30", addr)
    assert (r.returncode, r.stdout) == (0, "user@example.org\n"), r.stderr


def test_config_file_supplies_settings(secret, tmp_path):
    conf = tmp_path / "rebound.conf"
    conf.write_text(f"srs.domain = srs.example.net\nsrs.secret_file = {secret}\n")
    r = srs("forward", "--config", str(conf), "--now", T0, "user@example.org")
    assert r.stdout == "SRS0=6jEc=KV=example.org=user@srs.example.net\n", r.stderr


@pytest.mark.parametrize("args,needle,code", [
    (["forward", "--domain", "d.example", "a@b"], "no secrets", 3),
    (["forward", "--secret-file", "/nonexistent", "--domain", "d", "a@b"], "/nonexistent", 3),
    (["sideways", "a@b"], "neither forward nor reverse", 2),
    (["forward", "--bogus", "a@b"], "unknown or incomplete flag '--bogus'", 2),
    (["forward", "--hash-length", "99", "a@b"], "--hash-length", 2),
    (["forward", "--separator", "#", "a@b"], "--separator", 2),
    (["forward"], "no address given", 2),
])
def test_usage_errors(args, needle, code, secret):
    r = srs(*args)
    assert r.returncode == code, (r.returncode, r.stderr)
    assert needle in r.stderr
    assert r.stdout == ""


def test_hash_min_above_length_refused(secret):
    r = srs("forward", "--secret-file", secret, "--domain", "d", "--hash-min", "6", "a@b")
    assert r.returncode == 3 and "srs.hash_min (6) is greater than srs.hash_length (4)" in r.stderr


def test_help_explains_every_flag():
    r = srs("--help")
    assert r.returncode == 0
    for flag in ["--secret-file", "--domain", "--now", "--alphabet", "--hash-length", "--hash-min",
                 "--max-age", "--separator", "--config"]:
        assert flag in r.stdout
    top = subprocess.run([REBOUND, "--help"], capture_output=True, text=True)
    assert top.returncode == 0 and "srs" in top.stdout


def test_empty_secret_file_refused(tmp_path):
    empty = tmp_path / "empty"
    empty.write_text("\n\n")
    r = srs("forward", "--secret-file", str(empty), "--domain", "d", "a@b")
    assert r.returncode == 3 and "holds no secret" in r.stderr
