"""`rebound verifier --once`: the scheduler on its own loop with the c-ares resolver against a
real nsd: due checks run, SERVFAIL gives TEMPORARY_FAILURE, nothing is re-checked before
verify.interval_seconds, FAILED identities are left alone."""
from rbhelpers_verify import FEEDBACK, HOUR, T0, TOKEN_RE, Rebound, ZoneServer


def status_lines(rb, name):
    return [line for line in rb.ok("identity", "show", name).splitlines()
            if "(last check:" in line]


def test_verifier_once(tmp_path):
    with ZoneServer(tmp_path, "example.test", servfail=["bounce.example.test"]) as z:
        rb = Rebound(tmp_path, z.address, extra="verify.interval_seconds = 3600\n")
        rb.ok("account", "create", "acme")
        token = TOKEN_RE.search(rb.ok("identity", "add", "example.test", "--account",
                                      "acme")).group(2)
        rb.ok("identity", "add", "lost.example.test", "--account", "acme")
        rb.ok("mail-from", "set", "example.test", "bounce.example.test")
        z.publish([f'_rebound IN TXT "{token}"', f"bounce IN MX 10 {FEEDBACK}."])
        assert rb.ok("verifier", "--once") == "verifier: 3 check(s) run\n"
        lines = status_lines(rb, "example.test")
        assert lines[0] == "status        : SUCCESS (last check: 2023-11-14T22:13:20Z)"
        assert lines[1].startswith("mail from state: TEMPORARY_FAILURE (last check: "
                                   "2023-11-14T22:13:20Z): the MX lookup of bounce.example.test "
                                   "failed temporarily")
        assert status_lines(rb, "lost.example.test")[0].startswith("status        : PENDING")
        # nothing is due again before the interval
        rb.at(T0 + HOUR - 1)
        assert rb.ok("verifier", "--once") == "verifier: 0 check(s) run\n"
        rb.at(T0 + 72 * HOUR)
        assert rb.ok("verifier", "--once") == "verifier: 3 check(s) run\n"
        assert status_lines(rb, "lost.example.test")[0].startswith("status        : FAILED")
        # 72 h of SERVFAIL without a success: the MAIL FROM domain is FAILED too
        assert status_lines(rb, "example.test")[1].startswith("mail from state: FAILED")
        # FAILED is not scheduled any more; the verified domain still is
        rb.at(T0 + 74 * HOUR)
        assert rb.ok("verifier", "--once") == "verifier: 1 check(s) run\n"
        assert status_lines(rb, "example.test")[0] == \
            "status        : SUCCESS (last check: 2023-11-18T00:13:20Z)"
