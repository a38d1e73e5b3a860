/* Unit tests for src/lib/idtab: the id -> pointer map behind late async answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdint.h>

#include "idtab.h"

static void test_put_get_remove_many(void **state)
{
    (void)state;
    struct idtab t = IDTAB_INIT;
    static int values[5000];
    for (uint64_t id = 1; id <= 5000; id++)
        idtab_put(&t, id * 7919, &values[id - 1]);
    assert_int_equal(t.count, 5000);
    /* Remove every other id; the rest must still be found (backward-shift deletion). */
    for (uint64_t id = 1; id <= 5000; id += 2)
        assert_ptr_equal(idtab_remove(&t, id * 7919), &values[id - 1]);
    for (uint64_t id = 1; id <= 5000; id++) {
        void *want = (id % 2) ? NULL : &values[id - 1];
        if (idtab_get(&t, id * 7919) != want)
            fail_msg("id %llu: got %p, want %p", (unsigned long long)id, idtab_get(&t, id * 7919),
                     want);
    }
    assert_int_equal(t.count, 2500);
    assert_null(idtab_remove(&t, 3));
    assert_null(idtab_get(&t, 0));
    idtab_put(&t, 2ULL * 7919, &values[0]); /* replace */
    assert_ptr_equal(idtab_get(&t, 2ULL * 7919), &values[0]);
    assert_int_equal(t.count, 2500);
    idtab_free(&t);
    assert_null(idtab_get(&t, 2ULL * 7919));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_remove_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
