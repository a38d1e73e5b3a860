/* Unit tests for src/net/net_cidr: trusted client networks (Postfix mynetworks style). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "net_cidr.h"

static bool contains(const struct net_cidr_list *l, const char *ip)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    if (strchr(ip, ':')) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        assert_int_equal(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        assert_int_equal(inet_pton(AF_INET, ip, &s4->sin_addr), 1);
    }
    return net_cidr_list_contains(l, (struct sockaddr *)&ss);
}

static void test_match(void **state)
{
    (void)state;
    char *words[] = {"127.0.0.0/8", "192.0.2.128/25", "2001:db8::/33", "198.51.100.7"};
    struct net_cidr_list l;
    char *error = NULL;
    assert_true(net_cidr_list_parse(words, 4, &l, &error));
    assert_true(contains(&l, "127.1.2.3"));
    assert_true(contains(&l, "192.0.2.200"));
    assert_false(contains(&l, "192.0.2.127"));
    assert_true(contains(&l, "198.51.100.7"));
    assert_false(contains(&l, "198.51.100.8"));
    assert_true(contains(&l, "2001:db8:7fff::1"));
    assert_false(contains(&l, "2001:db8:8000::1"));
    assert_true(contains(&l, "::ffff:127.0.0.1")); /* IPv4-mapped */
    assert_false(contains(&l, "::1"));
    net_cidr_list_free(&l);
}

static void test_parse_errors(void **state)
{
    (void)state;
    struct net_cidr c;
    assert_false(net_cidr_parse("127.0.0.0/33", &c));
    assert_false(net_cidr_parse("::/129", &c));
    assert_false(net_cidr_parse("localhost", &c));
    assert_false(net_cidr_parse("10.0.0.0/", &c));
    char *words[] = {"10.0.0.0/8", "bogus"};
    struct net_cidr_list l;
    char *error = NULL;
    assert_false(net_cidr_list_parse(words, 2, &l, &error));
    assert_string_equal(error, "'bogus' is not an address or address/prefix");
    free(error);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_parse_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
