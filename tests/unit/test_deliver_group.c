/* Unit tests for src/deliver/deliver_group: recipients of one message grouped by domain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <string.h>

#include "deliver_group.h"

static void test_one_group_per_domain_case_insensitive_in_order(void **state)
{
    (void)state;
    const char *a[] = {"a@x.test", "b@y.test", "c@X.TEST", "d@z.test", "e@y.test"};
    struct deliver_group *g;
    size_t n = deliver_group_split(a, 5, 100, &g);
    assert_int_equal(n, 3);
    assert_string_equal(g[0].domain, "x.test");
    assert_int_equal(g[0].n, 2);
    assert_int_equal(g[0].idx[0], 0);
    assert_int_equal(g[0].idx[1], 2);
    assert_string_equal(g[1].domain, "y.test");
    assert_int_equal(g[1].n, 2);
    assert_int_equal(g[1].idx[0], 1);
    assert_int_equal(g[1].idx[1], 4);
    assert_string_equal(g[2].domain, "z.test");
    assert_int_equal(g[2].n, 1);
    deliver_group_free(g, n);
}

static void test_long_lists_are_split_at_the_limit(void **state)
{
    (void)state;
    const char *a[] = {"1@x.test", "2@x.test", "3@x.test", "4@y.test", "5@x.test", "6@x.test"};
    struct deliver_group *g;
    size_t n = deliver_group_split(a, 6, 2, &g);
    /* x: [0,1] [2,4] [5]; y: [3] */
    assert_int_equal(n, 4);
    size_t want_n[] = {2, 2, 1, 1};
    const char *want_domain[] = {"x.test", "x.test", "y.test", "x.test"};
    for (size_t i = 0; i < n; i++) {
        if (g[i].n != want_n[i] || strcmp(g[i].domain, want_domain[i]) != 0)
            fail_msg("group %zu: got %s x%zu, want %s x%zu", i, g[i].domain, g[i].n, want_domain[i],
                     want_n[i]);
    }
    assert_int_equal(g[1].idx[0], 2);
    assert_int_equal(g[1].idx[1], 4);
    assert_int_equal(g[3].idx[0], 5);
    deliver_group_free(g, n);
}

static void test_address_without_at_gets_the_empty_domain(void **state)
{
    (void)state;
    const char *a[] = {"postmaster"};
    struct deliver_group *g;
    size_t n = deliver_group_split(a, 1, 10, &g);
    assert_int_equal(n, 1);
    assert_string_equal(g[0].domain, "");
    deliver_group_free(g, n);
    assert_int_equal(deliver_group_split(a, 0, 10, &g), 0);
    deliver_group_free(g, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_group_per_domain_case_insensitive_in_order),
        cmocka_unit_test(test_long_lists_are_split_at_the_limit),
        cmocka_unit_test(test_address_without_at_gets_the_empty_domain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
