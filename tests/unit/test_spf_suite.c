/*
 * The OpenSPF conformance suites (tests/yardsticks/spf): every test of rfc7208-tests.yml and
 * rfc4408-tests.yml runs through spf_check with DNS answered from its scenario's zonedata.
 * Each failing test is printed with got/want; the score line is printed for both files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "spf_suite.h"

static void run_suite(const char *file, long want_tests)
{
    const char *dir = getenv("REBOUND_SHARED");
    assert_non_null(dir);
    char path[4096];
    snprintf(path, sizeof(path), "%s/spf/%s", dir, file);
    char *error = NULL;
    struct spf_suite *suite = spf_suite_load(path, &error);
    if (suite == NULL) {
        print_error("cannot load %s: %s\n", path, error);
        fail();
        return;
    }
    assert_int_equal(suite->n_tests, want_tests);
    spf_suite_free(suite);
    long failed = spf_suite_run_file(path, file, NULL);
    if (failed != 0)
        fail_msg("%s: %ld tests failed (listed above)", file, failed);
}

static void test_rfc7208_suite(void **state)
{
    (void)state;
    run_suite("rfc7208-tests.yml", 203);
}

static void test_rfc4408_suite(void **state)
{
    (void)state;
    run_suite("rfc4408-tests.yml", 191);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc7208_suite),
        cmocka_unit_test(test_rfc4408_suite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
