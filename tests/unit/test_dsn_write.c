/* Unit tests for src/mail/dsn_write: the RFC 3464 report rebound sends, as exact bytes for a
 * pinned clock, id and boundary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <string.h>

#include "dsn_write.h"

static const char ORIGINAL[] = "From: Alice <alice@example.test>\r\n"
                               "Subject: hello\r\n"
                               "\r\n"
                               "body line\r\n";

/* Written by hand from RFC 3464 sections 2.2 and 2.3 and RFC 6522. */
static const char GOLDEN_HDRS[] =
    "From: Mail Delivery System <MAILER-DAEMON@mta.example.net>\r\n"
    "To: <alice@example.test>\r\n"
    "Subject: Undelivered Mail Returned to Sender\r\n"
    "Date: Sat, 28 Nov 2026 11:29:36 +0000\r\n"
    "Message-ID: <dsn1@mta.example.net>\r\n"
    "Auto-Submitted: auto-replied\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status;\r\n"
    "\tboundary=\"B0UND\"\r\n"
    "\r\n"
    "This is a MIME-encapsulated message.\r\n"
    "\r\n"
    "--B0UND\r\n"
    "Content-Description: Notification\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "\r\n"
    "This is the mail system at host mta.example.net.\r\n"
    "\r\n"
    "I'm sorry to have to inform you that your message could not\r\n"
    "be delivered to one or more recipients. The reasons follow.\r\n"
    "\r\n"
    "<bob@example.org>: 550-5.1.1 no such user 550 5.1.1 really\r\n"
    "<carol@example.org>: connection timed out\r\n"
    "\r\n"
    "--B0UND\r\n"
    "Content-Description: Delivery report\r\n"
    "Content-Type: message/delivery-status\r\n"
    "\r\n"
    "Reporting-MTA: dns; mta.example.net\r\n"
    "Original-Envelope-Id: ENV-1\r\n"
    "Arrival-Date: Sat, 28 Nov 2026 11:00:00 +0000\r\n"
    "\r\n"
    "Final-Recipient: rfc822; bob@example.org\r\n"
    "Original-Recipient: rfc822; Bob+tag@example.org\r\n"
    "Action: failed\r\n"
    "Status: 5.1.1\r\n"
    "Remote-MTA: dns; mx.example.org\r\n"
    "Diagnostic-Code: smtp; 550-5.1.1 no such user 550 5.1.1 really\r\n"
    "\r\n"
    "Final-Recipient: rfc822; carol@example.org\r\n"
    "Action: failed\r\n"
    "Status: 4.4.7\r\n"
    "Diagnostic-Code: smtp; connection timed out\r\n"
    "\r\n"
    "--B0UND\r\n"
    "Content-Description: Undelivered Message Headers\r\n"
    "Content-Type: text/rfc822-headers\r\n"
    "\r\n"
    "From: Alice <alice@example.test>\r\n"
    "Subject: hello\r\n"
    "\r\n"
    "\r\n"
    "--B0UND--\r\n";

static const struct dsn_write_rcpt RCPTS[] = {
    {"bob@example.org", "rfc822;Bob+2Btag@example.org", "failed", "5.1.1", "mx.example.org",
     "550-5.1.1 no such user\n550 5.1.1 really"},
    {"carol@example.org", NULL, "failed", "4.4.7", NULL, "connection timed out"},
};

static struct dsn_write_input input(bool full)
{
    return (struct dsn_write_input){
        .reporting_mta = "mta.example.net",
        .to = "alice@example.test",
        .message_id = "dsn1@mta.example.net",
        .boundary = "B0UND",
        .envid = "ENV-1",
        .arrival_ms = 1795863600000LL,
        .now_ms = 1795865376000LL,
        .rcpts = RCPTS,
        .n_rcpts = 2,
        .original = ORIGINAL,
        .original_len = strlen(ORIGINAL),
        .full = full,
    };
}

static void assert_same(const struct buf *got, const char *want)
{
    if (got->len != strlen(want) || memcmp(got->data, want, got->len) != 0)
        fail_msg("got:\n%.*s\nwant:\n%s", (int)got->len, got->data, want);
}

static void test_headers_only_golden(void **state)
{
    (void)state;
    struct dsn_write_input in = input(false);
    struct buf out = BUF_INIT;
    dsn_write(&in, &out);
    assert_same(&out, GOLDEN_HDRS);
    buf_free(&out);
}

static void test_ret_full_returns_the_whole_message(void **state)
{
    (void)state;
    struct dsn_write_input in = input(true);
    struct buf out = BUF_INIT;
    dsn_write(&in, &out);
    const char *want_tail = "--B0UND\r\n"
                            "Content-Description: Undelivered Message\r\n"
                            "Content-Type: message/rfc822\r\n"
                            "\r\n"
                            "From: Alice <alice@example.test>\r\n"
                            "Subject: hello\r\n"
                            "\r\n"
                            "body line\r\n"
                            "\r\n"
                            "--B0UND--\r\n";
    size_t tail = strlen(want_tail);
    assert_true(out.len > tail);
    if (memcmp(out.data + out.len - tail, want_tail, tail) != 0)
        fail_msg("got tail:\n%s\nwant:\n%s", buf_cstr(&out) + out.len - tail, want_tail);
    buf_free(&out);
}

static void test_untrusted_text_stays_on_one_ascii_line(void **state)
{
    (void)state;
    struct dsn_write_rcpt r = {"x@example.org",   NULL,
                               "failed",          "5.0.0",
                               "mx\r\nX-Evil: 1", "550 caf\xc3\xa9\r\nInjected: yes"};
    struct dsn_write_input in = input(false);
    in.rcpts = &r;
    in.n_rcpts = 1;
    struct buf out = BUF_INIT;
    dsn_write(&in, &out);
    const char *text = buf_cstr(&out);
    assert_non_null(strstr(text, "\r\nRemote-MTA: dns; mx X-Evil: 1\r\n"));
    assert_non_null(strstr(text, "\r\nDiagnostic-Code: smtp; 550 caf?? Injected: yes\r\n"));
    assert_null(strstr(text, "\r\nInjected:"));
    assert_null(strstr(text, "\r\nX-Evil:"));
    buf_free(&out);
}

static void test_date(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    dsn_write_date(0, &out);
    assert_string_equal(buf_cstr(&out), "Thu, 1 Jan 1970 00:00:00 +0000");
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers_only_golden),
        cmocka_unit_test(test_ret_full_returns_the_whole_message),
        cmocka_unit_test(test_untrusted_text_stays_on_one_ascii_line),
        cmocka_unit_test(test_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
