#include "smtp_listen.h"

#include <arpa/inet.h>
#include <stdlib.h>

#include "log.h"
#include "net_conn.h"
#include "net_listener.h"
#include "smtp_session_impl.h"
#include "xalloc.h"

struct smtp_endpoint {
    struct smtp_server *server;
    const struct smtp_listener_config *lc;
    struct net_listener *listener;
    struct smtp_endpoint *next;
};

/* One accepted connection: its transport and its session (NULL for a refused connection). */
struct smtp_conn {
    struct smtp_listen *owner;
    struct net_conn *conn;
    struct smtp_session *session;
    struct smtp_conn *prev, *next;
};

struct smtp_listen {
    struct event_base *base;
    struct smtp_endpoint *endpoints;
    struct smtp_conn *conns;
};

static void smtp_conn_release(struct smtp_conn *sc)
{
    smtp_session_free(sc->session);
    net_conn_free(sc->conn);
    free(sc);
}

static void smtp_conn_free(struct smtp_conn *sc)
{
    struct smtp_listen *o = sc->owner;
    if (sc->prev)
        sc->prev->next = sc->next;
    else
        o->conns = sc->next;
    if (sc->next)
        sc->next->prev = sc->prev;
    smtp_conn_release(sc);
}

/* net_conn callbacks */
static void smtp_conn_on_read(void *arg, const char *data, size_t len)
{
    struct smtp_conn *sc = arg;
    if (sc->session != NULL)
        smtp_session_input(sc->session, data, len);
}

static void smtp_conn_on_timeout(void *arg)
{
    struct smtp_conn *sc = arg;
    if (sc->session != NULL)
        smtp_session_timeout(sc->session);
    else
        net_conn_close(sc->conn);
}

static void smtp_conn_on_run(void *arg)
{
    struct smtp_conn *sc = arg;
    if (sc->session != NULL)
        smtp_session_run(sc->session);
}

static void smtp_conn_on_closed(void *arg)
{
    smtp_conn_free(arg);
}

static const struct net_conn_handler smtp_conn_handler = {
    smtp_conn_on_read, smtp_conn_on_timeout, smtp_conn_on_run,
    smtp_conn_on_run,  smtp_conn_on_closed,
};

/* smtp_transport over net_conn */
static void smtp_t_write(void *ctx, const char *data, size_t len)
{
    net_conn_write(((struct smtp_conn *)ctx)->conn, data, len);
}

static size_t smtp_t_output_pending(void *ctx)
{
    return net_conn_output_pending(((struct smtp_conn *)ctx)->conn);
}

static void smtp_t_close(void *ctx)
{
    net_conn_close(((struct smtp_conn *)ctx)->conn);
}

static bool smtp_t_start_tls(void *ctx)
{
    struct smtp_conn *sc = ctx;
    return net_conn_start_tls(sc->conn, sc->session->server->config.tls_ctx);
}

static void smtp_t_set_timeout(void *ctx, unsigned seconds)
{
    net_conn_set_timeout(((struct smtp_conn *)ctx)->conn, seconds);
}

static void smtp_t_set_reading(void *ctx, bool enabled)
{
    net_conn_set_reading(((struct smtp_conn *)ctx)->conn, enabled);
}

static void smtp_t_schedule(void *ctx)
{
    net_conn_schedule(((struct smtp_conn *)ctx)->conn);
}

static void smtp_endpoint_accept(void *arg, evutil_socket_t fd, const struct sockaddr *peer,
                                 socklen_t peer_len)
{
    struct smtp_endpoint *ep = arg;
    struct smtp_listen *o = ep->server->listen;
    char ip[INET6_ADDRSTRLEN];
    net_address_format(peer, ip, sizeof(ip));
    struct smtp_conn *sc = xcalloc(1, sizeof(*sc));
    sc->owner = o;
    sc->next = o->conns;
    if (sc->next)
        sc->next->prev = sc;
    o->conns = sc;
    const struct smtp_listener_config *lc = ep->lc;
    sc->conn = net_conn_new(o->base, fd, lc->implicit_tls ? ep->server->config.tls_ctx : NULL,
                            &smtp_conn_handler, sc);
    struct smtp_reply refusal;
    if (!smtp_server_may_accept(ep->server, ip, &refusal)) {
        LOG_INFO("-", "refused listener=%s client=%s reason=\"%s\"", lc->name, ip, refusal.text);
        struct buf line = BUF_INIT;
        smtp_reply_append(&line, &refusal);
        net_conn_write(sc->conn, line.data, line.len);
        buf_free(&line);
        net_conn_set_timeout(sc->conn, ep->server->config.limits.timeout_command);
        net_conn_close(sc->conn);
        return;
    }
    struct smtp_transport t = {sc,
                               smtp_t_write,
                               smtp_t_output_pending,
                               smtp_t_close,
                               smtp_t_start_tls,
                               smtp_t_set_timeout,
                               smtp_t_set_reading,
                               smtp_t_schedule};
    bool trusted = net_cidr_list_contains(lc->trusted_networks, peer);
    sc->session = smtp_session_new(ep->server, lc, &t, ip, trusted, lc->implicit_tls);
    smtp_session_start(sc->session);
}

bool smtp_server_listen(struct smtp_server *server, struct event_base *base,
                        const struct smtp_listener_config *lc, char **error_r)
{
    if (lc->implicit_tls && server->config.tls_ctx == NULL) {
        *error_r =
            xasprintf("listener %s on %s needs a TLS certificate and key", lc->name, lc->address);
        return false;
    }
    if (server->listen == NULL) {
        struct smtp_listen *o = xcalloc(1, sizeof(*o));
        o->base = base;
        server->listen = o;
    }
    struct smtp_listen *o = server->listen;
    struct smtp_endpoint *ep = xcalloc(1, sizeof(*ep));
    ep->server = server;
    ep->lc = lc;
    ep->listener = net_listener_new(base, lc->address, smtp_endpoint_accept, ep, error_r);
    if (ep->listener == NULL) {
        free(ep);
        return false;
    }
    ep->next = o->endpoints;
    o->endpoints = ep;
    LOG_INFO("-", "listening listener=%s address=%s tls=%s", lc->name, lc->address,
             lc->implicit_tls ? "implicit" : (server->config.tls_ctx ? "starttls" : "none"));
    return true;
}

void smtp_server_stop_accepting(struct smtp_server *server)
{
    struct smtp_listen *o = server->listen;
    if (o == NULL)
        return;
    while (o->endpoints != NULL) {
        struct smtp_endpoint *ep = o->endpoints;
        o->endpoints = ep->next;
        net_listener_free(ep->listener);
        free(ep);
    }
}

void smtp_listen_destroy(struct smtp_server *server)
{
    struct smtp_listen *o = server->listen;
    if (o == NULL)
        return;
    smtp_server_stop_accepting(server);
    struct smtp_conn *sc = o->conns;
    o->conns = NULL;
    while (sc != NULL) {
        struct smtp_conn *next = sc->next;
        smtp_conn_release(sc);
        sc = next;
    }
    free(o);
    server->listen = NULL;
}
