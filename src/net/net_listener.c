#include "net_listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "str.h"
#include "xalloc.h"

/* After an accept error (EMFILE, ENFILE, ENOBUFS) the socket stays readable; pausing instead
 * of retrying at once keeps the loop from spinning until descriptors free up. */
#define NET_LISTEN_PAUSE_MS 250

struct net_listener {
    struct evconnlistener *evl;
    struct event *resume;
    net_accept_fn *cb;
    void *arg;
    char *address;
};

bool net_address_parse(const char *text, struct sockaddr_storage *ss_r, socklen_t *len_r)
{
    char host[INET6_ADDRSTRLEN + 2];
    const char *colon = strrchr(text, ':');
    if (colon == NULL || (size_t)(colon - text) >= sizeof(host))
        return false;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    long long port;
    if (!str_parse_ll(colon + 1, 0, 65535, &port))
        return false;
    memset(ss_r, 0, sizeof(*ss_r));
    size_t hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss_r;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        *len_r = sizeof(*s6);
        return inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss_r;
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    *len_r = sizeof(*s4);
    return inet_pton(AF_INET, host, &s4->sin_addr) == 1;
}

void net_address_format(const struct sockaddr *sa, char *out, size_t out_len)
{
    const void *addr = sa->sa_family == AF_INET6
                           ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
                           : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;
    if (inet_ntop(sa->sa_family, addr, out, (socklen_t)out_len) == NULL)
        snprintf(out, out_len, "unknown");
}

static void net_listener_accept_cb(struct evconnlistener *evl, evutil_socket_t fd,
                                   struct sockaddr *peer, int peer_len, void *arg)
{
    struct net_listener *l = arg;
    l->cb(l->arg, fd, peer, (socklen_t)peer_len);
}

static void net_listener_error_cb(struct evconnlistener *evl, void *arg)
{
    struct net_listener *l = arg;
    /* EMFILE and friends: the kernel keeps the connection queued; we try again later. */
    LOG_WARN("-", "accept failed address=%s error=\"%s\"", l->address, strerror(errno));
    evconnlistener_disable(evl);
    struct timeval tv = {0, (suseconds_t)NET_LISTEN_PAUSE_MS * 1000};
    evtimer_add(l->resume, &tv);
}

static void net_listener_resume_cb(evutil_socket_t fd, short what, void *arg)
{
    struct net_listener *l = arg;
    evconnlistener_enable(l->evl);
}

struct net_listener *net_listener_new(struct event_base *base, const char *address,
                                      net_accept_fn *cb, void *arg, char **error_r)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (!net_address_parse(address, &ss, &len)) {
        *error_r = xasprintf("'%s' is not a numeric address:port", address);
        return NULL;
    }
    struct net_listener *l = xcalloc(1, sizeof(*l));
    l->cb = cb;
    l->arg = arg;
    l->address = xstrdup(address);
    l->evl =
        evconnlistener_new_bind(base, net_listener_accept_cb, l,
                                LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
                                NET_LISTEN_BACKLOG, (struct sockaddr *)&ss, (int)len);
    if (l->evl == NULL) {
        *error_r = xasprintf("cannot listen on %s: %s", address, strerror(errno));
        free(l->address);
        free(l);
        return NULL;
    }
    evconnlistener_set_error_cb(l->evl, net_listener_error_cb);
    l->resume = evtimer_new(base, net_listener_resume_cb, l);
    return l;
}

void net_listener_free(struct net_listener *l)
{
    if (l == NULL)
        return;
    event_free(l->resume);
    evconnlistener_free(l->evl);
    free(l->address);
    free(l);
}
