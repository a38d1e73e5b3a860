#include "net_cidr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"
#include "xalloc.h"

bool net_cidr_parse(const char *text, struct net_cidr *cidr_r)
{
    char tmp[INET6_ADDRSTRLEN + 8];
    if (strlen(text) >= sizeof(tmp))
        return false;
    strcpy(tmp, text);
    char *slash = strchr(tmp, '/');
    if (slash != NULL)
        *slash = '\0';
    memset(cidr_r, 0, sizeof(*cidr_r));
    unsigned max;
    if (inet_pton(AF_INET, tmp, cidr_r->addr) == 1) {
        cidr_r->family = AF_INET;
        max = 32;
    } else if (inet_pton(AF_INET6, tmp, cidr_r->addr) == 1) {
        cidr_r->family = AF_INET6;
        max = 128;
    } else {
        return false;
    }
    long long prefix = max;
    if (slash != NULL && !str_parse_ll(slash + 1, 0, max, &prefix))
        return false;
    cidr_r->prefix = (unsigned)prefix;
    /* Clear host bits so matching is a plain prefix comparison. */
    for (unsigned bit = cidr_r->prefix; bit < max; bit++)
        cidr_r->addr[bit / 8] &= (unsigned char)~(0x80u >> (bit % 8));
    return true;
}

bool net_cidr_list_parse(char **words, size_t n_words, struct net_cidr_list *list_r, char **error_r)
{
    list_r->items = n_words ? xcalloc(n_words, sizeof(struct net_cidr)) : NULL;
    list_r->n = 0;
    for (size_t i = 0; i < n_words; i++) {
        if (!net_cidr_parse(words[i], &list_r->items[list_r->n])) {
            *error_r = xasprintf("'%s' is not an address or address/prefix", words[i]);
            net_cidr_list_free(list_r);
            return false;
        }
        list_r->n++;
    }
    return true;
}

static bool net_cidr_match(const struct net_cidr *c, int family, const unsigned char *addr)
{
    if (c->family != family)
        return false;
    unsigned full = c->prefix / 8, rest = c->prefix % 8;
    if (memcmp(c->addr, addr, full) != 0)
        return false;
    if (rest == 0)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (addr[full] & mask) == c->addr[full];
}

bool net_cidr_list_contains(const struct net_cidr_list *list, const struct sockaddr *sa)
{
    if (list == NULL)
        return false;
    int family = sa->sa_family;
    const unsigned char *addr;
    if (family == AF_INET) {
        addr = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
    } else if (family == AF_INET6) {
        const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        addr = a6->s6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a6)) {
            family = AF_INET;
            addr += 12;
        }
    } else {
        return false;
    }
    for (size_t i = 0; i < list->n; i++) {
        if (net_cidr_match(&list->items[i], family, addr))
            return true;
    }
    return false;
}

void net_cidr_list_free(struct net_cidr_list *list)
{
    if (list == NULL)
        return;
    free(list->items);
    list->items = NULL;
    list->n = 0;
}
