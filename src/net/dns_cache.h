/*
 * dns_cache: a struct dns_resolver (dns.h) that answers from memory what another resolver
 * answered before, for as long as the answer's TTL allows.
 *
 * - Positive answers live for the smallest TTL of their records (capped at DNS_CACHE_MAX_TTL);
 *   NXDOMAIN and NODATA for the SOA-derived negative TTL the answer carried (RFC 2308
 *   section 5), or options->negative_ttl when it carried none, capped at
 *   DNS_CACHE_MAX_NEGATIVE_TTL. TEMPFAIL and PERMFAIL are never cached. TTL 0: not cached.
 * - Answers served from the cache carry the remaining TTL.
 * - Time comes from the injected clock (lib/clock.h), so tests pin it.
 * - At most max_entries answers are kept; inserting into a full cache evicts the least
 *   recently used one.
 * - Identical questions (same name, case-insensitively, and type) in flight at the same time
 *   are coalesced: the inner resolver is asked once, every asker gets the answer.
 * - Cache hits are delivered through base, never inside dns_query() (dns.h contract).
 * - Cancel: the caller's callback will not fire; when the last asker of a question cancels,
 *   the inner query is cancelled too. Destroy cancels everything and destroys the inner
 *   resolver. A callback may query, cancel or destroy the cache; destroying from inside a
 *   callback destroys the inner resolver from inside its own callback, which dns_cares
 *   supports (an inner backend used here must too).
 */
#ifndef REBOUND_NET_DNS_CACHE_H
#define REBOUND_NET_DNS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "dns.h"

struct event_base;

#define DNS_CACHE_DEFAULT_MAX_ENTRIES 10000
#define DNS_CACHE_MAX_ENTRIES         1000000
/* Negative TTL when an NXDOMAIN/NODATA answer carried no SOA. */
#define DNS_CACHE_DEFAULT_NEGATIVE_TTL 300
/* One day: a mail server re-checks at least daily whatever a zone claims. */
#define DNS_CACHE_MAX_TTL 86400
/* RFC 2308 section 5: "values of one to three hours have been found to work well". */
#define DNS_CACHE_MAX_NEGATIVE_TTL 10800

struct dns_cache_options {
    struct clock clock;    /* required */
    size_t max_entries;    /* 0 = DNS_CACHE_DEFAULT_MAX_ENTRIES; at most DNS_CACHE_MAX_ENTRIES */
    uint32_t negative_ttl; /* 0 = DNS_CACHE_DEFAULT_NEGATIVE_TTL */
};

struct dns_cache_stats {
    uint64_t hits;      /* answered from memory */
    uint64_t misses;    /* asked the inner resolver */
    uint64_t coalesced; /* joined a question already in flight */
    uint64_t evictions; /* dropped to make room (expiry is not counted) */
    size_t entries;     /* answers held now (some may have expired unseen) */
};

/* Wraps inner, whose ownership moves to the cache (destroyed with it). base (borrowed) must
 * outlive the cache. Fills *resolver_r; release with dns_resolver_destroy(). */
void dns_cache_new(struct event_base *base, struct dns_resolver inner,
                   const struct dns_cache_options *options, struct dns_resolver *resolver_r);

/* Counters of a resolver made by dns_cache_new() (asserts that it is one). */
void dns_cache_get_stats(const struct dns_resolver *cache, struct dns_cache_stats *stats_r);

#endif
