/*
 * Unit tests for src/mail/spf_header: exact Received-SPF (RFC 7208 9.1) and
 * Authentication-Results (RFC 8601) values, quoting, and header-injection safety.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spf_header.h"

static void make_query(struct spf_query *q, const char *ip, const char *sender, const char *helo)
{
    struct spf_request req = {
        .client_ip = ip, .sender = sender, .helo = helo, .receiver = "mybox.example.org", .now = 0};
    char *error = NULL;
    assert_true(spf_query_init(q, &req, &error));
}

static void expect_headers(const struct spf_query *q, const struct spf_outcome *o,
                           const char *want_rs, const char *want_ar)
{
    char *rs = spf_header_received_spf(q, o);
    char *ar = spf_header_authentication_results(NULL, q, o);
    if (strcmp(rs, want_rs) != 0)
        fail_msg("Received-SPF:\n got  %s\n want %s", rs, want_rs);
    if (strcmp(ar, want_ar) != 0)
        fail_msg("Authentication-Results:\n got  %s\n want %s", ar, want_ar);
    free(rs);
    free(ar);
}

static void test_pass_rfc7208_9_1_example(void **state)
{
    (void)state;
    /* The example of RFC 7208 9.1, on one line, with identity= and mechanism= added. */
    struct spf_query q;
    make_query(&q, "192.0.2.1", "myname@example.com", "foo.example.com");
    struct spf_outcome o = {.result = SPF_RESULT_PASS, .mechanism = "ip4:192.0.2.0/24"};
    expect_headers(&q, &o,
                   "pass (mybox.example.org: domain of myname@example.com designates 192.0.2.1 "
                   "as permitted sender) client-ip=192.0.2.1; "
                   "envelope-from=\"myname@example.com\"; helo=foo.example.com; "
                   "receiver=mybox.example.org; mechanism=\"ip4:192.0.2.0/24\"; "
                   "identity=mailfrom",
                   "mybox.example.org; spf=pass (mybox.example.org: domain of "
                   "myname@example.com designates 192.0.2.1 as permitted sender) "
                   "smtp.mailfrom=myname@example.com");
    spf_query_clear(&q);
}

static void test_helo_identity_and_permerror(void **state)
{
    (void)state;
    struct spf_query q;
    make_query(&q, "::ffff:192.0.2.9", "", "mail.example.net");
    struct spf_outcome o = {.result = SPF_RESULT_PERMERROR, .problem = "unknown mechanism: moo"};
    expect_headers(&q, &o,
                   "permerror (mybox.example.org: permanent error in processing domain of "
                   "mail.example.net) client-ip=192.0.2.9; helo=mail.example.net; "
                   "receiver=mybox.example.org; problem=\"unknown mechanism: moo\"; "
                   "identity=helo",
                   "mybox.example.org; spf=permerror (mybox.example.org: permanent error in "
                   "processing domain of mail.example.net) smtp.helo=mail.example.net");
    spf_query_clear(&q);
}

static void test_injection_is_neutralised(void **state)
{
    (void)state;
    struct spf_query q;
    make_query(&q, "2001:db8::1", "\"a\\\"b)\r\nX-Evil: 1\"@example.com", "evil)\r\nX: y");
    struct spf_outcome o = {.result = SPF_RESULT_SOFTFAIL, .mechanism = "~all"};
    char *rs = spf_header_received_spf(&q, &o);
    char *ar = spf_header_authentication_results("mx.example", &q, &o);
    assert_null(strchr(rs, '\r'));
    assert_null(strchr(rs, '\n'));
    assert_null(strchr(ar, '\n'));
    assert_string_equal(rs, "softfail (mybox.example.org: domain of transitioning "
                            "\"a\\\\\"b\\)??X-Evil: 1\"@example.com does not designate "
                            "2001:db8::1 as permitted sender) client-ip=\"2001:db8::1\"; "
                            "envelope-from=\"\\\"a\\\\\\\"b)??X-Evil: 1\\\"@example.com\"; "
                            "helo=\"evil)??X: y\"; receiver=mybox.example.org; "
                            "mechanism=~all; identity=mailfrom");
    free(rs);
    free(ar);
    spf_query_clear(&q);
}

static void test_result_names(void **state)
{
    (void)state;
    assert_string_equal(spf_result_name(SPF_RESULT_NONE), "none");
    assert_string_equal(spf_result_name(SPF_RESULT_NEUTRAL), "neutral");
    assert_string_equal(spf_result_name(SPF_RESULT_SOFTFAIL), "softfail");
    assert_string_equal(spf_result_name(SPF_RESULT_TEMPERROR), "temperror");
    assert_string_equal(spf_result_title(SPF_RESULT_SOFTFAIL), "SoftFail");
    assert_string_equal(spf_result_title(SPF_RESULT_PERMERROR), "PermError");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pass_rfc7208_9_1_example),
        cmocka_unit_test(test_helo_identity_and_permerror),
        cmocka_unit_test(test_injection_is_neutralised),
        cmocka_unit_test(test_result_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
