/* Unit tests for src/mail/classify*: recipient results -> reason -> SES type/subtype, with
 * the evidence order of classify.c (action, specific status, text, generic status, reply). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"

struct classify_case {
    const char *action;
    const char *status;
    const char *command;
    const char *diagnostic;
    const char *want_reason;
    const char *want_type;
    const char *want_subtype;
    const char *want_status;
    int reply_code;
    bool want_hard;
};

static const struct classify_case classify_cases[] = {
    {"failed", "5.1.1", "RCPT", "550 5.1.1 <a@b.c>: Recipient address rejected: User unknown",
     "userunknown", "Permanent", "NoEmail", "5.1.1", 550, true},
    /* the specific 5.1.1 loses to text saying the mailbox is full (mislabelled by the MTA) */
    {"failed", "5.1.1", NULL, "550 5.1.1 mailbox is full", "mailboxfull", "Transient",
     "MailboxFull", "5.1.1", 550, false},
    {"failed", "5.2.2", NULL, "552 5.2.2 Over quota", "mailboxfull", "Transient", "MailboxFull",
     "5.2.2", 552, false},
    {"failed", "5.3.4", NULL, "552 5.3.4 Message size exceeds fixed limit", "mesgtoobig",
     "Transient", "MessageTooLarge", "5.3.4", 552, false},
    {"failed", "5.7.1", NULL, "554 5.7.1 Message rejected as spam by Content Filtering",
     "spamdetected", "Transient", "ContentRejected", "5.7.1", 554, false},
    {"failed", "5.7.1", NULL, "550 5.7.1 Virus detected in attachment", "virusdetected",
     "Transient", "AttachmentRejected", "5.7.1", 550, false},
    {"failed", "5.7.26", NULL, "550 5.7.26 Unauthenticated email is not accepted", "authfailure",
     "Transient", "General", "5.7.26", 550, false},
    {"failed", "5.1.2", NULL, "Host or domain name not found", "hostunknown", "Permanent",
     "General", "5.1.2", 550, true},
    /* a temporary DNS failure is a network error, never a permanent unknown host */
    {"delayed", "4.4.3", NULL, "Host not found, try again", "networkerror", "Transient", "General",
     "4.4.3", 0, false},
    /* "unknown user" in answer to DATA comes from a content filter */
    {"failed", "5.0.0", "DATA", "550 : User unknown", "filtered", "Transient", "General", "5.0.910",
     550, false},
    {"failed", NULL, "MAIL", "553 sorry, your envelope sender is in my badmailfrom list",
     "rejected", "Transient", "General", "5.0.918", 553, false},
    {"failed", NULL, NULL, "all hosts have been failing for a long time", "expired", "Transient",
     "General", "5.0.947", 0, false},
    {"failed", NULL, NULL, "550 Relay access denied", "norelaying", "Transient", "General",
     "5.0.909", 550, false},
    {"failed", "5.1.10", NULL, "Recipient address rejected: null MX", "notaccept", "Permanent",
     "General", "5.1.10", 550, true},
    {"failed", NULL, NULL, "", "onhold", "Undetermined", "Undetermined", "5.0.901", 0, false},
    {"delivered", "2.0.0", NULL, "250 ok", "delivered", "-", "-", "2.0.0", 250, false},
};

static void test_bounce_cases(void **state)
{
    (void)state;
    struct dsn_report report = {.kind = DSN_KIND_BOUNCE};
    for (size_t i = 0; i < sizeof(classify_cases) / sizeof(classify_cases[0]); i++) {
        const struct classify_case *c = &classify_cases[i];
        struct dsn_recipient r = {.address = "a@b.c",
                                  .action = (char *)c->action,
                                  .status = (char *)c->status,
                                  .reply_code = c->reply_code,
                                  .command = c->command,
                                  .diagnostic = (char *)c->diagnostic};
        struct classify_result res;
        classify_recipient(NULL, &report, &r, &res);
        if (strcmp(res.reason, c->want_reason) != 0 || strcmp(res.ses_type, c->want_type) != 0 ||
            strcmp(res.ses_subtype, c->want_subtype) != 0 ||
            strcmp(res.status, c->want_status) != 0 || res.hard != c->want_hard)
            fail_msg("case %zu (%s): got %s %s/%s %s hard=%d, want %s %s/%s %s hard=%d", i,
                     c->diagnostic, res.reason, res.ses_type, res.ses_subtype, res.status, res.hard,
                     c->want_reason, c->want_type, c->want_subtype, c->want_status, c->want_hard);
    }
}

static void test_complaint_and_autoreply(void **state)
{
    (void)state;
    struct dsn_recipient r = {.address = "a@b.c"};
    struct dsn_report complaint = {.kind = DSN_KIND_COMPLAINT, .feedback_type = "opt-out"};
    struct classify_result res;
    classify_recipient(NULL, &complaint, &r, &res);
    assert_string_equal(res.reason, "feedback");
    assert_string_equal(res.ses_type, "Complaint");
    assert_string_equal(res.ses_subtype, "opt-out");
    assert_false(classify_is_bounce(&res));
    struct dsn_report vacation = {.kind = DSN_KIND_AUTOREPLY};
    classify_recipient(NULL, &vacation, &r, &res);
    assert_string_equal(res.reason, "vacation");
    assert_string_equal(res.ses_type, "-");
    assert_false(classify_is_bounce(&res));
}

/* A report that states its SES classification (SES notification JSON) is taken at its word;
 * General says nothing and leaves the evidence to decide. */
static void test_stated_ses_type(void **state)
{
    (void)state;
    struct dsn_report report = {.kind = DSN_KIND_BOUNCE};
    struct dsn_recipient r = {.address = "a@b.c",
                              .action = "failed",
                              .status = "5.1.1",
                              .diagnostic = "Amazon SES has suppressed sending to this address",
                              .ses_type = "Permanent",
                              .ses_subtype = "OnAccountSuppressionList"};
    struct classify_result res;
    classify_recipient(NULL, &report, &r, &res);
    assert_string_equal(res.reason, "onaccountsuppressionlist");
    assert_string_equal(res.ses_type, "Permanent");
    assert_string_equal(res.ses_subtype, "OnAccountSuppressionList");
    assert_true(res.hard);
    r.ses_subtype = "General";
    classify_recipient(NULL, &report, &r, &res);
    assert_string_equal(res.reason, "userunknown");
    assert_string_equal(res.ses_subtype, "NoEmail");
}

/* reason-map.tsv: notaccept is Permanent only as a hard (5xx) bounce. */
static void test_ses_map(void **state)
{
    (void)state;
    const char *type, *sub;
    classify_ses("notaccept", false, &type, &sub);
    assert_string_equal(type, "Transient");
    classify_ses("notaccept", true, &type, &sub);
    assert_string_equal(type, "Permanent");
    classify_ses("suppressed", false, &type, &sub);
    assert_string_equal(sub, "Suppressed");
    classify_ses("no-such-reason", false, &type, &sub);
    assert_string_equal(type, "Undetermined");
}

/* Operator rules come first and decide outright, even against a specific status code. */
static void test_operator_rules(void **state)
{
    (void)state;
    const char *text = "# site rules\n\nmailboxfull\tStorage Allocation Exceeded\n"
                       "  suspend   account on hold  \n";
    char *error = NULL;
    struct classify_rules *rules = classify_rules_parse(text, strlen(text), &error);
    assert_non_null(rules);
    assert_null(error);
    struct dsn_report report = {.kind = DSN_KIND_BOUNCE};
    struct dsn_recipient r = {.address = "a@b.c",
                              .action = "failed",
                              .status = "5.1.1",
                              .diagnostic = "550 5.1.1 storage allocation exceeded for user"};
    struct classify_result res;
    classify_recipient(rules, &report, &r, &res);
    assert_string_equal(res.reason, "mailboxfull");
    assert_string_equal(res.ses_subtype, "MailboxFull");
    classify_recipient(NULL, &report, &r, &res);
    assert_string_equal(res.reason, "userunknown");
    r.diagnostic = "550 5.1.1 ACCOUNT ON HOLD";
    classify_recipient(rules, &report, &r, &res);
    assert_string_equal(res.reason, "suspend");
    classify_rules_free(rules);
}

static void expect_rules_error(const char *text, const char *want)
{
    char *error = NULL;
    struct classify_rules *rules = classify_rules_parse(text, strlen(text), &error);
    assert_null(rules);
    if (error == NULL || strcmp(error, want) != 0)
        fail_msg("got error \"%s\", want \"%s\"", error ? error : "(null)", want);
    free(error);
}

static void test_operator_rules_errors(void **state)
{
    (void)state;
    expect_rules_error("userunknown gone\nbogus phrase\n", "line 2: unknown reason 'bogus'");
    expect_rules_error("userunknown\n", "line 1: expected a reason and a phrase");
    char long_line[CLASSIFY_RULES_MAX_LINE + 20];
    memset(long_line, 'a', sizeof(long_line) - 1);
    long_line[sizeof(long_line) - 1] = '\0';
    char want[64];
    snprintf(want, sizeof(want), "line 1: longer than %d bytes", CLASSIFY_RULES_MAX_LINE);
    expect_rules_error(long_line, want);
    char *error = NULL;
    assert_null(classify_rules_load("/nonexistent/rules", &error));
    assert_string_equal(error, "/nonexistent/rules: No such file or directory");
    free(error);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounce_cases),   cmocka_unit_test(test_complaint_and_autoreply),
        cmocka_unit_test(test_ses_map),        cmocka_unit_test(test_stated_ses_type),
        cmocka_unit_test(test_operator_rules), cmocka_unit_test(test_operator_rules_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
