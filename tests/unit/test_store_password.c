/* Unit tests for src/store/store_password: PBKDF2-SHA256 hashes, verification, generators. The
 * golden strings were computed independently with Python's hashlib.pbkdf2_hmac. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store_password.h"

static const unsigned char salt0_15[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
#define GOLDEN_1000                                                                                \
    "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKumGQ"
#define GOLDEN_200K                                                                                \
    "pbkdf2-sha256$200000$c2FsdHNhbHRzYWx0c2FsdA$XyNywWHlBq7K027AlgbfZrowVL58OM7KT19GfFXIehg"

static void test_hash_matches_independent_vector(void **state)
{
    (void)state;
    char *h = store_password_hash_with_salt("correct horse", salt0_15, 16, 1000);
    assert_string_equal(h, GOLDEN_1000);
    free(h);
}

static void test_verify_ok_and_fail(void **state)
{
    (void)state;
    assert_true(store_password_verify("correct horse", GOLDEN_1000));
    assert_false(store_password_verify("correct horse ", GOLDEN_1000));
    assert_false(store_password_verify("Correct horse", GOLDEN_1000));
    assert_false(store_password_verify("", GOLDEN_1000));
    /* The default cost, with an empty password and an ASCII salt. */
    assert_true(store_password_verify("", GOLDEN_200K));
    assert_false(store_password_verify("x", GOLDEN_200K));
}

static void test_random_salt_round_trip(void **state)
{
    (void)state;
    char *a = store_password_hash("s3cret", 1000);
    char *b = store_password_hash("s3cret", 1000);
    assert_non_null(a);
    assert_string_not_equal(a, b); /* fresh salt each time */
    assert_true(strncmp(a, "pbkdf2-sha256$1000$", 19) == 0);
    assert_true(store_password_verify("s3cret", a));
    assert_true(store_password_verify("s3cret", b));
    assert_false(store_password_verify("s3cre", a));
    free(a);
    free(b);
}

static void test_malformed_hashes_never_verify(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "plain",
        "pbkdf2-sha1$1000$AAECAwQFBgcICQoLDA0ODw$yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKumGQ",
        "pbkdf2-sha256$10$AAECAwQFBgcICQoLDA0ODw$yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKumGQ",
        "pbkdf2-sha256$99999999999$AAECAw$yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKumGQ",
        "pbkdf2-sha256$1000$$yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKumGQ",
        "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKum",
        "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKumGQQQ",
        "pbkdf2-sha256$1000$AAEC*wQFBgcICQoLDA0ODw$yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKumGQ",
        "pbkdf2-sha256$1000",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (store_password_verify("correct horse", bad[i]))
            fail_msg("got verified, want refused: %s", bad[i]);
    }
}

static void test_generators(void **state)
{
    (void)state;
    char pw[STORE_PASSWORD_GENERATED_LEN + 1], pw2[STORE_PASSWORD_GENERATED_LEN + 1];
    char user[STORE_USERNAME_GENERATED_LEN + 1];
    assert_true(store_password_generate(pw));
    assert_true(store_password_generate(pw2));
    assert_int_equal(strlen(pw), STORE_PASSWORD_GENERATED_LEN);
    assert_string_not_equal(pw, pw2);
    assert_int_equal(strspn(pw, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                     STORE_PASSWORD_GENERATED_LEN);
    assert_true(store_username_generate(user));
    assert_int_equal(strlen(user), STORE_USERNAME_GENERATED_LEN);
    assert_true(strncmp(user, "RB", 2) == 0);
    assert_int_equal(strspn(user, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
                     STORE_USERNAME_GENERATED_LEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_matches_independent_vector),
        cmocka_unit_test(test_verify_ok_and_fail),
        cmocka_unit_test(test_random_salt_round_trip),
        cmocka_unit_test(test_malformed_hashes_never_verify),
        cmocka_unit_test(test_generators),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
