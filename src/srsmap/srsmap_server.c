#include "srsmap_server.h"

#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "srsmap_conn.h"
#include "srsmap_endpoint.h"
#include "srsmap_worker.h"
#include "xalloc.h"

/* socketmap + tcp_table forward + tcp_table reverse. */
#define SRSMAP_MAX_LISTENERS 3
/* After an accept() failure such as EMFILE, the listener pauses this long instead of spinning. */
#define SRSMAP_ACCEPT_PAUSE_SECONDS 1

struct srsmap_listener {
    struct srsmap_server *server;
    struct evconnlistener *evl;
    struct event *resume; /* re-enables evl after an accept failure */
    enum srsmap_protocol proto;
    enum srsmap_direction dir;
    char *bound;     /* address for logs */
    char *unix_path; /* removed on shutdown; NULL for inet */
};

struct srsmap_server {
    struct event_base *base; /* accepting thread's */
    unsigned connection_limit;
    atomic_uint n_conns; /* open connections in all workers */
    uint64_t next_id;
    struct srsmap_worker *workers[SRSMAP_MAX_WORKERS];
    unsigned n_workers, next_worker;
    struct srsmap_listener listeners[SRSMAP_MAX_LISTENERS];
    size_t n_listeners;
};

static void srsmap_server_accept(struct evconnlistener *evl, evutil_socket_t fd,
                                 struct sockaddr *sa, int salen, void *arg)
{
    (void)evl;
    (void)salen;
    struct srsmap_listener *l = arg;
    struct srsmap_server *s = l->server;
    uint64_t id = ++s->next_id;
    char log_id[32];
    snprintf(log_id, sizeof(log_id), "srsmap-%llu", (unsigned long long)id);
    if (atomic_load(&s->n_conns) >= s->connection_limit) {
        LOG_WARN(log_id, "srsmap conn-refused listener=%s reason=connection-limit limit=%u",
                 l->bound, s->connection_limit);
        close(fd);
        return;
    }
    evutil_make_socket_nonblocking(fd);
    if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6) {
        /* Replies are tiny and answer a waiting client: never hold them back (Nagle). */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    /* Round robin: Postfix keeps few long-lived connections, so this spreads them evenly. */
    unsigned w = s->next_worker++ % s->n_workers;
    LOG_DEBUG(log_id, "srsmap conn-open listener=%s worker=%u", l->bound, w);
    atomic_fetch_add(&s->n_conns, 1);
    if (!srsmap_worker_give(s->workers[w], fd, id, l->proto, l->dir)) {
        atomic_fetch_sub(&s->n_conns, 1);
        LOG_WARN(log_id, "srsmap conn-refused listener=%s reason=worker-busy", l->bound);
        close(fd);
    }
}

static void srsmap_server_resume(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct srsmap_listener *l = arg;
    evconnlistener_enable(l->evl);
}

static void srsmap_server_accept_error(struct evconnlistener *evl, void *arg)
{
    struct srsmap_listener *l = arg;
    int err = EVUTIL_SOCKET_ERROR();
    LOG_ERROR("-", "srsmap accept-failed listener=%s error=\"%s\" pause=%ds", l->bound,
              evutil_socket_error_to_string(err), SRSMAP_ACCEPT_PAUSE_SECONDS);
    evconnlistener_disable(evl);
    struct timeval tv = {SRSMAP_ACCEPT_PAUSE_SECONDS, 0};
    event_add(l->resume, &tv);
}

static bool srsmap_server_listen(struct srsmap_server *s, const char *text, unsigned forms,
                                 enum srsmap_protocol proto, enum srsmap_direction dir,
                                 char **error_r)
{
    struct srsmap_endpoint ep;
    if (!srsmap_endpoint_parse(text, forms, &ep, error_r))
        return false;
    char *bound = NULL;
    int fd = srsmap_endpoint_listen(&ep, &bound, error_r);
    if (fd < 0) {
        srsmap_endpoint_clear(&ep);
        return false;
    }
    struct srsmap_listener *l = &s->listeners[s->n_listeners];
    l->server = s;
    l->proto = proto;
    l->dir = dir;
    l->bound = bound;
    l->unix_path = ep.path ? xstrdup(ep.path) : NULL;
    srsmap_endpoint_clear(&ep);
    l->evl = evconnlistener_new(s->base, srsmap_server_accept, l,
                                LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
    l->resume = evtimer_new(s->base, srsmap_server_resume, l);
    if (l->evl == NULL || l->resume == NULL) {
        *error_r = xasprintf("cannot watch listener %s", bound);
        if (l->evl)
            evconnlistener_free(l->evl);
        else
            close(fd);
        if (l->resume)
            event_free(l->resume);
        free(l->bound);
        free(l->unix_path);
        return false;
    }
    evconnlistener_set_error_cb(l->evl, srsmap_server_accept_error);
    s->n_listeners++;
    LOG_INFO("-", "srsmap listening proto=%s map=%s addr=%s",
             proto == SRSMAP_PROTO_TCPTABLE ? "tcp_table" : "socketmap",
             proto == SRSMAP_PROTO_SOCKETMAP ? "forward,reverse"
             : dir == SRSMAP_FORWARD         ? "forward"
                                             : "reverse",
             bound);
    return true;
}

struct srsmap_server *srsmap_server_new(struct event_base *base,
                                        const struct srsmap_server_config *cfg,
                                        const struct srsmap_engine *engine, char **error_r)
{
    struct srsmap_server *s = xcalloc(1, sizeof(*s));
    s->base = base;
    s->connection_limit = cfg->connection_limit;
    atomic_init(&s->n_conns, 0);
    bool ok = true;
    unsigned n_workers = cfg->workers ? cfg->workers : 1;
    if (n_workers > SRSMAP_MAX_WORKERS)
        n_workers = SRSMAP_MAX_WORKERS;
    while (ok && s->n_workers < n_workers) {
        s->workers[s->n_workers] =
            srsmap_worker_start(engine, cfg->keep_alive_seconds, &s->n_conns, error_r);
        ok = s->workers[s->n_workers] != NULL;
        if (ok)
            s->n_workers++;
    }
    if (ok && cfg->socketmap)
        ok = srsmap_server_listen(s, cfg->socketmap,
                                  SRSMAP_ENDPOINT_INET_PREFIXED | SRSMAP_ENDPOINT_UNIX,
                                  SRSMAP_PROTO_SOCKETMAP, SRSMAP_FORWARD, error_r);
    if (ok && cfg->tcp_forward)
        ok = srsmap_server_listen(s, cfg->tcp_forward,
                                  SRSMAP_ENDPOINT_INET_PREFIXED | SRSMAP_ENDPOINT_INET_BARE,
                                  SRSMAP_PROTO_TCPTABLE, SRSMAP_FORWARD, error_r);
    if (ok && cfg->tcp_reverse)
        ok = srsmap_server_listen(s, cfg->tcp_reverse,
                                  SRSMAP_ENDPOINT_INET_PREFIXED | SRSMAP_ENDPOINT_INET_BARE,
                                  SRSMAP_PROTO_TCPTABLE, SRSMAP_REVERSE, error_r);
    if (ok && s->n_listeners == 0) {
        *error_r = xasprintf("no listener configured: set srsmap.socketmap and/or "
                             "srsmap.tcp_forward and srsmap.tcp_reverse");
        ok = false;
    }
    if (!ok) {
        srsmap_server_free(s);
        return NULL;
    }
    return s;
}

void srsmap_server_free(struct srsmap_server *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n_listeners; i++) {
        struct srsmap_listener *l = &s->listeners[i];
        evconnlistener_free(l->evl);
        event_free(l->resume);
        if (l->unix_path)
            unlink(l->unix_path);
        free(l->unix_path);
        free(l->bound);
    }
    for (unsigned i = 0; i < s->n_workers; i++)
        srsmap_worker_stop(s->workers[i]);
    free(s);
}
