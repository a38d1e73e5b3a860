/*
 * The connection half of the client: connect, greeting, EHLO/HELO, STARTTLS, timers, QUIT and
 * teardown. Transactions are in smtp_client_txn.c.
 *
 * Reentrancy: every libevent callback runs between client_enter() and client_leave(); a user
 * callback that frees the client only marks it (free_pending) and the outermost handler
 * destroys it on the way out, so no handler touches freed memory.
 */
#include "smtp_client_impl.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xalloc.h"

/* How long QUIT waits for its reply before closing anyway; nothing depends on it. */
#define SMTP_CLIENT_QUIT_MS 5000
/* Bytes of input looked at in one go; a reply line is at most SMTP_CLIENT_MAX_REPLY_LINE. */
#define SMTP_CLIENT_READ_CHUNK 16384

static void client_destroy(struct smtp_client *c);

static void client_enter(struct smtp_client *c)
{
    c->depth++;
}

static void client_leave(struct smtp_client *c)
{
    if (--c->depth == 0 && c->free_pending)
        client_destroy(c);
}

void smtp_client_timeouts_default(struct smtp_client_timeouts *t)
{
    t->connect_ms = SMTP_CLIENT_DEFAULT_CONNECT_MS;
    t->greeting_ms = SMTP_CLIENT_DEFAULT_GREETING_MS;
    t->command_ms = SMTP_CLIENT_DEFAULT_COMMAND_MS;
    t->mail_ms = SMTP_CLIENT_DEFAULT_MAIL_MS;
    t->rcpt_ms = SMTP_CLIENT_DEFAULT_RCPT_MS;
    t->data_init_ms = SMTP_CLIENT_DEFAULT_DATA_INIT_MS;
    t->data_block_ms = SMTP_CLIENT_DEFAULT_DATA_BLOCK_MS;
    t->data_term_ms = SMTP_CLIENT_DEFAULT_DATA_TERM_MS;
}

static void client_fill_timeouts(struct smtp_client_timeouts *t,
                                 const struct smtp_client_timeouts *given)
{
    smtp_client_timeouts_default(t);
    int *dst[] = {&t->connect_ms, &t->greeting_ms,  &t->command_ms,    &t->mail_ms,
                  &t->rcpt_ms,    &t->data_init_ms, &t->data_block_ms, &t->data_term_ms};
    const int src[] = {given->connect_ms,    given->greeting_ms, given->command_ms,
                       given->mail_ms,       given->rcpt_ms,     given->data_init_ms,
                       given->data_block_ms, given->data_term_ms};
    for (size_t i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
        if (src[i] > 0)
            *dst[i] = src[i];
    }
}

const char *smtp_client_status_name(enum smtp_client_status status)
{
    switch (status) {
    case SMTP_CLIENT_OK:
        return "delivered";
    case SMTP_CLIENT_TEMPORARY:
        return "temporary";
    case SMTP_CLIENT_PERMANENT:
        return "permanent";
    }
    return "?";
}

void smtp_client_result_clear(struct smtp_client_result *result)
{
    free(result->text);
    memset(result, 0, sizeof(*result));
}

void smtp_client_result_copy(struct smtp_client_result *dst, const struct smtp_client_result *src)
{
    char *text = src->text ? xstrdup(src->text) : NULL;
    free(dst->text);
    *dst = *src;
    dst->text = text;
}

void smtp_client_set_result(struct smtp_client_result *r, enum smtp_client_status status, int code,
                            const char *enhanced, const char *text)
{
    char *copy = xstrdup(text); /* text may be r->text itself */
    free(r->text);
    r->status = status;
    r->code = code;
    snprintf(r->enhanced, sizeof(r->enhanced), "%s", enhanced);
    r->text = copy;
    r->tls_failed = false;
}

void smtp_client_result_from_reply(struct smtp_client_result *r,
                                   const struct smtp_client_reply *reply)
{
    int cls = reply->code / 100;
    enum smtp_client_status status = cls == 2   ? SMTP_CLIENT_OK
                                     : cls == 5 ? SMTP_CLIENT_PERMANENT
                                                : SMTP_CLIENT_TEMPORARY;
    /* RFC 3463: without an enhanced code, X.0.0 of the reply's class. 1xx/3xx where a final
     * reply was due are protocol errors: temporary. */
    const char *fallback = cls == 2 ? "2.0.0" : cls == 5 ? "5.0.0" : "4.0.0";
    smtp_client_set_result(r, status, reply->code, reply->enhanced[0] ? reply->enhanced : fallback,
                           reply->text.data ? reply->text.data : "");
}

void smtp_client_write(struct smtp_client *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct evbuffer *out = bufferevent_get_output(c->bev);
    evbuffer_add_vprintf(out, fmt, ap);
    va_end(ap);
    evbuffer_add(out, "\r\n", 2);
}

void smtp_client_arm(struct smtp_client *c, int timeout_ms)
{
    struct timeval tv = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000};
    evtimer_add(c->timer, &tv);
}

void smtp_client_close(struct smtp_client *c)
{
    if (c->bev != NULL) {
        bufferevent_free(c->bev);
        c->bev = NULL;
    }
    evtimer_del(c->timer);
    c->state = SMTP_CLIENT_S_DEAD;
}

void smtp_client_defer(struct smtp_client *c)
{
    event_active(c->deferred, 0, 0);
}

static void client_destroy(struct smtp_client *c)
{
    if (c->bev != NULL)
        bufferevent_free(c->bev);
    event_free(c->timer);
    event_free(c->deferred);
    smtp_client_reply_parser_free(&c->parser);
    if (c->results != NULL) {
        for (size_t i = 0; c->msg != NULL && i < c->msg->n_rcpts; i++)
            smtp_client_result_clear(&c->results[i]);
        free(c->results);
    }
    smtp_client_result_clear(&c->last);
    free(c->tls_name);
    free(c->helo_name);
    free(c->log_id);
    free(c);
}

void smtp_client_free(struct smtp_client *c)
{
    if (c == NULL)
        return;
    if (c->depth > 0) {
        smtp_client_close(c);
        c->open_cb = NULL;
        c->sent_cb = NULL;
        c->free_pending = true;
        return;
    }
    client_destroy(c);
}

/* ---- opening ---- */

static void client_open_failed(struct smtp_client *c, enum smtp_client_status status, int code,
                               const char *enhanced, const char *text, bool tls_failed)
{
    LOG_INFO(c->log_id, "smtp_client open_failed peer=%s enhanced=%s reason=\"%s\"", c->peer,
             enhanced, text);
    smtp_client_set_result(&c->last, status, code, enhanced, text);
    c->last.tls_failed = tls_failed;
    smtp_client_close(c);
    smtp_client_open_fn *cb = c->open_cb;
    c->open_cb = NULL;
    c->free_pending = true; /* the caller never owned it: destroyed when the handler unwinds */
    if (cb != NULL)
        cb(NULL, &c->last, c->open_arg);
}

static void client_open_failed_reply(struct smtp_client *c, const struct smtp_client_reply *reply,
                                     const char *during)
{
    struct smtp_client_result r = {0};
    smtp_client_result_from_reply(&r, reply);
    if (r.status == SMTP_CLIENT_OK)
        r.status = SMTP_CLIENT_TEMPORARY;
    char *text = xasprintf("%s (%s %s)", r.text, during, c->peer);
    client_open_failed(c, r.status, r.code, r.enhanced, text, false);
    free(text);
    smtp_client_result_clear(&r);
}

static void client_ready(struct smtp_client *c)
{
    evtimer_del(c->timer);
    c->state = SMTP_CLIENT_S_IDLE;
    LOG_DEBUG(c->log_id, "smtp_client ready peer=%s tls=%s pipelining=%d size=%llu", c->peer,
              c->is_tls ? "yes" : "no", c->caps.pipelining, (unsigned long long)c->caps.size_limit);
    smtp_client_open_fn *cb = c->open_cb;
    c->open_cb = NULL;
    if (cb != NULL)
        cb(c, NULL, c->open_arg);
}

static void client_send_ehlo(struct smtp_client *c)
{
    c->state = SMTP_CLIENT_S_EHLO;
    smtp_client_write(c, "EHLO %s", c->helo_name);
    smtp_client_arm(c, c->timeouts.command_ms);
}

static void client_read_cb(struct bufferevent *bev, void *arg);
static void client_write_cb(struct bufferevent *bev, void *arg);
static void client_event_cb(struct bufferevent *bev, short what, void *arg);

static void client_start_tls(struct smtp_client *c)
{
    /* RFC 3207 section 5 / CVE-2011-0411: bytes after the 220 were sent before TLS and must
     * not be read as if they came through it. */
    if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0) {
        client_open_failed(c, SMTP_CLIENT_TEMPORARY, 0, "4.7.5",
                           "server sent data after its 220 to STARTTLS", true);
        return;
    }
    SSL *ssl = SSL_new(c->ssl_ctx);
    if (ssl == NULL) {
        client_open_failed(c, SMTP_CLIENT_TEMPORARY, 0, "4.7.5", "cannot create a TLS session",
                           true);
        return;
    }
    if (c->tls_name != NULL) {
        SSL_set_tlsext_host_name(ssl, c->tls_name);
        if (c->tls == SMTP_CLIENT_TLS_VERIFY)
            SSL_set1_host(ssl, c->tls_name);
    }
    /* Verification is judged after the handshake, so a refusal can say why. */
    SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
    struct bufferevent *tls = bufferevent_openssl_filter_new(
        c->base, c->bev, ssl, BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    if (tls == NULL) {
        SSL_free(ssl);
        client_open_failed(c, SMTP_CLIENT_TEMPORARY, 0, "4.7.5", "cannot start TLS", true);
        return;
    }
    bufferevent_openssl_set_allow_dirty_shutdown(tls, 1);
    c->bev = tls;
    c->state = SMTP_CLIENT_S_HANDSHAKE;
    bufferevent_setcb(tls, client_read_cb, client_write_cb, client_event_cb, c);
    bufferevent_enable(tls, EV_READ | EV_WRITE);
    smtp_client_arm(c, c->timeouts.command_ms);
}

static void client_tls_done(struct smtp_client *c)
{
    SSL *ssl = bufferevent_openssl_get_ssl(c->bev);
    if (c->tls == SMTP_CLIENT_TLS_VERIFY) {
        X509 *cert = SSL_get1_peer_certificate(ssl);
        long v = SSL_get_verify_result(ssl);
        X509_free(cert);
        if (cert == NULL || v != X509_V_OK) {
            char *text = xasprintf(
                "TLS certificate of %s (%s) not verified: %s", c->tls_name ? c->tls_name : "?",
                c->peer, cert == NULL ? "no certificate" : X509_verify_cert_error_string(v));
            client_open_failed(c, SMTP_CLIENT_TEMPORARY, 0, "4.7.5", text, false);
            free(text);
            return;
        }
    }
    c->is_tls = true;
    LOG_DEBUG(c->log_id, "smtp_client tls peer=%s version=%s cipher=%s", c->peer,
              SSL_get_version(ssl), SSL_get_cipher_name(ssl));
    smtp_client_reply_parser_free(&c->parser);
    smtp_client_reply_parser_init(&c->parser);
    memset(&c->caps, 0, sizeof(c->caps));
    client_send_ehlo(c);
}

/* EHLO accepted: STARTTLS next, or ready. */
static void client_after_ehlo(struct smtp_client *c)
{
    if (!c->is_tls && c->tls != SMTP_CLIENT_TLS_NONE && c->caps.starttls) {
        c->state = SMTP_CLIENT_S_STARTTLS;
        smtp_client_write(c, "STARTTLS");
        smtp_client_arm(c, c->timeouts.command_ms);
        return;
    }
    if (!c->is_tls && c->tls == SMTP_CLIENT_TLS_VERIFY) {
        char *text = xasprintf("TLS is required, but %s does not offer STARTTLS", c->peer);
        client_open_failed(c, SMTP_CLIENT_TEMPORARY, 0, "4.7.10", text, false);
        free(text);
        return;
    }
    client_ready(c);
}

static void client_open_reply(struct smtp_client *c, const struct smtp_client_reply *reply)
{
    int cls = reply->code / 100;
    switch (c->state) {
    case SMTP_CLIENT_S_GREETING:
        if (cls != 2)
            client_open_failed_reply(c, reply, "greeting from");
        else
            client_send_ehlo(c);
        return;
    case SMTP_CLIENT_S_EHLO:
        if (cls == 2) {
            smtp_client_ehlo_parse(reply, &c->caps);
            client_after_ehlo(c);
        } else if (cls == 5 && !c->is_tls) { /* EHLO not recognized: RFC 5321 3.2 */
            c->state = SMTP_CLIENT_S_HELO;
            smtp_client_write(c, "HELO %s", c->helo_name);
            smtp_client_arm(c, c->timeouts.command_ms);
        } else {
            client_open_failed_reply(c, reply, "reply to EHLO from");
        }
        return;
    case SMTP_CLIENT_S_HELO:
        if (cls != 2) {
            client_open_failed_reply(c, reply, "reply to HELO from");
            return;
        }
        memset(&c->caps, 0, sizeof(c->caps));
        client_after_ehlo(c);
        return;
    case SMTP_CLIENT_S_STARTTLS:
        if (reply->code == 220)
            client_start_tls(c);
        else if (c->tls == SMTP_CLIENT_TLS_VERIFY)
            client_open_failed_reply(c, reply, "TLS is required; reply to STARTTLS from");
        else
            client_ready(c); /* opportunistic: carry on in plain text (RFC 3207 4.1) */
        return;
    default:
        return;
    }
}

static void client_dispatch(struct smtp_client *c, const struct smtp_client_reply *reply)
{
    LOG_DEBUG(c->log_id, "smtp_client reply peer=%s code=%d lines=%zu", c->peer, reply->code,
              reply->n_lines);
    switch (c->state) {
    case SMTP_CLIENT_S_TXN:
        smtp_client_txn_reply(c, reply);
        return;
    case SMTP_CLIENT_S_QUIT:
        smtp_client_free(c);
        return;
    case SMTP_CLIENT_S_IDLE: /* e.g. "421 idle timeout": the connection is done */
        smtp_client_close(c);
        return;
    default:
        client_open_reply(c, reply);
        return;
    }
}

/* A connection-level failure (lost, timeout, protocol error) in whatever state we are in. */
static void client_broken(struct smtp_client *c, const char *enhanced, const char *what)
{
    static const char *const waiting_for[] = {
        [SMTP_CLIENT_S_CONNECTING] = "connecting",
        [SMTP_CLIENT_S_GREETING] = "waiting for the greeting",
        [SMTP_CLIENT_S_EHLO] = "waiting for the reply to EHLO",
        [SMTP_CLIENT_S_HELO] = "waiting for the reply to HELO",
        [SMTP_CLIENT_S_STARTTLS] = "waiting for the reply to STARTTLS",
        [SMTP_CLIENT_S_HANDSHAKE] = "in the TLS handshake",
        [SMTP_CLIENT_S_IDLE] = "idle",
        [SMTP_CLIENT_S_TXN] = "in a transaction",
        [SMTP_CLIENT_S_QUIT] = "quitting",
        [SMTP_CLIENT_S_DEAD] = "closed",
    };
    char *text = xasprintf("%s with %s while %s", what, c->peer, waiting_for[c->state]);
    switch (c->state) {
    case SMTP_CLIENT_S_TXN: {
        struct smtp_client_result r = {0};
        smtp_client_set_result(&r, SMTP_CLIENT_TEMPORARY, 0, enhanced, text);
        smtp_client_close(c);
        smtp_client_txn_fail(c, &r);
        smtp_client_result_clear(&r);
        break;
    }
    case SMTP_CLIENT_S_IDLE:
    case SMTP_CLIENT_S_DEAD:
        smtp_client_close(c);
        break;
    case SMTP_CLIENT_S_QUIT:
        smtp_client_free(c);
        break;
    default:
        client_open_failed(c, SMTP_CLIENT_TEMPORARY, 0, enhanced, text,
                           c->state == SMTP_CLIENT_S_HANDSHAKE);
        break;
    }
    free(text);
}

static void client_read_cb(struct bufferevent *bev, void *arg)
{
    struct smtp_client *c = arg;
    client_enter(c);
    while (c->bev != NULL && !c->free_pending) {
        struct evbuffer *in = bufferevent_get_input(c->bev);
        size_t len = evbuffer_get_length(in);
        if (len == 0)
            break;
        if (len > SMTP_CLIENT_READ_CHUNK)
            len = SMTP_CLIENT_READ_CHUNK;
        const char *data = (const char *)evbuffer_pullup(in, (ev_ssize_t)len);
        size_t used = 0;
        enum smtp_client_parse r = smtp_client_reply_feed(&c->parser, data, len, &used);
        evbuffer_drain(in, used);
        if (r == SMTP_CLIENT_PARSE_MORE)
            continue;
        if (r == SMTP_CLIENT_PARSE_ERROR) {
            client_broken(c, "4.5.0", smtp_client_reply_error(&c->parser));
            break;
        }
        struct smtp_client_reply reply;
        smtp_client_reply_take(&c->parser, &reply);
        client_dispatch(c, &reply);
        smtp_client_reply_clear(&reply);
    }
    client_leave(c);
}

static void client_write_cb(struct bufferevent *bev, void *arg)
{
    struct smtp_client *c = arg;
    /* The whole body left: from now on the server has data_term_ms for its final reply. */
    if (c->state == SMTP_CLIENT_S_TXN && c->txn_state == SMTP_CLIENT_T_BODY && !c->body_sent) {
        c->body_sent = true;
        bufferevent_set_timeouts(c->bev, NULL, NULL);
        smtp_client_arm(c, c->timeouts.data_term_ms);
    }
}

static void client_connected(struct smtp_client *c)
{
    int one = 1;
    /* Commands and the body go out in whole pieces; Nagle would only add delay (RFC 2920). */
    setsockopt(bufferevent_getfd(c->bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->state = SMTP_CLIENT_S_GREETING;
    smtp_client_arm(c, c->timeouts.greeting_ms);
}

static void client_event_cb(struct bufferevent *bev, short what, void *arg)
{
    struct smtp_client *c = arg;
    client_enter(c);
    if (what & BEV_EVENT_CONNECTED) {
        if (c->state == SMTP_CLIENT_S_CONNECTING)
            client_connected(c);
        else if (c->state == SMTP_CLIENT_S_HANDSHAKE)
            client_tls_done(c);
    } else if (c->state == SMTP_CLIENT_S_CONNECTING) {
        char *text = xasprintf("cannot connect to %s: %s", c->peer,
                               evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
        client_open_failed(c, SMTP_CLIENT_TEMPORARY, 0, "4.4.1", text, false);
        free(text);
    } else if (c->state == SMTP_CLIENT_S_HANDSHAKE) {
        unsigned long e = bufferevent_get_openssl_error(bev);
        char err[256];
        ERR_error_string_n(e, err, sizeof(err));
        char *text =
            xasprintf("TLS handshake with %s failed: %s", c->peer, e ? err : "connection closed");
        client_open_failed(c, SMTP_CLIENT_TEMPORARY, 0, "4.7.5", text, true);
        free(text);
    } else if (what & BEV_EVENT_TIMEOUT) {
        client_broken(c, "4.4.2", "timeout sending data");
    } else {
        client_broken(c, "4.4.2", (what & BEV_EVENT_EOF) ? "lost connection" : "connection error");
    }
    client_leave(c);
}

static void client_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    struct smtp_client *c = arg;
    client_enter(c);
    client_broken(c, c->state == SMTP_CLIENT_S_CONNECTING ? "4.4.1" : "4.4.2", "timeout");
    client_leave(c);
}

static void client_deferred_cb(evutil_socket_t fd, short what, void *arg)
{
    struct smtp_client *c = arg;
    client_enter(c);
    if (c->state == SMTP_CLIENT_S_CONNECTING)
        client_open_failed(c, SMTP_CLIENT_TEMPORARY, 0, "4.4.1", c->last.text, false);
    else if (c->state == SMTP_CLIENT_S_TXN)
        smtp_client_txn_finish(c);
    client_leave(c);
}

static void client_format_peer(struct smtp_client *c, const struct sockaddr *addr)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
        port = ntohs(in->sin_port);
        snprintf(c->peer, sizeof(c->peer), "%s:%u", ip, port);
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
        port = ntohs(in6->sin6_port);
        snprintf(c->peer, sizeof(c->peer), "[%s]:%u", ip, port);
    }
}

struct smtp_client *smtp_client_open(struct event_base *base, const struct sockaddr *addr,
                                     socklen_t addr_len, const struct smtp_client_options *options,
                                     smtp_client_open_fn *open_cb, void *arg)
{
    if (addr->sa_family != AF_INET && addr->sa_family != AF_INET6)
        return NULL;
    assert(options->helo_name != NULL);
    assert(options->tls == SMTP_CLIENT_TLS_NONE || options->ssl_ctx != NULL);
    struct smtp_client *c = xcalloc(1, sizeof(*c));
    c->base = base;
    c->ssl_ctx = options->ssl_ctx;
    c->tls = options->tls;
    c->tls_name = options->tls_name ? xstrdup(options->tls_name) : NULL;
    c->helo_name = xstrdup(options->helo_name);
    c->log_id = xstrdup(options->log_id ? options->log_id : "-");
    client_fill_timeouts(&c->timeouts, &options->timeouts);
    client_format_peer(c, addr);
    smtp_client_reply_parser_init(&c->parser);
    c->open_cb = open_cb;
    c->open_arg = arg;
    c->timer = evtimer_new(base, client_timer_cb, c);
    c->deferred = event_new(base, -1, 0, client_deferred_cb, c);
    c->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(c->bev, client_read_cb, client_write_cb, client_event_cb, c);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
    c->state = SMTP_CLIENT_S_CONNECTING;
    smtp_client_arm(c, c->timeouts.connect_ms);
    if (bufferevent_socket_connect(c->bev, (struct sockaddr *)addr, (int)addr_len) != 0) {
        /* The socket could not even be started (e.g. no IPv6 here): report it later. */
        char *text = xasprintf("cannot connect to %s: %s", c->peer, strerror(errno));
        smtp_client_set_result(&c->last, SMTP_CLIENT_TEMPORARY, 0, "4.4.1", text);
        free(text);
        smtp_client_defer(c);
    }
    return c;
}

bool smtp_client_is_usable(const struct smtp_client *c)
{
    return c->state == SMTP_CLIENT_S_IDLE && c->bev != NULL && !c->free_pending;
}

const struct smtp_client_caps *smtp_client_caps(const struct smtp_client *c)
{
    return &c->caps;
}

bool smtp_client_is_tls(const struct smtp_client *c)
{
    return c->is_tls;
}

unsigned smtp_client_transactions(const struct smtp_client *c)
{
    return c->transactions;
}

void smtp_client_quit(struct smtp_client *c)
{
    if (c == NULL)
        return;
    assert(c->state != SMTP_CLIENT_S_TXN);
    if (!smtp_client_is_usable(c)) {
        smtp_client_free(c);
        return;
    }
    c->state = SMTP_CLIENT_S_QUIT;
    c->open_cb = NULL;
    smtp_client_write(c, "QUIT");
    smtp_client_arm(c, SMTP_CLIENT_QUIT_MS);
}
