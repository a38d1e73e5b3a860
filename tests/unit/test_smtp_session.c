/* Unit tests for src/smtp/smtp_session: whole sessions through a fake transport and a fake
 * role, each script fed whole and a byte at a time, with exact transcripts; the async seam
 * (late answers, answers for a vanished session, cancel). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "smtp_session.h"
#include "xalloc.h"

struct fake {
    struct buf out;
    bool closed, tls, scheduled;
    unsigned timeout;
    /* role */
    bool async;
    uint64_t last_request;
    unsigned requests, cancels, depth, max_depth;
    struct smtp_server *server;
    struct buf committed;
    struct smtp_answer mail_answer, commit_answer;
};

static void f_write(void *ctx, const char *d, size_t n)
{
    buf_append(&((struct fake *)ctx)->out, d, n);
}
static size_t f_pending(void *ctx)
{
    return 0;
}
static void f_close(void *ctx)
{
    ((struct fake *)ctx)->closed = true;
}
static bool f_tls(void *ctx)
{
    ((struct fake *)ctx)->tls = true;
    return true;
}
static void f_timeout(void *ctx, unsigned s)
{
    ((struct fake *)ctx)->timeout = s;
}
static void f_reading(void *ctx, bool on)
{
}
static void f_schedule(void *ctx)
{
    ((struct fake *)ctx)->scheduled = true;
}

static void role_answer(struct fake *f, uint64_t id, const struct smtp_answer *a)
{
    f->requests++;
    f->last_request = id;
    if (!f->async)
        smtp_server_answer(f->server, id, a);
}

static void r_auth(void *ctx, uint64_t id, const struct smtp_session_info *si,
                   const struct smtp_auth_credentials *c)
{
    struct fake *f = ctx;
    struct smtp_answer a = {.verdict = strcmp(c->password, "pw") == 0 ? SMTP_VERDICT_ACCEPT
                                                                      : SMTP_VERDICT_PERMFAIL,
                            .account = "acct-of-alice",
                            .account_id = 42};
    role_answer(f, id, &a);
}
static void r_mail(void *ctx, uint64_t id, const struct smtp_session_info *si, const char *from,
                   const struct smtp_mail_params *p)
{
    struct fake *f = ctx;
    if (++f->depth > f->max_depth)
        f->max_depth = f->depth;
    role_answer(f, id, &f->mail_answer);
    f->depth--;
}
static void r_commit(void *ctx, uint64_t id, const struct smtp_session_info *si,
                     const struct smtp_message *m)
{
    struct fake *f = ctx;
    assert_string_equal(si->account, "acct-of-alice");
    assert_int_equal(si->account_id, 42);
    assert_true(si->authenticated);
    buf_append(&f->committed, m->data, m->size);
    role_answer(f, id, &f->commit_answer);
}
static void r_cancel(void *ctx, uint64_t id)
{
    ((struct fake *)ctx)->cancels++;
}

static const struct smtp_listener_config lc = {"test", "127.0.0.1:0", false, false,
                                               true,   NULL,          NULL};
static int64_t now_ms = 1700000000000LL;

static struct smtp_server *new_server(struct fake *f)
{
    struct smtp_server_config c = {0};
    c.hostname = "mx.test";
    smtp_limits_default(&c.limits);
    c.limits.recipients = 2;
    c.tls_ctx = f; /* any non-NULL: STARTTLS is offered; the fake does the "handshake" */
    c.clock = clock_fixed(&now_ms);
    struct smtp_server_handler h = {f, r_auth, r_mail, NULL, r_commit, r_cancel};
    f->server = smtp_server_new(&c, &h);
    f->mail_answer.verdict = SMTP_VERDICT_ACCEPT;
    f->commit_answer.verdict = SMTP_VERDICT_ACCEPT;
    f->commit_answer.message_id = "Q1";
    return f->server;
}

static struct smtp_session *new_session(struct fake *f, bool tls)
{
    struct smtp_transport t = {f,     f_write,   f_pending, f_close,
                               f_tls, f_timeout, f_reading, f_schedule};
    struct smtp_session *s = smtp_session_new(f->server, &lc, &t, "192.0.2.1", false, tls);
    smtp_session_start(s);
    return s;
}

static void pump(struct fake *f, struct smtp_session *s)
{
    while (f->scheduled) {
        f->scheduled = false;
        smtp_session_run(s);
    }
}

/* Runs a script (whole when step == 0) and returns the transcript (owned). */
static char *run_script(const char *script, size_t step, bool tls, struct fake *f)
{
    memset(f, 0, sizeof(*f));
    new_server(f);
    struct smtp_session *s = new_session(f, tls);
    size_t len = strlen(script);
    for (size_t off = 0; off < len;) {
        size_t n = step ? step : len;
        if (n > len - off)
            n = len - off;
        smtp_session_input(s, script + off, n);
        pump(f, s);
        off += n;
    }
    smtp_session_free(s);
    smtp_server_free(f->server);
    return buf_steal(&f->out);
}

static void check_script(const char *script, bool tls, const char *want)
{
    struct fake f;
    for (size_t step = 0; step <= 1; step++) {
        char *got = run_script(script, step, tls, &f);
        if (strcmp(got, want) != 0)
            fail_msg("step %zu:\ngot:\n%s\nwant:\n%s", step, got, want);
        free(got);
        buf_free(&f.committed);
    }
}

static const char *const EHLO_TLS = "250-mx.test\r\n250-PIPELINING\r\n250-SIZE 41943040\r\n"
                                    "250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n"
                                    "250-AUTH PLAIN LOGIN\r\n250-DSN\r\n250 SMTPUTF8\r\n";

static void test_full_session_transcript(void **state)
{
    (void)state;
    struct buf want = BUF_INIT;
    buf_append_str(&want, "220 mx.test ESMTP rebound\r\n");
    buf_append_str(&want, EHLO_TLS);
    buf_append_str(&want, "235 2.7.0 Authentication successful\r\n"
                          "250 2.1.0 Sender ok\r\n250 2.1.5 Recipient ok\r\n"
                          "250 2.1.5 Recipient ok\r\n452 4.5.3 Too many recipients\r\n"
                          "354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok Q1\r\n"
                          "221 2.0.0 Bye\r\n");
    check_script("EHLO c\r\nAUTH PLAIN AGFsaWNlAHB3\r\nMAIL FROM:<a@b.c>\r\n"
                 "RCPT TO:<x@y.z>\r\nRCPT TO:<x2@y.z>\r\nRCPT TO:<x3@y.z>\r\nDATA\r\n"
                 "Subject: t\r\n\r\n..x\r\n.\r\nQUIT\r\nNOOP\r\n",
                 true, buf_cstr(&want));
    buf_free(&want);
}

static void test_committed_message_has_received_and_exact_body(void **state)
{
    (void)state;
    struct fake f;
    char *out = run_script("EHLO c\r\nAUTH PLAIN AGFsaWNlAHB3\r\nMAIL FROM:<a@b.c>\r\n"
                           "RCPT TO:<x@y.z>\r\nDATA\r\nA: b\r\n\r\n..x\r\n\xff\r\n.\r\n",
                           0, true, &f);
    free(out);
    assert_string_equal(buf_cstr(&f.committed),
                        "Received: from c ([192.0.2.1])\r\n\tby mx.test (rebound) with ESMTPSA "
                        "id S6553f100-1;\r\n\tTue, 14 Nov 2023 22:13:20 +0000\r\n"
                        "A: b\r\n\r\n.x\r\n\xff\r\n");
    buf_free(&f.committed);
}

static void test_auth_login_trickled_and_failures(void **state)
{
    (void)state;
    struct buf want = BUF_INIT;
    buf_append_str(&want, "220 mx.test ESMTP rebound\r\n");
    buf_append_str(&want, EHLO_TLS);
    buf_append_str(&want, "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n"
                          "535 5.7.8 Authentication credentials invalid\r\n"
                          "334 VXNlcm5hbWU6\r\n501 5.7.0 Authentication cancelled\r\n"
                          "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n"
                          "235 2.7.0 Authentication successful\r\n");
    /* "alice" / "bad", cancel, "alice" / "pw" */
    check_script("EHLO c\r\nAUTH LOGIN\r\nYWxpY2U=\r\nYmFk\r\nAUTH LOGIN\r\n*\r\n"
                 "AUTH LOGIN\r\nYWxpY2U=\r\ncHc=\r\n",
                 true, buf_cstr(&want));
    buf_free(&want);
}

static void test_plaintext_session_refuses_auth_and_starttls_resets(void **state)
{
    (void)state;
    check_script("EHLO c\r\nAUTH PLAIN AGFsaWNlAHB3\r\nMAIL FROM:<a@b.c>\r\nSTARTTLS\r\n", false,
                 "220 mx.test ESMTP rebound\r\n250-mx.test\r\n250-PIPELINING\r\n"
                 "250-SIZE 41943040\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n"
                 "250-STARTTLS\r\n250-DSN\r\n250 SMTPUTF8\r\n"
                 "538 5.7.11 Encryption required for requested authentication mechanism: "
                 "issue STARTTLS first\r\n530 5.7.0 Authentication required\r\n"
                 "220 2.0.0 Ready to start TLS\r\n");
}

static void test_starttls_discards_pipelined_input(void **state)
{
    (void)state;
    struct fake f;
    memset(&f, 0, sizeof(f));
    new_server(&f);
    struct smtp_session *s = new_session(&f, false);
    /* RFC 3207 / CVE-2011-0411: NOOP came in the same packet as STARTTLS, in plaintext. */
    const char *script = "EHLO c\r\nSTARTTLS\r\nNOOP\r\n";
    smtp_session_input(s, script, strlen(script));
    assert_true(f.tls);
    const char *tail = strstr(buf_cstr(&f.out), "220 2.0.0");
    assert_string_equal(tail, "220 2.0.0 Ready to start TLS\r\n");
    /* After the handshake the session starts over: MAIL needs EHLO again, AUTH is offered. */
    const char *after = "MAIL FROM:<a@b.c>\r\nEHLO c\r\n";
    smtp_session_input(s, after, strlen(after));
    tail = strstr(buf_cstr(&f.out), "220 2.0.0");
    assert_non_null(strstr(tail, "503 5.5.1 Bad sequence of commands: send EHLO or HELO first"));
    assert_non_null(strstr(tail, "250-AUTH PLAIN LOGIN\r\n"));
    assert_null(strstr(tail, "STARTTLS\r\n"));
    smtp_session_free(s);
    smtp_server_free(f.server);
    buf_free(&f.out);
}

static void test_async_answers_keep_order(void **state)
{
    (void)state;
    struct fake f;
    memset(&f, 0, sizeof(f));
    new_server(&f);
    f.async = true;
    struct smtp_session *s = new_session(&f, true);
    const char *script = "EHLO c\r\nAUTH PLAIN AGFsaWNlAHB3\r\nMAIL FROM:<a@b.c>\r\nNOOP\r\n";
    smtp_session_input(s, script, strlen(script));
    /* Waiting for AUTH: nothing after the EHLO reply yet, and no idle timeout meanwhile. */
    assert_null(strstr(buf_cstr(&f.out), "235"));
    assert_int_equal(f.timeout, 0);
    struct smtp_answer ok = {.verdict = SMTP_VERDICT_ACCEPT};
    smtp_server_answer(f.server, f.last_request, &ok);
    /* The engine never continues inside smtp_server_answer(). */
    assert_null(strstr(buf_cstr(&f.out), "235"));
    pump(&f, s);
    assert_non_null(strstr(buf_cstr(&f.out), "235 2.7.0"));
    assert_null(strstr(buf_cstr(&f.out), "Sender ok"));
    struct smtp_answer refuse = {.verdict = SMTP_VERDICT_PERMFAIL,
                                 .code = 554,
                                 .enhanced = "5.7.1",
                                 .text = "Message rejected: Email address is not verified. The "
                                         "following identities failed the check: a@b.c"};
    smtp_server_answer(f.server, f.last_request, &refuse);
    smtp_server_answer(f.server, f.last_request, &ok); /* a second answer is ignored */
    pump(&f, s);
    const char *tail = strstr(buf_cstr(&f.out), "235 2.7.0 Authentication successful\r\n");
    assert_non_null(tail);
    assert_string_equal(tail + 37,
                        "554 5.7.1 Message rejected: Email address is not verified. The "
                        "following identities failed the check: a@b.c\r\n250 2.0.0 Ok\r\n");
    assert_int_equal(f.timeout, 300);
    smtp_session_free(s);
    assert_int_equal(f.cancels, 0);
    smtp_server_free(f.server);
    buf_free(&f.out);
}

static void test_session_gone_cancels_and_late_answer_is_ignored(void **state)
{
    (void)state;
    struct fake f;
    memset(&f, 0, sizeof(f));
    new_server(&f);
    f.async = true;
    struct smtp_session *s = new_session(&f, true);
    const char *script = "EHLO c\r\nAUTH PLAIN AGFsaWNlAHB3\r\n";
    smtp_session_input(s, script, strlen(script));
    uint64_t id = f.last_request;
    assert_int_equal(smtp_server_session_count(f.server), 1);
    smtp_session_free(s);
    assert_int_equal(f.cancels, 1);
    assert_int_equal(smtp_server_session_count(f.server), 0);
    struct smtp_answer ok = {.verdict = SMTP_VERDICT_ACCEPT};
    smtp_server_answer(f.server, id, &ok); /* must not touch freed memory (ASan) */
    smtp_server_free(f.server);
    buf_free(&f.out);
}

static void test_sync_answer_does_not_reenter(void **state)
{
    (void)state;
    struct fake f;
    char *out = run_script("EHLO c\r\nAUTH PLAIN AGFsaWNlAHB3\r\nMAIL FROM:<a@b.c>\r\nRSET\r\n"
                           "MAIL FROM:<a@b.c>\r\nRSET\r\nMAIL FROM:<a@b.c>\r\n",
                           0, true, &f);
    assert_int_equal(f.max_depth, 1);
    assert_int_equal(f.requests, 4); /* auth + 3 mail */
    free(out);
}

static void test_commit_tempfail_gives_451(void **state)
{
    (void)state;
    struct fake f;
    memset(&f, 0, sizeof(f));
    new_server(&f);
    f.commit_answer.verdict = SMTP_VERDICT_TEMPFAIL;
    f.commit_answer.message_id = NULL;
    struct smtp_session *s = new_session(&f, true);
    const char *script = "EHLO c\r\nAUTH PLAIN AGFsaWNlAHB3\r\nMAIL FROM:<a@b.c>\r\n"
                         "RCPT TO:<x@y.z>\r\nDATA\r\nx\r\n.\r\n";
    smtp_session_input(s, script, strlen(script));
    pump(&f, s);
    const char *want = "354 End data with <CR><LF>.<CR><LF>\r\n"
                       "451 4.3.0 Temporary failure: message not accepted, try again later\r\n";
    const char *got = strstr(buf_cstr(&f.out), "354");
    assert_non_null(got);
    assert_string_equal(got, want);
    smtp_session_free(s);
    smtp_server_free(f.server);
    buf_free(&f.out);
    buf_free(&f.committed);
}

static void test_timeout_421(void **state)
{
    (void)state;
    struct fake f;
    memset(&f, 0, sizeof(f));
    new_server(&f);
    struct smtp_session *s = new_session(&f, false);
    smtp_session_timeout(s);
    assert_true(f.closed);
    assert_string_equal(buf_cstr(&f.out), "220 mx.test ESMTP rebound\r\n421 4.4.2 Timeout "
                                          "exceeded: no command received in time, closing "
                                          "connection\r\n");
    smtp_session_input(s, "NOOP\r\n", 6); /* ignored once closing */
    assert_null(strstr(buf_cstr(&f.out), "250"));
    smtp_session_free(s);
    smtp_server_free(f.server);
    buf_free(&f.out);
}

int main(void)
{
    log_init(LOG_LEVEL_ERROR, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_session_transcript),
        cmocka_unit_test(test_committed_message_has_received_and_exact_body),
        cmocka_unit_test(test_auth_login_trickled_and_failures),
        cmocka_unit_test(test_plaintext_session_refuses_auth_and_starttls_resets),
        cmocka_unit_test(test_starttls_discards_pipelined_input),
        cmocka_unit_test(test_async_answers_keep_order),
        cmocka_unit_test(test_session_gone_cancels_and_late_answer_is_ignored),
        cmocka_unit_test(test_sync_answer_does_not_reenter),
        cmocka_unit_test(test_commit_tempfail_gives_451),
        cmocka_unit_test(test_timeout_421),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
