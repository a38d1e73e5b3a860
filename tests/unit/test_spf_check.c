/*
 * Unit tests for the check_host() state machine (src/mail/spf_check.c and friends) over the
 * in-memory resolver: the asynchronous contract, the named limits of RFC 7208 4.6.4, and the
 * outcome fields (result, mechanism, explanation, problem).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns_memory.h"
#include "dns_zonefile.h"
#include "spf.h"

struct done {
    int calls;
    struct spf_outcome out;
};

static void on_done(const struct spf_outcome *o, void *arg)
{
    struct done *d = arg;
    d->calls++;
    spf_outcome_copy(&d->out, o);
}

/* Evaluates ip/sender against the zone text; returns the outcome (owned by the caller). */
static struct spf_outcome check(const char *zone_text, const char *ip, const char *sender,
                                size_t *queries_r)
{
    struct dns_memory *zone = dns_memory_new();
    char *error = NULL;
    if (!dns_zonefile_parse(zone, zone_text, strlen(zone_text), &error))
        fail_msg("zone: %s", error);
    struct dns_resolver r;
    dns_memory_resolver(zone, &r);
    struct spf_request req = {.client_ip = ip,
                              .sender = sender,
                              .helo = "helo.example",
                              .receiver = "rx.example",
                              .now = 1234};
    struct spf_query q;
    assert_true(spf_query_init(&q, &req, &error));
    struct done d = {0};
    struct spf_check *c = spf_check_start(&r, &q, on_done, &d, &d.out);
    if (c != NULL) {
        assert_int_equal(d.calls, 0); /* never from inside spf_check_start */
        dns_memory_run(zone);
        assert_int_equal(d.calls, 1);
    }
    if (queries_r)
        *queries_r = dns_memory_answered(zone);
    spf_check_free(c);
    spf_query_clear(&q);
    dns_resolver_destroy(&r);
    return d.out;
}

static void expect(const char *zone, const char *ip, const char *sender, enum spf_result want,
                   const char *want_mech)
{
    struct spf_outcome o = check(zone, ip, sender, NULL);
    if (o.result != want)
        fail_msg("%s from %s: got %s (%s), want %s", sender, ip, spf_result_name(o.result),
                 o.problem ? o.problem : "-", spf_result_name(want));
    if (want_mech != NULL && (o.mechanism == NULL || strcmp(o.mechanism, want_mech) != 0))
        fail_msg("%s from %s: got mechanism %s, want %s", sender, ip,
                 o.mechanism ? o.mechanism : "(none)", want_mech);
    spf_outcome_clear(&o);
}

static void test_results_and_mechanism(void **state)
{
    (void)state;
    const char *zone = "a.example TXT \"v=spf1 ip4:192.0.2.0/24 ?include:b.example ~all\"\n"
                       "b.example TXT \"v=spf1 ip6:2001:db8::/32 -all\"\n";
    expect(zone, "192.0.2.77", "x@a.example", SPF_RESULT_PASS, "ip4:192.0.2.0/24");
    expect(zone, "::ffff:192.0.2.77", "x@a.example", SPF_RESULT_PASS, "ip4:192.0.2.0/24");
    expect(zone, "2001:db8::5", "x@a.example", SPF_RESULT_NEUTRAL, "?include:b.example");
    expect(zone, "198.51.100.1", "x@a.example", SPF_RESULT_SOFTFAIL, "~all");
    expect(zone, "198.51.100.1", "x@nothing.example", SPF_RESULT_NONE, NULL);
    expect(zone, "198.51.100.1", "x@single", SPF_RESULT_NONE, NULL);
}

static void test_immediate_none_without_dns(void **state)
{
    (void)state;
    size_t queries = 99;
    struct spf_outcome o = check("", "192.0.2.1", "x@bad..example", &queries);
    assert_int_equal(o.result, SPF_RESULT_NONE);
    assert_int_equal(queries, 0);
    spf_outcome_clear(&o);
}

static void test_cancel(void **state)
{
    (void)state;
    struct dns_memory *zone = dns_memory_new();
    dns_memory_add_txt(zone, "a.example", DNS_TYPE_TXT, (const char *[]){"v=spf1 -all"},
                       (size_t[]){11}, 1);
    struct dns_resolver r;
    dns_memory_resolver(zone, &r);
    struct spf_request req = {.client_ip = "192.0.2.1", .sender = "x@a.example"};
    struct spf_query q;
    char *error;
    assert_true(spf_query_init(&q, &req, &error));
    struct done d = {0};
    struct spf_check *c = spf_check_start(&r, &q, on_done, &d, &d.out);
    assert_non_null(c);
    spf_check_free(c);
    dns_memory_run(zone);
    assert_int_equal(d.calls, 0);
    spf_query_clear(&q);
    dns_resolver_destroy(&r);
}

static void test_lookup_limit_4_6_4(void **state)
{
    (void)state;
    /* 10 DNS-querying terms are fine; the 11th is permerror, counted across includes. */
    char zone[4096] = "";
    size_t n = 0;
    for (int i = 0; i < 11; i++)
        n += (size_t)snprintf(zone + n, sizeof(zone) - n,
                              "d%d.example TXT \"v=spf1 include:d%d.example\"\n", i, i + 1);
    snprintf(zone + n, sizeof(zone) - n, "d11.example TXT \"v=spf1 +all\"\n");
    expect(zone, "192.0.2.1", "x@d2.example", SPF_RESULT_PASS, "include:d3.example");
    expect(zone, "192.0.2.1", "x@d1.example", SPF_RESULT_PASS, NULL);
    expect(zone, "192.0.2.1", "x@d0.example", SPF_RESULT_PERMERROR, NULL);
    expect("r.example TXT \"v=spf1 a a a a a a a a a a redirect=s.example\"\n"
           "s.example TXT \"v=spf1 +all\"\n"
           "r.example A 192.0.2.9\n",
           "192.0.2.1", "x@r.example", SPF_RESULT_PERMERROR, NULL);
}

static void test_void_limit_4_6_4(void **state)
{
    (void)state;
    expect("v.example TXT \"v=spf1 a:n1.example a:n2.example ip4:192.0.2.1\"\n", "192.0.2.1",
           "x@v.example", SPF_RESULT_PASS, "ip4:192.0.2.1");
    expect("v.example TXT \"v=spf1 a:n1.example a:n2.example a:n3.example ip4:192.0.2.1\"\n",
           "192.0.2.1", "x@v.example", SPF_RESULT_PERMERROR, NULL);
}

static void test_void_counts_terms_not_mx_hosts(void **state)
{
    (void)state;
    /* Three MX hosts with A records only, an IPv6 client: three empty AAAA answers, but one
     * "mx" term with records, so no void-lookup permerror. */
    expect("m.example TXT \"v=spf1 mx ip6:2001:db8::/32 -all\"\n"
           "m.example MX 1 a.example\nm.example MX 2 b.example\nm.example MX 3 c.example\n"
           "a.example A 192.0.2.1\nb.example A 192.0.2.2\nc.example A 192.0.2.3\n",
           "2001:db8::9", "x@m.example", SPF_RESULT_PASS, "ip6:2001:db8::/32");
}

static void test_mx_limit_4_6_4(void **state)
{
    (void)state;
    char zone[4096] = "m.example TXT \"v=spf1 mx -all\"\n";
    size_t n = strlen(zone);
    for (int i = 0; i < 11; i++)
        n += (size_t)snprintf(zone + n, sizeof(zone) - n, "m.example MX %d mx%d.example\n", i, i);
    snprintf(zone + n, sizeof(zone) - n, "mx0.example A 192.0.2.1\n");
    expect(zone, "192.0.2.1", "x@m.example", SPF_RESULT_PERMERROR, NULL);
    /* ten are allowed */
    expect("m.example TXT \"v=spf1 mx/24 -all\"\nm.example MX 5 mx.example\n"
           "mx.example A 192.0.2.200\n",
           "192.0.2.1", "x@m.example", SPF_RESULT_PASS, "mx/24");
}

static void test_explanation_6_2(void **state)
{
    (void)state;
    const char *zone = "e.example TXT \"v=spf1 -all exp=why.%{d}\"\n"
                       "why.e.example TXT \"%{i} may not send for %{d} (%{p}, %{v}, %{t})\"\n"
                       "1.2.0.192.in-addr.arpa PTR host.e.example\n"
                       "host.e.example A 192.0.2.1\n";
    struct spf_outcome o = check(zone, "192.0.2.1", "x@e.example", NULL);
    assert_int_equal(o.result, SPF_RESULT_FAIL);
    assert_string_equal(o.mechanism, "-all");
    assert_string_equal(o.explanation,
                        "192.0.2.1 may not send for e.example (host.e.example, in-addr, 1234)");
    spf_outcome_clear(&o);
    o = check("e.example TXT \"v=spf1 -all\"\n", "192.0.2.1", "x@e.example", NULL);
    assert_string_equal(o.explanation,
                        "e.example does not designate 192.0.2.1 as permitted sender");
    spf_outcome_clear(&o);
}

static void test_multiple_records_and_temperror(void **state)
{
    (void)state;
    expect("t.example TXT \"v=spf1 -all\"\nt.example TXT \"v=spf1 +all\"\n", "192.0.2.1",
           "x@t.example", SPF_RESULT_PERMERROR, NULL);
    expect("t.example TXT \"v=spf1 a:slow.example -all\"\nslow.example TIMEOUT\n", "192.0.2.1",
           "x@t.example", SPF_RESULT_TEMPERROR, NULL);
    expect("t.example TIMEOUT\n", "192.0.2.1", "x@t.example", SPF_RESULT_TEMPERROR, NULL);
}

static void test_query_init_4_1_and_7_3(void **state)
{
    (void)state;
    struct spf_query q;
    char *error = NULL;
    struct spf_request req = {.client_ip = "2001:DB8::CB01", .sender = "@example.net"};
    assert_true(spf_query_init(&q, &req, &error));
    assert_true(q.is_ip6);
    assert_string_equal(q.ip_dotted,
                        "2.0.0.1.0.D.B.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.C.B.0.1");
    assert_string_equal(q.ip_readable, "2001:db8::cb01");
    assert_string_equal(q.local, "postmaster"); /* 4.3: empty local-part */
    assert_string_equal(q.sender, "postmaster@example.net");
    assert_string_equal(q.receiver, "unknown");
    assert_int_equal(q.identity, SPF_IDENTITY_MAILFROM);
    spf_query_clear(&q);
    req = (struct spf_request){
        .client_ip = "::ffff:192.0.2.3", .sender = "", .helo = "mx.x.org", .now = -5};
    assert_true(spf_query_init(&q, &req, &error));
    assert_false(q.is_ip6);
    assert_string_equal(q.ip_dotted, "192.0.2.3");
    assert_string_equal(q.sender, "postmaster@mx.x.org");
    assert_string_equal(q.domain, "mx.x.org");
    assert_string_equal(q.timestamp, "-5");
    assert_int_equal(q.identity, SPF_IDENTITY_HELO);
    spf_query_clear(&q);
    req = (struct spf_request){.client_ip = "192.0.2.300", .sender = "a@b.example"};
    assert_false(spf_query_init(&q, &req, &error));
    assert_string_equal(error, "'192.0.2.300' is not an IPv4 or IPv6 address");
    free(error);
    req = (struct spf_request){.client_ip = "192.0.2.1", .sender = "nodomain"};
    assert_false(spf_query_init(&q, &req, &error));
    assert_string_equal(error, "sender 'nodomain' has no domain part");
    free(error);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_results_and_mechanism),
        cmocka_unit_test(test_immediate_none_without_dns),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_lookup_limit_4_6_4),
        cmocka_unit_test(test_void_limit_4_6_4),
        cmocka_unit_test(test_void_counts_terms_not_mx_hosts),
        cmocka_unit_test(test_mx_limit_4_6_4),
        cmocka_unit_test(test_explanation_6_2),
        cmocka_unit_test(test_multiple_records_and_temperror),
        cmocka_unit_test(test_query_init_4_1_and_7_3),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
