/*
 * Unit tests for src/mail/spf_record: record selection (RFC 7208 4.5) and the grammar of
 * section 12 (directives, CIDR lengths, modifiers, domain-spec endings).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "spf_record.h"

static struct spf_record parse_ok(const char *text)
{
    struct spf_record rec;
    struct spf_parse_error error;
    if (!spf_record_parse(text, strlen(text), &rec, &error))
        fail_msg("\"%s\": got error '%s' at '%.*s', want success", text, error.reason,
                 (int)error.term_len, error.term ? error.term : "");
    return rec;
}

static void parse_bad(const char *text, const char *want_term)
{
    struct spf_record rec;
    struct spf_parse_error error;
    if (spf_record_parse(text, strlen(text), &rec, &error))
        fail_msg("\"%s\": got success, want a syntax error at '%s'", text,
                 want_term ? want_term : "(any)");
    assert_non_null(error.reason);
    if (want_term != NULL) {
        assert_non_null(error.term);
        if (strlen(want_term) != error.term_len ||
            memcmp(want_term, error.term, error.term_len) != 0)
            fail_msg("\"%s\": got error at '%.*s', want at '%s'", text, (int)error.term_len,
                     error.term, want_term);
    }
}

static void test_selection_4_5(void **state)
{
    (void)state;
    assert_true(spf_record_is_spf("v=spf1", 6));
    assert_true(spf_record_is_spf("v=spf1 -all", 11));
    assert_true(spf_record_is_spf("V=SPF1 -all", 11));
    assert_false(spf_record_is_spf("v=spf10 -all", 12));
    assert_false(spf_record_is_spf("v=spf1-all", 10));
    assert_false(spf_record_is_spf(" v=spf1 -all", 12));
    assert_false(spf_record_is_spf("v=spf", 5));
}

static void test_directives(void **state)
{
    (void)state;
    struct spf_record r = parse_ok("v=spf1 +a -mx:%{d}.example.com/24//64 ~ptr ?exists:%{i}.x.org "
                                   "include:_spf.example.net ip4:192.0.2.0/24 ip6:2001:db8::/32 "
                                   "-all  ");
    assert_int_equal(r.n_terms, 8);
    assert_int_equal(r.terms[0].mech, SPF_MECH_A);
    assert_int_equal(r.terms[0].qualifier, SPF_QUAL_PASS);
    assert_null(r.terms[0].spec);
    assert_int_equal(r.terms[0].cidr4, 32);
    assert_int_equal(r.terms[0].cidr6, 128);
    assert_int_equal(r.terms[1].mech, SPF_MECH_MX);
    assert_int_equal(r.terms[1].qualifier, SPF_QUAL_FAIL);
    assert_int_equal(r.terms[1].cidr4, 24);
    assert_int_equal(r.terms[1].cidr6, 64);
    assert_int_equal(r.terms[1].spec_len, strlen("%{d}.example.com"));
    assert_memory_equal(r.terms[1].spec, "%{d}.example.com", r.terms[1].spec_len);
    assert_int_equal(r.terms[2].qualifier, SPF_QUAL_SOFTFAIL);
    assert_int_equal(r.terms[3].qualifier, SPF_QUAL_NEUTRAL);
    assert_int_equal(r.terms[3].mech, SPF_MECH_EXISTS);
    assert_int_equal(r.terms[4].mech, SPF_MECH_INCLUDE);
    assert_int_equal(r.terms[5].mech, SPF_MECH_IP4);
    assert_int_equal(r.terms[5].cidr4, 24);
    assert_int_equal(r.terms[5].net.ip4.s_addr, inet_addr("192.0.2.0"));
    assert_int_equal(r.terms[6].mech, SPF_MECH_IP6);
    assert_int_equal(r.terms[6].cidr6, 32);
    assert_int_equal(r.terms[7].mech, SPF_MECH_ALL);
    assert_int_equal(r.terms[7].text_len, 4);
    assert_memory_equal(r.terms[7].text, "-all", 4);
    spf_record_clear(&r);
}

static void test_dual_cidr_forms(void **state)
{
    (void)state;
    struct spf_record r = parse_ok("v=spf1 a//0 mx/0 a/32//128 A:Example.COM/8");
    assert_int_equal(r.terms[0].cidr4, 32);
    assert_int_equal(r.terms[0].cidr6, 0);
    assert_int_equal(r.terms[1].cidr4, 0);
    assert_int_equal(r.terms[1].cidr6, 128);
    assert_int_equal(r.terms[2].cidr4, 32);
    assert_int_equal(r.terms[2].cidr6, 128);
    assert_int_equal(r.terms[3].cidr4, 8);
    spf_record_clear(&r);
    parse_bad("v=spf1 a/33", "a/33");
    parse_bad("v=spf1 a//129", "a//129");
    parse_bad("v=spf1 a/024", "a/024"); /* section 12: no leading zero */
    parse_bad("v=spf1 ip4:1.2.3.4/33", "ip4:1.2.3.4/33");
    parse_bad("v=spf1 ip4:1.2.3.4//32", "ip4:1.2.3.4//32");
    parse_bad("v=spf1 ptr/24", "ptr/24");
    parse_bad("v=spf1 include:x.com/24", "include:x.com/24");
}

static void test_modifiers_6(void **state)
{
    (void)state;
    struct spf_record r = parse_ok("v=spf1 redirect=_spf.example.com exp=e.%{d} moo=%{l}x "
                                   "Foo.Bar-_9=");
    assert_int_equal(r.n_terms, 0);
    assert_int_equal(r.redirect_len, strlen("_spf.example.com"));
    assert_memory_equal(r.exp, "e.%{d}", 6);
    spf_record_clear(&r);
    parse_bad("v=spf1 redirect=a.com redirect=b.com", "redirect=b.com");
    parse_bad("v=spf1 exp=a.com exp=b.com", "exp=b.com");
    parse_bad("v=spf1 redirect=", "redirect=");
    parse_bad("v=spf1 moo=%{x}", "moo=%{x}"); /* unknown modifiers must still be well-formed */
}

static void test_syntax_errors(void **state)
{
    (void)state;
    parse_bad("v=spf1 foo", "foo");
    parse_bad("v=spf1 -all:x", "-all:x");
    parse_bad("v=spf1 =a", "=a");
    parse_bad("v=spf1 include", "include");
    parse_bad("v=spf1 exists", "exists");
    parse_bad("v=spf1 a:", "a:");
    parse_bad("v=spf1 a:foo", "a:foo");         /* no top-level label */
    parse_bad("v=spf1 a:foo.123", "a:foo.123"); /* toplabel needs a letter */
    parse_bad("v=spf1 a:foo.com-", "a:foo.com-");
    parse_bad("v=spf1 a:example.com,", "a:example.com,");
    parse_bad("v=spf1 ip4:1.2.3", "ip4:1.2.3");
    parse_bad("v=spf1 ip4:1.2.03.4", "ip4:1.2.03.4");
    parse_bad("v=spf1 ip6:2001:db8:zz::", "ip6:2001:db8:zz::");
    parse_bad("v=spf1 ip4:192.0.2.5\x0b-all", "ip4:192.0.2.5\x0b-all"); /* 4.6.1: SP only */
    parse_bad("v=spf1 a:%{c}.example.com", "a:%{c}.example.com");
    parse_bad("v=spf2 -all", NULL);
    struct spf_record r = parse_ok("v=spf1 a:foo.com. a:x.%{d} a:x.y-1 a:.com");
    assert_int_equal(r.n_terms, 4);
    spf_record_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_selection_4_5),   cmocka_unit_test(test_directives),
        cmocka_unit_test(test_dual_cidr_forms), cmocka_unit_test(test_modifiers_6),
        cmocka_unit_test(test_syntax_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
