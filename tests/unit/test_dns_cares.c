/*
 * Unit tests for src/net/dns_cares: the real c-ares backend on a real libevent loop, talking
 * UDP on loopback to a tiny responder living on the same loop (a test-only peer that answers
 * every A question with 192.0.2.1, or stays silent). The record types, CNAME chains, SERVFAIL
 * and friends against a real DNS server (nsd) are in tests/integration/test_dns.py; here are
 * the event-loop promises: no callback inside dns_query, cancel, destroy, timeouts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "dns_cache.h"
#include "dns_cares.h"
#include "dns_servers.h"
#include "dns_testpkt.h"

struct responder {
    int fd;
    struct event *ev;
    bool silent;
    int answered;
    char servers[64]; /* "127.0.0.1:PORT" */
};

/* Answers a query (RFC 1035 section 4.1) with its own question and one A record. */
static void responder_on_read(evutil_socket_t fd, short what, void *arg)
{
    struct responder *r = arg;
    uint8_t in[512];
    struct sockaddr_in from;
    socklen_t from_len = sizeof(from);
    ssize_t n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from, &from_len);
    if (n < 12 || r->silent)
        return;
    struct testpkt p;
    testpkt_header(&p, (unsigned)((in[0] << 8) | in[1]), 0, 0x04, 1, 1, 0, 0);
    testpkt_bytes(&p, in + 12, (size_t)n - 12 - (in[11] ? 11 : 0)); /* question (no EDNS) */
    testpkt_u16(&p, 0xC00C);
    testpkt_u16(&p, 1);
    testpkt_u16(&p, 1);
    testpkt_u32(&p, 60);
    testpkt_rdata(&p, "\xc0\x00\x02\x01", 4);
    sendto(fd, p.b, p.n, 0, (struct sockaddr *)&from, from_len);
    r->answered++;
}

static void responder_start(struct responder *r, struct event_base *base, bool silent)
{
    memset(r, 0, sizeof(*r));
    r->silent = silent;
    r->fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(r->fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(r->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t len = sizeof(a);
    assert_int_equal(getsockname(r->fd, (struct sockaddr *)&a, &len), 0);
    snprintf(r->servers, sizeof(r->servers), "127.0.0.1:%u", ntohs(a.sin_port));
    r->ev = event_new(base, r->fd, EV_READ | EV_PERSIST, responder_on_read, r);
    event_add(r->ev, NULL);
}

static void responder_stop(struct responder *r)
{
    event_free(r->ev);
    close(r->fd);
}

struct seen {
    int calls;
    enum dns_status status;
    char error[128];
    size_t n_rrs;
    uint32_t addr;
};

static void on_answer(const struct dns_result *res, void *arg)
{
    struct seen *s = arg;
    s->calls++;
    s->status = res->status;
    snprintf(s->error, sizeof(s->error), "%s", res->error ? res->error : "");
    s->n_rrs = res->n_rrs;
    s->addr = res->n_rrs ? ntohl(res->rrs[0].u.a.s_addr) : 0;
}

struct fixture {
    struct event_base *base;
    struct responder peer;
    struct dns_resolver dns;
};

static struct fixture *fixture_new(bool silent, int timeout_ms)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    fx->base = event_base_new();
    responder_start(&fx->peer, fx->base, silent);
    struct dns_cares_options o = {fx->peer.servers, timeout_ms, 1};
    char *error = NULL;
    if (!dns_cares_new(fx->base, &o, &fx->dns, &error))
        fail_msg("dns_cares_new: %s", error);
    return fx;
}

static void fixture_free(struct fixture *fx)
{
    dns_resolver_destroy(&fx->dns);
    responder_stop(&fx->peer);
    event_base_free(fx->base);
    free(fx);
}

/* Runs the loop until *calls reaches want (bounded by the resolver's own timeout). */
static void run_until(struct fixture *fx, const int *calls, int want)
{
    while (*calls < want)
        assert_int_equal(event_base_loop(fx->base, EVLOOP_ONCE), 0);
}

static void test_answer_comes_from_the_loop(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(false, 2000);
    struct seen s = {0};
    uint64_t id = dns_query(&fx->dns, "example.test", DNS_TYPE_A, on_answer, &s);
    assert_true(id != 0);
    assert_int_equal(s.calls, 0);
    run_until(fx, &s.calls, 1);
    assert_int_equal(s.status, DNS_OK);
    assert_int_equal(s.n_rrs, 1);
    assert_int_equal(s.addr, 0xC0000201);
    fixture_free(fx);
}

static void test_invalid_names_fail_later_not_inside_query(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(false, 2000);
    char long_name[DNS_MAX_NAME_LEN + 10];
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    const char *names[] = {"", "a..b", ".", long_name};
    struct seen s[4] = {{0}};
    for (int i = 0; i < 4; i++) {
        dns_query(&fx->dns, names[i], DNS_TYPE_A, on_answer, &s[i]);
        assert_int_equal(s[i].calls, 0);
    }
    for (int i = 0; i < 4; i++) {
        run_until(fx, &s[i].calls, 1);
        assert_int_equal(s[i].status, DNS_PERMFAIL);
        assert_string_equal(s[i].error, "invalid domain name");
    }
    assert_int_equal(fx->peer.answered, 0);
    fixture_free(fx);
}

static void test_cancel_before_answer(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(false, 2000);
    struct seen cancelled = {0}, other = {0};
    uint64_t id = dns_query(&fx->dns, "example.test", DNS_TYPE_A, on_answer, &cancelled);
    dns_cancel(&fx->dns, id);
    dns_query(&fx->dns, "other.test", DNS_TYPE_A, on_answer, &other);
    run_until(fx, &other.calls, 1);
    /* the responder answered both; only the query still wanted reached its caller */
    while (fx->peer.answered < 2)
        assert_int_equal(event_base_loop(fx->base, EVLOOP_ONCE), 0);
    event_base_loop(fx->base, EVLOOP_NONBLOCK);
    assert_int_equal(cancelled.calls, 0);
    assert_int_equal(other.status, DNS_OK);
    dns_cancel(&fx->dns, id); /* finished or unknown ids are ignored */
    dns_cancel(&fx->dns, 424242);
    fixture_free(fx);
}

static void test_cancel_after_answer_before_delivery(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(false, 2000);
    struct seen s = {0};
    /* An invalid name is answered at once inside c-ares, then waits for the loop. */
    uint64_t id = dns_query(&fx->dns, "a..b", DNS_TYPE_A, on_answer, &s);
    dns_cancel(&fx->dns, id);
    event_base_loop(fx->base, EVLOOP_NONBLOCK);
    assert_int_equal(s.calls, 0);
    fixture_free(fx);
}

static void test_silent_server_times_out_as_tempfail(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(true, 50);
    struct seen s = {0};
    dns_query(&fx->dns, "example.test", DNS_TYPE_A, on_answer, &s);
    run_until(fx, &s.calls, 1);
    assert_int_equal(s.status, DNS_TEMPFAIL);
    assert_string_equal(s.error, "DNS query timed out");
    fixture_free(fx);
}

static void test_destroy_with_queries_pending(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(true, 2000);
    struct seen s[3] = {{0}};
    dns_query(&fx->dns, "a.test", DNS_TYPE_A, on_answer, &s[0]);
    dns_query(&fx->dns, "b.test", DNS_TYPE_TXT, on_answer, &s[1]);
    dns_query(&fx->dns, "a..b", DNS_TYPE_A, on_answer, &s[2]); /* already answered */
    event_base_loop(fx->base, EVLOOP_NONBLOCK);
    dns_resolver_destroy(&fx->dns);
    event_base_loop(fx->base, EVLOOP_NONBLOCK);
    assert_int_equal(s[0].calls + s[1].calls, 0);
    responder_stop(&fx->peer);
    event_base_free(fx->base);
    free(fx);
}

struct destroyer {
    struct dns_resolver *dns;
    int calls;
};

static void destroy_on_answer(const struct dns_result *res, void *arg)
{
    struct destroyer *d = arg;
    d->calls++;
    dns_resolver_destroy(d->dns);
}

static void test_destroy_from_inside_a_callback(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(false, 2000);
    struct destroyer d = {&fx->dns, 0};
    struct seen later = {0};
    dns_query(&fx->dns, "a..b", DNS_TYPE_A, destroy_on_answer, &d);
    dns_query(&fx->dns, "c..d", DNS_TYPE_A, on_answer, &later);
    run_until(fx, &d.calls, 1);
    event_base_loop(fx->base, EVLOOP_NONBLOCK);
    assert_int_equal(later.calls, 0);
    responder_stop(&fx->peer);
    event_base_free(fx->base);
    free(fx);
}

/* The cache over c-ares, destroyed from inside the callback c-ares drives (the nesting
 * dns_cache.h promises to survive): the other waiters are dropped, nothing is leaked. */
static void test_cache_over_cares_destroyed_inside_callback(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(false, 2000);
    int64_t now_ms = 1700000000000LL;
    struct dns_cache_options o = {clock_fixed(&now_ms), 0, 0};
    struct dns_resolver cache;
    dns_cache_new(fx->base, fx->dns, &o, &cache);
    struct destroyer d = {&cache, 0};
    struct seen coalesced = {0}, other = {0};
    dns_query(&cache, "example.test", DNS_TYPE_A, destroy_on_answer, &d);
    dns_query(&cache, "example.test", DNS_TYPE_A, on_answer, &coalesced);
    dns_query(&cache, "other.test", DNS_TYPE_A, on_answer, &other);
    run_until(fx, &d.calls, 1);
    event_base_loop(fx->base, EVLOOP_NONBLOCK);
    assert_int_equal(coalesced.calls + other.calls, 0);
    responder_stop(&fx->peer);
    event_base_free(fx->base);
    free(fx);
}

struct requery {
    struct dns_resolver *dns;
    struct seen first, second;
};

static void requery_on_second(const struct dns_result *res, void *arg)
{
    struct requery *q = arg;
    on_answer(res, &q->second);
}

static void requery_on_first(const struct dns_result *res, void *arg)
{
    struct requery *q = arg;
    on_answer(res, &q->first);
    dns_query(q->dns, "again.test", DNS_TYPE_A, requery_on_second, q);
}

static void test_query_from_inside_a_callback(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(false, 2000);
    struct requery q = {&fx->dns, {0}, {0}};
    dns_query(&fx->dns, "first.test", DNS_TYPE_A, requery_on_first, &q);
    run_until(fx, &q.second.calls, 1);
    assert_int_equal(q.first.status, DNS_OK);
    assert_int_equal(q.second.status, DNS_OK);
    fixture_free(fx);
}

static void test_many_queries_all_answered_once(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(false, 2000);
    enum { N = 50 };
    struct seen s[N];
    memset(s, 0, sizeof(s));
    for (int i = 0; i < N; i++) {
        char name[32];
        snprintf(name, sizeof(name), "host%d.test", i);
        dns_query(&fx->dns, name, DNS_TYPE_A, on_answer, &s[i]);
    }
    for (int i = 0; i < N; i++) {
        run_until(fx, &s[i].calls, 1);
        assert_int_equal(s[i].status, DNS_OK);
    }
    event_base_loop(fx->base, EVLOOP_NONBLOCK);
    for (int i = 0; i < N; i++)
        assert_int_equal(s[i].calls, 1);
    fixture_free(fx);
}

static void test_bad_options_refused(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    struct dns_resolver dns;
    char *error = NULL;
    struct dns_cares_options o = {"127.0.0.1:99999", 0, 0};
    assert_false(dns_cares_new(base, &o, &dns, &error));
    assert_string_equal(error, "'127.0.0.1:99999' is not a DNS server address (want IP, IP:port "
                               "or [IPv6]:port)");
    free(error);
    error = NULL;
    struct dns_cares_options t = {"127.0.0.1", 1, 0};
    assert_false(dns_cares_new(base, &t, &dns, &error));
    assert_non_null(error);
    free(error);
    event_base_free(base);
}

static void test_servers_parse(void **state)
{
    (void)state;
    struct dns_server s[DNS_CARES_MAX_SERVERS];
    char *error = NULL;
    char ip[INET6_ADDRSTRLEN];
    assert_int_equal(dns_servers_parse("127.0.0.1:5353, [::1]:53 ,192.0.2.1,::2", s, 8, &error), 4);
    assert_null(error);
    assert_int_equal(s[0].family, AF_INET);
    assert_int_equal(s[0].port, 5353);
    assert_int_equal(s[1].family, AF_INET6);
    assert_string_equal(inet_ntop(AF_INET6, &s[1].addr.v6, ip, sizeof(ip)), "::1");
    assert_int_equal(s[2].port, 53);
    assert_int_equal(s[3].family, AF_INET6);
    assert_int_equal(s[3].port, 53);
    const char *bad[] = {"",     "dns.example:53",  "1.2.3.4:0", "1.2.3.4:x", "[1.2.3.4]:53",
                         "[::1", "1.2.3.4,,5.6.7.8"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (dns_servers_parse(bad[i], s, 8, &error) != 0)
            fail_msg("'%s' accepted, want refused", bad[i]);
        assert_non_null(error);
        free(error);
        error = NULL;
    }
    assert_int_equal(dns_servers_parse("1.1.1.1,2.2.2.2,3.3.3.3", s, 2, &error), 0);
    assert_string_equal(error, "more than 2 DNS servers in '1.1.1.1,2.2.2.2,3.3.3.3'");
    free(error);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer_comes_from_the_loop),
        cmocka_unit_test(test_invalid_names_fail_later_not_inside_query),
        cmocka_unit_test(test_cancel_before_answer),
        cmocka_unit_test(test_cancel_after_answer_before_delivery),
        cmocka_unit_test(test_silent_server_times_out_as_tempfail),
        cmocka_unit_test(test_destroy_with_queries_pending),
        cmocka_unit_test(test_destroy_from_inside_a_callback),
        cmocka_unit_test(test_query_from_inside_a_callback),
        cmocka_unit_test(test_cache_over_cares_destroyed_inside_callback),
        cmocka_unit_test(test_many_queries_all_answered_once),
        cmocka_unit_test(test_bad_options_refused),
        cmocka_unit_test(test_servers_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
