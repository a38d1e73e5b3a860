/*
 * Unit tests for src/deliver/deliver: the asynchronous job API on a resolver fake (every
 * domain is its own implicit MX at 127.0.0.1) and the scripted in-loop server of
 * smtp_testsrv.h: callbacks come later, never inside deliver_submit(); cancel and free
 * silence them; a second job to the same destination reuses the connection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliver.h"
#include "smtp_testsrv.h"

/* ---- a resolver: MX NODATA, A 127.0.0.1, AAAA NODATA; answers from the loop ---- */

#define LOOP_MAX_QUERIES 32

struct loopdns_query {
    struct event *ev;
    enum dns_rr_type type;
    dns_callback_fn *cb;
    void *arg;
};

struct loopdns {
    struct event_base *base;
    struct loopdns_query q[LOOP_MAX_QUERIES];
    size_t n;
};

static void loopdns_fire(evutil_socket_t fd, short what, void *arg)
{
    struct loopdns_query *q = arg;
    struct dns_rr rr = {.type = DNS_TYPE_A, .ttl = 60, .owner = "x"};
    inet_pton(AF_INET, "127.0.0.1", &rr.u.a);
    struct dns_result r = {.status = DNS_NODATA};
    if (q->type == DNS_TYPE_A) {
        r.status = DNS_OK;
        r.n_rrs = 1;
        r.rrs = &rr;
    }
    event_free(q->ev);
    q->ev = NULL;
    q->cb(&r, q->arg);
}

static uint64_t loopdns_query_op(void *impl, const char *name, enum dns_rr_type type,
                                 dns_callback_fn *cb, void *arg)
{
    struct loopdns *d = impl;
    assert_true(d->n < LOOP_MAX_QUERIES);
    struct loopdns_query *q = &d->q[d->n++];
    q->type = type;
    q->cb = cb;
    q->arg = arg;
    q->ev = event_new(d->base, -1, 0, loopdns_fire, q);
    event_active(q->ev, 0, 0);
    return d->n;
}

static void loopdns_cancel_op(void *impl, uint64_t id)
{
    struct loopdns *d = impl;
    if (id >= 1 && id <= d->n && d->q[id - 1].ev != NULL) {
        event_free(d->q[id - 1].ev);
        d->q[id - 1].ev = NULL;
    }
}

static void loopdns_destroy_op(void *impl)
{
    struct loopdns *d = impl;
    for (size_t i = 0; i < d->n; i++) {
        if (d->q[i].ev != NULL)
            event_free(d->q[i].ev);
    }
}

static const struct dns_resolver_ops loopdns_ops = {loopdns_query_op, loopdns_cancel_op,
                                                    loopdns_destroy_op};

/* ---- the bed: loop, resolver, server, deliver ---- */

struct bed {
    struct event_base *base;
    struct loopdns dns;
    struct dns_resolver resolver;
    struct srv srv;
    struct deliver *deliver;
};

struct done {
    bool fired;
    int count;
    uint64_t id;
    enum smtp_client_status status;
    char enhanced[SMTP_CLIENT_ENHANCED_SIZE];
    char mx_host[64], mx_ip[64], response[128];
};

static void on_done(uint64_t id, const struct deliver_outcome *o, void *arg)
{
    struct done *d = arg;
    d->fired = true;
    d->count++;
    d->id = id;
    d->status = o->rcpts[0].status;
    snprintf(d->enhanced, sizeof(d->enhanced), "%s", o->rcpts[0].enhanced);
    snprintf(d->mx_host, sizeof(d->mx_host), "%s", o->mx_host ? o->mx_host : "-");
    snprintf(d->mx_ip, sizeof(d->mx_ip), "%s", o->mx_ip ? o->mx_ip : "-");
    snprintf(d->response, sizeof(d->response), "%s", o->response ? o->response : "");
}

static const char *const SCRIPT[] = {"220 mx",
                                     "250-mx\r\n250 PIPELINING",
                                     "250 2.1.0 Ok",
                                     "250 2.1.5 Ok",
                                     "354 go",
                                     "250 2.0.0 queued 1",
                                     "250 2.0.0 Ok",
                                     "250 2.1.0 Ok",
                                     "250 2.1.5 Ok",
                                     "354 go",
                                     "250 2.0.0 queued 2",
                                     "221 bye"};

static int bed_setup(void **state)
{
    struct bed *b = calloc(1, sizeof(*b));
    b->base = event_base_new();
    b->dns.base = b->base;
    b->resolver = (struct dns_resolver){&loopdns_ops, &b->dns};
    srv_start(&b->srv, b->base, false);
    memcpy(b->srv.replies, SCRIPT, sizeof(SCRIPT));
    b->srv.n_replies = sizeof(SCRIPT) / sizeof(SCRIPT[0]);
    struct deliver_options o = {
        .base = b->base,
        .resolver = &b->resolver,
        .helo_name = "client.test",
        .route = {.port = ntohs(b->srv.addr.sin_port)},
        .tls_default = SMTP_CLIENT_TLS_NONE,
    };
    b->deliver = deliver_new(&o);
    *state = b;
    return 0;
}

static int bed_teardown(void **state)
{
    struct bed *b = *state;
    deliver_free(b->deliver);
    /* let the QUITs of cached connections finish against the server */
    bool later = false;
    struct event *t = evtimer_new(b->base, stop_cb, &later);
    struct timeval tv = {0, 20000};
    evtimer_add(t, &tv);
    run_until(b->base, &later);
    event_free(t);
    dns_resolver_destroy(&b->resolver);
    srv_stop(&b->srv);
    event_base_free(b->base);
    free(b);
    return 0;
}

static const struct deliver_rcpt RCPT = {"bob@y.test", NULL, NULL};
static const char BODY[] = "Subject: x\r\n\r\nhi\r\n";

static uint64_t submit(struct bed *b, struct done *d)
{
    struct deliver_job job = {.domain = "y.test",
                              .return_path = "rp@x.test",
                              .rcpts = &RCPT,
                              .n_rcpts = 1,
                              .body = BODY,
                              .body_len = strlen(BODY)};
    return deliver_submit(b->deliver, &job, on_done, d);
}

static void test_outcome_comes_later_with_mx_and_ip(void **state)
{
    struct bed *b = *state;
    struct done d = {0};
    uint64_t id = submit(b, &d);
    assert_true(id != 0);
    assert_false(d.fired); /* never inside deliver_submit() */
    assert_int_equal(deliver_jobs_running(b->deliver), 1);
    run_until(b->base, &d.fired);
    assert_int_equal(d.id, id);
    assert_int_equal(d.status, SMTP_CLIENT_OK);
    assert_string_equal(d.enhanced, "2.0.0");
    assert_string_equal(d.mx_host, "y.test"); /* implicit MX */
    assert_string_equal(d.mx_ip, "127.0.0.1");
    assert_string_equal(d.response, "250 2.0.0 queued 1");
    assert_int_equal(deliver_jobs_running(b->deliver), 0);
    assert_int_equal(deliver_idle_connections(b->deliver), 1);
}

static void test_second_job_reuses_the_connection(void **state)
{
    struct bed *b = *state;
    struct done d1 = {0}, d2 = {0};
    submit(b, &d1);
    run_until(b->base, &d1.fired);
    submit(b, &d2);
    run_until(b->base, &d2.fired);
    assert_int_equal(d2.status, SMTP_CLIENT_OK);
    assert_string_equal(d2.response, "250 2.0.0 queued 2");
    assert_int_equal(b->srv.accepted, 1);
    assert_non_null(strstr(buf_cstr(&b->srv.received), "RSET\r\nMAIL FROM:<rp@x.test>"));
}

static void test_cancel_before_routing_silences_the_job(void **state)
{
    struct bed *b = *state;
    struct done d = {0};
    uint64_t id = submit(b, &d);
    deliver_cancel(b->deliver, id);
    deliver_cancel(b->deliver, id + 100); /* unknown ids are ignored */
    bool later = false;
    struct event *t = evtimer_new(b->base, stop_cb, &later);
    struct timeval tv = {0, 50000};
    evtimer_add(t, &tv);
    run_until(b->base, &later);
    event_free(t);
    assert_false(d.fired);
    assert_int_equal(b->srv.accepted, 0);
    assert_int_equal(deliver_jobs_running(b->deliver), 0);
}

static void test_cancel_during_the_session_closes_it(void **state)
{
    struct bed *b = *state;
    struct done d = {0};
    b->srv.replies[2] = NULL; /* MAIL gets no answer: the job waits */
    uint64_t id = submit(b, &d);
    bool expired = false;
    struct event *guard = evtimer_new(b->base, stop_cb, &expired);
    struct timeval tv = {5, 0};
    evtimer_add(guard, &tv);
    while (strstr(buf_cstr(&b->srv.received), "MAIL") == NULL && !expired)
        event_base_loop(b->base, EVLOOP_ONCE);
    event_free(guard);
    assert_false(expired);
    deliver_cancel(b->deliver, id);
    run_until(b->base, &b->srv.closed);
    assert_false(d.fired);
    assert_int_equal(deliver_idle_connections(b->deliver), 0);
}

static void test_free_with_jobs_pending_fires_nothing(void **state)
{
    struct bed *b = *state;
    struct done d1 = {0}, d2 = {0};
    submit(b, &d1);
    submit(b, &d2);
    deliver_free(b->deliver);
    struct deliver_options o = {.base = b->base,
                                .resolver = &b->resolver,
                                .helo_name = "client.test",
                                .tls_default = SMTP_CLIENT_TLS_NONE};
    b->deliver = deliver_new(&o); /* for the teardown */
    bool later = false;
    struct event *t = evtimer_new(b->base, stop_cb, &later);
    struct timeval tv = {0, 50000};
    evtimer_add(t, &tv);
    run_until(b->base, &later);
    event_free(t);
    assert_false(d1.fired || d2.fired);
}

static void test_tls_policy_per_domain(void **state)
{
    struct bed *b = *state;
    const char *verify[] = {"Secure.Example"};
    struct deliver_options o = {.base = b->base,
                                .resolver = &b->resolver,
                                .helo_name = "h",
                                .tls_default = SMTP_CLIENT_TLS_MAY,
                                .verify_domains = verify,
                                .n_verify_domains = 1};
    struct deliver *d = deliver_new(&o);
    assert_int_equal(deliver_tls_policy(d, "secure.example"), SMTP_CLIENT_TLS_VERIFY);
    assert_int_equal(deliver_tls_policy(d, "other.example"), SMTP_CLIENT_TLS_MAY);
    deliver_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_outcome_comes_later_with_mx_and_ip, bed_setup,
                                        bed_teardown),
        cmocka_unit_test_setup_teardown(test_second_job_reuses_the_connection, bed_setup,
                                        bed_teardown),
        cmocka_unit_test_setup_teardown(test_cancel_before_routing_silences_the_job, bed_setup,
                                        bed_teardown),
        cmocka_unit_test_setup_teardown(test_cancel_during_the_session_closes_it, bed_setup,
                                        bed_teardown),
        cmocka_unit_test_setup_teardown(test_free_with_jobs_pending_fires_nothing, bed_setup,
                                        bed_teardown),
        cmocka_unit_test_setup_teardown(test_tls_policy_per_domain, bed_setup, bed_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
