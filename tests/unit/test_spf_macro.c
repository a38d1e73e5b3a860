/*
 * Unit tests for src/mail/spf_macro: the examples of RFC 7208 7.4, verbatim, plus the
 * syntax rules of 7.1 and the domain rules of 7.3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spf_macro.h"

/* RFC 7208 7.4: sender strong-bad@email.example.com, client 192.0.2.3. */
static const struct spf_macro_vars rfc_vars = {
    .s = "strong-bad@email.example.com",
    .l = "strong-bad",
    .o = "email.example.com",
    .d = "email.example.com",
    .i = "192.0.2.3",
    .p = "mx.example.org",
    .v = "in-addr",
    .h = "mx.example.org",
    .c = "192.0.2.3",
    .r = "receiver.example.net",
    .t = "1700000000",
};

static void expect(enum spf_macro_context ctx, const struct spf_macro_vars *v, const char *in,
                   const char *want)
{
    struct buf out = BUF_INIT;
    const char *error = NULL;
    bool ok = spf_macro_expand(in, strlen(in), ctx, v, &out, &error);
    if (!ok)
        fail_msg("%s: got error '%s', want \"%s\"", in, error, want);
    if (strcmp(buf_cstr(&out), want) != 0)
        fail_msg("%s: got \"%s\", want \"%s\"", in, buf_cstr(&out), want);
    buf_free(&out);
}

static void expect_error(enum spf_macro_context ctx, const char *in)
{
    struct buf out = BUF_INIT;
    const char *error = NULL;
    if (spf_macro_expand(in, strlen(in), ctx, &rfc_vars, &out, &error))
        fail_msg("%s: got \"%s\", want a syntax error", in, buf_cstr(&out));
    assert_non_null(error);
    assert_false(spf_macro_check(in, strlen(in), ctx, &error));
    buf_free(&out);
}

static void test_rfc7208_7_4_examples(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"%{s}", "strong-bad@email.example.com"},
        {"%{o}", "email.example.com"},
        {"%{d}", "email.example.com"},
        {"%{d4}", "email.example.com"},
        {"%{d3}", "email.example.com"},
        {"%{d2}", "example.com"},
        {"%{d1}", "com"},
        {"%{dr}", "com.example.email"},
        {"%{d2r}", "example.email"},
        {"%{l}", "strong-bad"},
        {"%{l-}", "strong.bad"},
        {"%{lr}", "strong-bad"},
        {"%{lr-}", "bad.strong"},
        {"%{l1r-}", "strong"},
        {"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
        {"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
        {"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
        {"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
        {"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect(SPF_MACRO_DOMAIN, &rfc_vars, cases[i][0], cases[i][1]);
}

static void test_rfc7208_7_4_ipv6(void **state)
{
    (void)state;
    struct spf_macro_vars v = rfc_vars;
    /* 2001:db8::cb01; nibbles upper-case as the OpenSPF suite's v-macro-ip6 expects (the
     * RFC's example prints them lower-case; DNS names compare case-insensitively). */
    v.i = "2.0.0.1.0.D.B.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.C.B.0.1";
    v.v = "ip6";
    expect(SPF_MACRO_DOMAIN, &v, "%{ir}.%{v}._spf.%{d2}",
           "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com");
}

static void test_escapes_and_url_encoding(void **state)
{
    (void)state;
    /* 7.3: upper-case letters URL-escape; "%%" "%_" "%-" are "%", SP and "%20". */
    expect(SPF_MACRO_EXPLANATION, &rfc_vars, "%{S}", "strong-bad%40email.example.com");
    expect(SPF_MACRO_EXPLANATION, &rfc_vars, "%%-%_-%-", "%- -%20");
    expect(SPF_MACRO_EXPLANATION, &rfc_vars, "see %{c} via %{r} at %{t}",
           "see 192.0.2.3 via receiver.example.net at 1700000000");
    expect(SPF_MACRO_EXPLANATION, &rfc_vars, "%{p}", "mx.example.org");
    expect(SPF_MACRO_EXPLANATION, &rfc_vars, "trailing dot stays.", "trailing dot stays.");
    struct spf_macro_vars v = rfc_vars;
    v.l = "a b/c";
    expect(SPF_MACRO_EXPLANATION, &v, "%{L}", "a%20b%2Fc");
}

static void test_delimiters(void **state)
{
    (void)state;
    struct spf_macro_vars v = rfc_vars;
    v.l = "a.b-c+d,e/f_g=h";
    expect(SPF_MACRO_DOMAIN, &v, "%{l-+,/_=}.x.com", "a.b.c.d.e.f.g.h.x.com");
    expect(SPF_MACRO_DOMAIN, &v, "%{l-+}.x.com", "a.b.c.d,e/f_g=h.x.com");
    expect(SPF_MACRO_DOMAIN, &v, "%{l1r-}.x.com", "a.b.x.com");
    expect(SPF_MACRO_DOMAIN, &v, "%{l99}.x.com", "a.b-c+d,e/f_g=h.x.com");
}

static void test_domain_rules(void **state)
{
    (void)state;
    /* 7.3: one trailing dot removed; names over 253 lose labels on the left. */
    expect(SPF_MACRO_DOMAIN, &rfc_vars, "%{d}.", "email.example.com");
    struct spf_macro_vars v = rfc_vars;
    char label[64];
    memset(label, 'a', 63);
    label[63] = '\0';
    char *longname = NULL;
    assert_true(asprintf(&longname, "%s.%s.%s.%s.example.com", label, label, label, label) > 0);
    v.d = longname;
    struct buf out = BUF_INIT;
    const char *error;
    assert_true(spf_macro_expand("%{d}", 4, SPF_MACRO_DOMAIN, &v, &out, &error));
    assert_true(out.len <= SPF_MACRO_MAX_DOMAIN);
    char *want = NULL;
    assert_true(asprintf(&want, "%s.%s.%s.example.com", label, label, label) > 0);
    assert_string_equal(buf_cstr(&out), want);
    free(want);
    free(longname);
    buf_free(&out);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    expect_error(SPF_MACRO_DOMAIN, "%{x}.example.com");  /* unknown letter */
    expect_error(SPF_MACRO_DOMAIN, "%{d");               /* unterminated */
    expect_error(SPF_MACRO_DOMAIN, "100%");              /* lone % at end */
    expect_error(SPF_MACRO_DOMAIN, "%a.example.com");    /* % + other */
    expect_error(SPF_MACRO_DOMAIN, "%{d0}.example.com"); /* DIGIT must be nonzero */
    expect_error(SPF_MACRO_DOMAIN, "%{d2x}.example.com");
    expect_error(SPF_MACRO_DOMAIN, "%{c}.example.com"); /* 7.2: c, r, t only in exp */
    expect_error(SPF_MACRO_DOMAIN, "%{r}.example.com");
    expect_error(SPF_MACRO_DOMAIN, "%{t}.example.com");
    const char *error;
    assert_true(spf_macro_check("%{c}%{r}%{t}", 12, SPF_MACRO_EXPLANATION, &error));
}

static void test_uses_p(void **state)
{
    (void)state;
    assert_true(spf_macro_uses_p("%{p}.x", 6));
    assert_true(spf_macro_uses_p("a%{P2}", 6));
    assert_false(spf_macro_uses_p("%%{p}", 5));
    assert_false(spf_macro_uses_p("%{d}", 4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc7208_7_4_examples),
        cmocka_unit_test(test_rfc7208_7_4_ipv6),
        cmocka_unit_test(test_escapes_and_url_encoding),
        cmocka_unit_test(test_delimiters),
        cmocka_unit_test(test_domain_rules),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_uses_p),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
