/* Unit tests for src/net/net_listener: listener addresses ("host:port", "[v6]:port"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "net_listener.h"

static void test_parse_and_format(void **state)
{
    (void)state;
    struct sockaddr_storage ss;
    socklen_t len;
    char text[64];
    assert_true(net_address_parse("127.0.0.1:587", &ss, &len));
    assert_int_equal(ss.ss_family, AF_INET);
    assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 587);
    net_address_format((struct sockaddr *)&ss, text, sizeof(text));
    assert_string_equal(text, "127.0.0.1");
    assert_true(net_address_parse("[2001:db8::1]:465", &ss, &len));
    assert_int_equal(ss.ss_family, AF_INET6);
    assert_int_equal(len, sizeof(struct sockaddr_in6));
    assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 465);
    net_address_format((struct sockaddr *)&ss, text, sizeof(text));
    assert_string_equal(text, "2001:db8::1");
    assert_true(net_address_parse("0.0.0.0:0", &ss, &len));
}

static void test_parse_errors(void **state)
{
    (void)state;
    struct sockaddr_storage ss;
    socklen_t len;
    static const char *const bad[] = {
        "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "localhost:25", "::1:25",
        "[::1]",     "[::1:25",    "[127.0.0.1]:25",  ":25",          "1.2.3.4:2x5",  "[zz::1]:25",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (net_address_parse(bad[i], &ss, &len))
            fail_msg("'%s': got accepted, want refused", bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_format),
        cmocka_unit_test(test_parse_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
