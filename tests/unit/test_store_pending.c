/* Unit tests for src/store/store_pending: the loop-side table of requests awaiting replies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store_pending.h"

#define N_IDS 5000

static void test_put_take(void **state)
{
    (void)state;
    struct store_pending p;
    store_pending_init(&p);
    int marker[3];
    for (uint64_t id = 1; id <= 3; id++) {
        struct store_pending_entry e = {id, (int)id, NULL, &marker[id - 1]};
        store_pending_put(&p, &e);
    }
    struct store_pending_entry got;
    assert_true(store_pending_take(&p, 2, &got));
    assert_int_equal(got.id, 2);
    assert_int_equal(got.kind, 2);
    assert_ptr_equal(got.arg, &marker[1]);
    assert_false(store_pending_take(&p, 2, &got));
    assert_false(store_pending_take(&p, 99, &got));
    assert_true(store_pending_take(&p, 3, &got));
    assert_true(store_pending_take(&p, 1, &got));
    assert_int_equal(p.n, 0);
    store_pending_free(&p);
}

/* Thousands of ids with growth and interleaved removals: every present id is found exactly
 * once, every removed one never (backward-shift deletion must keep probe runs intact). */
static void test_against_reference(void **state)
{
    (void)state;
    struct store_pending p;
    store_pending_init(&p);
    static unsigned char present[N_IDS + 1];
    memset(present, 0, sizeof(present));
    unsigned seed = 12345;
    for (uint64_t id = 1; id <= N_IDS; id++) {
        struct store_pending_entry e = {id, 0, NULL, NULL};
        store_pending_put(&p, &e);
        present[id] = 1;
        seed = seed * 1103515245u + 12345u;
        uint64_t victim = 1 + (seed >> 8) % id;
        struct store_pending_entry got;
        bool took = store_pending_take(&p, victim, &got);
        if (took != (present[victim] == 1))
            fail_msg("take(%llu): got %d, want %d", (unsigned long long)victim, took,
                     present[victim]);
        if (took)
            assert_int_equal(got.id, victim);
        present[victim] = 0;
    }
    size_t left = 0;
    for (uint64_t id = 1; id <= N_IDS; id++) {
        struct store_pending_entry got;
        bool took = store_pending_take(&p, id, &got);
        if (took != (present[id] == 1))
            fail_msg("final take(%llu): got %d, want %d", (unsigned long long)id, took,
                     present[id]);
        left += took;
    }
    assert_true(left > 0);
    assert_int_equal(p.n, 0);
    store_pending_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_take),
        cmocka_unit_test(test_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
