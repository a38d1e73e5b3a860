/*
 * Unit tests for src/net/dns_cache: a pinned clock and a fake inner resolver that records the
 * questions it gets and answers only when the test says so.
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

#include "dns_cache.h"

/* ---- the fake inner resolver ---- */

#define FAKE_MAX 16

struct fake_query {
    uint64_t id;
    char name[300];
    enum dns_rr_type type;
    dns_callback_fn *cb;
    void *arg;
    bool live; /* asked, neither answered nor cancelled */
};

struct fake {
    struct fake_query q[FAKE_MAX];
    size_t n;
    size_t cancelled;
    bool destroyed;
};

static uint64_t fake_query_op(void *impl, const char *name, enum dns_rr_type type,
                              dns_callback_fn *cb, void *arg)
{
    struct fake *f = impl;
    assert_true(f->n < FAKE_MAX);
    struct fake_query *q = &f->q[f->n];
    q->id = 100 + f->n;
    snprintf(q->name, sizeof(q->name), "%s", name);
    q->type = type;
    q->cb = cb;
    q->arg = arg;
    q->live = true;
    f->n++;
    return q->id;
}

static void fake_cancel_op(void *impl, uint64_t id)
{
    struct fake *f = impl;
    for (size_t i = 0; i < f->n; i++) {
        if (f->q[i].id == id && f->q[i].live) {
            f->q[i].live = false;
            f->cancelled++;
        }
    }
}

static void fake_destroy_op(void *impl)
{
    struct fake *f = impl;
    f->destroyed = true;
}

static const struct dns_resolver_ops fake_ops = {fake_query_op, fake_cancel_op, fake_destroy_op};

/* Answers the i-th question asked of the fake (from test code, i.e. outside dns_query). */
static void fake_answer(struct fake *f, size_t i, const struct dns_result *r)
{
    assert_true(i < f->n);
    assert_true(f->q[i].live);
    f->q[i].live = false;
    f->q[i].cb(r, f->q[i].arg);
}

/* ---- results the fake hands back ---- */

static struct dns_rr a_rr(uint32_t ttl, uint32_t addr)
{
    struct dns_rr rr;
    memset(&rr, 0, sizeof(rr));
    rr.type = DNS_TYPE_A;
    rr.ttl = ttl;
    rr.owner = "example.test";
    rr.u.a.s_addr = htonl(addr);
    return rr;
}

/* ---- what the cache's caller saw ---- */

struct seen {
    int calls;
    enum dns_status status;
    size_t n_rrs;
    uint32_t ttl;      /* of the first record */
    uint32_t addr;     /* of the first record, host order */
    bool has_negative; /* has_negative_ttl */
    uint32_t negative_ttl;
};

static void on_answer(const struct dns_result *r, void *arg)
{
    struct seen *s = arg;
    s->calls++;
    s->status = r->status;
    s->n_rrs = r->n_rrs;
    s->ttl = r->n_rrs ? r->rrs[0].ttl : 0;
    s->addr = r->n_rrs ? ntohl(r->rrs[0].u.a.s_addr) : 0;
    s->has_negative = r->has_negative_ttl;
    s->negative_ttl = r->negative_ttl;
}

/* ---- fixture ---- */

struct fixture {
    struct event_base *base;
    struct fake fake;
    int64_t now_ms;
    struct dns_resolver cache;
};

static struct fixture *fixture_new(size_t max_entries, uint32_t negative_ttl)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    fx->base = event_base_new();
    fx->now_ms = 1700000000000LL;
    struct dns_cache_options o = {clock_fixed(&fx->now_ms), max_entries, negative_ttl};
    struct dns_resolver inner = {&fake_ops, &fx->fake};
    dns_cache_new(fx->base, inner, &o, &fx->cache);
    return fx;
}

static void fixture_free(struct fixture *fx)
{
    dns_resolver_destroy(&fx->cache);
    assert_true(fx->fake.destroyed);
    event_base_free(fx->base);
    free(fx);
}

static void run_loop(struct fixture *fx)
{
    event_base_loop(fx->base, EVLOOP_NONBLOCK);
}

/* Asks the cache for A example.test and answers from the fake if it asked it. */
static void ask(struct fixture *fx, const char *name, struct seen *s)
{
    dns_query(&fx->cache, name, DNS_TYPE_A, on_answer, s);
    run_loop(fx);
}

static void answer_last_a(struct fixture *fx, uint32_t ttl, uint32_t addr)
{
    struct dns_rr rr = a_rr(ttl, addr);
    struct dns_result r = {.status = DNS_OK, .n_rrs = 1, .rrs = &rr};
    fake_answer(&fx->fake, fx->fake.n - 1, &r);
}

/* ---- tests ---- */

static void test_positive_answer_cached_until_ttl(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(0, 0);
    struct seen s1 = {0}, s2 = {0}, s3 = {0}, s4 = {0};
    ask(fx, "example.test", &s1);
    assert_int_equal(fx->fake.n, 1);
    assert_string_equal(fx->fake.q[0].name, "example.test");
    answer_last_a(fx, 60, 0xC0000201);
    assert_int_equal(s1.calls, 1);
    assert_int_equal(s1.ttl, 60);

    fx->now_ms += 20000;
    ask(fx, "example.test", &s2);
    assert_int_equal(fx->fake.n, 1); /* from memory */
    assert_int_equal(s2.calls, 1);
    assert_int_equal(s2.status, DNS_OK);
    assert_int_equal(s2.addr, 0xC0000201);
    assert_int_equal(s2.ttl, 40); /* counts down */

    fx->now_ms += 39999;
    ask(fx, "example.test", &s3);
    assert_int_equal(fx->fake.n, 1);
    assert_int_equal(s3.ttl, 0);

    fx->now_ms += 1; /* exactly 60 s after the answer: expired */
    ask(fx, "example.test", &s4);
    assert_int_equal(fx->fake.n, 2);
    assert_int_equal(s4.calls, 0);
    answer_last_a(fx, 60, 0xC0000202);
    assert_int_equal(s4.addr, 0xC0000202);
    fixture_free(fx);
}

static void test_hit_is_never_delivered_inside_query(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(0, 0);
    struct seen s1 = {0}, s2 = {0};
    ask(fx, "example.test", &s1);
    answer_last_a(fx, 60, 1);
    dns_query(&fx->cache, "example.test", DNS_TYPE_A, on_answer, &s2);
    assert_int_equal(s2.calls, 0);
    run_loop(fx);
    assert_int_equal(s2.calls, 1);
    fixture_free(fx);
}

static void test_smallest_ttl_of_the_records_rules(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(0, 0);
    struct seen s1 = {0}, s2 = {0};
    ask(fx, "example.test", &s1);
    struct dns_rr rrs[2] = {a_rr(300, 1), a_rr(30, 2)};
    struct dns_result r = {.status = DNS_OK, .n_rrs = 2, .rrs = rrs};
    fake_answer(&fx->fake, 0, &r);
    fx->now_ms += 30000;
    ask(fx, "example.test", &s2);
    assert_int_equal(fx->fake.n, 2);
    fixture_free(fx);
}

static void test_name_case_and_trailing_dot_share_an_entry(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(0, 0);
    struct seen s1 = {0}, s2 = {0}, s3 = {0};
    ask(fx, "Example.TEST.", &s1);
    assert_string_equal(fx->fake.q[0].name, "example.test");
    answer_last_a(fx, 60, 1);
    ask(fx, "example.test", &s2);
    ask(fx, "EXAMPLE.test", &s3);
    assert_int_equal(fx->fake.n, 1);
    assert_int_equal(s2.calls + s3.calls, 2);
    /* another type is another question */
    struct seen s4 = {0};
    dns_query(&fx->cache, "example.test", DNS_TYPE_AAAA, on_answer, &s4);
    assert_int_equal(fx->fake.n, 2);
    struct dns_result nodata = {.status = DNS_NODATA};
    fake_answer(&fx->fake, 1, &nodata);
    fixture_free(fx);
}

/* RFC 2308 section 5: NXDOMAIN/NODATA kept for the SOA-derived TTL the answer carried. */
static void test_negative_answer_cached_for_soa_ttl(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(0, 0);
    struct seen s1 = {0}, s2 = {0}, s3 = {0};
    ask(fx, "nope.test", &s1);
    struct dns_result r = {.status = DNS_NXDOMAIN, .has_negative_ttl = true, .negative_ttl = 20};
    fake_answer(&fx->fake, 0, &r);
    assert_int_equal(s1.status, DNS_NXDOMAIN);
    fx->now_ms += 5000;
    ask(fx, "nope.test", &s2);
    assert_int_equal(fx->fake.n, 1);
    assert_int_equal(s2.status, DNS_NXDOMAIN);
    assert_true(s2.has_negative);
    assert_int_equal(s2.negative_ttl, 15);
    fx->now_ms += 15000;
    ask(fx, "nope.test", &s3);
    assert_int_equal(fx->fake.n, 2);
    struct dns_result nodata = {.status = DNS_NODATA};
    fake_answer(&fx->fake, 1, &nodata);
    assert_int_equal(s3.status, DNS_NODATA);
    fixture_free(fx);
}

static void test_negative_without_soa_uses_default(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(0, 7);
    struct seen s1 = {0}, s2 = {0}, s3 = {0};
    ask(fx, "example.test", &s1);
    struct dns_result r = {.status = DNS_NODATA};
    fake_answer(&fx->fake, 0, &r);
    fx->now_ms += 6999;
    ask(fx, "example.test", &s2);
    assert_int_equal(fx->fake.n, 1);
    assert_int_equal(s2.status, DNS_NODATA);
    fx->now_ms += 1;
    ask(fx, "example.test", &s3);
    assert_int_equal(fx->fake.n, 2);
    fake_answer(&fx->fake, 1, &r);
    fixture_free(fx);
}

static void test_ttls_are_capped(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(0, 0);
    struct seen s[4] = {{0}};
    ask(fx, "big.test", &s[0]);
    answer_last_a(fx, 7 * 86400, 1);
    ask(fx, "neg.test", &s[1]);
    struct dns_result r = {.status = DNS_NXDOMAIN, .has_negative_ttl = true, .negative_ttl = 86400};
    fake_answer(&fx->fake, 1, &r);
    fx->now_ms += (int64_t)DNS_CACHE_MAX_NEGATIVE_TTL * 1000;
    ask(fx, "neg.test", &s[2]);
    assert_int_equal(fx->fake.n, 3);
    fake_answer(&fx->fake, 2, &r);
    fx->now_ms += (int64_t)(DNS_CACHE_MAX_TTL - DNS_CACHE_MAX_NEGATIVE_TTL) * 1000;
    ask(fx, "big.test", &s[3]);
    assert_int_equal(fx->fake.n, 4);
    answer_last_a(fx, 60, 1);
    fixture_free(fx);
}

static void test_failures_and_ttl_zero_not_cached(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(0, 0);
    struct seen s = {0};
    struct dns_result temp = {.status = DNS_TEMPFAIL, .error = "DNS query timed out"};
    struct dns_result perm = {.status = DNS_PERMFAIL, .error = "malformed DNS answer"};
    ask(fx, "example.test", &s);
    fake_answer(&fx->fake, 0, &temp);
    assert_int_equal(s.status, DNS_TEMPFAIL);
    ask(fx, "example.test", &s);
    assert_int_equal(fx->fake.n, 2);
    fake_answer(&fx->fake, 1, &perm);
    assert_int_equal(s.status, DNS_PERMFAIL);
    ask(fx, "example.test", &s);
    assert_int_equal(fx->fake.n, 3);
    answer_last_a(fx, 0, 1);
    ask(fx, "example.test", &s);
    assert_int_equal(fx->fake.n, 4);
    answer_last_a(fx, 60, 1);
    assert_int_equal(s.calls, 4);
    struct dns_cache_stats st;
    dns_cache_get_stats(&fx->cache, &st);
    assert_int_equal(st.misses, 4);
    assert_int_equal(st.hits, 0);
    assert_int_equal(st.entries, 1);
    fixture_free(fx);
}

static void test_least_recently_used_is_evicted(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(2, 0);
    struct seen s = {0};
    ask(fx, "a.test", &s);
    answer_last_a(fx, 60, 1);
    ask(fx, "b.test", &s);
    answer_last_a(fx, 60, 2);
    ask(fx, "a.test", &s); /* a becomes the most recently used */
    assert_int_equal(fx->fake.n, 2);
    ask(fx, "c.test", &s);
    answer_last_a(fx, 60, 3); /* full: b goes */
    ask(fx, "a.test", &s);
    ask(fx, "c.test", &s);
    assert_int_equal(fx->fake.n, 3);
    ask(fx, "b.test", &s);
    assert_int_equal(fx->fake.n, 4);
    assert_string_equal(fx->fake.q[3].name, "b.test");
    answer_last_a(fx, 60, 2);
    struct dns_cache_stats st;
    dns_cache_get_stats(&fx->cache, &st);
    assert_int_equal(st.evictions, 2);
    assert_int_equal(st.entries, 2);
    fixture_free(fx);
}

static void test_identical_questions_in_flight_coalesce(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(0, 0);
    struct seen s1 = {0}, s2 = {0}, s3 = {0};
    ask(fx, "example.test", &s1);
    ask(fx, "EXAMPLE.test", &s2);
    ask(fx, "example.test", &s3);
    assert_int_equal(fx->fake.n, 1);
    answer_last_a(fx, 60, 9);
    assert_int_equal(s1.calls, 1);
    assert_int_equal(s2.calls, 1);
    assert_int_equal(s3.calls, 1);
    assert_int_equal(s3.addr, 9);
    struct dns_cache_stats st;
    dns_cache_get_stats(&fx->cache, &st);
    assert_int_equal(st.coalesced, 2);
    fixture_free(fx);
}

static void test_cancel_one_waiter_then_the_last(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(0, 0);
    struct seen s1 = {0}, s2 = {0}, s3 = {0};
    uint64_t id1 = dns_query(&fx->cache, "example.test", DNS_TYPE_A, on_answer, &s1);
    uint64_t id2 = dns_query(&fx->cache, "example.test", DNS_TYPE_A, on_answer, &s2);
    dns_cancel(&fx->cache, id1);
    assert_int_equal(fx->fake.cancelled, 0); /* s2 still wants it */
    dns_cancel(&fx->cache, id2);
    assert_int_equal(fx->fake.cancelled, 1);
    assert_false(fx->fake.q[0].live);
    /* asked again: a new inner question, answered to the new asker only */
    ask(fx, "example.test", &s3);
    assert_int_equal(fx->fake.n, 2);
    answer_last_a(fx, 60, 1);
    assert_int_equal(s1.calls + s2.calls, 0);
    assert_int_equal(s3.calls, 1);
    fixture_free(fx);
}

static void test_cancel_hit_before_delivery(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(0, 0);
    struct seen s1 = {0}, s2 = {0};
    ask(fx, "example.test", &s1);
    answer_last_a(fx, 60, 1);
    uint64_t id = dns_query(&fx->cache, "example.test", DNS_TYPE_A, on_answer, &s2);
    dns_cancel(&fx->cache, id);
    dns_cancel(&fx->cache, 987654); /* unknown ids are ignored */
    run_loop(fx);
    assert_int_equal(s2.calls, 0);
    fixture_free(fx);
}

static void test_destroy_with_pending_fetch_and_hit(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(0, 0);
    struct seen s1 = {0}, s2 = {0}, s3 = {0};
    ask(fx, "a.test", &s1);
    answer_last_a(fx, 60, 1);
    dns_query(&fx->cache, "a.test", DNS_TYPE_A, on_answer, &s2); /* hit, not yet delivered */
    dns_query(&fx->cache, "b.test", DNS_TYPE_A, on_answer, &s3); /* at the fake */
    dns_resolver_destroy(&fx->cache);
    assert_true(fx->fake.destroyed);
    run_loop(fx);
    assert_int_equal(s2.calls + s3.calls, 0);
    event_base_free(fx->base);
    free(fx);
}

struct destroyer {
    struct dns_resolver *cache;
    int calls;
};

static void destroy_on_answer(const struct dns_result *r, void *arg)
{
    struct destroyer *d = arg;
    d->calls++;
    dns_resolver_destroy(d->cache);
}

static void test_destroy_from_inside_a_callback(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(0, 0);
    struct destroyer d1 = {&fx->cache, 0}, d2 = {&fx->cache, 0};
    dns_query(&fx->cache, "example.test", DNS_TYPE_A, destroy_on_answer, &d1);
    dns_query(&fx->cache, "example.test", DNS_TYPE_A, destroy_on_answer, &d2);
    answer_last_a(fx, 60, 1);
    assert_int_equal(d1.calls, 1);
    assert_int_equal(d2.calls, 0); /* the cache was gone before its turn */
    assert_true(fx->fake.destroyed);
    event_base_free(fx->base);
    free(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positive_answer_cached_until_ttl),
        cmocka_unit_test(test_hit_is_never_delivered_inside_query),
        cmocka_unit_test(test_smallest_ttl_of_the_records_rules),
        cmocka_unit_test(test_name_case_and_trailing_dot_share_an_entry),
        cmocka_unit_test(test_negative_answer_cached_for_soa_ttl),
        cmocka_unit_test(test_negative_without_soa_uses_default),
        cmocka_unit_test(test_ttls_are_capped),
        cmocka_unit_test(test_failures_and_ttl_zero_not_cached),
        cmocka_unit_test(test_least_recently_used_is_evicted),
        cmocka_unit_test(test_identical_questions_in_flight_coalesce),
        cmocka_unit_test(test_cancel_one_waiter_then_the_last),
        cmocka_unit_test(test_cancel_hit_before_delivery),
        cmocka_unit_test(test_destroy_with_pending_fetch_and_hit),
        cmocka_unit_test(test_destroy_from_inside_a_callback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
