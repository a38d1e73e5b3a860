/* Unit tests for src/srsmap/srsmap_alias: postsrsd 2.x database-mode aliases (v2-037/038). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <string.h>

#include "srsmap_alias.h"

static void test_alias_golden(void **state)
{
    (void)state;
    char alias[SRSMAP_ALIAS_SIZE];
    srsmap_alias_for("user@example.org", 16, alias);
    assert_string_equal(alias, "AHV43VV20CDSRGQVVHJ8FS8D9664C9M6@1");
    const char *longer =
        "llllllllllllllllllllllllllllllllllllllllllllllllllllllllllll1234@example.org";
    srsmap_alias_for(longer, strlen(longer), alias);
    assert_string_equal(alias, "QHRSE8V2B1IUOJEB6JKINHHB94GO378I@1");
    /* case-sensitive: a different address, a different alias */
    srsmap_alias_for("User@example.org", 16, alias);
    assert_string_not_equal(alias, "AHV43VV20CDSRGQVVHJ8FS8D9664C9M6@1");
}

static void test_is_alias(void **state)
{
    (void)state;
    assert_true(srsmap_alias_is_alias("AHV43VV20CDSRGQVVHJ8FS8D9664C9M6@1"));
    assert_false(srsmap_alias_is_alias("user@1.example"));
    assert_false(srsmap_alias_is_alias("user@example.org"));
    assert_false(srsmap_alias_is_alias("no-at-sign"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alias_golden),
        cmocka_unit_test(test_is_alias),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
