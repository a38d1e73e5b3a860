/* Unit tests for src/verify pure parts: the state machine, MAIL FROM rules, published records,
 * the return-path decision, tokens and the event payload. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mailfrom.h"
#include "verify_event.h"
#include "verify_state.h"
#include "verify_token.h"

#define HOUR_MS (3600LL * 1000)
#define T0      1700000000000LL
#define LIMIT   (72 * HOUR_MS)

static void expect_next(enum identity_status from, int64_t last_success, enum verify_outcome o,
                        int64_t now, enum identity_status want)
{
    struct verify_history h = {from, T0, last_success};
    enum identity_status got = verify_next(&h, o, now, LIMIT);
    if (got != want)
        fail_msg("from %s (last success %lld) outcome %s at +%lld h: got %s, want %s",
                 identity_status_name(from), (long long)last_success, verify_outcome_name(o),
                 (long long)((now - T0) / HOUR_MS), identity_status_name(got),
                 identity_status_name(want));
}

static void test_state_pending(void **state)
{
    (void)state;
    expect_next(IDENTITY_PENDING, 0, VERIFY_OUTCOME_PASS, T0 + HOUR_MS, IDENTITY_SUCCESS);
    expect_next(IDENTITY_PENDING, 0, VERIFY_OUTCOME_WRONG, T0 + HOUR_MS, IDENTITY_PENDING);
    expect_next(IDENTITY_PENDING, 0, VERIFY_OUTCOME_TEMP, T0 + HOUR_MS, IDENTITY_TEMPORARY_FAILURE);
    expect_next(IDENTITY_TEMPORARY_FAILURE, 0, VERIFY_OUTCOME_WRONG, T0 + HOUR_MS,
                IDENTITY_PENDING);
}

static void test_state_deadline(void **state)
{
    (void)state;
    expect_next(IDENTITY_PENDING, 0, VERIFY_OUTCOME_WRONG, T0 + LIMIT - 1, IDENTITY_PENDING);
    expect_next(IDENTITY_PENDING, 0, VERIFY_OUTCOME_WRONG, T0 + LIMIT, IDENTITY_FAILED);
    expect_next(IDENTITY_TEMPORARY_FAILURE, 0, VERIFY_OUTCOME_TEMP, T0 + LIMIT, IDENTITY_FAILED);
    /* a pass at the last moment still wins */
    expect_next(IDENTITY_PENDING, 0, VERIFY_OUTCOME_PASS, T0 + LIMIT + 1, IDENTITY_SUCCESS);
    /* FAILED stays FAILED until a check passes */
    expect_next(IDENTITY_FAILED, 0, VERIFY_OUTCOME_WRONG, T0 + LIMIT + 1, IDENTITY_FAILED);
    expect_next(IDENTITY_FAILED, 0, VERIFY_OUTCOME_TEMP, T0 + 1, IDENTITY_FAILED);
    expect_next(IDENTITY_FAILED, 0, VERIFY_OUTCOME_PASS, T0 + LIMIT + 1, IDENTITY_SUCCESS);
}

static void test_state_success_keeps_being_checked(void **state)
{
    (void)state;
    int64_t ok = T0 + 10 * HOUR_MS;
    expect_next(IDENTITY_SUCCESS, ok, VERIFY_OUTCOME_PASS, ok + HOUR_MS, IDENTITY_SUCCESS);
    expect_next(IDENTITY_SUCCESS, ok, VERIFY_OUTCOME_WRONG, ok + HOUR_MS,
                IDENTITY_TEMPORARY_FAILURE);
    expect_next(IDENTITY_SUCCESS, ok, VERIFY_OUTCOME_TEMP, ok + HOUR_MS,
                IDENTITY_TEMPORARY_FAILURE);
    /* the deadline counts from the last success, not from the start */
    expect_next(IDENTITY_TEMPORARY_FAILURE, ok, VERIFY_OUTCOME_WRONG, T0 + LIMIT + HOUR_MS,
                IDENTITY_TEMPORARY_FAILURE);
    expect_next(IDENTITY_TEMPORARY_FAILURE, ok, VERIFY_OUTCOME_WRONG, ok + LIMIT, IDENTITY_FAILED);
}

static void expect_mailfrom_ok(const char *identity, const char *domain, const char *want)
{
    char *error = NULL;
    char *got = mailfrom_validate(identity, domain, &error);
    if (got == NULL || strcmp(got, want) != 0)
        fail_msg("%s for %s: got %s (%s), want %s", domain, identity, got ? got : "refused",
                 error ? error : "", want);
    free(got);
}

static void expect_mailfrom_refused(const char *identity, const char *domain, const char *rule)
{
    char *error = NULL;
    char *got = mailfrom_validate(identity, domain, &error);
    if (got != NULL)
        fail_msg("%s for %s: got accepted, want refused (%s)", domain, identity, rule);
    if (error == NULL || strstr(error, rule) == NULL)
        fail_msg("%s for %s: got error '%s', want it to mention '%s'", domain, identity,
                 error ? error : "(none)", rule);
    free(error);
}

static void test_mailfrom_rules(void **state)
{
    (void)state;
    expect_mailfrom_ok("example.com", "bounce.example.com", "bounce.example.com");
    expect_mailfrom_ok("Example.COM", "Mail.Bounce.Example.com", "mail.bounce.example.com");
    expect_mailfrom_refused("example.com", "example.com", "not the identity itself");
    expect_mailfrom_refused("example.com", "bounce.example.org", "is not a subdomain of");
    expect_mailfrom_refused("example.com", "badexample.com", "is not a subdomain of");
    expect_mailfrom_refused("example.com", "bo_unce.example.com", "not a valid DNS name");
    expect_mailfrom_refused("example.com", "-x.example.com", "not a valid DNS name");
    expect_mailfrom_refused("example.com", "a@example.com", "not a valid DNS name");
    expect_mailfrom_refused("alice@example.com", "b.example.com", "identity 'alice@example.com'");
}

static void test_mailfrom_records(void **state)
{
    (void)state;
    char *ips[] = {"192.0.2.10", "2001:db8::25"};
    struct mailfrom_spf_policy by_ip = {NULL, ips, 2};
    char *lines = mailfrom_zone_lines("bounce.example.com", "fb.rebound.test", &by_ip);
    assert_string_equal(lines, "bounce.example.com. 3600 IN MX 10 fb.rebound.test.\n"
                               "bounce.example.com. 3600 IN TXT "
                               "\"v=spf1 ip4:192.0.2.10 ip6:2001:db8::25 ~all\"\n");
    free(lines);
    struct mailfrom_spf_policy inc = {"spf.rebound.test", NULL, 0};
    char *spf = mailfrom_spf_text(&inc);
    assert_string_equal(spf, "v=spf1 include:spf.rebound.test ~all");
    free(spf);
}

static void expect_decision(const char *domain, enum identity_status status,
                            enum store_mx_failure behavior, enum mailfrom_choice want,
                            const char *want_domain)
{
    struct store_mail_from mf = {0};
    mf.domain = (char *)domain;
    mf.status = status;
    mf.behavior = behavior;
    struct mailfrom_decision d;
    mailfrom_return_domain(&mf, "bounces.rebound.test", &d);
    if (d.choice != want)
        fail_msg("%s %s %s: got choice %d, want %d", domain ? domain : "(none)",
                 identity_status_name(status), store_mx_failure_name(behavior), d.choice, want);
    if (want == MAILFROM_REJECT) {
        assert_null(d.domain);
        assert_string_equal(d.smtp_reply,
                            "554 5.7.1 Message rejected: Custom MAIL FROM domain is not verified");
        assert_string_equal(d.api_error, "MailFromDomainNotVerifiedException");
    } else {
        assert_string_equal(d.domain, want_domain);
        assert_null(d.smtp_reply);
    }
}

static void test_return_domain(void **state)
{
    (void)state;
    const char *b = "bounce.example.com", *def = "bounces.rebound.test";
    expect_decision(NULL, IDENTITY_PENDING, STORE_MX_REJECT_MESSAGE, MAILFROM_USE_DEFAULT, def);
    enum identity_status not_ok[] = {IDENTITY_PENDING, IDENTITY_FAILED, IDENTITY_TEMPORARY_FAILURE};
    for (size_t i = 0; i < 3; i++) {
        expect_decision(b, not_ok[i], STORE_MX_USE_DEFAULT_VALUE, MAILFROM_USE_DEFAULT, def);
        expect_decision(b, not_ok[i], STORE_MX_REJECT_MESSAGE, MAILFROM_REJECT, NULL);
    }
    expect_decision(b, IDENTITY_SUCCESS, STORE_MX_USE_DEFAULT_VALUE, MAILFROM_USE_CUSTOM, b);
    expect_decision(b, IDENTITY_SUCCESS, STORE_MX_REJECT_MESSAGE, MAILFROM_USE_CUSTOM, b);
}

static void test_tokens(void **state)
{
    (void)state;
    const unsigned char r[4] = {0x00, 0x9f, 0xa5, 0xff};
    char *t = verify_token_format(r, 4);
    assert_string_equal(t, "009fa5ff");
    free(t);
    char *name = verify_token_record_name("_rebound", "example.com");
    assert_string_equal(name, "_rebound.example.com");
    free(name);
    char *link = verify_token_link("http://127.0.0.1:8780//", "abc");
    assert_string_equal(link, "http://127.0.0.1:8780/v2/rebound/verify/abc");
    free(link);
    char *fresh = verify_token_new(VERIFY_LINK_TOKEN_BYTES);
    assert_true(verify_token_is_link_token(fresh));
    free(fresh);
    assert_false(verify_token_is_link_token("009fa5ff"));
    assert_false(verify_token_is_link_token(
        "G000000000000000000000000000000000000000000000000000000000000000"));
    char *error = NULL;
    assert_true(verify_token_record_is_valid("_amazonses", &error));
    assert_false(verify_token_record_is_valid("a.b", &error));
    assert_non_null(strstr(error, "not a DNS label"));
    free(error);
}

static void test_event_json(void **state)
{
    (void)state;
    char *j =
        verify_event_json("example.com", STORE_CHECK_MAIL_FROM, "b.example.com", IDENTITY_SUCCESS,
                          IDENTITY_TEMPORARY_FAILURE, "no \"MX\"\n\\ record", 42);
    assert_string_equal(j, "{\"identity\":\"example.com\",\"target\":\"MAIL_FROM\",\"domain\":"
                           "\"b.example.com\",\"from\":\"SUCCESS\",\"to\":\"TEMPORARY_FAILURE\","
                           "\"reason\":\"no \\\"MX\\\"\\u000a\\\\ record\",\"timeMs\":42}");
    free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_pending),
        cmocka_unit_test(test_state_deadline),
        cmocka_unit_test(test_state_success_keeps_being_checked),
        cmocka_unit_test(test_mailfrom_rules),
        cmocka_unit_test(test_mailfrom_records),
        cmocka_unit_test(test_return_domain),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_event_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
