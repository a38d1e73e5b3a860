/* Unit tests for src/srsmap/socketmap_request: postsrsd 2.x's netstring request rules, every
 * input parsed whole, fed one byte at a time, and in 5-byte pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "socketmap_request.h"

/* Renders events as "R:<map>/<key>|", "TOO_BIG|", "INVALID|". */
static char *run(const char *input, size_t len, size_t chunk)
{
    struct socketmap_parser p;
    socketmap_parser_init(&p);
    struct buf log = BUF_INIT;
    size_t off = 0;
    bool dead = false;
    while (off < len && !dead) {
        size_t n = chunk == 0 || len - off < chunk ? len - off : chunk;
        size_t used = 0;
        while (used < n && !dead) {
            enum socketmap_event ev;
            struct socketmap_request req;
            used += socketmap_parser_feed(&p, input + off + used, n - used, &ev, &req);
            if (ev == SOCKETMAP_REQUEST) {
                buf_printf(&log, "R:%.*s/%s|", (int)req.map_len, req.map, req.key);
                assert_int_equal(strlen(req.key), req.key_len);
            } else if (ev == SOCKETMAP_TOO_BIG) {
                buf_append_str(&log, "TOO_BIG|");
            } else if (ev == SOCKETMAP_INVALID) {
                buf_append_str(&log, "INVALID|");
                dead = true;
            }
        }
        off += n;
    }
    return buf_steal(&log);
}

static void check(const char *input, size_t len, const char *want)
{
    static const size_t chunks[] = {0, 1, 5};
    for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        char *got = run(input, len, chunks[i]);
        if (strcmp(got, want) != 0)
            fail_msg("input %.*s (chunk %zu): got \"%s\", want \"%s\"", (int)len, input, chunks[i],
                     got, want);
        free(got);
    }
}

#define CHECK(lit, want) check(lit, sizeof(lit) - 1, want)

static void test_requests(void **state)
{
    (void)state;
    CHECK("24:forward user@example.org,", "R:forward/user@example.org|");
    CHECK("24:forward user@example.org,53:reverse SRS0=NcIk=KV=example.org=user@srs.example.net,",
          "R:forward/user@example.org|R:reverse/SRS0=NcIk=KV=example.org=user@srs.example.net|");
    /* v2-011: empty key; v2-016: a space inside the key; v2-020: any map name passes here. */
    CHECK("8:forward ,", "R:forward/|");
    CHECK("7:forward,", "R:forward/|");
    CHECK("30:forward \"john doe\"@example.org,", "R:forward/\"john doe\"@example.org|");
    CHECK("23:lookup user@example.org,", "R:lookup/user@example.org|");
    /* strtok_r(" "): leading spaces skipped; a second space belongs to the key. */
    CHECK("11:  forward x,", "R:forward/x|");
    CHECK("10:forward  x,", "R:forward/ x|");
    CHECK("0024:forward user@example.org,", "R:forward/user@example.org|");
}

static void test_invalid_queries(void **state)
{
    (void)state;
    CHECK("get user@example.org\n", "INVALID|"); /* v2-033 */
    CHECK("0:,", "INVALID|");                    /* v2-034 */
    CHECK(":,", "INVALID|");
    CHECK("3:   ,", "INVALID|");
    CHECK("5:hello;", "INVALID|");
    CHECK("1024:", "INVALID|");       /* refused on the length alone */
    CHECK("99999999999", "INVALID|"); /* no overflow: refused at the 5th digit */
    CHECK("-1:x,", "INVALID|");
    CHECK("24:forward user@example.org,bad", "R:forward/user@example.org|INVALID|");
}

static void test_key_size_limit_v2_018_019(void **state)
{
    (void)state;
    char in[1100];
    /* key of SOCKETMAP_MAX_KEY bytes: accepted */
    int n = snprintf(in, sizeof(in), "%d:forward ", 8 + SOCKETMAP_MAX_KEY);
    memset(in + n, 'k', SOCKETMAP_MAX_KEY);
    in[n + SOCKETMAP_MAX_KEY] = ',';
    char *got = run(in, (size_t)n + SOCKETMAP_MAX_KEY + 1, 1);
    assert_memory_equal(got, "R:forward/kkk", 13);
    assert_int_equal(strlen(got), strlen("R:forward/|") + SOCKETMAP_MAX_KEY);
    free(got);
    /* one more byte: TOO_BIG, and the next request is still parsed */
    n = snprintf(in, sizeof(in), "%d:forward ", 8 + SOCKETMAP_MAX_KEY + 1);
    memset(in + n, 'k', SOCKETMAP_MAX_KEY + 1);
    /* not a C string: check() gets the length */
    // NOLINTNEXTLINE(bugprone-not-null-terminated-result)
    memcpy(in + n + SOCKETMAP_MAX_KEY + 1, ",7:forward,", 11);
    check(in, (size_t)n + SOCKETMAP_MAX_KEY + 12, "TOO_BIG|R:forward/|");
    /* the largest netstring (1023 bytes) is well-formed; 1024 is not */
    n = snprintf(in, sizeof(in), "%d:", SOCKETMAP_MAX_PAYLOAD);
    memset(in + n, 'x', SOCKETMAP_MAX_PAYLOAD);
    in[n + SOCKETMAP_MAX_PAYLOAD] = ',';
    char want[SOCKETMAP_MAX_PAYLOAD + 8] = "R:";
    memset(want + 2, 'x', SOCKETMAP_MAX_PAYLOAD);
    memcpy(want + 2 + SOCKETMAP_MAX_PAYLOAD, "/|", 3);
    check(in, (size_t)n + SOCKETMAP_MAX_PAYLOAD + 1, want);
    n = snprintf(in, sizeof(in), "%d:", SOCKETMAP_MAX_PAYLOAD + 1);
    check(in, (size_t)n, "INVALID|");
}

static void test_nul_ends_the_text(void **state)
{
    (void)state;
    /* "forward a\0b@c.d": the key is "a" (C string), the size check counts all 15 bytes. */
    check("15:forward a\0b@c.d,", 19, "R:forward/a|");
    check("10:\0forward x,", 14, "INVALID|");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests),
        cmocka_unit_test(test_invalid_queries),
        cmocka_unit_test(test_key_size_limit_v2_018_019),
        cmocka_unit_test(test_nul_ends_the_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
