/* Unit tests for src/submit/submit_policy: the submission decisions over a hand-made identity
 * list (the store's answer, faked), with SES's reply texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "submit_policy.h"

static struct store_identity ITEMS[] = {
    {.id = 1, .name = "example.com", .kind = IDENTITY_DOMAIN, .status = IDENTITY_SUCCESS},
    {.id = 2, .name = "solo@example.org", .kind = IDENTITY_ADDRESS, .status = IDENTITY_SUCCESS},
    {.id = 3, .name = "pending.example", .kind = IDENTITY_DOMAIN, .status = IDENTITY_PENDING},
};
static const struct store_identity_list IDS = {ITEMS, 3};

static void expect_refusal(const struct submit_decision *d, int code, const char *enhanced,
                           const char *text)
{
    if (d->accept)
        fail_msg("got accepted, want %d %s %s", code, enhanced, text);
    if (d->code != code || strcmp(d->enhanced, enhanced) != 0 || strcmp(d->text, text) != 0)
        fail_msg("got %d %s '%s', want %d %s '%s'", d->code, d->enhanced, d->text, code, enhanced,
                 text);
}

static void test_sender_covered(void **state)
{
    (void)state;
    struct submit_decision d;
    submit_policy_sender(&IDS, false, "alice@example.com", &d);
    assert_true(d.accept);
    assert_string_equal(d.identity->name, "example.com");
    submit_decision_clear(&d);
    submit_policy_sender(&IDS, false, "bounces@mail.EXAMPLE.com", &d);
    assert_true(d.accept);
    submit_decision_clear(&d);
    submit_policy_sender(&IDS, false, "solo@example.org", &d);
    assert_true(d.accept);
    assert_string_equal(d.identity->name, "solo@example.org");
    submit_decision_clear(&d);
}

static void test_sender_refused(void **state)
{
    (void)state;
    struct submit_decision d;
    submit_policy_sender(&IDS, false, "other@example.org", &d);
    expect_refusal(&d, 554, "5.7.1",
                   "Message rejected: Email address is not verified. The following identities "
                   "failed the check: other@example.org");
    submit_decision_clear(&d);
    submit_policy_sender(&IDS, false, "x@pending.example", &d);
    expect_refusal(&d, 554, "5.7.1",
                   "Message rejected: Email address is not verified. The following identities "
                   "failed the check: x@pending.example");
    submit_decision_clear(&d);
    submit_policy_sender(&IDS, false, "", &d);
    expect_refusal(&d, 554, "5.7.1", "Message rejected: the null sender <> cannot submit mail");
    submit_decision_clear(&d);
    submit_policy_sender(&IDS, true, "alice@example.com", &d);
    expect_refusal(&d, 554, "5.7.1", "Message rejected: Sending paused for this account");
    submit_decision_clear(&d);
    const struct store_identity_list none = {NULL, 0};
    submit_policy_sender(&none, false, "alice@example.com", &d);
    assert_false(d.accept);
    submit_decision_clear(&d);
}

static void check_message(const char *headers, bool want_accept, const char *want_text)
{
    struct submit_decision d;
    submit_policy_message(&IDS, false, "alice@example.com", headers, strlen(headers), &d);
    if (d.accept != want_accept)
        fail_msg("%s: got %s (%s), want %s", headers, d.accept ? "accepted" : "refused",
                 d.text ? d.text : "-", want_accept ? "accepted" : "refused");
    if (!want_accept && strcmp(d.text, want_text) != 0)
        fail_msg("%s: got '%s', want '%s'", headers, d.text, want_text);
    submit_decision_clear(&d);
}

static void test_message_headers(void **state)
{
    (void)state;
    check_message("From: Alice <alice@example.com>\r\n\r\nbody", true, NULL);
    check_message("From: a@example.com\r\nSender: solo@example.org\r\n\r\n", true, NULL);
    check_message("Subject: no from at all\r\n\r\nFrom: x@evil.example\r\n", true, NULL);
    check_message("From: \"alice@example.com\" <ceo@evil.example>\r\n\r\n", false,
                  "Message rejected: Email address is not verified. The following identities "
                  "failed the check: ceo@evil.example");
    check_message("From: a@example.com,\r\n b@evil.example\r\nSender: s@evil2.example\r\n\r\n",
                  false,
                  "Message rejected: Email address is not verified. The following identities "
                  "failed the check: b@evil.example, s@evil2.example");
    check_message("From: Team: a@example.com, c@evil.example;\r\n\r\n", false,
                  "Message rejected: Email address is not verified. The following identities "
                  "failed the check: c@evil.example");
    /* Quoted local parts that look like a covered address stay in their real domain. */
    check_message("From: \"alice@example.com\"@evil.example\r\n\r\n", false,
                  "Message rejected: Email address is not verified. The following identities "
                  "failed the check: \"alice@example.com\"@evil.example");
    check_message("From: ceo@evil.example <alice@example.com>\r\n\r\n", false,
                  "Message rejected: the From: or Sender: header cannot be parsed (junk after "
                  "an address)");
}

static void test_message_rechecks_sender(void **state)
{
    (void)state;
    struct submit_decision d;
    const char msg[] = "From: alice@example.com\r\n\r\n";
    submit_policy_message(&IDS, false, "mallory@evil.example", msg, sizeof(msg) - 1, &d);
    assert_false(d.accept);
    assert_int_equal(d.code, 554);
    submit_decision_clear(&d);
    submit_policy_message(&IDS, true, "alice@example.com", msg, sizeof(msg) - 1, &d);
    expect_refusal(&d, 554, "5.7.1", "Message rejected: Sending paused for this account");
    submit_decision_clear(&d);
}

static void test_return_path(void **state)
{
    (void)state;
    assert_string_equal(submit_return_path_domain(&ITEMS[0], "bounce.example.net"),
                        "bounce.example.net");
    const char *secrets[] = {"s3cret"};
    struct srs_config cfg;
    srs_config_defaults(&cfg);
    cfg.domain = "bounce.example.net";
    cfg.secrets = secrets;
    cfg.n_secrets = 1;
    char *error = NULL;
    struct srs *srs = srs_new(&cfg, &error);
    assert_non_null(srs);
    struct submit_decision d = {0};
    int64_t now = 1700000000;
    char *rp = submit_return_path(srs, "alice@example.com", now, &d);
    assert_non_null(rp);
    assert_true(strncmp(rp, "SRS0=", 5) == 0);
    const char *tail = "=example.com=alice@bounce.example.net";
    assert_string_equal(rp + strlen(rp) - strlen(tail), tail);
    char *back = NULL;
    assert_int_equal(srs_reverse(srs, rp, now, &back), SRS_OK);
    assert_string_equal(back, "alice@example.com");
    free(back);
    free(rp);
    assert_null(submit_return_path(srs, "no-at-sign", now, &d));
    expect_refusal(&d, 550, "5.1.7",
                   "Message rejected: the sender cannot be rewritten (No at sign in sender "
                   "address)");
    submit_decision_clear(&d);
    srs_free(srs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sender_covered),  cmocka_unit_test(test_sender_refused),
        cmocka_unit_test(test_message_headers), cmocka_unit_test(test_message_rechecks_sender),
        cmocka_unit_test(test_return_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
