/*
 * Unit tests for src/deliver/deliver_route: MX ordering with a pinned random source, and whole
 * routes against an in-memory DNS fake that answers from the event loop (never inside
 * dns_query(), as the dns.h contract requires).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deliver_route.h"

/* ---- the DNS fake ---- */

#define FAKE_MAX_RECORDS 32
#define FAKE_MAX_QUERIES 64

struct fake_record {
    const char *name;
    enum dns_rr_type type;
    enum dns_status status; /* for TEMPFAIL entries; DNS_OK for data */
    const char *data;       /* "10 mx1.x.test" for MX, an address for A/AAAA */
};

struct fake_query {
    struct fake_dns *dns;
    uint64_t id;
    char name[300];
    enum dns_rr_type type;
    dns_callback_fn *cb;
    void *arg;
    struct event *ev;
};

struct fake_dns {
    struct event_base *base;
    struct fake_record records[FAKE_MAX_RECORDS];
    size_t n_records;
    struct fake_query queries[FAKE_MAX_QUERIES];
    size_t n_queries;
    size_t cancelled;
};

static void fake_add(struct fake_dns *f, const char *name, enum dns_rr_type type, const char *data)
{
    assert_true(f->n_records < FAKE_MAX_RECORDS);
    f->records[f->n_records++] = (struct fake_record){name, type, DNS_OK, data};
}

static void fake_tempfail(struct fake_dns *f, const char *name, enum dns_rr_type type)
{
    assert_true(f->n_records < FAKE_MAX_RECORDS);
    f->records[f->n_records++] = (struct fake_record){name, type, DNS_TEMPFAIL, NULL};
}

static void fake_answer(evutil_socket_t fd, short what, void *arg)
{
    struct fake_query *q = arg;
    struct fake_dns *f = q->dns;
    struct dns_rr rrs[FAKE_MAX_RECORDS];
    struct dns_result r = {.status = DNS_NXDOMAIN, .rrs = rrs};
    for (size_t i = 0; i < f->n_records; i++) {
        const struct fake_record *rec = &f->records[i];
        if (strcasecmp(rec->name, q->name) != 0)
            continue;
        if (r.status == DNS_NXDOMAIN)
            r.status = DNS_NODATA;
        if (rec->type != q->type)
            continue;
        if (rec->status != DNS_OK) {
            r.status = rec->status;
            r.error = "fake failure";
            break;
        }
        struct dns_rr *rr = &rrs[r.n_rrs++];
        memset(rr, 0, sizeof(*rr));
        rr->type = rec->type;
        rr->owner = (char *)rec->name;
        if (rec->type == DNS_TYPE_MX) {
            char *end;
            rr->u.mx.preference = (uint16_t)strtoul(rec->data, &end, 10);
            rr->u.mx.exchange = end + 1;
        } else if (rec->type == DNS_TYPE_A) {
            inet_pton(AF_INET, rec->data, &rr->u.a);
        } else {
            inet_pton(AF_INET6, rec->data, &rr->u.aaaa);
        }
        r.status = DNS_OK;
    }
    event_free(q->ev);
    q->ev = NULL;
    q->cb(&r, q->arg);
}

static uint64_t fake_query_op(void *impl, const char *name, enum dns_rr_type type,
                              dns_callback_fn *cb, void *arg)
{
    struct fake_dns *f = impl;
    assert_true(f->n_queries < FAKE_MAX_QUERIES);
    struct fake_query *q = &f->queries[f->n_queries];
    q->dns = f;
    q->id = 1000 + f->n_queries++;
    snprintf(q->name, sizeof(q->name), "%s", name);
    q->type = type;
    q->cb = cb;
    q->arg = arg;
    q->ev = event_new(f->base, -1, 0, fake_answer, q);
    event_active(q->ev, 0, 0);
    return q->id;
}

static void fake_cancel_op(void *impl, uint64_t id)
{
    struct fake_dns *f = impl;
    for (size_t i = 0; i < f->n_queries; i++) {
        if (f->queries[i].id == id && f->queries[i].ev != NULL) {
            event_free(f->queries[i].ev);
            f->queries[i].ev = NULL;
            f->cancelled++;
        }
    }
}

static void fake_destroy_op(void *impl)
{
}

static const struct dns_resolver_ops fake_ops = {fake_query_op, fake_cancel_op, fake_destroy_op};

/* ---- pinned randomness ---- */

struct pinned {
    const uint32_t *values;
    size_t n, next;
};

static uint32_t pinned_random(void *ctx)
{
    struct pinned *p = ctx;
    uint32_t v = p->values[p->next % p->n];
    p->next++;
    return v;
}

/* ---- running a route ---- */

struct outcome {
    bool done;
    enum smtp_client_status status;
    char enhanced[SMTP_CLIENT_ENHANCED_SIZE];
    char error[256];
    bool implicit_mx;
    char hosts[8][64];
    size_t n_hosts;
    char addrs[16][80]; /* "host ip port" */
    size_t n_addrs;
};

static void on_route(const struct deliver_route *r, void *arg)
{
    struct outcome *o = arg;
    o->done = true;
    o->status = r->status;
    snprintf(o->enhanced, sizeof(o->enhanced), "%s", r->enhanced);
    snprintf(o->error, sizeof(o->error), "%s", r->error ? r->error : "");
    o->implicit_mx = r->implicit_mx;
    for (size_t i = 0; i < r->n_hosts && i < 8; i++)
        snprintf(o->hosts[o->n_hosts++], 64, "%s", r->hosts[i].name);
    for (size_t i = 0; i < r->n_addrs && i < 16; i++) {
        const struct deliver_route_addr *a = &r->addrs[i];
        unsigned port = a->sa.ss_family == AF_INET
                            ? ntohs(((const struct sockaddr_in *)&a->sa)->sin_port)
                            : ntohs(((const struct sockaddr_in6 *)&a->sa)->sin6_port);
        snprintf(o->addrs[o->n_addrs++], 80, "%s %s %u", r->hosts[a->host].name, a->ip, port);
    }
}

struct bed {
    struct event_base *base;
    struct fake_dns dns;
    struct dns_resolver resolver;
};

static int bed_setup(void **state)
{
    struct bed *b = calloc(1, sizeof(*b));
    b->base = event_base_new();
    b->dns.base = b->base;
    b->resolver = (struct dns_resolver){&fake_ops, &b->dns};
    *state = b;
    return 0;
}

static int bed_teardown(void **state)
{
    struct bed *b = *state;
    for (size_t i = 0; i < b->dns.n_queries; i++) {
        if (b->dns.queries[i].ev)
            event_free(b->dns.queries[i].ev);
    }
    event_base_free(b->base);
    free(b);
    return 0;
}

static const uint32_t zeros[] = {0};

static struct outcome route(struct bed *b, const char *domain, struct deliver_route_options *opt)
{
    struct pinned p = {zeros, 1, 0};
    struct deliver_route_options o = {.random = pinned_random, .random_ctx = &p};
    if (opt != NULL) {
        o = *opt;
        if (o.random == NULL) {
            o.random = pinned_random;
            o.random_ctx = &p;
        }
    }
    struct outcome out = {0};
    deliver_route_start(b->base, &b->resolver, domain, &o, on_route, &out);
    assert_false(out.done); /* never inside the call */
    event_base_dispatch(b->base);
    assert_true(out.done);
    return out;
}

static void assert_route_status(const struct outcome *o, enum smtp_client_status status,
                                const char *enhanced)
{
    if (o->status != status || strcmp(o->enhanced, enhanced) != 0)
        fail_msg("got %s %s (%s), want %s %s", smtp_client_status_name(o->status), o->enhanced,
                 o->error, smtp_client_status_name(status), enhanced);
}

static void assert_addrs(const struct outcome *o, const char *const *want, size_t n)
{
    if (o->n_addrs != n)
        fail_msg("got %zu addresses, want %zu", o->n_addrs, n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(o->addrs[i], want[i]) != 0)
            fail_msg("address %zu: got '%s', want '%s'", i, o->addrs[i], want[i]);
    }
}

/* ---- ordering ---- */

static void order_names(struct deliver_route_host *h, size_t n, char *out)
{
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        strcat(out, h[i].name);
}

static void test_order_by_preference_then_pinned_shuffle(void **state)
{
    (void)state;
    struct deliver_route_host h[] = {{"e", 30}, {"a", 10}, {"b", 10}, {"c", 10}, {"x", 20}};
    /* run a,b,c: i=2 picks j=0+0%3=0 (swap c,a -> c b a); i=1 picks j=0 (swap -> b c a) */
    struct pinned p = {zeros, 1, 0};
    deliver_route_order(h, 5, pinned_random, &p);
    char got[16];
    order_names(h, 5, got);
    assert_string_equal(got, "bcaxe");
}

static void test_order_identity_shuffle(void **state)
{
    (void)state;
    /* random returning i - start at each step leaves the run as sorted (stably) */
    struct deliver_route_host h[] = {{"c", 5}, {"a", 1}, {"b", 1}, {"d", 5}};
    static const uint32_t keep[] = {1, 1};
    struct pinned p = {keep, 2, 0};
    deliver_route_order(h, 4, pinned_random, &p);
    char got[16];
    order_names(h, 4, got);
    assert_string_equal(got, "abcd");
}

static void test_order_reaches_every_permutation_of_equal_hosts(void **state)
{
    (void)state;
    /* Two random draws per run of 3: all 3 x 2 value pairs give the 6 orders, each once. */
    char seen[6][8];
    size_t n_seen = 0;
    for (uint32_t r1 = 0; r1 < 3; r1++) {
        for (uint32_t r2 = 0; r2 < 2; r2++) {
            struct deliver_route_host h[] = {{"z", 50}, {"a", 7}, {"b", 7}, {"c", 7}};
            const uint32_t values[] = {r1, r2};
            struct pinned p = {values, 2, 0};
            deliver_route_order(h, 4, pinned_random, &p);
            assert_string_equal(h[3].name, "z"); /* preference order always holds */
            char got[8];
            order_names(h, 3, got);
            for (size_t i = 0; i < n_seen; i++) {
                if (strcmp(seen[i], got) == 0)
                    fail_msg("order %s reached twice", got);
            }
            snprintf(seen[n_seen++], sizeof(seen[0]), "%s", got);
        }
    }
    assert_int_equal(n_seen, 6);
}

/* ---- whole routes ---- */

static void test_mx_hosts_and_addresses_in_order(void **state)
{
    struct bed *b = *state;
    fake_add(&b->dns, "x.test", DNS_TYPE_MX, "20 mx3.x.test");
    fake_add(&b->dns, "x.test", DNS_TYPE_MX, "10 mx1.x.test");
    fake_add(&b->dns, "x.test", DNS_TYPE_MX, "10 mx2.x.test");
    fake_add(&b->dns, "mx1.x.test", DNS_TYPE_A, "192.0.2.1");
    fake_add(&b->dns, "mx1.x.test", DNS_TYPE_AAAA, "2001:db8::1");
    fake_add(&b->dns, "mx2.x.test", DNS_TYPE_A, "192.0.2.2");
    fake_add(&b->dns, "mx2.x.test", DNS_TYPE_A, "192.0.2.22");
    fake_add(&b->dns, "mx3.x.test", DNS_TYPE_AAAA, "2001:db8::3");
    struct outcome o = route(b, "X.test.", NULL);
    assert_route_status(&o, SMTP_CLIENT_OK, "");
    assert_false(o.implicit_mx);
    /* pinned random 0 swaps the two preference-10 hosts: mx2 first */
    const char *want[] = {"mx2.x.test 192.0.2.2 25", "mx2.x.test 192.0.2.22 25",
                          "mx1.x.test 192.0.2.1 25", "mx1.x.test 2001:db8::1 25",
                          "mx3.x.test 2001:db8::3 25"};
    assert_addrs(&o, want, 5);
}

static void test_test_bed_port_and_limits(void **state)
{
    struct bed *b = *state;
    fake_add(&b->dns, "x.test", DNS_TYPE_MX, "10 mx1.x.test");
    fake_add(&b->dns, "x.test", DNS_TYPE_MX, "20 mx2.x.test");
    fake_add(&b->dns, "x.test", DNS_TYPE_MX, "30 mx3.x.test");
    fake_add(&b->dns, "mx1.x.test", DNS_TYPE_A, "192.0.2.1");
    fake_add(&b->dns, "mx1.x.test", DNS_TYPE_A, "192.0.2.11");
    fake_add(&b->dns, "mx2.x.test", DNS_TYPE_A, "192.0.2.2");
    fake_add(&b->dns, "mx2.x.test", DNS_TYPE_A, "192.0.2.22");
    fake_add(&b->dns, "mx3.x.test", DNS_TYPE_A, "192.0.2.3");
    struct deliver_route_options opt = {.max_hosts = 2, .max_addrs = 3, .port = 2525};
    struct outcome o = route(b, "x.test", &opt);
    assert_route_status(&o, SMTP_CLIENT_OK, "");
    assert_int_equal(o.n_hosts, 2); /* mx3 was never asked */
    const char *want[] = {"mx1.x.test 192.0.2.1 2525", "mx1.x.test 192.0.2.11 2525",
                          "mx2.x.test 192.0.2.2 2525"};
    assert_addrs(&o, want, 3);
    for (size_t i = 0; i < b->dns.n_queries; i++)
        assert_string_not_equal(b->dns.queries[i].name, "mx3.x.test");
}

static void test_implicit_mx_rfc5321_5_1(void **state)
{
    struct bed *b = *state;
    fake_add(&b->dns, "plain.test", DNS_TYPE_A, "192.0.2.9");
    fake_add(&b->dns, "plain.test", DNS_TYPE_AAAA, "2001:db8::9");
    struct outcome o = route(b, "plain.test", NULL);
    assert_route_status(&o, SMTP_CLIENT_OK, "");
    assert_true(o.implicit_mx);
    const char *want[] = {"plain.test 192.0.2.9 25", "plain.test 2001:db8::9 25"};
    assert_addrs(&o, want, 2);
}

static void test_null_mx_rfc7505(void **state)
{
    struct bed *b = *state;
    fake_add(&b->dns, "nomail.test", DNS_TYPE_MX, "0 .");
    fake_add(&b->dns, "nomail.test", DNS_TYPE_A, "192.0.2.9");
    struct outcome o = route(b, "nomail.test", NULL);
    assert_route_status(&o, SMTP_CLIENT_PERMANENT, "5.1.10");
    assert_int_equal(o.n_addrs, 0);
    assert_int_equal(b->dns.n_queries, 1); /* the A record is never asked */
}

static void test_root_mx_beside_real_ones_is_skipped(void **state)
{
    struct bed *b = *state;
    fake_add(&b->dns, "odd.test", DNS_TYPE_MX, "0 .");
    fake_add(&b->dns, "odd.test", DNS_TYPE_MX, "10 mx.odd.test");
    fake_add(&b->dns, "mx.odd.test", DNS_TYPE_A, "192.0.2.5");
    struct outcome o = route(b, "odd.test", NULL);
    assert_route_status(&o, SMTP_CLIENT_OK, "");
    const char *want[] = {"mx.odd.test 192.0.2.5 25"};
    assert_addrs(&o, want, 1);
}

static void test_nxdomain_is_permanent(void **state)
{
    struct bed *b = *state;
    struct outcome o = route(b, "nowhere.test", NULL);
    assert_route_status(&o, SMTP_CLIENT_PERMANENT, "5.1.2");
}

static void test_mx_tempfail_is_temporary(void **state)
{
    struct bed *b = *state;
    fake_tempfail(&b->dns, "slow.test", DNS_TYPE_MX);
    struct outcome o = route(b, "slow.test", NULL);
    assert_route_status(&o, SMTP_CLIENT_TEMPORARY, "4.4.3");
}

static void test_no_address_anywhere(void **state)
{
    struct bed *b = *state;
    fake_add(&b->dns, "lame.test", DNS_TYPE_MX, "10 gone.lame.test");
    struct outcome o = route(b, "lame.test", NULL);
    assert_route_status(&o, SMTP_CLIENT_PERMANENT, "5.4.4");
    fake_add(&b->dns, "bare.test", DNS_TYPE_TXT, "");
    o = route(b, "bare.test", NULL); /* exists, no MX, no address */
    assert_route_status(&o, SMTP_CLIENT_PERMANENT, "5.1.2");
}

static void test_address_tempfail_is_temporary(void **state)
{
    struct bed *b = *state;
    fake_add(&b->dns, "half.test", DNS_TYPE_MX, "10 mx.half.test");
    fake_tempfail(&b->dns, "mx.half.test", DNS_TYPE_A);
    struct outcome o = route(b, "half.test", NULL);
    assert_route_status(&o, SMTP_CLIENT_TEMPORARY, "4.4.3");
    /* one host failing temporarily does not stop the others */
    fake_add(&b->dns, "two.test", DNS_TYPE_MX, "10 mx.half.test");
    fake_add(&b->dns, "two.test", DNS_TYPE_MX, "20 mx.two.test");
    fake_add(&b->dns, "mx.two.test", DNS_TYPE_A, "192.0.2.7");
    o = route(b, "two.test", NULL);
    assert_route_status(&o, SMTP_CLIENT_OK, "");
    const char *want[] = {"mx.two.test 192.0.2.7 25"};
    assert_addrs(&o, want, 1);
}

static void test_bad_domain_is_permanent_and_asks_nothing(void **state)
{
    struct bed *b = *state;
    struct outcome o = route(b, "bad domain..test", NULL);
    assert_route_status(&o, SMTP_CLIENT_PERMANENT, "5.1.2");
    assert_int_equal(b->dns.n_queries, 0);
}

static void test_cancel_stops_callback_and_queries(void **state)
{
    struct bed *b = *state;
    fake_add(&b->dns, "x.test", DNS_TYPE_MX, "10 mx1.x.test");
    struct outcome out = {0};
    struct deliver_route_lookup *l =
        deliver_route_start(b->base, &b->resolver, "x.test", NULL, on_route, &out);
    deliver_route_cancel(l);
    event_base_dispatch(b->base);
    assert_false(out.done);
    assert_int_equal(b->dns.cancelled, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_by_preference_then_pinned_shuffle),
        cmocka_unit_test(test_order_identity_shuffle),
        cmocka_unit_test(test_order_reaches_every_permutation_of_equal_hosts),
        cmocka_unit_test_setup_teardown(test_mx_hosts_and_addresses_in_order, bed_setup,
                                        bed_teardown),
        cmocka_unit_test_setup_teardown(test_test_bed_port_and_limits, bed_setup, bed_teardown),
        cmocka_unit_test_setup_teardown(test_implicit_mx_rfc5321_5_1, bed_setup, bed_teardown),
        cmocka_unit_test_setup_teardown(test_null_mx_rfc7505, bed_setup, bed_teardown),
        cmocka_unit_test_setup_teardown(test_root_mx_beside_real_ones_is_skipped, bed_setup,
                                        bed_teardown),
        cmocka_unit_test_setup_teardown(test_nxdomain_is_permanent, bed_setup, bed_teardown),
        cmocka_unit_test_setup_teardown(test_mx_tempfail_is_temporary, bed_setup, bed_teardown),
        cmocka_unit_test_setup_teardown(test_no_address_anywhere, bed_setup, bed_teardown),
        cmocka_unit_test_setup_teardown(test_address_tempfail_is_temporary, bed_setup,
                                        bed_teardown),
        cmocka_unit_test_setup_teardown(test_bad_domain_is_permanent_and_asks_nothing, bed_setup,
                                        bed_teardown),
        cmocka_unit_test_setup_teardown(test_cancel_stops_callback_and_queries, bed_setup,
                                        bed_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
