/* Unit tests for src/deliver/deliver_limits: the global and per-domain concurrency windows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "deliver_limits.h"

static void test_per_domain_window(void **state)
{
    (void)state;
    struct deliver_limits *l = deliver_limits_new(10, 2);
    assert_true(deliver_limits_acquire(l, "a.test"));
    assert_true(deliver_limits_acquire(l, "A.TEST"));
    assert_false(deliver_limits_acquire(l, "a.test"));
    assert_true(deliver_limits_acquire(l, "b.test"));
    assert_int_equal(deliver_limits_domain_running(l, "a.test"), 2);
    assert_int_equal(deliver_limits_running(l), 3);
    deliver_limits_release(l, "a.test");
    assert_true(deliver_limits_acquire(l, "a.test"));
    deliver_limits_free(l);
}

static void test_global_window(void **state)
{
    (void)state;
    struct deliver_limits *l = deliver_limits_new(3, 2);
    assert_true(deliver_limits_acquire(l, "a.test"));
    assert_true(deliver_limits_acquire(l, "b.test"));
    assert_true(deliver_limits_acquire(l, "c.test"));
    assert_true(deliver_limits_is_full(l));
    assert_false(deliver_limits_acquire(l, "d.test"));
    assert_int_equal(deliver_limits_domain_running(l, "d.test"), 0);
    deliver_limits_release(l, "b.test");
    assert_false(deliver_limits_is_full(l));
    assert_int_equal(deliver_limits_domain_running(l, "b.test"), 0);
    assert_true(deliver_limits_acquire(l, "d.test"));
    /* Every slot given back: the windows are empty again. */
    deliver_limits_release(l, "a.test");
    deliver_limits_release(l, "c.test");
    deliver_limits_release(l, "d.test");
    assert_int_equal(deliver_limits_running(l), 0);
    for (int i = 0; i < 3; i++)
        assert_true(deliver_limits_acquire(l, "e.test") == (i < 2));
    deliver_limits_free(l);
    deliver_limits_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_per_domain_window),
        cmocka_unit_test(test_global_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
