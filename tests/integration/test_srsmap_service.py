"""`rebound srsmap` as a service: many concurrent connections, pipelining, byte-at-a-time
input, peers that do not read, limits, idle timeout, connection limit, clean exit on signals.
Expected answers come from the vector files (rows named by id)."""
import os
import signal
import socket
import threading
import time

import pytest

from rbhelpers_srsmap import (LineReader, NetstringReader, Srsmap, assert_closed, assert_open,
                              connect, netstring, read_tsv, write_secrets)

V1 = {r["id"]: r for r in read_tsv("srs-postsrsd.tsv")}
V2 = {r["id"]: r for r in read_tsv("srs-postsrsd2-socketmap.tsv")}
PLAIN = V1["v1-001"]       # get user@example.org -> 200 SRS0=...
REVERSE = V1["v1-036"]     # reverse of the above
SM_FORWARD = V2["v2-001"]  # forward user@example.org -> OK SRS0=...


def settings(tmp, **extra):
    secret_file = os.path.join(tmp, "secrets")
    write_secrets(secret_file, ["tops3cr3t"])
    s = {
        "srs.domain": "srs.example.net",
        "srs.secret_file": secret_file,
        "srs.alphabet": "base64url",
        "clock.fixed": PLAIN["clock_unix"],
        "srsmap.socketmap": "inet:127.0.0.1:0",
        "srsmap.tcp_forward": "127.0.0.1:0",
        "srsmap.tcp_reverse": "127.0.0.1:0",
    }
    s.update({k.replace("__", "."): v for k, v in extra.items()})
    return s


@pytest.fixture
def server(tmp_path):
    srv = Srsmap(str(tmp_path), settings(str(tmp_path)))
    yield srv
    assert srv.stop() == 0, srv.log_text()


def tcp_forward(server):
    return server.address("tcp_table", "forward")


def socketmap(server):
    return server.address("socketmap", "forward,reverse")


@pytest.mark.parametrize("workers", ["1", "3"])
def test_many_concurrent_connections_interleaved(tmp_path, workers):
    srv = Srsmap(str(tmp_path), settings(str(tmp_path), srsmap__workers=workers))
    try:
        interleave(srv)
    finally:
        assert srv.stop() == 0, srv.log_text()


def interleave(server):
    conns = [connect(tcp_forward(server)) for _ in range(60)]
    readers = [LineReader(c) for c in conns]
    for rnd in range(3):
        for c in conns:
            c.sendall(PLAIN["request_line"].encode() + b"\n")
        for r in readers:
            assert r.line().decode() == PLAIN["response_line"]
    for c in conns:
        c.close()


def test_concurrent_clients_in_threads_on_both_protocols(server):
    errors = []

    def tcp_client():
        try:
            s = connect(tcp_forward(server))
            r = LineReader(s)
            for _ in range(200):
                s.sendall(PLAIN["request_line"].encode() + b"\n")
                got = r.line().decode()
                assert got == PLAIN["response_line"], got
            s.close()
        except Exception as e:  # reported below
            errors.append(e)

    def sm_client():
        try:
            s = connect(socketmap(server))
            r = NetstringReader(s)
            for _ in range(200):
                s.sendall(netstring(SM_FORWARD["request_payload"].encode()))
                assert r.reply() == SM_FORWARD["response_payload"].encode()
            s.close()
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=f) for f in [tcp_client, sm_client] * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_requests_trickled_one_byte_at_a_time(server):
    s = connect(tcp_forward(server))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for b in PLAIN["request_line"].encode() + b"\n":
        s.sendall(bytes([b]))
    assert LineReader(s).line().decode() == PLAIN["response_line"]
    s.close()
    s = connect(socketmap(server))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for b in netstring(SM_FORWARD["request_payload"].encode()):
        s.sendall(bytes([b]))
    assert NetstringReader(s).reply() == SM_FORWARD["response_payload"].encode()
    s.close()


def test_peer_that_does_not_read_gets_every_answer_later(server):
    # 20000 pipelined requests (~1 MB of replies) sent before reading anything: the server
    # stops reading while its replies back up, then catches up, answering each once, in order.
    n = 20000
    s = connect(tcp_forward(server))
    payload = (PLAIN["request_line"].encode() + b"\n") * n
    sender = threading.Thread(target=s.sendall, args=(payload,))
    sender.start()
    r = LineReader(s)
    for _ in range(n):
        assert r.line().decode() == PLAIN["response_line"]
    sender.join()
    assert_open(s)
    s.close()


def test_oversized_tcp_table_line_is_refused_and_closed(server):
    s = connect(tcp_forward(server))
    s.sendall(b"get " + b"x" * 5000)  # no LF: refused as soon as the limit is passed
    r = LineReader(s)
    assert r.line() == b"500 Invalid request"
    assert_closed(s, r.pending)


def test_longest_accepted_tcp_table_line(server):
    # 1022 bytes including LF is the longest line postsrsd 1.10-2 accepted; one more is refused.
    s = connect(tcp_forward(server))
    local = "a" * (1022 - len("get @example.org\n"))
    s.sendall(("get %s@example.org\n" % local).encode())
    assert LineReader(s).line() == b"500 Buffer too small."  # parsed and looked up
    assert_open(s)
    s.sendall(("get a%s@example.org\n" % local).encode())
    r = LineReader(s)
    assert r.line() == b"500 Invalid request"
    assert_closed(s, r.pending)


def test_oversized_netstring_is_refused_before_its_payload(server):
    s = connect(socketmap(server))
    s.sendall(b"1024:")  # length alone is refused; no payload needed
    r = NetstringReader(s)
    assert r.reply() == b"PERM Invalid query."
    assert_closed(s, r.pending)


def test_largest_netstring_is_accepted_and_too_big_key_keeps_connection(server):
    s = connect(socketmap(server))
    r = NetstringReader(s)
    s.sendall(netstring(b"forward " + b"x" * 1015))  # 1023 bytes: a valid netstring
    assert r.reply() == b"PERM Too big."
    s.sendall(netstring(SM_FORWARD["request_payload"].encode()))
    assert r.reply() == SM_FORWARD["response_payload"].encode()
    s.close()


def test_eof_after_tcp_table_line_without_lf_is_answered(server):
    s = connect(tcp_forward(server))
    s.sendall(PLAIN["request_line"].encode())
    s.shutdown(socket.SHUT_WR)
    r = LineReader(s)
    assert r.line().decode() == PLAIN["response_line"]
    assert_closed(s, r.pending)


def test_idle_connections_are_closed_after_keep_alive(tmp_path):
    srv = Srsmap(str(tmp_path), settings(str(tmp_path), srsmap__keep_alive="1"))
    try:
        s = connect(tcp_forward(srv))
        s.sendall(PLAIN["request_line"].encode() + b"\n")
        r = LineReader(s)
        assert r.line().decode() == PLAIN["response_line"]
        assert_closed(s, r.pending)  # recv blocks until the idle timeout closes it
    finally:
        assert srv.stop() == 0


def test_connection_limit_closes_extra_connections(tmp_path):
    srv = Srsmap(str(tmp_path), settings(str(tmp_path), srsmap__connection_limit="2"))
    try:
        a, b = connect(tcp_forward(srv)), connect(socketmap(srv))
        # Both are served (a lookup answered on each) before the third one arrives.
        a.sendall(PLAIN["request_line"].encode() + b"\n")
        assert LineReader(a).line().decode() == PLAIN["response_line"]
        b.sendall(netstring(SM_FORWARD["request_payload"].encode()))
        assert NetstringReader(b).reply() == SM_FORWARD["response_payload"].encode()
        extra = connect(tcp_forward(srv))
        assert_closed(extra)  # accepted and closed at once
        assert "reason=connection-limit" in srv.log_text()
        b.sendall(netstring(SM_FORWARD["request_payload"].encode()))
        assert NetstringReader(b).reply() == SM_FORWARD["response_payload"].encode()
        a.close()
        b.close()
        # Once they are gone, new connections are served again.
        c = wait_served(srv)
        c.close()
    finally:
        assert srv.stop() == 0


def wait_served(srv):
    """Connects until a connection is served (closing happens asynchronously in the server)."""
    for _ in range(100):
        s = connect(tcp_forward(srv))
        try:
            s.sendall(PLAIN["request_line"].encode() + b"\n")
            data = s.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            data = b""
        if data:
            assert data.decode() == PLAIN["response_line"] + "\n"
            return s
        s.close()
        time.sleep(0.05)
    raise AssertionError("no connection served after the limit was freed")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_cleanly_with_open_connections(tmp_path, sig):
    sock_path = os.path.join(str(tmp_path), "srs.sock")
    srv = Srsmap(str(tmp_path), settings(str(tmp_path), srsmap__socketmap="unix:" + sock_path))
    s = connect(sock_path)
    s.sendall(netstring(SM_FORWARD["request_payload"].encode()))
    assert NetstringReader(s).reply() == SM_FORWARD["response_payload"].encode()
    assert srv.stop(sig) == 0
    assert_closed(s)
    assert not os.path.exists(sock_path)
    assert "srsmap stopped" in srv.log_text()


def test_logs_never_contain_the_secret(server):
    s = connect(tcp_forward(server))
    s.sendall(PLAIN["request_line"].encode() + b"\n")
    LineReader(s).line()
    s.close()
    assert "tops3cr3t" not in server.log_text()


def test_reverse_port_serves_reverse(server):
    s = connect(server.address("tcp_table", "reverse"))
    s.sendall(REVERSE["request_line"].encode() + b"\n")
    assert LineReader(s).line().decode() == REVERSE["response_line"]
    s.close()


def test_debug_log_keeps_one_line_per_lookup(tmp_path):
    # A raw socketmap key may hold a LF; the lookup is still logged as one line.
    srv = Srsmap(str(tmp_path), settings(str(tmp_path), log__level="debug"))
    try:
        s = connect(socketmap(srv))
        s.sendall(netstring(b"forward a\nb@example.org"))
        assert NetstringReader(s).reply().startswith(b"OK SRS0=")
        s.close()
    finally:
        assert srv.stop() == 0
    lookups = [l for l in srv.log_text().splitlines() if " srsmap lookup " in l]
    assert len(lookups) == 1 and "key=<a?b@example.org>" in lookups[0], lookups
    assert all(l[:4].isdigit() for l in srv.log_text().splitlines()), srv.log_text()
