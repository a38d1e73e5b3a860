/*
 * Unit tests for the SMTP client's parsers of what servers send: replies
 * (src/smtp/smtp_client_reply) and the EHLO capabilities read from them (smtp_client_ehlo).
 * Every reply test runs on the whole input and again a byte at a time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_client_ehlo.h"
#include "smtp_client_reply.h"

#define MAX_REPLIES 8

struct parsed {
    struct smtp_client_reply replies[MAX_REPLIES];
    size_t n;
    bool error;
    const char *error_text;
};

/* Feeds input in pieces of step bytes (0 = all at once), taking every complete reply. */
static void parse_in_steps(const char *input, size_t len, size_t step, struct parsed *out)
{
    memset(out, 0, sizeof(*out));
    struct smtp_client_reply_parser p;
    smtp_client_reply_parser_init(&p);
    size_t pos = 0;
    while (pos < len && !out->error) {
        size_t piece = step == 0 || len - pos < step ? len - pos : step;
        size_t off = 0;
        while (off < piece) {
            size_t used = 0;
            enum smtp_client_parse r =
                smtp_client_reply_feed(&p, input + pos + off, piece - off, &used);
            off += used;
            if (r == SMTP_CLIENT_PARSE_ERROR) {
                out->error = true;
                out->error_text = smtp_client_reply_error(&p);
                break;
            }
            if (r == SMTP_CLIENT_PARSE_REPLY) {
                assert_true(out->n < MAX_REPLIES);
                smtp_client_reply_take(&p, &out->replies[out->n++]);
            } else {
                assert_int_equal(off, piece); /* MORE consumes everything */
            }
        }
        pos += piece;
    }
    smtp_client_reply_parser_free(&p);
}

static void parsed_free(struct parsed *out)
{
    for (size_t i = 0; i < out->n; i++)
        smtp_client_reply_clear(&out->replies[i]);
}

struct want_reply {
    int code;
    const char *enhanced;
    const char *text;
};

/* Checks the replies of input, whole and trickled. */
static void check(const char *input, const struct want_reply *want, size_t n_want)
{
    for (size_t step = 0; step <= 1; step++) {
        struct parsed got;
        parse_in_steps(input, strlen(input), step, &got);
        if (got.error)
            fail_msg("step %zu: got error '%s', want %zu replies", step, got.error_text, n_want);
        if (got.n != n_want)
            fail_msg("step %zu: got %zu replies, want %zu", step, got.n, n_want);
        for (size_t i = 0; i < n_want; i++) {
            const struct smtp_client_reply *r = &got.replies[i];
            if (r->code != want[i].code || strcmp(r->enhanced, want[i].enhanced) != 0 ||
                strcmp(r->text.data, want[i].text) != 0)
                fail_msg("step %zu reply %zu: got %d '%s' '%s', want %d '%s' '%s'", step, i,
                         r->code, r->enhanced, r->text.data, want[i].code, want[i].enhanced,
                         want[i].text);
        }
        parsed_free(&got);
    }
}

static void check_error(const char *input, const char *want_error)
{
    for (size_t step = 0; step <= 1; step++) {
        struct parsed got;
        parse_in_steps(input, strlen(input), step, &got);
        if (!got.error)
            fail_msg("step %zu: got no error for '%s', want '%s'", step, input, want_error);
        assert_string_equal(got.error_text, want_error);
        parsed_free(&got);
    }
}

static void test_single_line_with_enhanced_code(void **state)
{
    (void)state;
    const struct want_reply want[] = {{250, "2.1.0", "250 2.1.0 Ok"}};
    check("250 2.1.0 Ok\r\n", want, 1);
}

static void test_multi_line_reply_keeps_every_line(void **state)
{
    (void)state;
    const struct want_reply want[] = {
        {550, "5.7.1",
         "550-5.7.1 Message rejected\n550-5.7.1 see https://x.test/why\n"
         "550 5.7.1 for the full story"}};
    check("550-5.7.1 Message rejected\r\n550-5.7.1 see https://x.test/why\r\n"
          "550 5.7.1 for the full story\r\n",
          want, 1);
}

static void test_pipelined_replies_come_one_by_one(void **state)
{
    (void)state;
    const struct want_reply want[] = {{250, "2.1.0", "250 2.1.0 Sender ok"},
                                      {550, "5.1.1", "550 5.1.1 <bob@x.test>: unknown"},
                                      {451, "4.3.0", "451 4.3.0 try later"},
                                      {354, "", "354 go ahead"}};
    check("250 2.1.0 Sender ok\r\n550 5.1.1 <bob@x.test>: unknown\r\n451 4.3.0 try later\r\n"
          "354 go ahead\r\n",
          want, 4);
}

static void test_no_enhanced_code(void **state)
{
    (void)state;
    const struct want_reply want[] = {{220, "", "220 mx.example.com ESMTP Postfix"},
                                      {250, "", "250 ok"}};
    check("220 mx.example.com ESMTP Postfix\r\n250 ok\r\n", want, 2);
}

static void test_enhanced_code_of_another_class_is_ignored(void **state)
{
    (void)state;
    /* RFC 3463: the class must match the reply's first digit. */
    const struct want_reply want[] = {{550, "", "550 2.1.1 mismatched"}};
    check("550 2.1.1 mismatched\r\n", want, 1);
}

static void test_three_digit_subject_and_detail(void **state)
{
    (void)state;
    const struct want_reply want[] = {{554, "5.123.456", "554 5.123.456 odd but valid"},
                                      {550, "", "550 5.1234.1 too many digits"},
                                      {550, "", "550 5.1.1x glued"}};
    check("554 5.123.456 odd but valid\r\n550 5.1234.1 too many digits\r\n550 5.1.1x glued\r\n",
          want, 3);
}

static void test_bare_code_and_bare_lf(void **state)
{
    (void)state;
    const struct want_reply want[] = {{250, "", "250"}, {221, "2.0.0", "221 2.0.0 Bye"}};
    check("250\r\n221 2.0.0 Bye\n", want, 2);
}

static void test_incomplete_reply_waits(void **state)
{
    (void)state;
    struct parsed got;
    parse_in_steps("250-first\r\n250 sec", 19, 0, &got);
    assert_false(got.error);
    assert_int_equal(got.n, 0);
}

static void test_protocol_errors(void **state)
{
    (void)state;
    check_error("hello\r\n", "reply line does not start with a reply code");
    check_error("25\r\n", "reply line does not start with a reply code");
    check_error("650 no\r\n", "reply line does not start with a reply code");
    check_error("250x\r\n", "reply code not followed by space or hyphen");
    check_error("250-a\r\n251 b\r\n", "continuation line with a different reply code");
}

static void test_line_length_limit(void **state)
{
    (void)state;
    size_t n = SMTP_CLIENT_MAX_REPLY_LINE + 10;
    char *s = malloc(n + 3);
    memcpy(s, "250 ", 4);
    memset(s + 4, 'a', n - 4);
    memcpy(s + n, "\r\n", 3);
    check_error(s, "reply line too long");
    /* exactly at the limit (CR included in the count) is fine */
    s[SMTP_CLIENT_MAX_REPLY_LINE - 1] = '\r';
    s[SMTP_CLIENT_MAX_REPLY_LINE] = '\n';
    s[SMTP_CLIENT_MAX_REPLY_LINE + 1] = '\0';
    struct parsed got;
    parse_in_steps(s, strlen(s), 0, &got);
    assert_false(got.error);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.replies[0].text.len, SMTP_CLIENT_MAX_REPLY_LINE - 1);
    parsed_free(&got);
    free(s);
}

static void test_line_count_limit(void **state)
{
    (void)state;
    char *s = malloc((SMTP_CLIENT_MAX_REPLY_LINES + 1) * 8 + 1);
    size_t o = 0;
    for (int i = 0; i < SMTP_CLIENT_MAX_REPLY_LINES; i++)
        o += (size_t)sprintf(s + o, "250-x\r\n");
    sprintf(s + o, "250 x\r\n");
    check_error(s, "too many lines in one reply");
    free(s);
}

static void test_nul_byte_in_text_is_kept(void **state)
{
    (void)state;
    static const char input[] = "250 a\0b\r\n";
    struct parsed got;
    parse_in_steps(input, sizeof(input) - 1, 1, &got);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.replies[0].text.len, 7);
    assert_memory_equal(got.replies[0].text.data, "250 a\0b", 7);
    parsed_free(&got);
}

static void test_last_line(void **state)
{
    (void)state;
    struct parsed got;
    parse_in_steps("250-mx\r\n250-PIPELINING\r\n250 SIZE 100\r\n", 38, 0, &got);
    assert_int_equal(got.n, 1);
    assert_string_equal(smtp_client_reply_last_line(&got.replies[0]), "250 SIZE 100");
    parsed_free(&got);
}

/* ---- EHLO ---- */

static struct smtp_client_caps ehlo(const char *input)
{
    struct parsed got;
    parse_in_steps(input, strlen(input), 0, &got);
    assert_int_equal(got.n, 1);
    struct smtp_client_caps caps;
    smtp_client_ehlo_parse(&got.replies[0], &caps);
    parsed_free(&got);
    return caps;
}

static void test_ehlo_postfix(void **state)
{
    (void)state;
    struct smtp_client_caps c =
        ehlo("250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n"
             "250-ETRN\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
             "250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n");
    assert_true(c.pipelining && c.starttls && c.eightbitmime && c.dsn && c.smtputf8 &&
                c.enhancedstatuscodes && c.size);
    if (c.size_limit != 10240000)
        fail_msg("got SIZE %llu, want 10240000", (unsigned long long)c.size_limit);
}

static void test_ehlo_case_and_missing(void **state)
{
    (void)state;
    struct smtp_client_caps c = ehlo("250-mx\r\n250-pipelining\r\n250-size\r\n250 starttls\r\n");
    assert_true(c.pipelining && c.starttls && c.size);
    assert_false(c.eightbitmime || c.dsn || c.smtputf8);
    assert_int_equal(c.size_limit, 0); /* SIZE without a number: no fixed limit */
}

static void test_ehlo_first_line_is_the_name_not_a_keyword(void **state)
{
    (void)state;
    struct smtp_client_caps c = ehlo("250 STARTTLS\r\n");
    assert_false(c.starttls);
}

static void test_ehlo_bad_size_and_prefixes(void **state)
{
    (void)state;
    struct smtp_client_caps c =
        ehlo("250-mx\r\n250-SIZE 12x\r\n250-PIPELININGX\r\n250-DSNX\r\n250 8BITMIMEX\r\n");
    assert_true(c.size);
    assert_int_equal(c.size_limit, 0);
    assert_false(c.pipelining || c.dsn || c.eightbitmime);
    c = ehlo("250-mx\r\n250 SIZE 99999999999999999999999\r\n"); /* 23 digits: ignored */
    assert_int_equal(c.size_limit, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_line_with_enhanced_code),
        cmocka_unit_test(test_multi_line_reply_keeps_every_line),
        cmocka_unit_test(test_pipelined_replies_come_one_by_one),
        cmocka_unit_test(test_no_enhanced_code),
        cmocka_unit_test(test_enhanced_code_of_another_class_is_ignored),
        cmocka_unit_test(test_three_digit_subject_and_detail),
        cmocka_unit_test(test_bare_code_and_bare_lf),
        cmocka_unit_test(test_incomplete_reply_waits),
        cmocka_unit_test(test_protocol_errors),
        cmocka_unit_test(test_line_length_limit),
        cmocka_unit_test(test_line_count_limit),
        cmocka_unit_test(test_nul_byte_in_text_is_kept),
        cmocka_unit_test(test_last_line),
        cmocka_unit_test(test_ehlo_postfix),
        cmocka_unit_test(test_ehlo_case_and_missing),
        cmocka_unit_test(test_ehlo_first_line_is_the_name_not_a_keyword),
        cmocka_unit_test(test_ehlo_bad_size_and_prefixes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
