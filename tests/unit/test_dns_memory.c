/*
 * Unit tests for src/net/dns_memory and dns_zonefile: answer classification (NXDOMAIN,
 * NODATA, TIMEOUT as DNS_TEMPFAIL, CNAME chains and loops, multi-string TXT, type 99) and the
 * asynchronous contract (no callback inside dns_query, cancel, FIFO delivery).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns_memory.h"
#include "dns_zonefile.h"

struct answer {
    int calls;
    enum dns_status status;
    size_t n_rrs;
    char text[256]; /* first rr rendered */
    char owner[256];
    char raw[64]; /* first TXT string, byte for byte */
    size_t raw_len;
};

static void record(const struct dns_result *r, void *arg)
{
    struct answer *a = arg;
    a->calls++;
    a->status = r->status;
    a->n_rrs = r->n_rrs;
    a->text[0] = a->owner[0] = '\0';
    if (r->n_rrs == 0)
        return;
    const struct dns_rr *rr = &r->rrs[0];
    snprintf(a->owner, sizeof(a->owner), "%s", rr->owner);
    switch (rr->type) {
    case DNS_TYPE_A:
        inet_ntop(AF_INET, &rr->u.a, a->text, sizeof(a->text));
        break;
    case DNS_TYPE_AAAA:
        inet_ntop(AF_INET6, &rr->u.aaaa, a->text, sizeof(a->text));
        break;
    case DNS_TYPE_MX:
        snprintf(a->text, sizeof(a->text), "%u %s", rr->u.mx.preference, rr->u.mx.exchange);
        break;
    case DNS_TYPE_TXT:
    case DNS_TYPE_SPF: {
        size_t n = 0;
        a->raw_len = rr->u.txt.lengths[0] < sizeof(a->raw) ? rr->u.txt.lengths[0] : 0;
        memcpy(a->raw, rr->u.txt.strings[0], a->raw_len);
        for (size_t i = 0; i < rr->u.txt.n_strings; i++) {
            n += (size_t)snprintf(a->text + n, sizeof(a->text) - n, "[%.*s]",
                                  (int)rr->u.txt.lengths[i], rr->u.txt.strings[i]);
        }
        break;
    }
    default:
        snprintf(a->text, sizeof(a->text), "%s", rr->u.target);
    }
}

static struct answer ask(struct dns_memory *zone, struct dns_resolver *r, const char *name,
                         enum dns_rr_type type)
{
    struct answer a = {0};
    uint64_t id = dns_query(r, name, type, record, &a);
    assert_true(id != 0);
    assert_int_equal(a.calls, 0); /* never inside dns_query */
    dns_memory_run(zone);
    assert_int_equal(a.calls, 1);
    return a;
}

static const char zone_text[] =
    "# a comment line\n"
    "example.com.  TXT \"v=spf1 \" \"ip4:192.0.2.0/24 -all\"   # two strings, one record\n"
    "example.com   SPF \"v=spf1 -all\"\n"
    "example.com   MX  10 mail.example.com.\n"
    "Mail.Example.COM A 192.0.2.10\n"
    "mail.example.com AAAA 2001:db8::10\n"
    "alias.example.com CNAME mail.example.com\n"
    "loop.example.com CNAME loop2.example.com\n"
    "loop2.example.com CNAME loop.example.com\n"
    "10.2.0.192.in-addr.arpa PTR mail.example.com.\n"
    "slow.example.com TIMEOUT\n"
    "slow.example.com TXT \"v=spf1 -all\"\n"
    "empty.example.com EXISTS\n"
    "nul.example.com TXT \"a\\000b\" bare\n";

static void setup_zone(struct dns_memory **zone, struct dns_resolver *r)
{
    *zone = dns_memory_new();
    char *error = NULL;
    if (!dns_zonefile_parse(*zone, zone_text, sizeof(zone_text) - 1, &error))
        fail_msg("zone: %s", error);
    dns_memory_resolver(*zone, r);
}

static void test_answers(void **state)
{
    (void)state;
    struct dns_memory *zone;
    struct dns_resolver r;
    setup_zone(&zone, &r);
    struct answer a = ask(zone, &r, "EXAMPLE.com.", DNS_TYPE_TXT);
    assert_int_equal(a.status, DNS_OK);
    assert_string_equal(a.text, "[v=spf1 ][ip4:192.0.2.0/24 -all]");
    a = ask(zone, &r, "example.com", DNS_TYPE_SPF);
    assert_string_equal(a.text, "[v=spf1 -all]");
    a = ask(zone, &r, "example.com", DNS_TYPE_MX);
    assert_string_equal(a.text, "10 mail.example.com.");
    a = ask(zone, &r, "example.com", DNS_TYPE_A);
    assert_int_equal(a.status, DNS_NODATA);
    a = ask(zone, &r, "nowhere.example.com", DNS_TYPE_A);
    assert_int_equal(a.status, DNS_NXDOMAIN);
    a = ask(zone, &r, "empty.example.com", DNS_TYPE_A);
    assert_int_equal(a.status, DNS_NODATA);
    a = ask(zone, &r, "slow.example.com", DNS_TYPE_A);
    assert_int_equal(a.status, DNS_TEMPFAIL);
    a = ask(zone, &r, "slow.example.com", DNS_TYPE_TXT);
    assert_int_equal(a.status, DNS_OK);
    a = ask(zone, &r, "10.2.0.192.in-addr.arpa", DNS_TYPE_PTR);
    assert_string_equal(a.text, "mail.example.com.");
    a = ask(zone, &r, "nul.example.com", DNS_TYPE_TXT);
    assert_int_equal(a.n_rrs, 1);
    assert_int_equal(a.raw_len, 3);
    assert_memory_equal(a.raw, "a\0b", 3);
    dns_resolver_destroy(&r);
}

static void test_cname(void **state)
{
    (void)state;
    struct dns_memory *zone;
    struct dns_resolver r;
    setup_zone(&zone, &r);
    struct answer a = ask(zone, &r, "alias.example.com", DNS_TYPE_AAAA);
    assert_int_equal(a.status, DNS_OK);
    assert_string_equal(a.text, "2001:db8::10");
    assert_string_equal(a.owner, "mail.example.com");
    a = ask(zone, &r, "alias.example.com", DNS_TYPE_CNAME);
    assert_string_equal(a.text, "mail.example.com");
    a = ask(zone, &r, "alias.example.com", DNS_TYPE_TXT);
    assert_int_equal(a.status, DNS_NODATA);
    a = ask(zone, &r, "loop.example.com", DNS_TYPE_A);
    assert_int_equal(a.status, DNS_TEMPFAIL);
    dns_resolver_destroy(&r);
}

struct chain {
    struct dns_resolver *r;
    int order[4];
    int n;
};

static void chain_second(const struct dns_result *res, void *arg)
{
    struct chain *c = arg;
    c->order[c->n++] = 2;
}

static void chain_first(const struct dns_result *res, void *arg)
{
    struct chain *c = arg;
    c->order[c->n++] = 1;
    dns_query(c->r, "example.com", DNS_TYPE_MX, chain_second, c);
    assert_int_equal(c->n, 1); /* the follow-up is deferred too */
}

static void test_async_contract(void **state)
{
    (void)state;
    struct dns_memory *zone;
    struct dns_resolver r;
    setup_zone(&zone, &r);
    struct chain c = {.r = &r};
    struct answer cancelled = {0};
    dns_query(&r, "example.com", DNS_TYPE_TXT, chain_first, &c);
    uint64_t id = dns_query(&r, "example.com", DNS_TYPE_TXT, record, &cancelled);
    dns_cancel(&r, id);
    assert_int_equal(dns_memory_run(zone), 2);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.order[0], 1);
    assert_int_equal(c.order[1], 2);
    assert_int_equal(cancelled.calls, 0);
    assert_false(dns_memory_step(zone));
    /* destroying with a query pending drops it without a callback */
    dns_query(&r, "example.com", DNS_TYPE_TXT, record, &cancelled);
    dns_resolver_destroy(&r);
    assert_int_equal(cancelled.calls, 0);
}

static void test_zonefile_errors(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"a.example A 1.2.3\n", "line 1: bad IPv4 address"},
        {"\n\na.example MX x mail\n", "line 3: bad MX preference"},
        {"a.example TXT \"open\n", "line 1: unterminated or malformed quoted string"},
        {"a.example WKS x\n", "line 1: unknown type or wrong number of values"},
        {"a.example\n", "line 1: a record needs a name and a type"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct dns_memory *zone = dns_memory_new();
        char *error = NULL;
        assert_false(dns_zonefile_parse(zone, bad[i][0], strlen(bad[i][0]), &error));
        if (strcmp(error, bad[i][1]) != 0)
            fail_msg("got \"%s\", want \"%s\"", error, bad[i][1]);
        free(error);
        dns_memory_free(zone);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_cname),
        cmocka_unit_test(test_async_contract),
        cmocka_unit_test(test_zonefile_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
