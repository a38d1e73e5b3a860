/*
 * dns_cares: the production resolver (struct dns_resolver, dns.h) on c-ares, driven by a
 * libevent event_base. c-ares's sockets and its timeout become libevent events, so nothing
 * blocks; raw answers are decoded by dns_answer.c (TTLs, negative TTLs, TXT strings with NULs,
 * CNAME chains).
 *
 * Behaviour beyond the dns.h contract:
 * - Servers: options->servers is "host:port[,host:port]" (IPv6 as "[addr]:port"; port 53 when
 *   omitted; IP addresses only). NULL or "" uses /etc/resolv.conf, like every stub resolver.
 * - Timeouts: each try waits timeout_ms; c-ares goes round the servers up to `tries` times and
 *   doubles the wait after every full round. A query that times out, is refused, gets
 *   SERVFAIL or cannot reach a server ends as DNS_TEMPFAIL.
 * - CNAME chains that leave an answer (authoritative servers do not chase out-of-zone targets)
 *   are continued with a new query, at most DNS_CARES_MAX_CNAME_RESTARTS times.
 * - Callbacks run from a libevent callback of the base, never inside dns_query(), never from
 *   inside c-ares. A callback may query, cancel, or destroy the resolver.
 * - Destroy with queries pending: no callback fires afterwards; c-ares's sockets are closed.
 * Not thread-safe: one resolver belongs to one event loop thread.
 */
#ifndef REBOUND_NET_DNS_CARES_H
#define REBOUND_NET_DNS_CARES_H

#include <stdbool.h>

#include "dns.h"

struct event_base;

/* Wait for one try (c-ares doubles it after each round over all servers). */
#define DNS_CARES_DEFAULT_TIMEOUT_MS 2000
/* Rounds over the server list before a query ends as DNS_TEMPFAIL. */
#define DNS_CARES_DEFAULT_TRIES  3
#define DNS_CARES_MIN_TIMEOUT_MS 10
#define DNS_CARES_MAX_TIMEOUT_MS 60000
#define DNS_CARES_MAX_TRIES      10
/* Entries in a servers list. */
#define DNS_CARES_MAX_SERVERS 8
/* New queries issued to continue a CNAME chain that left its answer. */
#define DNS_CARES_MAX_CNAME_RESTARTS 8

struct dns_cares_options {
    const char *servers; /* borrowed; see above; NULL = /etc/resolv.conf */
    int timeout_ms;      /* 0 = DNS_CARES_DEFAULT_TIMEOUT_MS */
    int tries;           /* 0 = DNS_CARES_DEFAULT_TRIES */
};

/* Creates a resolver on base (borrowed: must outlive the resolver). options may be NULL (all
 * defaults). On success fills *resolver_r (release with dns_resolver_destroy()); on failure
 * returns false with *error_r (owned, free()). */
bool dns_cares_new(struct event_base *base, const struct dns_cares_options *options,
                   struct dns_resolver *resolver_r, char **error_r);

/* Checks a servers string without creating anything (config validation). On refusal returns
 * false with *error_r (owned) naming the bad entry. */
bool dns_cares_check_servers(const char *servers, char **error_r);

#endif
