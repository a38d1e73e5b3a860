/* Unit tests for src/lib/config: the option table, the file parser and its error messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static bool only_even(const char *v, char **error_r)
{
    if (strtol(v, NULL, 10) % 2 == 0)
        return true;
    *error_r = strdup("must be even");
    return false;
}

static const struct config_option table[] = {
    {"a.name", CONFIG_STRING, "dflt", 0, 0, NULL, "a string"},
    {"a.count", CONFIG_INT, "4", 1, 10, NULL, "an int"},
    {"a.flag", CONFIG_BOOL, "no", 0, 0, NULL, "a bool"},
    {"a.list", CONFIG_LIST, NULL, 0, 0, NULL, "a list"},
    {"a.even", CONFIG_INT, "2", 0, 100, only_even, "validated"},
};

static char *write_temp(const char *content)
{
    char *path = strdup("/tmp/rebound-test-config-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
    return path;
}

static void test_defaults(void **state)
{
    (void)state;
    struct config *cfg = config_new(table, 5);
    assert_string_equal(config_get_string(cfg, "a.name"), "dflt");
    assert_int_equal(config_get_int(cfg, "a.count"), 4);
    assert_false(config_get_bool(cfg, "a.flag"));
    assert_false(config_is_set(cfg, "a.list"));
    config_free(cfg);
}

static void test_file_overrides_and_quotes(void **state)
{
    (void)state;
    char *path = write_temp("# comment\n\n  a.name = \"hello world\"  \na.count=7\n"
                            "a.flag = yes\na.list = x, y z\n");
    struct config *cfg = config_new(table, 5);
    char *error = NULL;
    assert_true(config_load_file(cfg, path, &error));
    assert_null(error);
    assert_string_equal(config_get_string(cfg, "a.name"), "hello world");
    assert_int_equal(config_get_int(cfg, "a.count"), 7);
    assert_true(config_get_bool(cfg, "a.flag"));
    char **items;
    size_t n = config_get_list(cfg, "a.list", &items);
    assert_int_equal(n, 3);
    assert_string_equal(items[0], "x");
    assert_string_equal(items[2], "z");
    config_free_list(items, n);
    config_free(cfg);
    unlink(path);
    free(path);
}

static void expect_file_error(const char *content, const char *want_suffix)
{
    char *path = write_temp(content);
    struct config *cfg = config_new(table, 5);
    char *error = NULL;
    assert_false(config_load_file(cfg, path, &error));
    assert_non_null(error);
    const char *colon = strchr(error, ':');
    assert_non_null(colon);
    if (strstr(error, want_suffix) == NULL)
        fail_msg("got \"%s\", want it to contain \"%s\"", error, want_suffix);
    free(error);
    config_free(cfg);
    unlink(path);
    free(path);
}

static void test_errors_name_line_and_reason(void **state)
{
    (void)state;
    expect_file_error("a.name = x\nbogus = 1\n", ":2: unknown setting 'bogus'");
    expect_file_error("a.count = 11\n", ":1: a.count: '11' is not an integer between 1 and 10");
    expect_file_error("a.count = 3x\n", "is not an integer");
    expect_file_error("a.flag = maybe\n", "is not yes or no");
    expect_file_error("just words\n", ":1: expected 'name = value'");
    expect_file_error("a.even = 3\n", "a.even: must be even");
}

static void test_missing_file(void **state)
{
    (void)state;
    struct config *cfg = config_new(table, 5);
    char *error = NULL;
    assert_false(config_load_file(cfg, "/nonexistent/rebound.conf", &error));
    assert_non_null(strstr(error, "No such file"));
    free(error);
    config_free(cfg);
}

static void test_set_refuses_bad_value_and_keeps_old(void **state)
{
    (void)state;
    struct config *cfg = config_new(table, 5);
    char *error = NULL;
    assert_false(config_set(cfg, "a.count", "0", &error));
    free(error);
    assert_int_equal(config_get_int(cfg, "a.count"), 4);
    assert_true(config_set(cfg, "a.count", "10", &error));
    assert_int_equal(config_get_int(cfg, "a.count"), 10);
    config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_file_overrides_and_quotes),
        cmocka_unit_test(test_errors_name_line_and_reason),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_set_refuses_bad_value_and_keeps_old),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
