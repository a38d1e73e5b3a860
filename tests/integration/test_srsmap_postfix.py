"""Postfix's own client against `rebound srsmap`: postmap -q over tcp_table (postsrsd 1.x
replacement) and socketmap (postsrsd 2.x replacement). postmap does no DNS lookups for these
tables; it gets a private, empty config directory (postmap -c) so /etc/postfix does not matter.
Expected values come from the vector files."""
import os
import subprocess
import time

import pytest

from rbhelpers_srsmap import Srsmap, read_tsv, write_secrets

POSTMAP = "/usr/sbin/postmap"
V1 = {r["id"]: r for r in read_tsv("srs-postsrsd.tsv")}
V2 = {r["id"]: r for r in read_tsv("srs-postsrsd2-socketmap.tsv")}


@pytest.fixture
def server(tmp_path):
    secret_file = str(tmp_path / "secrets")
    write_secrets(secret_file, ["tops3cr3t"])
    srv = Srsmap(str(tmp_path), {
        "srs.domain": "srs.example.net",
        "srs.secret_file": secret_file,
        "clock.fixed": V1["v1-001"]["clock_unix"],
        "srsmap.socketmap": "inet:127.0.0.1:0",
        "srsmap.tcp_forward": "127.0.0.1:0",
        "srsmap.tcp_reverse": "127.0.0.1:0",
    })
    yield srv
    assert srv.stop() == 0, srv.log_text()


@pytest.fixture(scope="module")
def confdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("postfix")
    (d / "main.cf").write_text("")
    # Postfix waits for a main.cf modified within the last second to settle; age it.
    old = time.time() - 60
    os.utime(d / "main.cf", (old, old))
    return str(d)


def postmap(confdir, key, table):
    return subprocess.run([POSTMAP, "-c", confdir, "-q", key, table], capture_output=True,
                          text=True, timeout=60)


def key_of(request):
    return request.split(" ", 1)[1]


def inet(server, proto, mapname):
    host, port = server.address(proto, mapname)
    return "%s:%d" % (host, port)


def test_tcp_table_forward(server, confdir):
    row = V1["v1-001"]
    r = postmap(confdir, key_of(row["request_line"]), "tcp:" + inet(server, "tcp_table", "forward"))
    assert (r.returncode, r.stdout) == (0, row["value"] + "\n"), r.stderr


def test_tcp_table_forward_decodes_reply(server, confdir):
    # Postfix %-encodes the key and decodes the reply: the quoted local part comes back raw.
    row = V2["v2-016"]
    r = postmap(confdir, key_of(row["request_payload"]),
                "tcp:" + inet(server, "tcp_table", "forward"))
    assert (r.returncode, r.stdout) == (0, row["value"] + "\n"), r.stderr


def test_tcp_table_reverse(server, confdir):
    row = V1["v1-036"]
    r = postmap(confdir, key_of(row["request_line"]), "tcp:" + inet(server, "tcp_table", "reverse"))
    assert (r.returncode, r.stdout) == (0, row["value"] + "\n"), r.stderr


def test_tcp_table_not_found_exit_status(server, confdir):
    row = V1["v1-052"]  # reverse of a non-SRS address: 500 -> not found
    r = postmap(confdir, key_of(row["request_line"]), "tcp:" + inet(server, "tcp_table", "reverse"))
    assert (r.returncode, r.stdout) == (1, ""), r.stderr


def test_socketmap_forward(server, confdir):
    row = V2["v2-001"]
    r = postmap(confdir, key_of(row["request_payload"]),
                "socketmap:inet:%s:forward" % inet(server, "socketmap", "forward,reverse"))
    assert (r.returncode, r.stdout) == (0, row["value"] + "\n"), r.stderr


def test_socketmap_reverse(server, confdir):
    row = V2["v2-021"]
    r = postmap(confdir, key_of(row["request_payload"]),
                "socketmap:inet:%s:reverse" % inet(server, "socketmap", "forward,reverse"))
    assert (r.returncode, r.stdout) == (0, row["value"] + "\n"), r.stderr


def test_socketmap_not_found_exit_status(server, confdir):
    row = V2["v2-026"]  # bad hash -> NOTFOUND
    r = postmap(confdir, key_of(row["request_payload"]),
                "socketmap:inet:%s:reverse" % inet(server, "socketmap", "forward,reverse"))
    assert (r.returncode, r.stdout) == (1, ""), r.stderr


def test_socketmap_unknown_map_is_a_query_error(server, confdir):
    row = V2["v2-020"]  # PERM Invalid map.
    mapname = row["request_payload"].split(" ")[0]
    r = postmap(confdir, key_of(row["request_payload"]),
                "socketmap:inet:%s:%s" % (inet(server, "socketmap", "forward,reverse"), mapname))
    assert r.returncode != 0
    assert row["value"] in r.stderr and "query error" in r.stderr
