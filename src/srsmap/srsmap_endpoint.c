#include "srsmap_endpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "str.h"
#include "xalloc.h"

static bool srsmap_endpoint_parse_inet(const char *s, struct srsmap_endpoint *ep, char **error_r)
{
    const char *colon;
    char *host;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close == NULL || close[1] != ':') {
            *error_r = xasprintf("'%s' is not [IPV6]:PORT", s);
            return false;
        }
        host = xstrndup(s + 1, (size_t)(close - s - 1));
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL || colon == s) {
            *error_r = xasprintf("'%s' is not HOST:PORT", s);
            return false;
        }
        host = xstrndup(s, (size_t)(colon - s));
    }
    long long port;
    if (!str_parse_ll(colon + 1, 0, 65535, &port) || host[0] == '\0') {
        *error_r = xasprintf("'%s' is not HOST:PORT with a port from 0 to 65535", s);
        free(host);
        return false;
    }
    ep->host = host;
    ep->port = xasprintf("%lld", port);
    return true;
}

bool srsmap_endpoint_parse(const char *text, unsigned forms, struct srsmap_endpoint *ep_r,
                           char **error_r)
{
    memset(ep_r, 0, sizeof(*ep_r));
    if (strncmp(text, "unix:", 5) == 0 && (forms & SRSMAP_ENDPOINT_UNIX)) {
        const char *path = text + 5;
        if (path[0] == '\0' || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
            *error_r = xasprintf("'%s': the socket path is empty or too long", text);
            return false;
        }
        ep_r->path = xstrdup(path);
        return true;
    }
    if (strncmp(text, "inet:", 5) == 0 && (forms & SRSMAP_ENDPOINT_INET_PREFIXED))
        return srsmap_endpoint_parse_inet(text + 5, ep_r, error_r);
    if (forms & SRSMAP_ENDPOINT_INET_BARE)
        return srsmap_endpoint_parse_inet(text, ep_r, error_r);
    *error_r = xasprintf("'%s' is not %s", text,
                         (forms & SRSMAP_ENDPOINT_UNIX) ? "inet:HOST:PORT or unix:/PATH"
                                                        : "inet:HOST:PORT");
    return false;
}

void srsmap_endpoint_clear(struct srsmap_endpoint *ep)
{
    free(ep->host);
    free(ep->port);
    free(ep->path);
    memset(ep, 0, sizeof(*ep));
}

static char *srsmap_endpoint_name(const struct sockaddr *sa, socklen_t len)
{
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        return xstrdup("?");
    return sa->sa_family == AF_INET6 ? xasprintf("[%s]:%s", host, serv)
                                     : xasprintf("%s:%s", host, serv);
}

static int srsmap_endpoint_listen_inet(const struct srsmap_endpoint *ep, char **bound_r,
                                       char **error_r)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(ep->host, ep->port, &hints, &res);
    if (rc != 0) {
        *error_r = xasprintf("cannot resolve %s: %s", ep->host, gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, SRSMAP_LISTEN_BACKLOG) < 0) {
        *error_r = xasprintf("cannot listen on %s:%s: %s", ep->host, ep->port, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    socklen_t sslen = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0)
        *bound_r = srsmap_endpoint_name((struct sockaddr *)&ss, sslen);
    else
        *bound_r = xasprintf("%s:%s", ep->host, ep->port);
    return fd;
}

static int srsmap_endpoint_listen_unix(const struct srsmap_endpoint *ep, char **bound_r,
                                       char **error_r)
{
    struct sockaddr_un sun = {0};
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, ep->path, strlen(ep->path) + 1);
    struct stat st;
    /* Replace a socket left by an earlier run; never remove anything that is not a socket. */
    if (lstat(ep->path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(ep->path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || chmod(ep->path, 0666) < 0 ||
        listen(fd, SRSMAP_LISTEN_BACKLOG) < 0) {
        *error_r = xasprintf("cannot listen on unix:%s: %s", ep->path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *bound_r = xasprintf("unix:%s", ep->path);
    return fd;
}

int srsmap_endpoint_listen(const struct srsmap_endpoint *ep, char **bound_r, char **error_r)
{
    *bound_r = NULL;
    if (ep->path != NULL)
        return srsmap_endpoint_listen_unix(ep, bound_r, error_r);
    return srsmap_endpoint_listen_inet(ep, bound_r, error_r);
}
