/* Unit tests for src/mail/dsn*: RFC 3464 DSN, RFC 5965 ARF, RFC 3834 auto-reply and a
 * plain-text Postfix bounce, each parsed whole and trickled a byte at a time through
 * dsn_reader (the result must be identical). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsn.h"
#include "dsn_fields.h"
#include "mime.h"

/* RFC 3464 appendix-style report (Postfix shape), two recipients, returned headers. */
static const char dsn_rfc3464[] =
    "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n"
    "To: sender@example.org\r\n"
    "Subject: Undelivered Mail Returned to Sender\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B1\"\r\n"
    "\r\n"
    "--B1\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "<alice@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1\r\n"
    "    <alice@example.com>: Recipient address rejected: User unknown (in reply to\r\n"
    "    RCPT TO command)\r\n"
    "\r\n"
    "--B1\r\n"
    "Content-Type: message/delivery-status\r\n"
    "\r\n"
    "Reporting-MTA: dns; mx.example.net\r\n"
    "Original-Envelope-Id: ENV-42\r\n"
    "Arrival-Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n"
    "\r\n"
    "Final-Recipient: rfc822; alice@example.com\r\n"
    "Original-Recipient: rfc822;Alice@Example.com\r\n"
    "Action: failed\r\n"
    "Status: 5.1.1\r\n"
    "Remote-MTA: dns; mx.example.com\r\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <alice@example.com>: Recipient address\r\n"
    "    rejected: User unknown\r\n"
    "\r\n"
    "Final-Recipient: rfc822; bob@example.com\r\n"
    "Action: delayed\r\n"
    "Status: 4.2.2\r\n"
    "Diagnostic-Code: smtp; 452 4.2.2 Mailbox full\r\n"
    "\r\n"
    "--B1\r\n"
    "Content-Type: text/rfc822-headers\r\n"
    "\r\n"
    "From: sender@example.org\r\n"
    "To: alice@example.com, bob@example.com\r\n"
    "Message-ID: <orig-1@example.org>\r\n"
    "\r\n"
    "--B1--\r\n";

/* RFC 5965 section 3 example, shortened. */
static const char dsn_arf[] =
    "From: <abusedesk@example.com>\n"
    "To: <abuse@example.net>\n"
    "Subject: FW: Earn money\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=feedback-report; boundary=\"part1\"\n"
    "\n"
    "--part1\n"
    "Content-Type: text/plain; charset=\"US-ASCII\"\n"
    "\n"
    "This is an email abuse report for an email message received from IP\n"
    "192.0.2.1 on Thu, 8 Mar 2005 14:00:00 EDT.\n"
    "\n"
    "--part1\n"
    "Content-Type: message/feedback-report\n"
    "\n"
    "Feedback-Type: abuse\n"
    "User-Agent: SomeGenerator/1.0\n"
    "Version: 1\n"
    "Original-Mail-From: <somespammer@example.net>\n"
    "Original-Rcpt-To: <user@example.com>\n"
    "Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT\n"
    "Reporting-MTA: dns; mail.example.com\n"
    "Source-IP: 192.0.2.1\n"
    "\n"
    "--part1\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "From: <somespammer@example.net>\n"
    "To: <Undisclosed Recipients>\n"
    "Subject: Earn money\n"
    "Message-ID: 8787KJKJ3K4J3K4J3K4J3.mail@example.net\n"
    "\n"
    "Spam Spam Spam\n"
    "--part1--\n";

/* RFC 3834 section 3.1.7 style vacation reply. */
static const char dsn_vacation[] = "From: Carol <carol@example.com>\n"
                                   "To: sender@example.org\n"
                                   "Subject: Away until May 5\n"
                                   "Auto-Submitted: auto-replied\n"
                                   "In-Reply-To: <orig-1@example.org>\n"
                                   "\n"
                                   "I am away; dave@example.com handles urgent matters.\n";

/* Postfix bounce without a delivery-status part (as older or stripped reports come). */
static const char dsn_postfix_text[] =
    "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\n"
    "To: sender@example.org\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "\n"
    "This is the mail system at host mx.example.net.\n"
    "\n"
    "I'm sorry to have to inform you that your message could not\n"
    "be delivered to one or more recipients. It's attached below.\n"
    "\n"
    "For further assistance, please send mail to postmaster.\n"
    "\n"
    "If you do so, please include this problem report. You can\n"
    "delete your own text from the attached returned message.\n"
    "\n"
    "                   The mail system\n"
    "\n"
    "<erin@example.com>: host mx.example.com[192.0.2.7] said: 552 5.2.2\n"
    "    Mailbox full (in reply to RCPT TO command)\n"
    "\n"
    "--- Below this line is a copy of the message.\n"
    "\n"
    "From: sender@example.org\n"
    "To: erin@example.com, frank@example.com\n"
    "Message-ID: <orig-2@example.org>\n"
    "\n"
    "hello\n";

/* Exim: X-Failed-Recipients names the recipient; the alias it was reached through stays in
 * its block; the reason line follows. */
static const char dsn_exim[] =
    "From: Mail Delivery System <Mailer-Daemon@mx.example.net>\n"
    "To: sender@example.org\n"
    "Subject: Mail delivery failed: returning message to sender\n"
    "X-Failed-Recipients: gina@example.com\n"
    "Auto-Submitted: auto-replied\n"
    "\n"
    "This message was created automatically by mail delivery software.\n"
    "\n"
    "A message that you sent could not be delivered to one or more of its\n"
    "recipients. This is a permanent error. The following address(es) failed:\n"
    "\n"
    "  gina@example.com\n"
    "    (generated from info@example.org)\n"
    "    SMTP error from remote mail server after end of data:\n"
    "    host mx.example.com [192.0.2.9]: 552 5.3.4 Message size exceeds fixed limit\n"
    "\n"
    "------ This is a copy of the message, including all the headers. ------\n"
    "\n"
    "Return-path: <sender@example.org>\n"
    "To: info@example.org\n"
    "Message-ID: <orig-3@example.org>\n"
    "\n"
    "big\n";

/* An Amazon SES bounce notification delivered by e-mail (SNS). */
static const char dsn_ses_json[] =
    "From: AWS Notifications <no-reply@sns.amazonaws.com>\n"
    "To: ops@example.org\n"
    "Subject: AWS Notification Message\n"
    "\n"
    "{\"notificationType\":\"Bounce\",\"bounce\":{\"bounceType\":\"Permanent\","
    "\"bounceSubType\":\"General\",\"bouncedRecipients\":[{\"emailAddress\":"
    "\"hank@example.com\",\"action\":\"failed\",\"status\":\"5.1.1\","
    "\"diagnosticCode\":\"smtp; 550 5.1.1 user unknown\"}],\"reportingMTA\":"
    "\"dsn; a1.smtp-out.example.com\"},\"mail\":{\"messageId\":\"0100-abc\"}}\n"
    "\n"
    "--\nIf you wish to stop receiving notifications ... &Endpoint=ops@example.org\n";

static const char dsn_not_a_bounce[] = "From: Alice <alice@example.com>\n"
                                       "To: bob@example.com\n"
                                       "Subject: lunch?\n"
                                       "\n"
                                       "Ask carol@example.com too. 550 5.1.1 was a joke.\n";

/* A person's mail whose Subject sounds like a bounce is still not one. */
static const char dsn_human_rejected[] = "From: Ivan <ivan@example.com>\n"
                                         "To: sender@example.org\n"
                                         "Subject: Re: your proposal was rejected\n"
                                         "\n"
                                         "Sorry, the board (board@example.com) rejected it.\n";

static struct dsn_report *trickle(const char *text)
{
    struct dsn_reader *r = dsn_reader_new();
    for (size_t i = 0; text[i] != '\0'; i++)
        dsn_reader_feed(r, text + i, 1);
    return dsn_reader_finish(r);
}

static void expect_str(const char *got, const char *want, const char *what)
{
    if (want == NULL && got == NULL)
        return;
    if (want == NULL || got == NULL || strcmp(got, want) != 0)
        fail_msg("%s: got \"%s\", want \"%s\"", what, got ? got : "(null)", want ? want : "(null)");
}

static void check_rfc3464(const struct dsn_report *rep)
{
    assert_int_equal(rep->kind, DSN_KIND_BOUNCE);
    assert_int_equal(rep->format, DSN_FORMAT_RFC3464);
    expect_str(rep->reporting_mta, "mx.example.net", "reporting_mta");
    expect_str(rep->envid, "ENV-42", "envid");
    expect_str(rep->arrival_date, "Mon, 2 Mar 2026 10:00:00 +0000", "arrival_date");
    expect_str(rep->orig_message_id, "<orig-1@example.org>", "orig_message_id");
    assert_int_equal(rep->recipient_count, 2);
    const struct dsn_recipient *a = &rep->recipients[0];
    expect_str(a->address, "alice@example.com", "address[0]");
    expect_str(a->original_recipient, "Alice@Example.com", "original_recipient[0]");
    expect_str(a->action, "failed", "action[0]");
    expect_str(a->status, "5.1.1", "status[0]");
    expect_str(a->remote_mta, "mx.example.com", "remote_mta[0]");
    expect_str(a->diagnostic,
               "550 5.1.1 <alice@example.com>: Recipient address rejected: User unknown",
               "diagnostic[0]");
    assert_int_equal(a->reply_code, 550);
    expect_str(a->command, "RCPT", "command[0]");
    const struct dsn_recipient *b = &rep->recipients[1];
    expect_str(b->address, "bob@example.com", "address[1]");
    expect_str(b->action, "delayed", "action[1]");
    expect_str(b->status, "4.2.2", "status[1]");
    assert_int_equal(b->reply_code, 452);
}

static void check_arf(const struct dsn_report *rep)
{
    assert_int_equal(rep->kind, DSN_KIND_COMPLAINT);
    assert_int_equal(rep->format, DSN_FORMAT_ARF);
    expect_str(rep->feedback_type, "abuse", "feedback_type");
    expect_str(rep->reporting_mta, "mail.example.com", "reporting_mta");
    expect_str(rep->orig_message_id, "8787KJKJ3K4J3K4J3K4J3.mail@example.net", "orig_message_id");
    assert_int_equal(rep->recipient_count, 1);
    expect_str(rep->recipients[0].address, "user@example.com", "address");
}

static void check_vacation(const struct dsn_report *rep)
{
    assert_int_equal(rep->kind, DSN_KIND_AUTOREPLY);
    assert_int_equal(rep->format, DSN_FORMAT_RFC3834);
    assert_int_equal(rep->recipient_count, 1);
    expect_str(rep->recipients[0].address, "carol@example.com", "address");
}

static void check_postfix_text(const struct dsn_report *rep)
{
    assert_int_equal(rep->kind, DSN_KIND_BOUNCE);
    assert_int_equal(rep->format, DSN_FORMAT_TEXT);
    assert_int_equal(rep->recipient_count, 1); /* not frank@, who is in the returned copy */
    expect_str(rep->orig_message_id, "<orig-2@example.org>", "orig_message_id");
    const struct dsn_recipient *r = &rep->recipients[0];
    expect_str(r->address, "erin@example.com", "address");
    expect_str(r->status, "5.2.2", "status");
    assert_int_equal(r->reply_code, 552);
    expect_str(r->command, "RCPT", "command");
    expect_str(r->diagnostic,
               "<erin@example.com>: host mx.example.com[192.0.2.7] said: 552 5.2.2 Mailbox full "
               "(in reply to RCPT TO command)",
               "diagnostic");
}

static void check_exim(const struct dsn_report *rep)
{
    assert_int_equal(rep->kind, DSN_KIND_BOUNCE);
    assert_int_equal(rep->format, DSN_FORMAT_TEXT);
    assert_int_equal(rep->recipient_count, 1);
    const struct dsn_recipient *r = &rep->recipients[0];
    expect_str(r->address, "gina@example.com", "address");
    expect_str(rep->orig_message_id, "<orig-3@example.org>", "orig_message_id");
    expect_str(r->status, "5.3.4", "status");
    assert_int_equal(r->reply_code, 552);
    expect_str(r->command, "DATA", "command");
    expect_str(r->diagnostic,
               "gina@example.com (generated from info@example.org) SMTP error from remote mail "
               "server after end of data: host mx.example.com [192.0.2.9]: 552 5.3.4 Message "
               "size exceeds fixed limit",
               "diagnostic");
}

static void check_ses_json(const struct dsn_report *rep)
{
    assert_int_equal(rep->kind, DSN_KIND_BOUNCE);
    assert_int_equal(rep->format, DSN_FORMAT_SESJSON);
    expect_str(rep->reporting_mta, "a1.smtp-out.example.com", "reporting_mta");
    expect_str(rep->orig_message_id, "0100-abc", "orig_message_id");
    assert_int_equal(rep->recipient_count, 1);
    expect_str(rep->recipients[0].address, "hank@example.com", "address");
    expect_str(rep->recipients[0].status, "5.1.1", "status");
    expect_str(rep->recipients[0].diagnostic, "550 5.1.1 user unknown", "diagnostic");
    expect_str(rep->recipients[0].ses_type, "Permanent", "ses_type");
    expect_str(rep->recipients[0].ses_subtype, "General", "ses_subtype");
}

static void check_none(const struct dsn_report *rep)
{
    assert_int_equal(rep->kind, DSN_KIND_NONE);
    assert_int_equal(rep->recipient_count, 0);
}

struct dsn_case {
    const char *text;
    void (*check)(const struct dsn_report *);
};

static const struct dsn_case dsn_cases[] = {
    {dsn_rfc3464, check_rfc3464},   {dsn_arf, check_arf},
    {dsn_vacation, check_vacation}, {dsn_postfix_text, check_postfix_text},
    {dsn_exim, check_exim},         {dsn_ses_json, check_ses_json},
    {dsn_not_a_bounce, check_none}, {dsn_human_rejected, check_none},
};

static void test_whole_and_trickled(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(dsn_cases) / sizeof(dsn_cases[0]); i++) {
        struct dsn_report *whole = dsn_parse(dsn_cases[i].text, strlen(dsn_cases[i].text));
        dsn_cases[i].check(whole);
        dsn_report_free(whole);
        struct dsn_report *trickled = trickle(dsn_cases[i].text);
        dsn_cases[i].check(trickled);
        dsn_report_free(trickled);
    }
}

static void test_garbage_is_no_report(void **state)
{
    (void)state;
    static const char *const inputs[] = {"", "\n\n\n", "no header here at all", ":\n:\n\n@@@"};
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        struct dsn_report *rep = dsn_parse(inputs[i], strlen(inputs[i]));
        check_none(rep);
        dsn_report_free(rep);
    }
}

/* RFC 3464 2.1: groups separated by blank lines; RFC 5322 2.2.3 folding. */
static void test_fields_groups_and_folding(void **state)
{
    (void)state;
    const char *text = "Reporting-MTA: dns; a\r\n\r\n \r\nFinal-Recipient: rfc822; x@y.z\r\n"
                       "Diagnostic-Code: smtp; 550\r\n  user\tunknown\r\nnot a field\r\n"
                       "Status:5.1.1";
    struct dsn_fields *whole = dsn_fields_parse(text, strlen(text));
    struct dsn_fields_parser *p = dsn_fields_parser_new();
    for (size_t i = 0; text[i]; i++)
        dsn_fields_parser_feed(p, text + i, 1);
    struct dsn_fields *trickled = dsn_fields_parser_finish(p);
    const struct dsn_fields *all[] = {whole, trickled};
    for (size_t k = 0; k < 2; k++) {
        const struct dsn_fields *f = all[k];
        assert_int_equal(f->count, 2);
        assert_int_equal(f->groups[0].count, 1);
        assert_int_equal(f->groups[1].count, 3);
        expect_str(dsn_fields_get(&f->groups[1], "diagnostic-code"), "smtp; 550 user\tunknown",
                   "folded value");
        expect_str(dsn_fields_get(&f->groups[1], "STATUS"), "5.1.1", "unterminated last line");
        expect_str(dsn_fields_get(&f->groups[0], "Status"), NULL, "absent field");
    }
    dsn_fields_free(whole);
    dsn_fields_free(trickled);
}

static void test_fields_limits(void **state)
{
    (void)state;
    struct dsn_fields_parser *p = dsn_fields_parser_new();
    for (int i = 0; i < DSN_FIELDS_MAX_FIELDS + 5; i++)
        dsn_fields_parser_feed(p, "X-A: b\n", 7);
    struct dsn_fields *f = dsn_fields_parser_finish(p);
    assert_int_equal(f->count, 1);
    assert_int_equal(f->groups[0].count, DSN_FIELDS_MAX_FIELDS);
    assert_true(f->truncated);
    dsn_fields_free(f);
}

static void test_recipient_limit(void **state)
{
    (void)state;
    char *msg = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&msg, &len);
    fprintf(out, "From: MAILER-DAEMON@x.example\nSubject: failure\nMIME-Version: 1.0\n"
                 "Content-Type: multipart/report; boundary=b\n\n--b\n"
                 "Content-Type: message/delivery-status\n\nReporting-MTA: dns; x\n");
    for (int i = 0; i < DSN_MAX_RECIPIENTS + 10; i++)
        fprintf(out, "\nFinal-Recipient: rfc822; u%d@example.com\nAction: failed\n", i);
    fprintf(out, "--b--\n");
    fclose(out);
    struct dsn_report *rep = dsn_parse(msg, len);
    assert_int_equal(rep->recipient_count, DSN_MAX_RECIPIENTS);
    assert_true(rep->truncated);
    dsn_report_free(rep);
    free(msg);
}

int main(void)
{
    mime_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_and_trickled),
        cmocka_unit_test(test_garbage_is_no_report),
        cmocka_unit_test(test_fields_groups_and_folding),
        cmocka_unit_test(test_fields_limits),
        cmocka_unit_test(test_recipient_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
