/* Unit tests for src/srsmap/tcptable_codec: the tcp_table %-codec (golden vectors from
 * postsrsd 1.10 exchanges: v1-021, v1-028, v1-031). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tcptable_codec.h"

static void decodes(const char *in, const char *want, size_t want_len)
{
    char out[256];
    size_t len = 0;
    if (!tcptable_decode(in, strlen(in), out, &len))
        fail_msg("decode %s: refused, want \"%s\"", in, want);
    if (len != want_len || memcmp(out, want, len) != 0 || out[len] != '\0')
        fail_msg("decode %s: got \"%.*s\" (%zu bytes), want \"%s\"", in, (int)len, out, len, want);
}

static void refuses(const char *in)
{
    char out[256];
    size_t len;
    if (tcptable_decode(in, strlen(in), out, &len))
        fail_msg("decode %s: accepted, want refusal", in);
}

static void encodes(const char *in, size_t len, const char *want)
{
    struct buf b = BUF_INIT;
    tcptable_encode_append(&b, in, len);
    if (strcmp(buf_cstr(&b), want) != 0)
        fail_msg("encode: got \"%s\", want \"%s\"", buf_cstr(&b), want);
    buf_free(&b);
}

static void test_decode(void **state)
{
    (void)state;
    decodes("user@example.org", "user@example.org", 16);
    decodes("%22john%20doe%22@example.org", "\"john doe\"@example.org", 22);
    decodes("%C3%BCser", "\xc3\xbcser", 5);
    decodes("%c3%Bcser", "\xc3\xbcser", 5);
    decodes("%25", "%", 1);
    decodes("a%00b", "a\0b", 3);
    decodes("", "", 0);
}

static void test_decode_refuses_bad_escapes(void **state)
{
    (void)state;
    refuses("%zz@example.org");
    refuses("%");
    refuses("abc%4");
    refuses("%4g");
    refuses("%%41");
}

static void test_encode(void **state)
{
    (void)state;
    encodes("SRS0=NcIk=KV=example.org=user@srs.example.net", 45,
            "SRS0=NcIk=KV=example.org=user@srs.example.net");
    encodes("\"john doe\"@example.org", 22, "\"john%20doe\"@example.org");
    encodes("\xc3\xbcser", 5, "%c3%bcser"); /* lower-case hex, as postsrsd 1.x */
    encodes("100%", 4, "100%25");
    encodes("a\tb\x7f\x01~!", 7, "a%09b%7f%01~!");
    encodes("a\0b", 3, "a%00b");
}

static void test_round_trip_all_bytes(void **state)
{
    (void)state;
    char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    struct buf b = BUF_INIT;
    tcptable_encode_append(&b, all, sizeof(all));
    char out[256 * 3 + 1];
    size_t len = 0;
    assert_true(tcptable_decode(b.data, b.len, out, &len));
    assert_int_equal(len, 256);
    assert_memory_equal(out, all, 256);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_decode_refuses_bad_escapes),
        cmocka_unit_test(test_encode),
        cmocka_unit_test(test_round_trip_all_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
