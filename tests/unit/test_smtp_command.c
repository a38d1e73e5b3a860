/* Unit tests for src/smtp/smtp_command (+ smtp_path, smtp_params): RFC 5321 4.1 command lines,
 * paths, ESMTP parameters (SIZE, BODY, SMTPUTF8, RFC 3461 DSN, AUTH=), exact replies on
 * refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_command.h"

static void parse_ok(const char *line, struct smtp_command *cmd)
{
    struct smtp_reply e = {0};
    if (!smtp_command_parse(line, strlen(line), cmd, &e))
        fail_msg("'%s': got %d %s %s, want success", line, e.code, e.enhanced, e.text);
}

static void parse_fail(const char *line, int code, const char *enhanced)
{
    struct smtp_command cmd;
    struct smtp_reply e = {0};
    if (smtp_command_parse(line, strlen(line), &cmd, &e)) {
        smtp_command_clear(&cmd);
        fail_msg("'%s': got success, want %d %s", line, code, enhanced);
    }
    if (e.code != code || strcmp(e.enhanced, enhanced) != 0)
        fail_msg("'%s': got %d %s (%s), want %d %s", line, e.code, e.enhanced, e.text, code,
                 enhanced);
    assert_true(smtp_reply_is_valid(e.code, e.enhanced));
}

static void test_verbs_case_insensitive(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        enum smtp_verb verb;
    } v[] = {
        {"EHLO client.example", SMTP_VERB_EHLO},
        {"helo x", SMTP_VERB_HELO},
        {"DATA", SMTP_VERB_DATA},
        {"rset", SMTP_VERB_RSET},
        {"NoOp", SMTP_VERB_NOOP},
        {"QUIT", SMTP_VERB_QUIT},
        {"VRFY bob", SMTP_VERB_VRFY},
        {"help", SMTP_VERB_HELP},
        {"StartTLS", SMTP_VERB_STARTTLS},
        {"AUTH plain", SMTP_VERB_AUTH},
        {"EXPN x", SMTP_VERB_EXPN},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        struct smtp_command cmd;
        parse_ok(v[i].line, &cmd);
        assert_int_equal(cmd.verb, v[i].verb);
        smtp_command_clear(&cmd);
    }
}

static void test_syntax_errors(void **state)
{
    (void)state;
    parse_fail("", 500, "5.5.1");
    parse_fail("FROB", 500, "5.5.1");
    parse_fail("MAILFROM:<a@b>", 500, "5.5.1");
    parse_fail("NOOP\x01", 500, "5.5.2");
    parse_fail("DATA x", 501, "5.5.4");
    parse_fail("QUIT now", 501, "5.5.4");
    parse_fail("EHLO", 501, "5.5.4");
    parse_fail("EHLO a b", 501, "5.5.4");
    parse_fail("VRFY", 501, "5.5.4");
    parse_fail("AUTH", 501, "5.5.4");
    parse_fail("AUTH PL@IN", 501, "5.5.4");
    parse_fail("AUTH PLAIN a b", 501, "5.5.2");
    parse_fail("MAIL TO:<a@b.c>", 501, "5.5.4");
    parse_fail("RCPT FROM:<a@b.c>", 501, "5.5.4");
}

static void test_mail_paths(void **state)
{
    (void)state;
    struct smtp_command cmd;
    parse_ok("MAIL FROM:<>", &cmd);
    assert_string_equal(cmd.path, "");
    smtp_command_clear(&cmd);
    parse_ok("mail from: <User.Name+tag@Example.COM>", &cmd);
    assert_string_equal(cmd.path, "User.Name+tag@Example.COM");
    smtp_command_clear(&cmd);
    parse_ok("MAIL FROM:<\"john doe\\\"x\"@example.com>", &cmd);
    assert_string_equal(cmd.path, "\"john doe\\\"x\"@example.com");
    smtp_command_clear(&cmd);
    parse_ok("MAIL FROM:<a@[192.0.2.1]>", &cmd);
    smtp_command_clear(&cmd);
    parse_ok("MAIL FROM:<a@[IPv6:2001:db8::1]>", &cmd);
    smtp_command_clear(&cmd);
    parse_ok("RCPT TO:<@relay.example,@b.example:user@example.org>", &cmd);
    assert_string_equal(cmd.path, "user@example.org");
    smtp_command_clear(&cmd);
    parse_ok("RCPT TO:<postmaster>", &cmd);
    assert_string_equal(cmd.path, "Postmaster");
    smtp_command_clear(&cmd);

    parse_fail("MAIL FROM:a@b.c", 501, "5.1.7");
    parse_fail("MAIL FROM:<a@b.c", 501, "5.1.7");
    parse_fail("MAIL FROM:<a@>", 501, "5.1.7");
    parse_fail("MAIL FROM:<@b.c>", 501, "5.1.7");
    parse_fail("MAIL FROM:<a..b@c.d>", 501, "5.1.7");
    parse_fail("MAIL FROM:<a@-b.c>", 501, "5.1.7");
    parse_fail("MAIL FROM:<a@b..c>", 501, "5.1.7");
    parse_fail("MAIL FROM:<a@[300.1.1.1]>", 501, "5.1.7");
    parse_fail("MAIL FROM:<a b@c.d>", 501, "5.1.7");
    parse_fail("RCPT TO:<>", 501, "5.1.3");
    parse_fail("RCPT TO:<a@b.c>x", 501, "5.5.4");
    char longlocal[200];
    snprintf(longlocal, sizeof(longlocal), "MAIL FROM:<%065d@example.com>", 1);
    parse_fail(longlocal, 501, "5.1.7");
}

static void test_utf8_paths_rfc6531(void **state)
{
    (void)state;
    struct smtp_command cmd;
    parse_ok("MAIL FROM:<j\xc3\xb6s\xc3\xa9@ex\xc3\xa4mple.com> SMTPUTF8", &cmd);
    assert_true(cmd.path_is_utf8);
    assert_true(cmd.mail.smtputf8);
    smtp_command_clear(&cmd);
    parse_fail("MAIL FROM:<j\xc3\xb6s\xc3\xa9@example.com>", 553, "5.6.7");
    parse_fail("MAIL FROM:<j\xc3\x28@example.com> SMTPUTF8", 501, "5.1.7");    /* bad UTF-8 */
    parse_fail("MAIL FROM:<\xed\xa0\x80@example.com> SMTPUTF8", 501, "5.1.7"); /* surrogate */
    parse_ok("RCPT TO:<\xce\xb4@\xce\xb4.example>", &cmd);
    assert_true(cmd.path_is_utf8); /* the session checks it against the MAIL's SMTPUTF8 */
    smtp_command_clear(&cmd);
}

static void test_mail_parameters(void **state)
{
    (void)state;
    struct smtp_command cmd;
    parse_ok("MAIL FROM:<a@b.c> SIZE=12345 BODY=8bitmime RET=HDRS ENVID=QQ+2B1+3D AUTH=<>", &cmd);
    assert_true(cmd.mail.has_size);
    assert_int_equal(cmd.mail.size, 12345);
    assert_int_equal(cmd.mail.body, SMTP_BODY_8BITMIME);
    assert_int_equal(cmd.mail.ret, SMTP_DSN_RET_HDRS);
    assert_string_equal(cmd.mail.envid, "QQ+1=");
    assert_string_equal(cmd.mail.auth, "");
    smtp_command_clear(&cmd);
    parse_ok("MAIL FROM:<a@b.c> SIZE=99999999999999999999", &cmd);
    assert_true(cmd.mail.size == UINT64_MAX); /* saturated */
    smtp_command_clear(&cmd);

    parse_fail("MAIL FROM:<a@b.c> SIZE=12x", 501, "5.5.4");
    parse_fail("MAIL FROM:<a@b.c> SIZE", 501, "5.5.4");
    parse_fail("MAIL FROM:<a@b.c> SIZE=123456789012345678901", 501, "5.5.4");
    parse_fail("MAIL FROM:<a@b.c> BODY=BINARYMIME", 501, "5.5.4");
    parse_fail("MAIL FROM:<a@b.c> RET=ALL", 501, "5.5.4");
    parse_fail("MAIL FROM:<a@b.c> RET=FULL RET=HDRS", 501, "5.5.4");
    parse_fail("MAIL FROM:<a@b.c> ENVID=a+2", 501, "5.5.4");
    parse_fail("MAIL FROM:<a@b.c> ENVID=a+00", 501, "5.5.4");
    parse_fail("MAIL FROM:<a@b.c> SMTPUTF8=yes", 501, "5.5.4");
    parse_fail("MAIL FROM:<a@b.c> X-FOO=1", 555, "5.5.4");
    parse_fail("MAIL FROM:<a@b.c> =1", 501, "5.5.4");
    parse_fail("MAIL FROM:<a@b.c> SIZE=", 501, "5.5.4");
    char envid[160];
    snprintf(envid, sizeof(envid), "MAIL FROM:<a@b.c> ENVID=%0101d", 0);
    parse_fail(envid, 501, "5.5.4");
}

static void test_rcpt_dsn_parameters_rfc3461(void **state)
{
    (void)state;
    struct smtp_command cmd;
    parse_ok("RCPT TO:<a@b.c> NOTIFY=success,FAILURE,Delay ORCPT=RFC822;a+2Bx@b.c", &cmd);
    assert_int_equal(cmd.rcpt.notify,
                     SMTP_DSN_NOTIFY_SUCCESS | SMTP_DSN_NOTIFY_FAILURE | SMTP_DSN_NOTIFY_DELAY);
    assert_string_equal(cmd.rcpt.orcpt_type, "rfc822");
    assert_string_equal(cmd.rcpt.orcpt_addr, "a+x@b.c");
    smtp_command_clear(&cmd);
    parse_ok("RCPT TO:<a@b.c> NOTIFY=NEVER", &cmd);
    assert_int_equal(cmd.rcpt.notify, SMTP_DSN_NOTIFY_NEVER);
    smtp_command_clear(&cmd);

    parse_fail("RCPT TO:<a@b.c> NOTIFY=NEVER,SUCCESS", 501, "5.5.4");
    parse_fail("RCPT TO:<a@b.c> NOTIFY=SUCCESS,SUCCESS", 501, "5.5.4");
    parse_fail("RCPT TO:<a@b.c> NOTIFY=SOMETIMES", 501, "5.5.4");
    parse_fail("RCPT TO:<a@b.c> NOTIFY=", 501, "5.5.4");
    parse_fail("RCPT TO:<a@b.c> NOTIFY=DELAY NOTIFY=DELAY", 501, "5.5.4");
    parse_fail("RCPT TO:<a@b.c> ORCPT=a@b.c", 501, "5.5.4");
    parse_fail("RCPT TO:<a@b.c> ORCPT=;a@b.c", 501, "5.5.4");
    parse_fail("RCPT TO:<a@b.c> ORCPT=rfc822;", 501, "5.5.4");
    parse_fail("RCPT TO:<a@b.c> SIZE=1", 555, "5.5.4");
}

static void test_auth_arguments(void **state)
{
    (void)state;
    struct smtp_command cmd;
    parse_ok("auth plain AGEAYg==", &cmd);
    assert_string_equal(cmd.arg, "PLAIN");
    assert_string_equal(cmd.arg2, "AGEAYg==");
    smtp_command_clear(&cmd);
    parse_ok("AUTH LOGIN =", &cmd);
    assert_string_equal(cmd.arg2, "=");
    smtp_command_clear(&cmd);
    parse_ok("AUTH X-SOME_MECH-1", &cmd);
    assert_null(cmd.arg2);
    smtp_command_clear(&cmd);
}

static void test_xtext(void **state)
{
    (void)state;
    char *out;
    assert_true(smtp_xtext_decode("a+2Bb+3Dc", 9, &out));
    assert_string_equal(out, "a+b=c");
    free(out);
    assert_false(smtp_xtext_decode("a+2b", 4, &out)); /* hex must be upper case */
    assert_false(smtp_xtext_decode("a=b", 3, &out));
    assert_false(smtp_xtext_decode("a b", 3, &out));
    assert_false(smtp_xtext_decode("+", 1, &out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verbs_case_insensitive),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_mail_paths),
        cmocka_unit_test(test_utf8_paths_rfc6531),
        cmocka_unit_test(test_mail_parameters),
        cmocka_unit_test(test_rcpt_dsn_parameters_rfc3461),
        cmocka_unit_test(test_auth_arguments),
        cmocka_unit_test(test_xtext),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
