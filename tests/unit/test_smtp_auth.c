/* Unit tests for src/smtp/smtp_auth: strict base64 (RFC 4648 10 vectors), PLAIN (RFC 4616),
 * LOGIN, the "=" empty response (RFC 4954 4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "smtp_auth.h"

static void b64_ok(const char *in, const char *want, size_t want_len)
{
    struct buf out = BUF_INIT;
    if (!smtp_auth_base64_decode(in, strlen(in), &out))
        fail_msg("'%s': got refusal, want '%s'", in, want);
    assert_int_equal(out.len, want_len);
    if (want_len)
        assert_memory_equal(out.data, want, want_len);
    buf_free(&out);
}

static void b64_bad(const char *in)
{
    struct buf out = BUF_INIT;
    if (smtp_auth_base64_decode(in, strlen(in), &out))
        fail_msg("'%s': got success, want refusal", in);
    buf_free(&out);
}

static void test_base64_rfc4648_vectors(void **state)
{
    (void)state;
    b64_ok("", "", 0);
    b64_ok("Zg==", "f", 1);
    b64_ok("Zm8=", "fo", 2);
    b64_ok("Zm9v", "foo", 3);
    b64_ok("Zm9vYg==", "foob", 4);
    b64_ok("Zm9vYmE=", "fooba", 5);
    b64_ok("Zm9vYmFy", "foobar", 6);
    b64_ok("AGFsaWNlAHB3", "\0alice\0pw", 9);
    b64_bad("Zg"); /* missing padding */
    b64_bad("Zg=");
    b64_bad("Zg==Zg=="); /* data after padding */
    b64_bad("Z===");
    b64_bad("Zm9 v");
    b64_bad("Zm9v\r\n");
    b64_bad("Zh=="); /* non-zero bits under the padding: not canonical */
    b64_bad("Zm9-"); /* base64url alphabet is not base64 */
}

static void test_plain(void **state)
{
    (void)state;
    struct smtp_auth_credentials c;
    /* "\0alice\0correct horse" */
    assert_true(smtp_auth_plain_decode("AGFsaWNlAGNvcnJlY3QgaG9yc2U=", 28, &c));
    assert_string_equal(c.authzid, "");
    assert_string_equal(c.username, "alice");
    assert_string_equal(c.password, "correct horse");
    smtp_auth_credentials_clear(&c);
    /* "bob\0alice\0pw": an authzid is decoded; the session decides about it */
    assert_true(smtp_auth_plain_decode("Ym9iAGFsaWNlAHB3", 16, &c));
    assert_string_equal(c.authzid, "bob");
    smtp_auth_credentials_clear(&c);

    assert_false(smtp_auth_plain_decode("=", 1, &c));             /* empty */
    assert_false(smtp_auth_plain_decode("YWxpY2U=", 8, &c));      /* "alice" */
    assert_false(smtp_auth_plain_decode("AGFsaWNl", 8, &c));      /* "\0alice" */
    assert_false(smtp_auth_plain_decode("AGFsaWNlAA==", 12, &c)); /* empty password */
    assert_false(smtp_auth_plain_decode("AABwdw==", 8, &c));      /* empty user */
    assert_false(smtp_auth_plain_decode("AGEAYgBj", 8, &c));      /* 3 NULs */
    assert_null(c.username);
}

static void test_login(void **state)
{
    (void)state;
    char *v;
    assert_true(smtp_auth_login_decode("YWxpY2U=", 8, &v));
    assert_string_equal(v, "alice");
    free(v);
    assert_false(smtp_auth_login_decode("=", 1, &v));    /* empty */
    assert_false(smtp_auth_login_decode("YQBi", 4, &v)); /* NUL inside */
    assert_false(smtp_auth_login_decode("*", 1, &v));
    assert_null(v);
}

static void test_field_length_limit(void **state)
{
    (void)state;
    /* 256 'a' base64-encoded: one over RFC 4616's 255. */
    struct buf b64 = BUF_INIT;
    for (int i = 0; i < 85; i++)
        buf_append_str(&b64, "YWFh");
    buf_append_str(&b64, "YQ==");
    const char *in = b64.data;
    size_t n = b64.len;
    char *v;
    assert_false(smtp_auth_login_decode(in, n, &v));
    assert_true(smtp_auth_login_decode(in, n - 4, &v)); /* 255 */
    assert_int_equal(strlen(v), 255);
    free(v);
    buf_free(&b64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_rfc4648_vectors),
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_login),
        cmocka_unit_test(test_field_length_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
