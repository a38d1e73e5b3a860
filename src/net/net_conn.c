#include "net_conn.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <stdlib.h>

#include "xalloc.h"

/* Bytes moved out of the bufferevent per on_read call. */
#define NET_CONN_READ_CHUNK 16384

struct net_conn {
    struct event_base *base;
    struct bufferevent *bev;
    struct event *deferred; /* on_schedule and the end of a close, from the loop */
    struct net_conn_handler handler;
    void *arg;
    unsigned timeout;
    bool reading;
    bool closing;
    bool closed;         /* on_closed is due or done */
    bool scheduled;      /* on_schedule is due */
    bool was_full;       /* output passed the high-water mark since the last on_drained */
    unsigned generation; /* bumped when the bufferevent is replaced (STARTTLS) */
    struct evbuffer_cb_entry *drain_watch; /* on the TLS filter's underlying output */
};

/* Bytes written but not yet handed to the kernel: with a TLS filter (STARTTLS) they may sit in
 * the filter's output or in the plaintext bufferevent underneath it. */
static size_t net_conn_pending(const struct net_conn *c)
{
    size_t n = evbuffer_get_length(bufferevent_get_output(c->bev));
    struct bufferevent *under = bufferevent_get_underlying(c->bev);
    if (under != NULL)
        n += evbuffer_get_length(bufferevent_get_output(under));
    return n;
}

static void net_conn_finish(struct net_conn *c)
{
    if (c->closed)
        return;
    c->closed = true;
    bufferevent_disable(c->bev, EV_READ | EV_WRITE);
    c->handler.on_closed(c->arg);
}

static void net_conn_read_cb(struct bufferevent *bev, void *arg)
{
    struct net_conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    unsigned generation = c->generation;
    char chunk[NET_CONN_READ_CHUNK];
    while (!c->closing && !c->closed && generation == c->generation) {
        int n = evbuffer_remove(in, chunk, sizeof(chunk));
        if (n <= 0)
            break;
        c->handler.on_read(c->arg, chunk, (size_t)n);
    }
}

static void net_conn_write_cb(struct bufferevent *bev, void *arg)
{
    struct net_conn *c = arg;
    if (c->closing) {
        if (net_conn_pending(c) == 0)
            net_conn_finish(c);
        return;
    }
    if (c->was_full && net_conn_output_pending(c) <= NET_CONN_OUTPUT_LOW_WATER) {
        c->was_full = false;
        c->handler.on_drained(c->arg);
    }
}

static void net_conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
    struct net_conn *c = arg;
    if ((what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_READING) && !c->closing) {
        c->handler.on_timeout(c->arg);
        return;
    }
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
        net_conn_finish(c);
}

static void net_conn_deferred_cb(evutil_socket_t fd, short what, void *arg)
{
    struct net_conn *c = arg;
    if (c->closing && !c->closed && net_conn_pending(c) == 0) {
        net_conn_finish(c);
        return;
    }
    if (c->scheduled && !c->closed) {
        c->scheduled = false;
        c->handler.on_schedule(c->arg);
    }
}

static void net_conn_attach(struct net_conn *c, struct bufferevent *bev)
{
    c->bev = bev;
    bufferevent_setcb(bev, net_conn_read_cb, net_conn_write_cb, net_conn_event_cb, c);
    bufferevent_setwatermark(bev, EV_WRITE, NET_CONN_OUTPUT_LOW_WATER, 0);
    bufferevent_enable(bev, c->reading ? EV_READ | EV_WRITE : EV_WRITE);
    net_conn_set_timeout(c, c->timeout);
}

struct net_conn *net_conn_new(struct event_base *base, evutil_socket_t fd, SSL_CTX *implicit_tls,
                              const struct net_conn_handler *handler, void *arg)
{
    struct net_conn *c = xcalloc(1, sizeof(*c));
    c->base = base;
    c->handler = *handler;
    c->arg = arg;
    c->reading = true;
    evutil_make_socket_nonblocking(fd);
    struct bufferevent *bev;
    if (implicit_tls != NULL) {
        bev = bufferevent_openssl_socket_new(base, fd, SSL_new(implicit_tls),
                                             BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
        bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    } else {
        bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    }
    c->deferred = event_new(base, -1, 0, net_conn_deferred_cb, c);
    net_conn_attach(c, bev);
    return c;
}

void net_conn_write(struct net_conn *c, const char *data, size_t len)
{
    if (c->closed)
        return;
    bufferevent_write(c->bev, data, len);
    if (net_conn_output_pending(c) > NET_CONN_OUTPUT_HIGH_WATER)
        c->was_full = true;
}

size_t net_conn_output_pending(const struct net_conn *c)
{
    /* Only our own buffer: below a TLS filter the plaintext bufferevent is capped by its
     * write high-water mark (set in net_conn_start_tls), so it cannot grow without bound. */
    return evbuffer_get_length(bufferevent_get_output(c->bev));
}

/* The filter's own write callback fires when ITS buffer drains; the last bytes may still be in
 * the plaintext bufferevent below, so a closing connection also watches that buffer. */
static void net_conn_under_drained(struct evbuffer *buf, const struct evbuffer_cb_info *info,
                                   void *arg)
{
    struct net_conn *c = arg;
    if (c->closing && evbuffer_get_length(buf) == 0)
        event_active(c->deferred, EV_TIMEOUT, 0);
}

bool net_conn_start_tls(struct net_conn *c, SSL_CTX *ctx)
{
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL)
        return false;
    /* Bytes the client sent before the handshake must not reach the TLS layer. */
    struct evbuffer *in = bufferevent_get_input(c->bev);
    evbuffer_drain(in, evbuffer_get_length(in));
    struct bufferevent *tls = bufferevent_openssl_filter_new(
        c->base, c->bev, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    if (tls == NULL) {
        SSL_free(ssl);
        return false;
    }
    bufferevent_openssl_set_allow_dirty_shutdown(tls, 1);
    bufferevent_setwatermark(c->bev, EV_WRITE, 0, NET_CONN_OUTPUT_HIGH_WATER);
    c->generation++;
    net_conn_attach(c, tls);
    return true;
}

void net_conn_set_timeout(struct net_conn *c, unsigned seconds)
{
    c->timeout = seconds;
    if (seconds == 0) {
        bufferevent_set_timeouts(c->bev, NULL, NULL);
        return;
    }
    struct timeval tv = {(time_t)seconds, 0};
    bufferevent_set_timeouts(c->bev, &tv, &tv);
}

void net_conn_set_reading(struct net_conn *c, bool enabled)
{
    c->reading = enabled;
    if (c->closing)
        return;
    if (enabled)
        bufferevent_enable(c->bev, EV_READ);
    else
        bufferevent_disable(c->bev, EV_READ);
}

void net_conn_schedule(struct net_conn *c)
{
    c->scheduled = true;
    event_active(c->deferred, EV_TIMEOUT, 0);
}

void net_conn_close(struct net_conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    bufferevent_disable(c->bev, EV_READ);
    struct bufferevent *under = bufferevent_get_underlying(c->bev);
    if (under != NULL)
        c->drain_watch = evbuffer_add_cb(bufferevent_get_output(under), net_conn_under_drained, c);
    /* Finish from the loop: at once if nothing is pending, else when the output drains. */
    event_active(c->deferred, EV_TIMEOUT, 0);
}

void net_conn_free(struct net_conn *c)
{
    if (c == NULL)
        return;
    event_free(c->deferred);
    struct bufferevent *under = bufferevent_get_underlying(c->bev);
    if (c->drain_watch != NULL && under != NULL)
        evbuffer_remove_cb_entry(bufferevent_get_output(under), c->drain_watch);
    bufferevent_free(c->bev);
    free(c);
}
