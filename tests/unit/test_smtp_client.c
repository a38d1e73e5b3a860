/*
 * Unit tests for the SMTP client state machine (src/smtp/smtp_client*.c) and the connection
 * cache (src/deliver/deliver_conncache.c) against a scripted server inside the test's own
 * event loop on 127.0.0.1: each test runs with the server's replies written whole and again
 * trickled a byte at a time (one byte per loop turn), and checks the exact bytes the client
 * sent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "deliver_conncache.h"
#include "smtp_client.h"
#include "smtp_testsrv.h"

/* ---- client side ---- */

struct probe {
    bool opened, sent;
    struct smtp_client *client;
    struct smtp_client_result failure;
    struct smtp_client_result rcpts[4];
    struct smtp_client_result last;
    bool stale, free_in_callback;
};

static void on_open(struct smtp_client *c, const struct smtp_client_result *failure, void *arg)
{
    struct probe *p = arg;
    p->opened = true;
    p->client = c;
    if (failure != NULL)
        smtp_client_result_copy(&p->failure, failure);
}

static void on_sent(struct smtp_client *c, const struct smtp_client_sent *sent, void *arg)
{
    struct probe *p = arg;
    p->sent = true;
    p->stale = sent->stale;
    for (size_t i = 0; i < sent->n_rcpts && i < 4; i++)
        smtp_client_result_copy(&p->rcpts[i], &sent->rcpts[i]);
    smtp_client_result_copy(&p->last, sent->last);
    if (p->free_in_callback) {
        smtp_client_free(c);
        p->client = NULL;
    }
}

static void probe_clear(struct probe *p)
{
    smtp_client_result_clear(&p->failure);
    smtp_client_result_clear(&p->last);
    for (size_t i = 0; i < 4; i++)
        smtp_client_result_clear(&p->rcpts[i]);
}

static struct smtp_client *open_client(struct event_base *base, struct srv *s, struct probe *p,
                                       int greeting_ms)
{
    struct smtp_client_options o = {.helo_name = "client.test", .tls = SMTP_CLIENT_TLS_NONE};
    o.timeouts.greeting_ms = greeting_ms;
    struct smtp_client *c =
        smtp_client_open(base, (struct sockaddr *)&s->addr, sizeof(s->addr), &o, on_open, p);
    assert_non_null(c);
    assert_false(p->opened); /* never inside the call */
    run_until(base, &p->opened);
    return p->client;
}

static void assert_result(const struct smtp_client_result *r, enum smtp_client_status status,
                          const char *enhanced, const char *text)
{
    if (r->status != status || strcmp(r->enhanced, enhanced) != 0 ||
        (text != NULL && strcmp(r->text ? r->text : "", text) != 0))
        fail_msg("got %s %s '%s', want %s %s '%s'", smtp_client_status_name(r->status), r->enhanced,
                 r->text ? r->text : "", smtp_client_status_name(status), enhanced,
                 text ? text : "*");
}

static const char BODY[] = "Subject: t\r\n\r\n.hidden\r\nend\r\n";
static const struct smtp_client_rcpt RCPTS[] = {{"a@y.test", NULL, NULL}, {"b@y.test", NULL, NULL}};

static void transaction(bool trickle)
{
    struct event_base *base = event_base_new();
    struct srv s;
    srv_start(&s, base, trickle);
    static const char ehlo[] =
        "250-mx.test greets client.test\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME";
    const char *script[] = {"220 mx.test ESMTP",
                            ehlo,
                            "250 2.1.0 Ok",
                            "250 2.1.5 Ok",
                            "550-5.1.1 no such\r\n550 5.1.1 user",
                            "354 go ahead",
                            "250 2.0.0 Ok: queued as X1",
                            "221 2.0.0 Bye"};
    memcpy(s.replies, script, sizeof(script));
    s.n_replies = sizeof(script) / sizeof(script[0]);
    struct probe p = {0};
    struct smtp_client *c = open_client(base, &s, &p, 0);
    assert_non_null(c);
    assert_true(smtp_client_caps(c)->pipelining);
    struct smtp_client_msg m = {.return_path = "rp@x.test",
                                .rcpts = RCPTS,
                                .n_rcpts = 2,
                                .body = BODY,
                                .body_len = strlen(BODY)};
    smtp_client_send(c, &m, on_sent, &p);
    assert_false(p.sent);
    run_until(base, &p.sent);
    assert_result(&p.rcpts[0], SMTP_CLIENT_OK, "2.0.0", "250 2.0.0 Ok: queued as X1");
    assert_result(&p.rcpts[1], SMTP_CLIENT_PERMANENT, "5.1.1", "550-5.1.1 no such\n550 5.1.1 user");
    assert_true(smtp_client_is_usable(c));
    smtp_client_quit(c);
    run_until(base, &s.closed);
    assert_string_equal(buf_cstr(&s.received), "EHLO client.test\r\n"
                                               "MAIL FROM:<rp@x.test> SIZE=28\r\n"
                                               "RCPT TO:<a@y.test>\r\n"
                                               "RCPT TO:<b@y.test>\r\n"
                                               "DATA\r\n"
                                               "Subject: t\r\n\r\n..hidden\r\nend\r\n.\r\n"
                                               "QUIT\r\n");
    probe_clear(&p);
    srv_stop(&s);
    event_base_free(base);
}

static void test_transaction_whole(void **state)
{
    (void)state;
    transaction(false);
}

static void test_transaction_trickled(void **state)
{
    (void)state;
    transaction(true);
}

static void test_size_refusal_is_reported_later_without_mail(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    struct srv s;
    srv_start(&s, base, false);
    const char *script[] = {"220 mx", "250-mx\r\n250 SIZE 10", "221 bye"};
    memcpy(s.replies, script, sizeof(script));
    s.n_replies = 3;
    struct probe p = {.free_in_callback = true};
    struct smtp_client *c = open_client(base, &s, &p, 0);
    struct smtp_client_msg m = {"rp@x.test", NULL, NULL, RCPTS, 1, BODY, strlen(BODY)};
    smtp_client_send(c, &m, on_sent, &p);
    assert_false(p.sent); /* a callback never fires inside the call that starts the work */
    run_until(base, &p.sent);
    assert_result(&p.rcpts[0], SMTP_CLIENT_PERMANENT, "5.3.4", NULL);
    run_until(base, &s.closed); /* freed in the callback: the server sees the close */
    assert_string_equal(buf_cstr(&s.received), "EHLO client.test\r\n");
    probe_clear(&p);
    srv_stop(&s);
    event_base_free(base);
}

static void test_greeting_timeout(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    struct srv s;
    srv_start(&s, base, false);
    s.replies[0] = NULL; /* never greets */
    s.n_replies = 1;
    struct probe p = {0};
    struct smtp_client *c = open_client(base, &s, &p, 50);
    assert_null(c);
    assert_result(&p.failure, SMTP_CLIENT_TEMPORARY, "4.4.2", NULL);
    assert_non_null(strstr(p.failure.text, "timeout"));
    assert_non_null(strstr(p.failure.text, "greeting"));
    probe_clear(&p);
    srv_stop(&s);
    event_base_free(base);
}

static void test_garbage_greeting_is_a_protocol_error(void **state)
{
    (void)state;
    for (int trickle = 0; trickle <= 1; trickle++) {
        struct event_base *base = event_base_new();
        struct srv s;
        srv_start(&s, base, trickle);
        s.replies[0] = "hello there";
        s.n_replies = 1;
        struct probe p = {0};
        assert_null(open_client(base, &s, &p, 0));
        assert_result(&p.failure, SMTP_CLIENT_TEMPORARY, "4.5.0", NULL);
        probe_clear(&p);
        srv_stop(&s);
        event_base_free(base);
    }
}

static void test_refused_greeting_keeps_the_reply(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    struct srv s;
    srv_start(&s, base, false);
    s.replies[0] = "554 5.7.1 go away";
    s.n_replies = 1;
    struct probe p = {0};
    assert_null(open_client(base, &s, &p, 0));
    assert_result(&p.failure, SMTP_CLIENT_PERMANENT, "5.7.1", NULL);
    assert_int_equal(p.failure.code, 554);
    probe_clear(&p);
    srv_stop(&s);
    event_base_free(base);
}

static void test_conncache_idle_timeout_quits(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    struct srv s;
    srv_start(&s, base, false);
    const char *script[] = {"220 mx", "250 mx", "221 bye"};
    memcpy(s.replies, script, sizeof(script));
    s.n_replies = 3;
    struct probe p = {0};
    struct smtp_client *c = open_client(base, &s, &p, 0);
    struct deliver_conncache *cache = deliver_conncache_new(base, 4, 20);
    deliver_conncache_put(cache, "k", c);
    assert_int_equal(deliver_conncache_size(cache), 1);
    assert_null(deliver_conncache_take(cache, "other"));
    run_until(base, &s.closed); /* idle for 20 ms: QUIT, then closed */
    assert_int_equal(deliver_conncache_size(cache), 0);
    assert_string_equal(buf_cstr(&s.received), "EHLO client.test\r\nQUIT\r\n");
    deliver_conncache_free(cache);
    probe_clear(&p);
    srv_stop(&s);
    event_base_free(base);
}

static void test_conncache_drops_connection_closed_by_server(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    struct srv s;
    srv_start(&s, base, false);
    const char *script[] = {"220 mx", "250 mx"};
    memcpy(s.replies, script, sizeof(script));
    s.n_replies = 2;
    struct probe p = {0};
    struct smtp_client *c = open_client(base, &s, &p, 0);
    struct deliver_conncache *cache = deliver_conncache_new(base, 4, 60000);
    deliver_conncache_put(cache, "k", c);
    bufferevent_free(s.bev); /* the server hangs up on the idle connection */
    s.bev = NULL;
    bool later = false;
    struct event *t = evtimer_new(base, stop_cb, &later);
    struct timeval tv = {0, 50000};
    evtimer_add(t, &tv);
    run_until(base, &later);
    event_free(t);
    assert_null(deliver_conncache_take(cache, "k"));
    assert_int_equal(deliver_conncache_size(cache), 0);
    deliver_conncache_free(cache);
    probe_clear(&p);
    srv_stop(&s);
    event_base_free(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transaction_whole),
        cmocka_unit_test(test_transaction_trickled),
        cmocka_unit_test(test_size_refusal_is_reported_later_without_mail),
        cmocka_unit_test(test_greeting_timeout),
        cmocka_unit_test(test_garbage_greeting_is_a_protocol_error),
        cmocka_unit_test(test_refused_greeting_keeps_the_reply),
        cmocka_unit_test(test_conncache_idle_timeout_quits),
        cmocka_unit_test(test_conncache_drops_connection_closed_by_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
