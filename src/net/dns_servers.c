#include "dns_servers.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"
#include "xalloc.h"

static bool servers_parse_port(const char *text, uint16_t *port_r)
{
    long long port;
    if (!str_parse_ll(text, 1, 65535, &port))
        return false;
    *port_r = (uint16_t)port;
    return true;
}

/* One entry, already trimmed; modifies it in place. */
static bool servers_parse_one(char *entry, struct dns_server *server)
{
    char *host = entry, *port = NULL;
    if (entry[0] == '[') {
        char *close = strchr(entry, ']');
        if (close == NULL || (close[1] != '\0' && close[1] != ':'))
            return false;
        host = entry + 1;
        *close = '\0';
        if (close[1] == ':')
            port = close + 2;
    } else if (strchr(entry, ':') == strrchr(entry, ':') && strchr(entry, ':') != NULL) {
        port = strchr(entry, ':'); /* exactly one colon: IPv4:port */
        *port++ = '\0';
    }
    server->port = DNS_SERVERS_DEFAULT_PORT;
    if (port != NULL && !servers_parse_port(port, &server->port))
        return false;
    if (inet_pton(AF_INET, host, &server->addr.v4) == 1) {
        server->family = AF_INET;
        return entry[0] != '[';
    }
    if (inet_pton(AF_INET6, host, &server->addr.v6) == 1) {
        server->family = AF_INET6;
        return true;
    }
    return false;
}

size_t dns_servers_parse(const char *text, struct dns_server *servers, size_t max, char **error_r)
{
    char *copy = xstrdup(text), *rest = copy, *entry;
    size_t n = 0;
    *error_r = NULL;
    while ((entry = strsep(&rest, ",")) != NULL) {
        str_trim(entry);
        if (entry[0] == '\0' && rest == NULL && n > 0)
            break; /* a trailing comma */
        if (n == max) {
            *error_r = xasprintf("more than %zu DNS servers in '%s'", max, text);
            break;
        }
        char *shown = xstrdup(entry);
        if (!servers_parse_one(entry, &servers[n])) {
            *error_r = xasprintf("'%s' is not a DNS server address (want IP, IP:port or "
                                 "[IPv6]:port)",
                                 shown);
            free(shown);
            break;
        }
        free(shown);
        n++;
    }
    free(copy);
    if (*error_r == NULL && n == 0)
        *error_r = xasprintf("no DNS server in '%s'", text);
    return *error_r ? 0 : n;
}
