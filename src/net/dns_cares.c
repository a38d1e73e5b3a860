#include "dns_cares.h"

#include <ares.h>
#include <arpa/inet.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "dns_answer.h"
#include "dns_servers.h"
#include "xalloc.h"

/*
 * Life of a query: dns_query() puts it on `pending` and hands it to ares_query(). c-ares calls
 * cares_on_answer() exactly once per ares_query() (also on ares_destroy(), with
 * ARES_EDESTRUCTION); that callback only decodes the answer, moves the query to `done` and
 * activates the `deliver` event. User callbacks run from cares_on_deliver(), a libevent
 * callback, so they never run inside dns_query() nor inside c-ares, and they may freely query,
 * cancel or destroy. c-ares cannot cancel one query, so dns_cancel() clears the callback and
 * the record waits for c-ares to let go of it (at most the query's timeout).
 */

#define CARES_CLASS_IN 1 /* RFC 1035 section 3.2.4 */

struct cares_query {
    struct cares_query *prev, *next; /* on pending or done */
    struct dns_cares *owner;
    uint64_t id;
    enum dns_rr_type type;
    dns_callback_fn *cb; /* NULL once cancelled */
    void *arg;
    unsigned restarts;
    uint32_t chain_ttl; /* smallest CNAME TTL over earlier restarts */
    struct dns_answer answer;
};

struct cares_list {
    struct cares_query *head, *tail;
};

struct cares_socket {
    struct cares_socket *next;
    ares_socket_t fd;
    struct event *ev;
};

struct dns_cares {
    struct event_base *base;
    ares_channel channel;
    bool channel_ok;
    struct event *timer;
    struct event *deliver;
    struct cares_socket *sockets;
    struct cares_list pending, done;
    uint64_t next_id;
    unsigned delivering;
    bool destroy_pending;
};

static void cares_list_push(struct cares_list *l, struct cares_query *q)
{
    q->next = NULL;
    q->prev = l->tail;
    if (l->tail)
        l->tail->next = q;
    else
        l->head = q;
    l->tail = q;
}

static void cares_list_remove(struct cares_list *l, struct cares_query *q)
{
    if (q->prev)
        q->prev->next = q->next;
    else
        l->head = q->next;
    if (q->next)
        q->next->prev = q->prev;
    else
        l->tail = q->prev;
    q->prev = q->next = NULL;
}

static struct cares_query *cares_list_pop(struct cares_list *l)
{
    struct cares_query *q = l->head;
    if (q == NULL)
        return NULL;
    l->head = q->next;
    if (l->head)
        l->head->prev = NULL;
    else
        l->tail = NULL;
    q->next = NULL;
    return q;
}

static void cares_query_free(struct cares_query *q)
{
    dns_answer_clear(&q->answer);
    free(q);
}

/* ---- c-ares sockets and timeouts as libevent events ---- */

static void cares_schedule_timer(struct dns_cares *r)
{
    struct timeval tv;
    if (ares_timeout(r->channel, NULL, &tv) != NULL)
        evtimer_add(r->timer, &tv);
    else
        evtimer_del(r->timer);
}

static void cares_on_socket(evutil_socket_t fd, short what, void *arg)
{
    struct dns_cares *r = arg;
    ares_process_fd(r->channel, (what & EV_READ) ? fd : ARES_SOCKET_BAD,
                    (what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
    cares_schedule_timer(r);
}

static void cares_on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct dns_cares *r = arg;
    ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    cares_schedule_timer(r);
}

/* c-ares tells us which sockets it wants watched (readable/writable 0 and 0: closed). */
static void cares_on_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
    struct dns_cares *r = data;
    struct cares_socket **link = &r->sockets;
    while (*link && (*link)->fd != fd)
        link = &(*link)->next;
    struct cares_socket *s = *link;
    if (s != NULL) {
        event_free(s->ev);
        *link = s->next;
        free(s);
    }
    if (!readable && !writable)
        return;
    s = xcalloc(1, sizeof(*s));
    s->fd = fd;
    short what = (short)(EV_PERSIST | (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0));
    s->ev = event_new(r->base, fd, what, cares_on_socket, r);
    if (s->ev == NULL)
        abort(); /* libevent allocation failure: out of memory */
    event_add(s->ev, NULL);
    s->next = r->sockets;
    r->sockets = s;
}

/* ---- answers ---- */

static void cares_finish(struct dns_cares *r, struct cares_query *q)
{
    cares_list_remove(&r->pending, q);
    cares_list_push(&r->done, q);
    event_active(r->deliver, EV_TIMEOUT, 0);
}

/* Sets an outcome that has no message behind it; error may be NULL (NXDOMAIN, NODATA). */
static void cares_fail(struct cares_query *q, enum dns_status status, const char *error)
{
    dns_answer_clear(&q->answer);
    q->answer.result.status = status;
    q->answer.result.error = error ? xstrdup(error) : NULL;
}

/* Maps what c-ares reports without a message to the dns.h classes. */
static void cares_classify_error(struct cares_query *q, int status)
{
    switch (status) {
    case ARES_ENOTFOUND:
        cares_fail(q, DNS_NXDOMAIN, NULL);
        return;
    case ARES_ENODATA:
        cares_fail(q, DNS_NODATA, NULL);
        return;
    case ARES_ETIMEOUT:
        cares_fail(q, DNS_TEMPFAIL, "DNS query timed out");
        return;
    case ARES_ECONNREFUSED:
        /* c-ares 1.18 also ends here when every server answered SERVFAIL, REFUSED or
         * NOTIMP (it tries the next server on those, then keeps this status). */
        cares_fail(q, DNS_TEMPFAIL,
                   "no DNS server gave an answer (unreachable, SERVFAIL or REFUSED)");
        return;
    case ARES_ESERVFAIL:
        cares_fail(q, DNS_TEMPFAIL, "DNS server failure (SERVFAIL)");
        return;
    case ARES_EREFUSED:
        cares_fail(q, DNS_TEMPFAIL, "DNS server refused the query (REFUSED)");
        return;
    case ARES_EBADRESP:
        cares_fail(q, DNS_PERMFAIL, "malformed DNS answer");
        return;
    case ARES_EBADNAME:
    case ARES_EBADQUERY:
        cares_fail(q, DNS_PERMFAIL, "invalid domain name");
        return;
    default:
        cares_fail(q, DNS_TEMPFAIL, ares_strerror(status));
        return;
    }
}

static void cares_submit(struct dns_cares *r, struct cares_query *q, const char *name);

/* Called by c-ares, possibly from inside ares_query() itself: never runs user code. */
static void cares_on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    struct cares_query *q = arg;
    struct dns_cares *r = q->owner;
    if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED || q->cb == NULL) {
        cares_list_remove(&r->pending, q); /* destroyed or cancelled: nobody to tell */
        cares_query_free(q);
        return;
    }
    bool has_message = status == ARES_SUCCESS || status == ARES_ENODATA || status == ARES_ENOTFOUND;
    if (has_message && abuf != NULL && alen > 0) {
        dns_answer_clear(&q->answer);
        dns_answer_parse(abuf, (size_t)alen, q->type, &q->answer);
        if (q->answer.chain_ttl < q->chain_ttl)
            q->chain_ttl = q->answer.chain_ttl;
        if (q->answer.next_name != NULL && q->restarts < DNS_CARES_MAX_CNAME_RESTARTS) {
            char *next = q->answer.next_name;
            q->answer.next_name = NULL;
            q->restarts++;
            cares_submit(r, q, next); /* may call back at once: q is not touched after */
            free(next);
            return;
        }
        for (size_t i = 0; i < q->answer.result.n_rrs; i++)
            if (q->answer.result.rrs[i].ttl > q->chain_ttl)
                q->answer.result.rrs[i].ttl = q->chain_ttl;
    } else {
        cares_classify_error(q, status);
    }
    cares_finish(r, q);
}

static void cares_submit(struct dns_cares *r, struct cares_query *q, const char *name)
{
    ares_query(r->channel, name, CARES_CLASS_IN, (int)q->type, cares_on_answer, q);
    cares_schedule_timer(r);
}

static void cares_really_destroy(struct dns_cares *r);

static void cares_on_deliver(evutil_socket_t fd, short what, void *arg)
{
    struct dns_cares *r = arg;
    r->delivering++;
    struct cares_query *q;
    while (!r->destroy_pending && (q = cares_list_pop(&r->done)) != NULL) {
        if (q->cb != NULL)
            q->cb(&q->answer.result, q->arg);
        cares_query_free(q);
    }
    r->delivering--;
    if (r->destroy_pending && r->delivering == 0)
        cares_really_destroy(r);
}

/* ---- struct dns_resolver operations ---- */

static bool cares_is_valid_name(const char *name, size_t len)
{
    if (len == 0 || len > DNS_MAX_NAME_LEN)
        return false;
    for (size_t i = 0; i < len; i++)
        if (name[i] == '.' && (i == 0 || name[i - 1] == '.'))
            return false; /* empty label */
    return true;
}

static uint64_t cares_query(void *impl, const char *name, enum dns_rr_type type,
                            dns_callback_fn *cb, void *arg)
{
    struct dns_cares *r = impl;
    struct cares_query *q = xcalloc(1, sizeof(*q));
    q->owner = r;
    q->id = r->next_id++;
    q->type = type;
    q->cb = cb;
    q->arg = arg;
    q->chain_ttl = UINT32_MAX;
    q->answer.chain_ttl = UINT32_MAX;
    cares_list_push(&r->pending, q);
    uint64_t id = q->id;
    size_t len = strlen(name);
    if (len > 1 && name[len - 1] == '.')
        len--;
    if (!cares_is_valid_name(name, len)) {
        cares_fail(q, DNS_PERMFAIL, "invalid domain name");
        cares_finish(r, q);
        return id;
    }
    char *bare = xstrndup(name, len);
    cares_submit(r, q, bare);
    free(bare);
    return id;
}

static struct cares_query *cares_find(struct cares_list *l, uint64_t id)
{
    for (struct cares_query *q = l->head; q; q = q->next)
        if (q->id == id)
            return q;
    return NULL;
}

static void cares_cancel(void *impl, uint64_t query_id)
{
    struct dns_cares *r = impl;
    struct cares_query *q = cares_find(&r->done, query_id);
    if (q != NULL) {
        cares_list_remove(&r->done, q);
        cares_query_free(q);
        return;
    }
    q = cares_find(&r->pending, query_id);
    if (q != NULL)
        q->cb = NULL; /* c-ares still owns it: freed when its callback fires */
}

static void cares_really_destroy(struct dns_cares *r)
{
    if (r->channel_ok)
        ares_destroy(r->channel); /* frees pending queries through cares_on_answer */
    struct cares_query *q;
    while ((q = cares_list_pop(&r->pending)) != NULL)
        cares_query_free(q);
    while ((q = cares_list_pop(&r->done)) != NULL)
        cares_query_free(q);
    while (r->sockets) {
        struct cares_socket *s = r->sockets;
        r->sockets = s->next;
        event_free(s->ev);
        free(s);
    }
    if (r->timer)
        event_free(r->timer);
    if (r->deliver)
        event_free(r->deliver);
    ares_library_cleanup();
    free(r);
}

static void cares_destroy(void *impl)
{
    struct dns_cares *r = impl;
    if (r->delivering > 0) {
        /* Called from a user callback: finish once cares_on_deliver unwinds. */
        r->destroy_pending = true;
        return;
    }
    cares_really_destroy(r);
}

static const struct dns_resolver_ops cares_ops = {
    .query = cares_query,
    .cancel = cares_cancel,
    .destroy = cares_destroy,
};

/* ---- construction ---- */

static bool cares_set_servers(struct dns_cares *r, const char *text, char **error_r)
{
    struct dns_server servers[DNS_CARES_MAX_SERVERS];
    size_t n = dns_servers_parse(text, servers, DNS_CARES_MAX_SERVERS, error_r);
    if (n == 0)
        return false;
    struct ares_addr_port_node nodes[DNS_CARES_MAX_SERVERS];
    memset(nodes, 0, sizeof(nodes));
    for (size_t i = 0; i < n; i++) {
        nodes[i].next = i + 1 < n ? &nodes[i + 1] : NULL;
        nodes[i].family = servers[i].family;
        if (servers[i].family == AF_INET)
            memcpy(&nodes[i].addr.addr4, &servers[i].addr.v4, sizeof(struct in_addr));
        else
            memcpy(&nodes[i].addr.addr6, &servers[i].addr.v6, sizeof(struct in6_addr));
        nodes[i].udp_port = nodes[i].tcp_port = servers[i].port;
    }
    int status = ares_set_servers_ports(r->channel, nodes);
    if (status != ARES_SUCCESS) {
        *error_r = xasprintf("cannot use DNS servers '%s': %s", text, ares_strerror(status));
        return false;
    }
    return true;
}

static bool cares_init_channel(struct dns_cares *r, const struct dns_cares_options *o,
                               char **error_r)
{
    struct ares_options opts;
    memset(&opts, 0, sizeof(opts));
    opts.timeout = o && o->timeout_ms ? o->timeout_ms : DNS_CARES_DEFAULT_TIMEOUT_MS;
    opts.tries = o && o->tries ? o->tries : DNS_CARES_DEFAULT_TRIES;
    opts.sock_state_cb = cares_on_sock_state;
    opts.sock_state_cb_data = r;
    int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB;
    if (opts.timeout < DNS_CARES_MIN_TIMEOUT_MS || opts.timeout > DNS_CARES_MAX_TIMEOUT_MS ||
        opts.tries < 1 || opts.tries > DNS_CARES_MAX_TRIES) {
        *error_r =
            xasprintf("DNS timeout must be %d..%d ms and tries 1..%d", DNS_CARES_MIN_TIMEOUT_MS,
                      DNS_CARES_MAX_TIMEOUT_MS, DNS_CARES_MAX_TRIES);
        return false;
    }
    int status = ares_init_options(&r->channel, &opts, mask);
    if (status != ARES_SUCCESS) {
        *error_r = xasprintf("cannot start the DNS resolver: %s", ares_strerror(status));
        return false;
    }
    r->channel_ok = true;
    if (o && o->servers && o->servers[0] && !cares_set_servers(r, o->servers, error_r))
        return false;
    return true;
}

bool dns_cares_new(struct event_base *base, const struct dns_cares_options *options,
                   struct dns_resolver *resolver_r, char **error_r)
{
    *error_r = NULL;
    struct dns_cares *r = xcalloc(1, sizeof(*r));
    r->base = base;
    r->next_id = 1;
    ares_library_init(ARES_LIB_INIT_ALL);
    r->timer = evtimer_new(base, cares_on_timer, r);
    r->deliver = event_new(base, -1, 0, cares_on_deliver, r);
    if (r->timer == NULL || r->deliver == NULL)
        abort(); /* libevent allocation failure: out of memory */
    if (!cares_init_channel(r, options, error_r)) {
        cares_really_destroy(r);
        return false;
    }
    resolver_r->ops = &cares_ops;
    resolver_r->impl = r;
    return true;
}

bool dns_cares_check_servers(const char *servers, char **error_r)
{
    struct dns_server parsed[DNS_CARES_MAX_SERVERS];
    return dns_servers_parse(servers, parsed, DNS_CARES_MAX_SERVERS, error_r) > 0;
}
