/* Unit tests for src/smtp/smtp_reply: exact reply lines (RFC 5321 4.2, RFC 2034/3463). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <string.h>

#include "smtp_reply.h"

static void check(int code, const char *enhanced, const char *text, const char *want)
{
    struct buf b = BUF_INIT;
    smtp_reply_format(&b, code, enhanced, text);
    assert_string_equal(buf_cstr(&b), want);
    buf_free(&b);
}

static void test_single_line(void **state)
{
    (void)state;
    check(250, "2.1.0", "Sender ok", "250 2.1.0 Sender ok\r\n");
    check(552, "5.3.4", "Message size exceeds fixed maximum message size",
          "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
    check(354, NULL, "End data with <CR><LF>.<CR><LF>", "354 End data with <CR><LF>.<CR><LF>\r\n");
    check(334, NULL, "", "334 \r\n");
}

static void test_multi_line(void **state)
{
    (void)state;
    check(214, "2.0.0", "first\nsecond\nthird",
          "214-2.0.0 first\r\n214-2.0.0 second\r\n214 2.0.0 third\r\n");
    check(250, NULL, "host\nPIPELINING", "250-host\r\n250 PIPELINING\r\n");
}

static void test_control_characters_cannot_inject_lines(void **state)
{
    (void)state;
    check(554, "5.7.1", "evil\r250 ok\x01", "554 5.7.1 evil?250 ok?\r\n");
}

static void test_long_text_wraps_at_512(void **state)
{
    (void)state;
    char text[1200];
    for (size_t i = 0; i < sizeof(text) - 1; i++)
        text[i] = (i % 10 == 9) ? ' ' : 'a';
    text[sizeof(text) - 1] = '\0';
    struct buf b = BUF_INIT;
    smtp_reply_format(&b, 554, "5.7.1", text);
    /* Every line fits 512 octets with CRLF; all but the last are continuation lines. */
    const char *p = b.data;
    unsigned lines = 0;
    size_t text_total = 0;
    while (*p) {
        const char *e = strstr(p, "\r\n");
        assert_non_null(e);
        assert_true(e - p + 2 <= SMTP_REPLY_LINE_MAX);
        assert_memory_equal(p, "554", 3);
        lines++;
        text_total += (size_t)(e - p) - 10;
        bool last = e[2] == '\0';
        assert_int_equal(p[3], last ? ' ' : '-');
        p = e + 2;
    }
    assert_int_equal(lines, 3);
    /* Nothing lost: every character but the spaces used as break points is there. */
    assert_true(text_total >= sizeof(text) - 1 - 2);
    buf_free(&b);
}

static void test_validity(void **state)
{
    (void)state;
    assert_true(smtp_reply_is_valid(250, "2.0.0"));
    assert_true(smtp_reply_is_valid(421, "4.7.0"));
    assert_true(smtp_reply_is_valid(535, "5.7.8"));
    assert_true(smtp_reply_is_valid(538, "5.7.11"));
    assert_true(smtp_reply_is_valid(220, NULL));
    assert_false(smtp_reply_is_valid(250, "5.0.0")); /* class mismatch */
    assert_false(smtp_reply_is_valid(550, "5.0"));
    assert_false(smtp_reply_is_valid(550, "5.1234.0"));
    assert_false(smtp_reply_is_valid(199, NULL));
    assert_false(smtp_reply_is_valid(600, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_line),
        cmocka_unit_test(test_multi_line),
        cmocka_unit_test(test_control_characters_cannot_inject_lines),
        cmocka_unit_test(test_long_text_wraps_at_512),
        cmocka_unit_test(test_validity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
