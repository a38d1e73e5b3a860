/* Unit tests for src/srsmap/tcptable_request: postsrsd 1.10's tcp_table request rules, every
 * input parsed whole and fed one byte at a time (and in 7-byte pieces). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tcptable_request.h"

/* Feeds input in pieces of `chunk` bytes (0 = whole) and renders every event:
 * "R:<key>" for a request (NUL shown as \0), "INVALID", then "EOF:<...>" from finish(). */
static char *run(const char *input, size_t len, size_t chunk)
{
    struct tcptable_parser p;
    tcptable_parser_init(&p);
    struct buf log = BUF_INIT;
    size_t off = 0;
    bool dead = false;
    while (off < len && !dead) {
        size_t n = chunk == 0 || len - off < chunk ? len - off : chunk;
        size_t used = 0;
        while (used < n) {
            enum tcptable_event ev;
            struct tcptable_request req;
            used += tcptable_parser_feed(&p, input + off + used, n - used, &ev, &req);
            if (ev == TCPTABLE_REQUEST) {
                buf_printf(&log, "R:%s|", req.key);
                assert_int_equal(strlen(req.key), req.key_len);
            } else if (ev == TCPTABLE_INVALID) {
                buf_append_str(&log, "INVALID|");
                dead = true;
                break;
            }
        }
        off += n;
    }
    if (!dead) {
        struct tcptable_request req;
        enum tcptable_event ev = tcptable_parser_finish(&p, &req);
        if (ev == TCPTABLE_REQUEST)
            buf_printf(&log, "EOF:R:%s|", req.key);
        else if (ev == TCPTABLE_INVALID)
            buf_append_str(&log, "EOF:INVALID|");
    }
    return buf_steal(&log);
}

static void check(const char *input, size_t len, const char *want)
{
    static const size_t chunks[] = {0, 1, 7};
    for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        char *got = run(input, len, chunks[i]);
        if (strcmp(got, want) != 0)
            fail_msg("input %.*s (chunk %zu): got \"%s\", want \"%s\"", (int)len, input, chunks[i],
                     got, want);
        free(got);
    }
}

#define CHECK(lit, want) check(lit, sizeof(lit) - 1, want)

static void test_plain_and_pipelined(void **state)
{
    (void)state;
    CHECK("get user@example.org\n", "R:user@example.org|");
    CHECK("get one@example.org\nget two@example.org\nget three@example.org\n",
          "R:one@example.org|R:two@example.org|R:three@example.org|");
}

static void test_crlf_and_leading_delimiters(void **state)
{
    (void)state;
    CHECK("get a@b.c\r\n", "R:a@b.c|");
    /* strtok(" \r\n") skips leading blanks; the second space belongs to the key. */
    CHECK("  get  a@b.c\n", "R: a@b.c|");
    /* "get" ended by CR: strtok("\r\n") then skips the CRs and takes the rest. */
    CHECK("get\rfoo\n", "R:foo|");
    /* Everything after a CR inside the key is ignored. */
    CHECK("get a\rb@c.d\n", "R:a|");
    CHECK("get a b@c.d\n", "R:a b@c.d|");
}

static void test_percent_decoding(void **state)
{
    (void)state;
    CHECK("get %22john%20doe%22@example.org\n", "R:\"john doe\"@example.org|");
    CHECK("get %C3%BCser@example.org\n", "R:\xc3\xbcser@example.org|");
    CHECK("get %c3%bcser@example.org\n", "R:\xc3\xbcser@example.org|");
    /* A decoded NUL ends the key (postsrsd's C strings). */
    CHECK("get a%00b@c.d\n", "R:a|");
}

static void test_protocol_errors_v1_029_to_031(void **state)
{
    (void)state;
    CHECK("get\n", "INVALID|");
    CHECK("get \n", "INVALID|");
    CHECK("get \r\n", "INVALID|");
    CHECK("put user@example.org\n", "INVALID|");
    CHECK("GET user@example.org\n", "INVALID|");
    CHECK("get\tuser@example.org\n", "INVALID|");
    CHECK("\n", "INVALID|");
    CHECK("get %zz@example.org\n", "INVALID|");
    CHECK("get abc%\n", "INVALID|");
    CHECK("get abc%4\n", "INVALID|");
    /* Nothing after an error is parsed, even a valid request. */
    CHECK("put x\nget a@b.c\n", "INVALID|");
    CHECK("get a@b.c\nput x\nget c@d.e\n", "R:a@b.c|INVALID|");
}

static void test_line_limit_v1_032(void **state)
{
    (void)state;
    /* 1022 bytes including LF is the longest accepted line; 1023 is refused. */
    char line[2000];
    size_t body = TCPTABLE_MAX_LINE - 2 - 4; /* "get " + key + LF = 1022 */
    memcpy(line, "get ", 4);                 // NOLINT(bugprone-not-null-terminated-result)
    memset(line + 4, 'k', body);
    line[4 + body] = '\n';
    char *got = run(line, 5 + body, 0);
    assert_int_equal(strlen(got), 2 + body + 1);
    assert_memory_equal(got, "R:kkk", 5);
    free(got);
    got = run(line, 5 + body, 1);
    assert_int_equal(strlen(got), 2 + body + 1);
    free(got);
    line[4 + body] = 'k';
    line[5 + body] = '\n';
    check(line, 6 + body, "INVALID|");
    /* Refused as soon as the limit is passed, without waiting for a LF. */
    memset(line + 4, 'k', sizeof(line) - 4);
    check(line, sizeof(line), "INVALID|");
}

static void test_last_line_without_lf(void **state)
{
    (void)state;
    CHECK("get a@b.c\nget d@e.f", "R:a@b.c|EOF:R:d@e.f|");
    CHECK("get a@b.c\nput", "R:a@b.c|EOF:INVALID|");
    CHECK("", "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_pipelined),
        cmocka_unit_test(test_crlf_and_leading_delimiters),
        cmocka_unit_test(test_percent_decoding),
        cmocka_unit_test(test_protocol_errors_v1_029_to_031),
        cmocka_unit_test(test_line_limit_v1_032),
        cmocka_unit_test(test_last_line_without_lf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
