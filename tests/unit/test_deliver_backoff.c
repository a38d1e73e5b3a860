/* Unit tests for src/deliver/deliver_backoff: the retry schedule and the outcome verdicts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "deliver_backoff.h"

static const struct deliver_backoff B = {60000, 3600000, 86400000};

static void test_delay_doubles_up_to_the_maximum(void **state)
{
    (void)state;
    const int64_t want[] = {60000, 120000, 240000, 480000, 960000, 1920000, 3600000, 3600000};
    for (int i = 0; i < 8; i++) {
        int64_t got = deliver_backoff_delay_ms(&B, i + 1);
        if (got != want[i])
            fail_msg("after %d failures: got %lld ms, want %lld", i + 1, (long long)got,
                     (long long)want[i]);
    }
    assert_int_equal(deliver_backoff_delay_ms(&B, 1000000), 3600000);
}

static void test_ok_delivers_and_permanent_bounces(void **state)
{
    (void)state;
    struct deliver_backoff_verdict v;
    deliver_backoff_decide(&B, SMTP_CLIENT_OK, 3, 0, 5000, &v);
    assert_int_equal(v.state, STORE_RCPT_DELIVERED);
    assert_false(v.expired);
    deliver_backoff_decide(&B, SMTP_CLIENT_PERMANENT, 1, 0, 5000, &v);
    assert_int_equal(v.state, STORE_RCPT_BOUNCED);
    assert_false(v.expired);
}

static void test_temporary_defers_with_backoff(void **state)
{
    (void)state;
    struct deliver_backoff_verdict v;
    deliver_backoff_decide(&B, SMTP_CLIENT_TEMPORARY, 1, 1000, 2000, &v);
    assert_int_equal(v.state, STORE_RCPT_DEFERRED);
    assert_int_equal(v.next_attempt_ms, 62000);
    deliver_backoff_decide(&B, SMTP_CLIENT_TEMPORARY, 3, 1000, 2000, &v);
    assert_int_equal(v.next_attempt_ms, 242000);
}

static void test_last_retry_is_pulled_in_to_the_end_of_the_lifetime(void **state)
{
    (void)state;
    struct deliver_backoff_verdict v;
    deliver_backoff_decide(&B, SMTP_CLIENT_TEMPORARY, 10, 0, 86400000 - 1000, &v);
    assert_int_equal(v.state, STORE_RCPT_DEFERRED);
    assert_int_equal(v.next_attempt_ms, 86400000);
}

static void test_temporary_after_the_lifetime_bounces_expired(void **state)
{
    (void)state;
    struct deliver_backoff_verdict v;
    deliver_backoff_decide(&B, SMTP_CLIENT_TEMPORARY, 10, 0, 86400000, &v);
    assert_int_equal(v.state, STORE_RCPT_BOUNCED);
    assert_true(v.expired);
    const struct deliver_backoff none = {1000, 1000, 0}; /* lifetime 0: no retry at all */
    deliver_backoff_decide(&none, SMTP_CLIENT_TEMPORARY, 1, 0, 0, &v);
    assert_int_equal(v.state, STORE_RCPT_BOUNCED);
    assert_true(v.expired);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delay_doubles_up_to_the_maximum),
        cmocka_unit_test(test_ok_delivers_and_permanent_bounces),
        cmocka_unit_test(test_temporary_defers_with_backoff),
        cmocka_unit_test(test_last_retry_is_pulled_in_to_the_end_of_the_lifetime),
        cmocka_unit_test(test_temporary_after_the_lifetime_bounces_expired),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
