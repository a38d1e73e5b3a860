/* Unit tests for src/smtp/smtp_data: the DATA reader (RFC 5321 4.1.1.4, 4.5.2, 2.3.8), each
 * vector fed whole, a byte at a time, and split at every position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "smtp_data.h"

struct vector {
    const char *name;
    const char *in;   /* client bytes after the 354 */
    const char *body; /* expected body (NULL: do not compare) */
    const char *rest; /* bytes left for the next command (NULL: not done) */
    unsigned flags;
    uint64_t max_size;
};

static const struct vector vectors[] = {
    {"empty", ".\r\n", "", "", 0, 100},
    {"simple", "a\r\nb\r\n.\r\nQUIT\r\n", "a\r\nb\r\n", "QUIT\r\n", 0, 100},
    {"dot-unstuffing 4.5.2", "..a\r\n.\r\n", ".a\r\n", "", 0, 100},
    {"only dots", "..\r\n...\r\n.\r\n", ".\r\n..\r\n", "", 0, 100},
    {"dot mid-line kept", "a.b\r\n.\r\n", "a.b\r\n", "", 0, 100},
    {"lf.lf is not end", "a\n.\nb\r\n.\r\n", "a\n.\nb\r\n", "", SMTP_DATA_BARE_LF, 100},
    {"lf.crlf is not end", "a\r\n\n.\r\nb\r\n.\r\n", NULL, "", SMTP_DATA_BARE_LF, 100},
    {"crlf.lf is not end", "a\r\n.\nb\r\n.\r\n", "a\r\n\nb\r\n", "", SMTP_DATA_BARE_LF, 100},
    {"cr.cr is not end", "a\r.\rb\r\n.\r\n", NULL, "", SMTP_DATA_BARE_CR, 100},
    {"bare cr", "a\rb\r\n.\r\n", "a\rb\r\n", "", SMTP_DATA_BARE_CR, 100},
    {"dot cr x", ".\rx\r\n.\r\n", "\rx\r\n", "", SMTP_DATA_BARE_CR, 100},
    {"crcrlf", "a\r\r\n.\r\n", "a\r\r\n", "", SMTP_DATA_BARE_CR, 100},
    {"too big", "0123456789\r\n.\r\n", NULL, "", SMTP_DATA_TOO_BIG, 5},
    {"exactly max", "abc\r\n.\r\n", "abc\r\n", "", 0, 5},
    {"not finished", "abc\r\n.", NULL, NULL, 0, 100},
    {"8bit kept", "\xc3\xa9\x80\xff\r\n.\r\n", "\xc3\xa9\x80\xff\r\n", "", 0, 100},
};

static void run(const struct vector *v, size_t step, size_t split)
{
    struct buf out = BUF_INIT;
    struct smtp_data_reader r;
    smtp_data_reader_init(&r, &out, 12, v->max_size);
    size_t len = strlen(v->in), off = 0;
    while (off < len && !smtp_data_is_done(&r)) {
        size_t n = step ? step : (off < split ? split - off : len - off);
        if (n > len - off)
            n = len - off;
        off += smtp_data_feed(&r, v->in + off, n);
    }
    char where[128];
    snprintf(where, sizeof(where), "%s (step %zu split %zu)", v->name, step, split);
    if (v->rest == NULL) {
        if (smtp_data_is_done(&r))
            fail_msg("%s: got done, want not done", where);
    } else {
        if (!smtp_data_is_done(&r))
            fail_msg("%s: got not done, want done", where);
        if (strcmp(v->in + off, v->rest) != 0)
            fail_msg("%s: got rest '%s', want '%s'", where, v->in + off, v->rest);
    }
    if (r.flags != v->flags)
        fail_msg("%s: got flags %u, want %u", where, r.flags, v->flags);
    if (v->body != NULL && strcmp(buf_cstr(&out), v->body) != 0)
        fail_msg("%s: got body '%s', want '%s'", where, buf_cstr(&out), v->body);
    buf_free(&out);
}

static void test_vectors_whole_trickled_and_split(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        size_t len = strlen(vectors[i].in);
        run(&vectors[i], 0, len);
        run(&vectors[i], 1, 0);
        for (size_t split = 1; split < len; split++)
            run(&vectors[i], 0, split);
    }
}

static void test_line_length_4_5_3_1_6(void **state)
{
    (void)state;
    /* max_line 12 includes CRLF: 10 octets of text pass, 11 do not. */
    struct vector ok = {"10+CRLF", "0123456789\r\n.\r\n", "0123456789\r\n", "", 0, 100};
    struct vector bad = {"11+CRLF", "0123456789a\r\n.\r\n", NULL, "", SMTP_DATA_LINE_TOO_LONG, 100};
    struct vector stuffed = {
        "stuffed dot counts", ".123456789a\r\n.\r\n", NULL, "", SMTP_DATA_LINE_TOO_LONG, 100};
    run(&ok, 0, 15);
    run(&ok, 1, 0);
    run(&bad, 0, 16);
    run(&bad, 1, 0);
    run(&stuffed, 1, 0);
}

static void test_too_big_stores_at_most_max(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    struct smtp_data_reader r;
    smtp_data_reader_init(&r, &out, SMTP_TEXT_LINE_MAX, 1000);
    char line[102];
    memset(line, 'x', 100);
    line[100] = '\r';
    line[101] = '\n';
    for (int i = 0; i < 1000; i++)
        assert_int_equal(smtp_data_feed(&r, line, sizeof(line)), sizeof(line));
    assert_int_equal(smtp_data_feed(&r, ".\r\n", 3), 3);
    assert_true(smtp_data_is_done(&r));
    assert_true(r.flags & SMTP_DATA_TOO_BIG);
    assert_true(out.len <= 1000);
    assert_int_equal(r.size, 102000);
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_whole_trickled_and_split),
        cmocka_unit_test(test_line_length_4_5_3_1_6),
        cmocka_unit_test(test_too_big_stores_at_most_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
