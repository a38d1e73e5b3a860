/* Unit tests for src/store/identity: identity syntax and the SES coverage policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "identity.h"

static void expect_norm(const char *in, const char *want, enum identity_kind want_kind)
{
    enum identity_kind kind;
    char *error = NULL;
    char *got = identity_normalize(in, strlen(in), &kind, &error);
    if (got == NULL) {
        fail_msg("%s: got error '%s', want '%s'", in, error, want);
        return;
    }
    if (strcmp(got, want) != 0 || kind != want_kind)
        fail_msg("%s: got '%s' kind %d, want '%s' kind %d", in, got, kind, want, want_kind);
    free(got);
}

static void expect_refused(const char *in, const char *why)
{
    enum identity_kind kind;
    char *error = NULL;
    char *got = identity_normalize(in, strlen(in), &kind, &error);
    if (got != NULL)
        fail_msg("%s: got accepted as '%s', want refused (%s)", in, got, why);
    if (strstr(error, why) == NULL)
        fail_msg("%s: got error '%s', want it to mention '%s'", in, error, why);
    free(error);
}

static void test_normalize_accepts(void **state)
{
    (void)state;
    expect_norm("example.com", "example.com", IDENTITY_DOMAIN);
    expect_norm("Mail.Example.COM", "mail.example.com", IDENTITY_DOMAIN);
    expect_norm("xn--bcher-kva.example", "xn--bcher-kva.example", IDENTITY_DOMAIN);
    expect_norm("Alice@Example.COM", "Alice@example.com", IDENTITY_ADDRESS);
    expect_norm("first.last+tag@a-b.example.org", "first.last+tag@a-b.example.org",
                IDENTITY_ADDRESS);
    expect_norm("!#$%&'*+-/=?^_`{|}~@example.com", "!#$%&'*+-/=?^_`{|}~@example.com",
                IDENTITY_ADDRESS);
}

static void test_normalize_refuses(void **state)
{
    (void)state;
    expect_refused("", "the domain is empty");
    expect_refused("localhost", "at least two labels");
    expect_refused("example..com", "empty label");
    expect_refused(".example.com", "empty label");
    expect_refused("example.com.", "empty label");
    expect_refused("-a.example.com", "starts or ends with '-'");
    expect_refused("a-.example.com", "starts or ends with '-'");
    expect_refused("exa_mple.com", "letters, digits");
    expect_refused("a@b@example.com", "more than one '@'");
    expect_refused("@example.com", "local part (before '@') is empty");
    expect_refused("alice@", "the domain is empty");
    expect_refused(".alice@example.com", "starts or ends with '.'");
    expect_refused("al..ice@example.com", "two dots");
    expect_refused("\"al ice\"@example.com", "not allowed");
    expect_refused("alice@[127.0.0.1]", "letters, digits");
    char label[80];
    memset(label, 'a', 64);
    strcpy(label + 64, ".com");
    expect_refused(label, "longer than 63");
    char local[90];
    memset(local, 'a', 65);
    strcpy(local + 65, "@example.com");
    expect_refused(local, "longer than 64");
    char domain[300] = "";
    for (int i = 0; i < 60; i++)
        strcat(domain, "abc.");
    strcat(domain, "abcdefghijklm.com");
    expect_refused(domain, "longer than 253");
}

static void test_status_names(void **state)
{
    (void)state;
    enum identity_status s;
    assert_true(identity_status_parse("TEMPORARY_FAILURE", &s));
    assert_int_equal(s, IDENTITY_TEMPORARY_FAILURE);
    assert_string_equal(identity_status_name(IDENTITY_SUCCESS), "SUCCESS");
    assert_false(identity_status_parse("success", &s));
}

static const struct identity_entry ids[] = {
    {"example.com", IDENTITY_SUCCESS},                 /* 0 */
    {"alice@example.com", IDENTITY_PENDING},           /* 1 */
    {"bob@example.net", IDENTITY_SUCCESS},             /* 2 */
    {"example.net", IDENTITY_FAILED},                  /* 3 */
    {"sub.example.com", IDENTITY_SUCCESS},             /* 4 */
    {"Carol@example.org", IDENTITY_SUCCESS},           /* 5 */
    {"pending.example", IDENTITY_PENDING},             /* 6 */
    {"x@pending.example", IDENTITY_TEMPORARY_FAILURE}, /* 7 */
};
#define N_IDS (sizeof(ids) / sizeof(ids[0]))

static void expect_cover(const char *address, long want)
{
    long got = identity_covering(ids, N_IDS, address);
    if (got != want)
        fail_msg("%s: got %ld, want %ld", address, got, want);
}

static void test_covering_policy(void **state)
{
    (void)state;
    /* An address identity is covered by its verified domain, even while itself PENDING. */
    expect_cover("alice@example.com", 0);
    expect_cover("anyone@EXAMPLE.com", 0);
    /* A verified address identity covers itself; its domain is not verified. */
    expect_cover("bob@example.net", 2);
    expect_cover("bob@EXAMPLE.NET", 2);
    expect_cover("eve@example.net", -1);
    /* Local parts compare exactly. */
    expect_cover("Bob@example.net", -1);
    expect_cover("Carol@example.org", 5);
    expect_cover("carol@example.org", -1);
    /* The most specific verified domain wins; parents cover subdomains. */
    expect_cover("a@sub.example.com", 4);
    expect_cover("a@deep.sub.example.com", 4);
    expect_cover("a@other.example.com", 0);
    /* Only SUCCESS counts. */
    expect_cover("x@pending.example", -1);
    expect_cover("y@pending.example", -1);
    /* Look-alikes and malformed addresses. */
    expect_cover("a@notexample.com", -1);
    expect_cover("a@example.com.evil.net", -1);
    expect_cover("example.com", -1);
    expect_cover("@example.com", -1);
    expect_cover("a@", -1);
    expect_cover("", -1);
    assert_int_equal(identity_covering(ids, 0, "alice@example.com"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize_accepts),
        cmocka_unit_test(test_normalize_refuses),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_covering_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
