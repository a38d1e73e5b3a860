/* Unit tests for src/srsmap/srsmap_domains: local domains / exclusions with postsrsd 1.x
 * (whole address, v1-095..099) and 2.x (domain, v2-005..009) matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdlib.h>

#include "srsmap_domains.h"

static struct srsmap_domains *make(void)
{
    char *entries[] = {"example.com", ".example.edu"};
    return srsmap_domains_new(entries, 2);
}

static void test_v1_whole_address(void **state)
{
    (void)state;
    struct srsmap_domains *d = make();
    assert_true(srsmap_domains_match_address(d, "user@example.com"));
    assert_true(srsmap_domains_match_address(d, "user@Example.COM"));
    assert_true(srsmap_domains_match_address(d, "user@mail.example.edu"));
    assert_false(srsmap_domains_match_address(d, "user@example.edu"));
    assert_false(srsmap_domains_match_address(d, "user@notexample.com"));
    assert_false(srsmap_domains_match_address(d, "user@sub.example.com"));
    assert_false(srsmap_domains_match_address(d, "example.com")); /* not a proper suffix */
    assert_false(srsmap_domains_match_address(NULL, "user@example.com"));
    srsmap_domains_free(d);
}

static void test_v2_domain(void **state)
{
    (void)state;
    struct srsmap_domains *d = make();
    assert_true(srsmap_domains_match_domain(d, "example.com"));
    assert_true(srsmap_domains_match_domain(d, "EXAMPLE.com"));
    assert_true(srsmap_domains_match_domain(d, "mail.example.edu"));
    assert_true(srsmap_domains_match_domain(d, "a.b.example.edu"));
    assert_false(srsmap_domains_match_domain(d, "example.edu"));
    assert_false(srsmap_domains_match_domain(d, "sub.example.com"));
    assert_false(srsmap_domains_match_domain(d, "example.com."));
    assert_false(srsmap_domains_match_domain(d, ""));
    srsmap_domains_free(d);
}

static void test_entry_validation(void **state)
{
    (void)state;
    char *error = NULL;
    assert_true(srsmap_domains_entry_valid("example.com", &error));
    assert_true(srsmap_domains_entry_valid(".Example-1.edu", &error));
    assert_false(srsmap_domains_entry_valid("bad_domain.org", &error));
    assert_non_null(error);
    free(error);
    error = NULL;
    assert_false(srsmap_domains_entry_valid(".", &error));
    free(error);
    error = NULL;
    assert_false(srsmap_domains_entry_valid("user@example.com", &error));
    free(error);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v1_whole_address),
        cmocka_unit_test(test_v2_domain),
        cmocka_unit_test(test_entry_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
