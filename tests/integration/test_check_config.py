"""`rebound check-config`: validation messages and the generated example configuration."""
import os
import pathlib
import subprocess

REBOUND = os.environ.get("REBOUND_BIN", "build/rebound")
SRC = pathlib.Path(os.environ.get("REBOUND_SRC", "."))


def run(*args):
    return subprocess.run([REBOUND, "check-config", *args], capture_output=True, text=True,
                          timeout=30)


def test_example_file_is_current():
    """rebound.conf.example documents every option; regenerate it when the table changes."""
    r = run("--example")
    assert r.returncode == 0
    assert (SRC / "rebound.conf.example").read_text() == r.stdout, \
        "rebound.conf.example is stale: run 'build/rebound check-config --example > rebound.conf.example'"


def test_example_file_is_a_valid_config(tmp_path):
    r = run("--config", str(SRC / "rebound.conf.example"))
    assert r.returncode == 0, r.stderr
    assert "srs.hash_length = 4" in r.stdout


def test_bad_value_names_file_and_line(tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("# fine\nsrs.domain = d.example\nsrs.hash_length = 99\n")
    r = run("--config", str(conf))
    assert r.returncode == 3
    assert f"{conf}:3: srs.hash_length: '99' is not an integer between 1 and 27" in r.stderr


def test_unknown_option_refused(tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("srs.domian = d.example\n")
    r = run("--config", str(conf))
    assert r.returncode == 3 and "unknown setting 'srs.domian'" in r.stderr


def test_cross_option_rule(tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("srs.hash_length = 4\nsrs.hash_min = 5\n")
    r = run("--config", str(conf))
    assert r.returncode == 3 and "srs.hash_min (5) is greater than srs.hash_length (4)" in r.stderr


def test_missing_file():
    r = run("--config", "/nonexistent/rebound.conf")
    assert r.returncode == 3 and "No such file or directory" in r.stderr
