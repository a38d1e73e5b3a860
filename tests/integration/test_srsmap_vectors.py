"""`rebound srsmap` replays EVERY row of both postsrsd vector files over real sockets:
srs-postsrsd.tsv (postsrsd 1.10, tcp_table) and srs-postsrsd2-socketmap.tsv (postsrsd 2.4,
socketmap). One server per configuration found in the files, clock pinned to the row's clock.
Expectations come only from the files."""
import itertools
import os
import sqlite3

import pytest

from rbhelpers_srsmap import (LineReader, NetstringReader, Srsmap, assert_closed, assert_open,
                              connect, netstring, read_tsv, write_secrets)

V1 = read_tsv("srs-postsrsd.tsv")
V2 = read_tsv("srs-postsrsd2-socketmap.tsv")


def v1_settings(row, tmp):
    """postsrsd 1.x flags of a row -> rebound settings (tcp_table, classic base64 alphabet)."""
    secrets = row["secrets_first_signs"].split("|")
    secret_file = os.path.join(tmp, "secrets")
    # The vector file says the two-secret file had CRLF line ends.
    write_secrets(secret_file, secrets, crlf=len(secrets) > 1)
    s = {
        "srs.domain": row["srs_domain"],
        "srs.secret_file": secret_file,
        "srs.alphabet": "base64",
        "clock.fixed": row["clock_unix"],
        "srsmap.tcp_forward": "127.0.0.1:0",
        "srsmap.tcp_reverse": "127.0.0.1:0",
    }
    flags = row["extra_flags"]
    for flag in ([] if flags == "-" else flags.split()):
        if flag.startswith("-a"):
            s["srs.separator"] = flag[2:]
        elif flag.startswith("-n"):
            s["srs.hash_length"] = flag[2:]
        elif flag.startswith("-N"):
            s["srs.hash_min"] = flag[2:]
        elif flag.startswith("-X"):
            s["srsmap.local_domains"] = flag[2:]
        elif flag == "-A":
            s["srs.always_rewrite"] = "yes"
        else:
            raise AssertionError("unknown postsrsd flag %r in %s" % (flag, row["id"]))
    return s


def v1_groups():
    key = lambda r: (r["clock_unix"], r["secrets_first_signs"], r["extra_flags"], r["srs_domain"])
    groups = []
    for _, rows in itertools.groupby(V1, key=key):
        groups.append(list(rows))
    return groups


def is_pipelined(row):
    return "pipelined" in row["note"]


def replay_v1_group(server, rows):
    conns = {}
    readers = {}
    i = 0
    while i < len(rows):
        row = rows[i]
        address = server.address("tcp_table", row["port"])
        if is_pipelined(row):
            # Consecutive pipelined rows go out in ONE write on a fresh connection.
            batch = [r for r in itertools.takewhile(is_pipelined, rows[i:])]
            s = connect(address)
            s.sendall(b"".join(r["request_line"].encode() + b"\n" for r in batch))
            reader = LineReader(s)
            for r in batch:
                got = reader.line().decode()
                assert got == r["response_line"], "%s: got %r, want %r" % (r["id"], got,
                                                                            r["response_line"])
            s.close()
            i += len(batch)
            continue
        if row["response_line"] == "500 Invalid request":
            # A protocol error: the reply, then postsrsd closed the connection.
            s = connect(address)
            s.sendall(row["request_line"].encode() + b"\n")
            reader = LineReader(s)
            got = reader.line().decode()
            assert got == row["response_line"], "%s: got %r" % (row["id"], got)
            assert_closed(s, reader.pending)
            s.close()
            i += 1
            continue
        if row["port"] not in conns:
            conns[row["port"]] = connect(address)
            readers[row["port"]] = LineReader(conns[row["port"]])
        conns[row["port"]].sendall(row["request_line"].encode() + b"\n")
        got = readers[row["port"]].line().decode()
        assert got == row["response_line"], "%s: got %r, want %r" % (row["id"], got,
                                                                    row["response_line"])
        i += 1
    for s in conns.values():
        assert_open(s)  # ordinary answers, refusals included, keep the connection
        s.close()


@pytest.mark.parametrize("rows", v1_groups(), ids=lambda rows: rows[0]["id"] + ".." + rows[-1]["id"])
def test_postsrsd1_tcp_table_vectors(rows, tmp_path):
    server = Srsmap(str(tmp_path), v1_settings(rows[0], str(tmp_path)))
    try:
        replay_v1_group(server, rows)
    finally:
        assert server.stop() == 0, server.log_text()


def test_v1_file_is_fully_covered():
    covered = sum(len(g) for g in v1_groups())
    assert covered == len(V1) and len(V1) == 106


# ---- postsrsd 2.x socketmap -------------------------------------------------------------------

def v2_settings(row, tmp, endpoint):
    secret_file = os.path.join(tmp, "secrets")
    write_secrets(secret_file, row["secrets_first_signs"].split("|"))
    s = {
        "srs.domain": row["srs_domain"],
        "srs.secret_file": secret_file,
        "srs.alphabet": "base64url",
        "clock.fixed": row["clock_unix"],
        "srsmap.socketmap": endpoint,
        "srsmap.local_domains": row["local_domains"],
        "srsmap.original_envelope": row["original_envelope"],
    }
    if row["original_envelope"] == "database":
        s["srsmap.envelope_database"] = "sqlite:" + os.path.join(tmp, "aliases.db")
    return s


def v2_groups():
    key = lambda r: (r["clock_unix"], r["secrets_first_signs"], r["srs_domain"],
                     r["local_domains"], r["original_envelope"])
    return [list(rows) for _, rows in itertools.groupby(V2, key=key)]


def raw_bytes(payload):
    assert payload.startswith("RAW:")
    return payload[4:].replace("\\n", "\n").encode()


def replay_v2_group(address, rows):
    s = connect(address)
    reader = NetstringReader(s)
    for row in rows:
        want = row["response_payload"].encode()
        if row["request_payload"].startswith("RAW:"):
            # Protocol violation: the reply, then postsrsd 2.x closed the connection.
            r = connect(address)
            r.sendall(raw_bytes(row["request_payload"]))
            rr = NetstringReader(r)
            got = rr.reply()
            assert got == want, "%s: got %r, want %r" % (row["id"], got, want)
            assert_closed(r, rr.pending)
            r.close()
            continue
        s.sendall(netstring(row["request_payload"].encode()))
        got = reader.reply()
        assert got == want, "%s: got %r, want %r" % (row["id"], got, want)
    # "PERM Too big." and "PERM Invalid map." keep the connection: it is still usable.
    assert_open(s)
    s.close()


def replay_v2_pipelined(address, rows):
    """All well-formed requests of a group in one write; the replies come back in order."""
    rows = [r for r in rows if not r["request_payload"].startswith("RAW:")]
    s = connect(address)
    s.sendall(b"".join(netstring(r["request_payload"].encode()) for r in rows))
    reader = NetstringReader(s)
    for row in rows:
        got = reader.reply()
        assert got == row["response_payload"].encode(), "%s pipelined: got %r" % (row["id"], got)
    s.close()


@pytest.mark.parametrize("rows", v2_groups(), ids=lambda rows: rows[0]["id"] + ".." + rows[-1]["id"])
@pytest.mark.parametrize("transport", ["inet", "unix"])
def test_postsrsd2_socketmap_vectors(rows, transport, tmp_path):
    endpoint = ("inet:127.0.0.1:0" if transport == "inet"
                else "unix:" + os.path.join(str(tmp_path), "srs.sock"))
    server = Srsmap(str(tmp_path), v2_settings(rows[0], str(tmp_path), endpoint))
    try:
        address = server.address("socketmap", "forward,reverse")
        replay_v2_group(address, rows)
        replay_v2_pipelined(address, rows)
    finally:
        assert server.stop() == 0, server.log_text()
    if transport == "unix":
        assert not os.path.exists(endpoint[5:]), "socket file left behind"
    if rows[0]["original_envelope"] == "database":
        check_alias_database(rows, str(tmp_path))


def check_alias_database(rows, tmp):
    """Database mode wrote a real SQLite file in postsrsd 2.x's schema: every non-SRS sender
    forwarded is stored under its alias with a TTL of max age (21 days) from the pinned clock."""
    db = sqlite3.connect(os.path.join(tmp, "aliases.db"))
    stored = {k: (v, lt) for k, v, lt in db.execute("SELECT k, v, lt FROM kv")}
    db.close()
    forwarded = [r for r in rows if r["request_payload"].startswith("forward ")
                 and not r["request_payload"][8:].upper().startswith(("SRS0", "SRS1"))]
    assert forwarded, "the database group has no plain forward row"
    for row in forwarded:
        sender = row["request_payload"][8:]
        # The alias is the local part of the SRS0 reply (after SRS0=HHHH=TT=1=).
        alias = row["value"].split("@")[0].split("=", 4)[4] + "@1"
        assert stored.get(alias) == (sender, int(row["clock_unix"]) + 21 * 86400), \
            "%s: row for %s is %r" % (row["id"], alias, stored.get(alias))
    assert len(stored) == len({r["request_payload"] for r in forwarded})


def test_v2_file_is_fully_covered():
    assert sum(len(g) for g in v2_groups()) == len(V2) == 41
