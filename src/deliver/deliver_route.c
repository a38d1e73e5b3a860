#include "deliver_route.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "str.h"
#include "xalloc.h"

/* One host's A and AAAA answers, kept until every host is resolved. */
struct route_host_addrs {
    struct in_addr v4[DELIVER_ROUTE_MAX_ADDRS_PER_HOST];
    struct in6_addr v6[DELIVER_ROUTE_MAX_ADDRS_PER_HOST];
    size_t n_v4, n_v6;
};

struct route_query {
    struct deliver_route_lookup *lookup;
    uint64_t id;
    size_t host;
    enum dns_rr_type type;
};

struct deliver_route_lookup {
    struct event_base *base;
    struct dns_resolver *resolver;
    struct deliver_route_options options;
    deliver_route_fn *cb;
    void *arg;
    char *domain;
    uint64_t mx_id;
    struct route_query *queries; /* 2 per host */
    size_t pending;
    bool any_tempfail;
    struct route_host_addrs *addrs;
    struct event *deferred; /* reports a result decided without waiting for DNS */
    bool in_callback;       /* cancel from inside the callback is a no-op */
    struct deliver_route route;
};

uint32_t deliver_random_system(void *ctx)
{
    return arc4random();
}

void deliver_route_order(struct deliver_route_host *hosts, size_t n, deliver_random_fn *random,
                         void *random_ctx)
{
    /* A stable sort (insertion: n is at most one answer's MX records), so that with a pinned
     * random source the order is exactly reproducible. */
    for (size_t i = 1; i < n; i++) {
        struct deliver_route_host h = hosts[i];
        size_t j = i;
        while (j > 0 && hosts[j - 1].preference > h.preference) {
            hosts[j] = hosts[j - 1];
            j--;
        }
        hosts[j] = h;
    }
    for (size_t start = 0; start < n;) {
        size_t end = start + 1;
        while (end < n && hosts[end].preference == hosts[start].preference)
            end++;
        for (size_t i = end - 1; i > start; i--) { /* Fisher-Yates within the run */
            size_t j = start + random(random_ctx) % (i - start + 1);
            struct deliver_route_host t = hosts[i];
            hosts[i] = hosts[j];
            hosts[j] = t;
        }
        start = end;
    }
}

static bool route_is_root(const char *name)
{
    return name[0] == '\0' || strcmp(name, ".") == 0;
}

bool deliver_route_is_null_mx(const struct dns_result *mx)
{
    size_t n_mx = 0;
    const struct dns_rr *only = NULL;
    for (size_t i = 0; i < mx->n_rrs; i++) {
        if (mx->rrs[i].type == DNS_TYPE_MX) {
            n_mx++;
            only = &mx->rrs[i];
        }
    }
    return n_mx == 1 && only->u.mx.preference == 0 && route_is_root(only->u.mx.exchange);
}

static void route_free(struct deliver_route_lookup *l)
{
    struct deliver_route *r = &l->route;
    for (size_t i = 0; i < r->n_hosts; i++)
        free(r->hosts[i].name);
    free(r->hosts);
    free(r->addrs);
    free(r->error);
    free(l->queries);
    free(l->addrs);
    free(l->domain);
    if (l->deferred != NULL)
        event_free(l->deferred);
    free(l);
}

static void route_finish(struct deliver_route_lookup *l)
{
    LOG_DEBUG(l->domain, "route done status=%s hosts=%zu addrs=%zu",
              smtp_client_status_name(l->route.status), l->route.n_hosts, l->route.n_addrs);
    l->in_callback = true;
    l->cb(&l->route, l->arg);
    route_free(l);
}

static void route_deferred_cb(evutil_socket_t fd, short what, void *arg)
{
    route_finish(arg);
}

static void route_fail(struct deliver_route_lookup *l, enum smtp_client_status status,
                       const char *enhanced, char *error_owned)
{
    l->route.status = status;
    snprintf(l->route.enhanced, sizeof(l->route.enhanced), "%s", enhanced);
    free(l->route.error);
    l->route.error = error_owned;
}

static void route_add_addr(struct deliver_route_lookup *l, size_t host, int family, const void *a)
{
    struct deliver_route *r = &l->route;
    if (r->n_addrs >= l->options.max_addrs)
        return;
    struct deliver_route_addr *out = &r->addrs[r->n_addrs++];
    memset(out, 0, sizeof(*out));
    out->host = host;
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&out->sa;
        in->sin_family = AF_INET;
        in->sin_port = htons(l->options.port);
        memcpy(&in->sin_addr, a, sizeof(in->sin_addr));
        out->sa_len = sizeof(*in);
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&out->sa;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(l->options.port);
        memcpy(&in6->sin6_addr, a, sizeof(in6->sin6_addr));
        out->sa_len = sizeof(*in6);
    }
    inet_ntop(family, a, out->ip, sizeof(out->ip));
}

/* Every A/AAAA answer is in: list the addresses or fail. */
static void route_addrs_done(struct deliver_route_lookup *l)
{
    struct deliver_route *r = &l->route;
    r->addrs = xcalloc(l->options.max_addrs, sizeof(*r->addrs));
    for (size_t h = 0; h < r->n_hosts; h++) {
        for (size_t i = 0; i < l->addrs[h].n_v4; i++)
            route_add_addr(l, h, AF_INET, &l->addrs[h].v4[i]);
        for (size_t i = 0; i < l->addrs[h].n_v6; i++)
            route_add_addr(l, h, AF_INET6, &l->addrs[h].v6[i]);
    }
    if (r->n_addrs > 0) {
        r->status = SMTP_CLIENT_OK;
    } else if (l->any_tempfail) {
        route_fail(
            l, SMTP_CLIENT_TEMPORARY, "4.4.3",
            xasprintf("address lookup for the mail hosts of %s failed temporarily", l->domain));
    } else if (r->implicit_mx) {
        route_fail(l, SMTP_CLIENT_PERMANENT, "5.1.2",
                   xasprintf("domain %s has no MX record and no address", l->domain));
    } else {
        route_fail(l, SMTP_CLIENT_PERMANENT, "5.4.4",
                   xasprintf("no mail host of %s has an address", l->domain));
    }
    route_finish(l);
}

static void route_addr_cb(const struct dns_result *result, void *arg)
{
    struct route_query *q = arg;
    struct deliver_route_lookup *l = q->lookup;
    q->id = 0;
    struct route_host_addrs *h = &l->addrs[q->host];
    if (result->status == DNS_TEMPFAIL || result->status == DNS_PERMFAIL)
        l->any_tempfail = true;
    for (size_t i = 0; result->status == DNS_OK && i < result->n_rrs; i++) {
        const struct dns_rr *rr = &result->rrs[i];
        if (rr->type == DNS_TYPE_A && h->n_v4 < DELIVER_ROUTE_MAX_ADDRS_PER_HOST)
            h->v4[h->n_v4++] = rr->u.a;
        else if (rr->type == DNS_TYPE_AAAA && h->n_v6 < DELIVER_ROUTE_MAX_ADDRS_PER_HOST)
            h->v6[h->n_v6++] = rr->u.aaaa;
    }
    if (--l->pending == 0)
        route_addrs_done(l);
}

static void route_resolve_hosts(struct deliver_route_lookup *l)
{
    size_t n = l->route.n_hosts;
    l->queries = xcalloc(2 * n, sizeof(*l->queries));
    l->addrs = xcalloc(n, sizeof(*l->addrs));
    l->pending = 2 * n;
    for (size_t i = 0; i < 2 * n; i++) {
        struct route_query *q = &l->queries[i];
        q->lookup = l;
        q->host = i / 2;
        q->type = (i % 2 == 0) ? DNS_TYPE_A : DNS_TYPE_AAAA;
    }
    /* Start all before any can answer: answers never come inside dns_query(). */
    for (size_t i = 0; i < 2 * n; i++) {
        struct route_query *q = &l->queries[i];
        q->id = dns_query(l->resolver, l->route.hosts[q->host].name, q->type, route_addr_cb, q);
    }
}

static void route_take_mx(struct deliver_route_lookup *l, const struct dns_result *result)
{
    struct deliver_route *r = &l->route;
    r->hosts = xcalloc(result->n_rrs, sizeof(*r->hosts));
    for (size_t i = 0; i < result->n_rrs; i++) {
        const struct dns_rr *rr = &result->rrs[i];
        if (rr->type != DNS_TYPE_MX || route_is_root(rr->u.mx.exchange))
            continue;
        r->hosts[r->n_hosts].name = xstrdup(rr->u.mx.exchange);
        r->hosts[r->n_hosts].preference = rr->u.mx.preference;
        r->n_hosts++;
    }
    deliver_route_order(r->hosts, r->n_hosts, l->options.random, l->options.random_ctx);
    for (size_t i = l->options.max_hosts; i < r->n_hosts; i++)
        free(r->hosts[i].name);
    if (r->n_hosts > l->options.max_hosts)
        r->n_hosts = l->options.max_hosts;
}

static void route_mx_cb(const struct dns_result *result, void *arg)
{
    struct deliver_route_lookup *l = arg;
    struct deliver_route *r = &l->route;
    l->mx_id = 0;
    switch (result->status) {
    case DNS_OK:
        if (deliver_route_is_null_mx(result)) {
            route_fail(l, SMTP_CLIENT_PERMANENT, "5.1.10",
                       xasprintf("domain %s does not accept mail (null MX, RFC 7505)", l->domain));
            route_finish(l);
            return;
        }
        route_take_mx(l, result);
        break;
    case DNS_NODATA: /* RFC 5321 5.1: the domain is its own implicit MX */
        r->implicit_mx = true;
        r->hosts = xcalloc(1, sizeof(*r->hosts));
        r->hosts[0].name = xstrdup(l->domain);
        r->n_hosts = 1;
        break;
    case DNS_NXDOMAIN:
        route_fail(l, SMTP_CLIENT_PERMANENT, "5.1.2",
                   xasprintf("domain %s does not exist", l->domain));
        route_finish(l);
        return;
    case DNS_TEMPFAIL:
    case DNS_PERMFAIL:
        route_fail(l, SMTP_CLIENT_TEMPORARY, "4.4.3",
                   xasprintf("MX lookup for %s failed: %s", l->domain,
                             result->error ? result->error : dns_status_name(result->status)));
        route_finish(l);
        return;
    }
    if (r->n_hosts == 0) { /* only "." entries beside real ones: nothing to try */
        route_fail(l, SMTP_CLIENT_PERMANENT, "5.4.4",
                   xasprintf("the MX records of %s name no usable host", l->domain));
        route_finish(l);
        return;
    }
    route_resolve_hosts(l);
}

/* RFC 1035 2.3.1 letters, digits, hyphens, dots (and underscores, seen in the wild). */
static bool route_is_domain(const char *d)
{
    size_t len = strlen(d);
    if (len == 0 || len > DNS_MAX_NAME_LEN || d[0] == '.' || strstr(d, "..") != NULL)
        return false;
    for (const char *p = d; *p; p++) {
        char c = str_ascii_lower(*p);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
            return false;
    }
    return true;
}

struct deliver_route_lookup *deliver_route_start(struct event_base *base,
                                                 struct dns_resolver *resolver, const char *domain,
                                                 const struct deliver_route_options *options,
                                                 deliver_route_fn *cb, void *arg)
{
    struct deliver_route_lookup *l = xcalloc(1, sizeof(*l));
    l->base = base;
    l->resolver = resolver;
    if (options != NULL)
        l->options = *options;
    if (l->options.max_hosts == 0)
        l->options.max_hosts = DELIVER_ROUTE_DEFAULT_MAX_HOSTS;
    if (l->options.max_addrs == 0)
        l->options.max_addrs = DELIVER_ROUTE_DEFAULT_MAX_ADDRS;
    if (l->options.port == 0)
        l->options.port = DELIVER_ROUTE_DEFAULT_PORT;
    if (l->options.random == NULL)
        l->options.random = deliver_random_system;
    l->cb = cb;
    l->arg = arg;
    l->domain = xstrdup(domain);
    size_t len = strlen(l->domain);
    if (len > 1 && l->domain[len - 1] == '.')
        l->domain[len - 1] = '\0';
    if (!route_is_domain(l->domain)) {
        route_fail(l, SMTP_CLIENT_PERMANENT, "5.1.2",
                   xasprintf("'%s' is not a valid domain name", domain));
        l->deferred = event_new(base, -1, 0, route_deferred_cb, l);
        event_active(l->deferred, 0, 0);
        return l;
    }
    l->mx_id = dns_query(resolver, l->domain, DNS_TYPE_MX, route_mx_cb, l);
    return l;
}

void deliver_route_cancel(struct deliver_route_lookup *l)
{
    if (l == NULL || l->in_callback)
        return;
    if (l->mx_id != 0)
        dns_cancel(l->resolver, l->mx_id);
    for (size_t i = 0; l->queries != NULL && i < 2 * l->route.n_hosts; i++) {
        if (l->queries[i].id != 0)
            dns_cancel(l->resolver, l->queries[i].id);
    }
    route_free(l);
}
