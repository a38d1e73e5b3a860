/*
 * smtp_testsrv: a scripted SMTP server inside a unit test's own event loop, on 127.0.0.1 at a
 * port the kernel picks. replies[0] is the greeting, then one reply per line received (the
 * message between a 354 and "." counts as one line); a NULL reply sends nothing. With trickle,
 * replies go out one byte per loop turn. received holds every byte the client sent.
 * Header-only (static functions) so each test executable carries its own copy; include it
 * after <cmocka.h> (it asserts with cmocka).
 */
#ifndef REBOUND_TESTS_SMTP_TESTSRV_H
#define REBOUND_TESTS_SMTP_TESTSRV_H

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define SRV_MAX_STEPS 16

struct srv {
    unsigned accepted;
    struct event_base *base;
    struct evconnlistener *listener;
    struct sockaddr_in addr;
    struct bufferevent *bev;
    const char *replies[SRV_MAX_STEPS]; /* [0] greeting, then one per line received */
    size_t n_replies, next;
    bool trickle, in_data, closed;
    struct evbuffer *out;
    struct event *drip;
    struct buf received; /* every byte the client sent */
};

static void srv_send(struct srv *s, const char *reply)
{
    if (reply == NULL)
        return;
    if (!s->trickle) {
        bufferevent_write(s->bev, reply, strlen(reply));
        bufferevent_write(s->bev, "\r\n", 2);
        return;
    }
    evbuffer_add(s->out, reply, strlen(reply));
    evbuffer_add(s->out, "\r\n", 2);
    event_active(s->drip, 0, 0);
}

static void srv_drip(evutil_socket_t fd, short what, void *arg)
{
    struct srv *s = arg;
    if (s->bev == NULL || evbuffer_get_length(s->out) == 0)
        return;
    char c;
    evbuffer_remove(s->out, &c, 1);
    bufferevent_write(s->bev, &c, 1);
    bufferevent_flush(s->bev, EV_WRITE, BEV_FLUSH);
    struct timeval tv = {0, 200};
    evtimer_add(s->drip, &tv);
}

static void srv_next_reply(struct srv *s)
{
    const char *r = s->next < s->n_replies ? s->replies[s->next++] : "500 unexpected";
    if (r != NULL && strncmp(r, "354", 3) == 0)
        s->in_data = true;
    srv_send(s, r);
}

static void srv_read(struct bufferevent *bev, void *arg)
{
    struct srv *s = arg;
    char *line;
    size_t len;
    while ((line = evbuffer_readln(bufferevent_get_input(bev), &len, EVBUFFER_EOL_CRLF_STRICT))) {
        buf_append(&s->received, line, len);
        buf_append(&s->received, "\r\n", 2);
        bool end_of_data = s->in_data && strcmp(line, ".") == 0;
        if (end_of_data)
            s->in_data = false;
        if (!s->in_data || end_of_data)
            srv_next_reply(s);
        free(line);
    }
}

static void srv_event(struct bufferevent *bev, short what, void *arg)
{
    struct srv *s = arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        bufferevent_free(s->bev);
        s->bev = NULL;
        s->closed = true;
    }
}

static void srv_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len,
                       void *arg)
{
    struct srv *s = arg;
    s->accepted++;
    s->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(s->bev, srv_read, NULL, srv_event, s);
    bufferevent_enable(s->bev, EV_READ | EV_WRITE);
    srv_next_reply(s); /* the greeting */
}

static void srv_start(struct srv *s, struct event_base *base, bool trickle)
{
    memset(s, 0, sizeof(*s));
    s->base = base;
    s->trickle = trickle;
    s->out = evbuffer_new();
    s->drip = evtimer_new(base, srv_drip, s);
    s->addr.sin_family = AF_INET;
    s->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->listener = evconnlistener_new_bind(base, srv_accept, s, LEV_OPT_CLOSE_ON_FREE, 8,
                                          (struct sockaddr *)&s->addr, sizeof(s->addr));
    assert_non_null(s->listener);
    socklen_t alen = sizeof(s->addr);
    getsockname(evconnlistener_get_fd(s->listener), (struct sockaddr *)&s->addr, &alen);
}

static void srv_stop(struct srv *s)
{
    if (s->bev)
        bufferevent_free(s->bev);
    evconnlistener_free(s->listener);
    evbuffer_free(s->out);
    event_free(s->drip);
    buf_free(&s->received);
}

/* ---- running the loop until something happened ---- */

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
    *(bool *)arg = true;
}

static void run_until(struct event_base *base, const bool *flag)
{
    bool expired = false;
    struct event *guard = evtimer_new(base, stop_cb, &expired);
    struct timeval tv = {5, 0};
    evtimer_add(guard, &tv);
    while (!*flag && !expired)
        event_base_loop(base, EVLOOP_ONCE);
    event_free(guard);
    if (expired)
        fail_msg("the event did not happen within 5 s");
}

#endif
