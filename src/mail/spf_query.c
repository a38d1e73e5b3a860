/*
 * spf_query: turns the SMTP facts (client IP, MAIL FROM, HELO) into the inputs of check_host()
 * and the macro variables of section 7.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "spf.h"
#include "xalloc.h"

/* 4.1 and 5: an IPv4-mapped IPv6 client (::ffff:a.b.c.d) is an IPv4 client. */
static bool spf_query_parse_ip(struct spf_query *q, const char *ip)
{
    if (inet_pton(AF_INET, ip, &q->ip.v4) == 1) {
        q->is_ip6 = false;
        return true;
    }
    struct in6_addr v6;
    if (inet_pton(AF_INET6, ip, &v6) != 1)
        return false;
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
        q->is_ip6 = false;
        memcpy(&q->ip.v4, &v6.s6_addr[12], 4);
    } else {
        q->is_ip6 = true;
        q->ip.v6 = v6;
    }
    return true;
}

/* %{i}: dotted quad, or 32 dot-separated upper-case nibbles for IPv6 (7.3). */
static void spf_query_ip_strings(struct spf_query *q)
{
    char text[INET6_ADDRSTRLEN];
    if (!q->is_ip6) {
        inet_ntop(AF_INET, &q->ip.v4, text, sizeof(text));
        q->ip_dotted = xstrdup(text);
        q->ip_readable = xstrdup(text);
        return;
    }
    static const char hex[] = "0123456789ABCDEF";
    struct buf b = BUF_INIT;
    for (int i = 0; i < 16; i++) {
        if (i > 0)
            buf_append_char(&b, '.');
        buf_append_char(&b, hex[q->ip.v6.s6_addr[i] >> 4]);
        buf_append_char(&b, '.');
        buf_append_char(&b, hex[q->ip.v6.s6_addr[i] & 15]);
    }
    q->ip_dotted = buf_steal(&b);
    inet_ntop(AF_INET6, &q->ip.v6, text, sizeof(text));
    q->ip_readable = xstrdup(text);
}

/* 4.3: local-part "postmaster" if empty; the domain after the last "@". */
static bool spf_query_split_sender(struct spf_query *q, const char *sender, char **error_r)
{
    const char *at = strrchr(sender, '@');
    if (at == NULL || at[1] == '\0') {
        *error_r = xasprintf("sender '%s' has no domain part", sender);
        return false;
    }
    q->local = at == sender ? xstrdup("postmaster") : xstrndup(sender, (size_t)(at - sender));
    q->domain = xstrdup(at + 1);
    q->sender = at == sender ? xasprintf("postmaster%s", sender) : xstrdup(sender);
    return true;
}

/* %{t}: decimal seconds (snprintf is needlessly slow on this path). */
static char *spf_query_decimal(int64_t v)
{
    char tmp[24], *p = tmp + sizeof(tmp);
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    *--p = '\0';
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *--p = '-';
    return xstrdup(p);
}

bool spf_query_init(struct spf_query *q, const struct spf_request *req, char **error_r)
{
    memset(q, 0, sizeof(*q));
    *error_r = NULL;
    if (req->client_ip == NULL || !spf_query_parse_ip(q, req->client_ip)) {
        *error_r =
            xasprintf("'%s' is not an IPv4 or IPv6 address", req->client_ip ? req->client_ip : "");
        return false;
    }
    spf_query_ip_strings(q);
    q->helo = xstrdup(req->helo ? req->helo : "");
    bool ok;
    if (req->sender == NULL || req->sender[0] == '\0') {
        if (q->helo[0] == '\0') {
            *error_r = xstrdup("neither a sender nor a HELO name to check");
            spf_query_clear(q);
            return false;
        }
        char *postmaster = xasprintf("postmaster@%s", q->helo);
        q->identity = SPF_IDENTITY_HELO;
        ok = spf_query_split_sender(q, postmaster, error_r);
        free(postmaster);
    } else {
        q->identity = SPF_IDENTITY_MAILFROM;
        ok = spf_query_split_sender(q, req->sender, error_r);
    }
    if (!ok) {
        spf_query_clear(q);
        return false;
    }
    q->receiver = xstrdup(req->receiver ? req->receiver : "unknown");
    q->timestamp = spf_query_decimal(req->now);
    q->default_explanation =
        xstrdup(req->default_explanation ? req->default_explanation : SPF_DEFAULT_EXPLANATION);
    return true;
}

void spf_query_clear(struct spf_query *q)
{
    free(q->sender);
    free(q->local);
    free(q->domain);
    free(q->helo);
    free(q->ip_dotted);
    free(q->ip_readable);
    free(q->receiver);
    free(q->timestamp);
    free(q->default_explanation);
    memset(q, 0, sizeof(*q));
}
