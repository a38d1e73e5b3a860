/* Unit tests for src/mail/header_addr: From:/Sender: address lists (RFC 5322 3.4), parsed whole
 * and trickled (every prefix of a valid field is parsed without reading past it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "header_addr.h"

/* Parses value and compares the addresses with want (a NULL-terminated array). */
static void expect_list(const char *value, const char *const *want)
{
    struct header_addr_list list = {0};
    const char *why = NULL;
    if (!header_addr_parse(value, strlen(value), &list, &why))
        fail_msg("%s: got refused (%s), want accepted", value, why);
    size_t n = 0;
    while (want[n] != NULL)
        n++;
    if (list.n != n)
        fail_msg("%s: got %zu addresses, want %zu", value, list.n, n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list.items[i], want[i]) != 0)
            fail_msg("%s: address %zu: got '%s', want '%s'", value, i, list.items[i], want[i]);
    }
    header_addr_list_free(&list);
}

static void expect_refused(const char *value, const char *why_part)
{
    struct header_addr_list list = {0};
    const char *why = NULL;
    if (header_addr_parse(value, strlen(value), &list, &why))
        fail_msg("%s: got accepted, want refused (%s)", value, why_part);
    if (strstr(why, why_part) == NULL)
        fail_msg("%s: got reason '%s', want it to mention '%s'", value, why, why_part);
    header_addr_list_free(&list);
}

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_plain_forms(void **state)
{
    (void)state;
    expect_list("alice@example.com", LIST("alice@example.com"));
    expect_list(" <alice@example.com> ", LIST("alice@example.com"));
    expect_list("Alice <alice@example.com>", LIST("alice@example.com"));
    expect_list("\"Alice, Q.\" <alice@example.com>", LIST("alice@example.com"));
    expect_list("=?utf-8?q?Al=C3=AFce?= <alice@example.com>", LIST("alice@example.com"));
    expect_list("\"a b\"@example.com", LIST("\"a b\"@example.com"));
    expect_list("first.last@[192.0.2.1]", LIST("first.last@[192.0.2.1]"));
    expect_list("Al\xc3\xaf"
                "ce <al\xc3\xaf"
                "ce@example.com>",
                LIST("al\xc3\xaf"
                     "ce@example.com"));
}

static void test_comments_and_folding(void **state)
{
    (void)state;
    expect_list("alice@example.com (Alice (the (nested)) one)", LIST("alice@example.com"));
    expect_list("(c) Alice\r\n <alice(c)@(c)example.com>", LIST("alice@example.com"));
    expect_list("alice . smith @ example . com", LIST("alice.smith@example.com"));
    expect_list("Alice\r\n\t<alice@example.com>,\r\n Bob <bob@example.org>",
                LIST("alice@example.com", "bob@example.org"));
    expect_list("\"q\\\"uote\" <a@b.example>", LIST("a@b.example"));
}

static void test_lists_and_groups(void **state)
{
    (void)state;
    expect_list("a@x.example, b@y.example", LIST("a@x.example", "b@y.example"));
    expect_list("a@x.example,, ,b@y.example", LIST("a@x.example", "b@y.example"));
    expect_list("Team: a@x.example, B <b@y.example>;", LIST("a@x.example", "b@y.example"));
    expect_list("Team: a@x.example;, c@z.example", LIST("a@x.example", "c@z.example"));
    expect_list("<@route.example,@r2.example:a@x.example>", LIST("a@x.example"));
    struct header_addr_list list = {0};
    const char *why = NULL;
    assert_true(header_addr_parse("undisclosed-recipients:;", 24, &list, &why));
    assert_int_equal(list.n, 0);
}

static void test_refusals(void **state)
{
    (void)state;
    expect_refused("alice", "without @domain");
    expect_refused("Alice <alice>", "without @domain");
    expect_refused("alice@example.com <bob@example.org>", "junk after an address");
    expect_refused("Alice <alice@example.com", "no >");
    expect_refused("\"unterminated <a@b.example>", "unterminated quoted string");
    expect_refused("a@b.example (open", "unterminated comment");
    expect_refused("Team: a@b.example", "a group without ;");
    expect_refused("a@", "no domain");
    expect_refused("@b.example", "no local part");
    expect_refused("a\x01@b.example", "not allowed");
    /* Found by fuzz_header_addr: a NUL inside quotes must not cut the address short. */
    static const char nul[] = "\"alice@example.com\0\"@evil.example";
    struct header_addr_list list = {0};
    const char *why = NULL;
    assert_false(header_addr_parse(nul, sizeof(nul) - 1, &list, &why));
    assert_string_equal(why, "a NUL octet in a quoted string or domain literal");
    assert_false(header_addr_parse("x@[1\0]", 7, &list, &why));
    assert_int_equal(list.n, 0);
    expect_list("\"a\\\\\" <q@b.example>, \"\\\"\"@c.example",
                LIST("q@b.example", "\"\\\"\"@c.example"));
    expect_refused("a@b.example ((((((((((((((((((x))))))))))))))))))", "nested too deeply");
}

static void test_limits(void **state)
{
    (void)state;
    char big[HEADER_ADDR_MAX * 8 + 64] = "";
    for (int i = 0; i <= HEADER_ADDR_MAX; i++)
        strcat(big, "a@b.ex, ");
    expect_refused(big, "more than 100 addresses");
}

/* Every prefix of valid fields: never reads past len (ASan), never crashes. */
static void test_trickled_prefixes(void **state)
{
    (void)state;
    static const char *const fields[] = {
        "\"Alice, Q.\" (c) <alice@example.com>, Team: b@x.example;",
        "<@r.example:a@[192.0.2.1]> (x(y))",
    };
    for (size_t f = 0; f < 2; f++) {
        size_t len = strlen(fields[f]);
        for (size_t n = 0; n <= len; n++) {
            char *copy = malloc(n ? n : 1);
            memcpy(copy, fields[f], n);
            struct header_addr_list list = {0};
            const char *why = NULL;
            (void)header_addr_parse(copy, n, &list, &why);
            header_addr_list_free(&list);
            free(copy);
        }
    }
}

static const char MESSAGE[] = "Received: from x\r\n\tby y; date\r\n"
                              "From: Alice\r\n <alice@example.com>\r\n"
                              "Subject: From: mallory@evil.example\r\n"
                              "sender: Bob <bob@example.org>\r\n"
                              "FROM: carol@example.net\r\n"
                              "\r\n"
                              "From: body@not-a-header.example\r\n";

static void test_fields_in_a_message(void **state)
{
    (void)state;
    struct header_addr_list list = {0};
    const char *why = NULL;
    assert_int_equal(header_addr_field(MESSAGE, sizeof(MESSAGE) - 1, "From", &list, &why), 2);
    assert_int_equal(list.n, 2);
    assert_string_equal(list.items[0], "alice@example.com");
    assert_string_equal(list.items[1], "carol@example.net");
    header_addr_list_free(&list);
    assert_int_equal(header_addr_field(MESSAGE, sizeof(MESSAGE) - 1, "Sender", &list, &why), 1);
    assert_string_equal(list.items[0], "bob@example.org");
    header_addr_list_free(&list);
    assert_int_equal(header_addr_field(MESSAGE, sizeof(MESSAGE) - 1, "Reply-To", &list, &why), 0);
    static const char bare_lf[] = "From: a@b.example\nSubject: x\n\nFrom: c@d.example\n";
    assert_int_equal(header_addr_field(bare_lf, sizeof(bare_lf) - 1, "From", &list, &why), 1);
    assert_string_equal(list.items[0], "a@b.example");
    header_addr_list_free(&list);
    static const char bad[] = "From: not an address\r\n\r\n";
    assert_int_equal(header_addr_field(bad, sizeof(bad) - 1, "From", &list, &why), -1);
    header_addr_list_free(&list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_forms),
        cmocka_unit_test(test_comments_and_folding),
        cmocka_unit_test(test_lists_and_groups),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_trickled_prefixes),
        cmocka_unit_test(test_fields_in_a_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
