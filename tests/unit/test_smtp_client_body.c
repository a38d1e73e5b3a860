/*
 * Unit tests for src/smtp/smtp_client_body: dot-stuffing (whole and fed a byte at a time),
 * 8-bit detection and xtext, with exact expected wire bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "smtp_client_body.h"

static void check_stuff(const char *in, size_t len, const char *want)
{
    struct buf whole = BUF_INIT, trickled = BUF_INIT;
    smtp_client_dot_stuff(in, len, &whole);
    struct smtp_client_dot d;
    smtp_client_dot_init(&d);
    for (size_t i = 0; i < len; i++)
        smtp_client_dot_feed(&d, in + i, 1, &trickled);
    smtp_client_dot_finish(&d, &trickled);
    if (strcmp(buf_cstr(&whole), want) != 0)
        fail_msg("whole: got '%s', want '%s'", buf_cstr(&whole), want);
    if (strcmp(buf_cstr(&trickled), want) != 0)
        fail_msg("trickled: got '%s', want '%s'", buf_cstr(&trickled), want);
    buf_free(&whole);
    buf_free(&trickled);
}

static void check_stuff_str(const char *in, const char *want)
{
    check_stuff(in, strlen(in), want);
}

static void test_dot_stuffing_rfc5321_4_5_2(void **state)
{
    (void)state;
    check_stuff_str("a\r\n.b\r\n..c\r\n.\r\n", "a\r\n..b\r\n...c\r\n..\r\n.\r\n");
    check_stuff_str(".first\r\n", "..first\r\n.\r\n");
    check_stuff_str("x.y\r\n", "x.y\r\n.\r\n");
}

static void test_dot_stuffing_line_ends(void **state)
{
    (void)state;
    check_stuff_str("a\n.b\nc", "a\r\n..b\r\nc\r\n.\r\n"); /* bare LF -> CRLF, end added */
    check_stuff_str("a\r", "a\r\n.\r\n");
    check_stuff_str("a\rb\r\n", "a\rb\r\n.\r\n"); /* lone CR passes */
    check_stuff_str("", ".\r\n");
}

static void test_8bit_detection(void **state)
{
    (void)state;
    assert_false(smtp_client_has_8bit("plain ascii\r\n~\x7f", 15));
    assert_true(smtp_client_has_8bit("caf\xc3\xa9", 5));
}

static void test_xtext(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    smtp_client_xtext_encode("a+b=c d\xe9", &b);
    assert_string_equal(buf_cstr(&b), "a+2Bb+3Dc+20d+E9");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dot_stuffing_rfc5321_4_5_2),
        cmocka_unit_test(test_dot_stuffing_line_ends),
        cmocka_unit_test(test_8bit_detection),
        cmocka_unit_test(test_xtext),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
