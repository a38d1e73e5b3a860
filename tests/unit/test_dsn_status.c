/* Unit tests for src/mail/dsn_status and dsn_addr: codes and addresses in bounce prose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dsn_addr.h"
#include "dsn_status.h"

static void test_status_parse(void **state)
{
    (void)state;
    char out[DSN_STATUS_MAX_LEN + 1];
    assert_true(dsn_status_parse(" 5.1.1", out));
    assert_string_equal(out, "5.1.1");
    assert_true(dsn_status_parse("4.7.650 (temporary)", out));
    assert_string_equal(out, "4.7.650");
    assert_false(dsn_status_parse("5.1", out));
    assert_false(dsn_status_parse("3.1.1", out));
    assert_false(dsn_status_parse("5.1.1 extra", out));
    assert_false(dsn_status_parse("5.1234.1", out));
}

static void test_status_find(void **state)
{
    (void)state;
    char out[DSN_STATUS_MAX_LEN + 1];
    assert_true(dsn_status_find("host 192.0.2.5 said: 550 5.7.1 go away", out));
    assert_string_equal(out, "5.7.1");
    assert_true(dsn_status_find("Unknown user (#5.5.0)", out));
    assert_string_equal(out, "5.5.0");
    assert_false(dsn_status_find("Exim 4.72.1 and 10.5.2.1", out));
    assert_int_equal(dsn_status_reply_code("said: 550-5.1.1 no"), 550);
    assert_int_equal(dsn_status_reply_code("code 4505 and 452 later"), 452);
    assert_int_equal(dsn_status_reply_code("no code 1234"), 0);
}

static void test_smtp_command(void **state)
{
    (void)state;
    assert_string_equal(dsn_status_smtp_command("550 x (in reply to end of DATA command)"), "DATA");
    assert_string_equal(dsn_status_smtp_command("error after RCPT TO:<a@b.c>: 550"), "RCPT");
    assert_string_equal(dsn_status_smtp_command("after MAIL FROM:<x@y.z>; later DATA"), "MAIL");
    assert_string_equal(dsn_status_smtp_command(">>> DATA\n<<< 554 no"), "DATA");
    assert_null(dsn_status_smtp_command("550 user unknown"));
}

static void test_addresses(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"rfc822; <Alice@Example.COM>", "Alice@Example.COM"},
        {"'bob@example.org'.", "bob@example.org"},
        {"SRS0=abcd=TT=example.com=carol@bounce.example.net",
         "SRS0=abcd=TT=example.com=carol@bounce.example.net"},
        {"postmaster@[192.0.2.1]", "postmaster@[192.0.2.1]"},
        {"no address @ here", NULL},
        {"user@localhost", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = dsn_addr_first(cases[i].in);
        if ((got == NULL) != (cases[i].want == NULL) ||
            (got != NULL && strcmp(got, cases[i].want) != 0))
            fail_msg("%s: got %s, want %s", cases[i].in, got ? got : "(null)",
                     cases[i].want ? cases[i].want : "(null)");
        free(got);
    }
    assert_true(dsn_addr_is_system("MAILER-DAEMON@example.com"));
    assert_false(dsn_addr_is_system("daemon@example.com"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_parse),
        cmocka_unit_test(test_status_find),
        cmocka_unit_test(test_smtp_command),
        cmocka_unit_test(test_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
