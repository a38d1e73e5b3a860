/*
 * dns_memory: an in-memory zone behind the dns.h resolver interface, for tests, the benchmark
 * and `rebound spf --zone`. Answers are computed from records added with dns_memory_add*();
 * nothing touches the network.
 *
 * Delivery model (chosen over a libevent event so that tests and the CLI need no event base):
 * dns_query() only appends the query to a FIFO; the owner delivers answers by calling
 * dns_memory_run() (until no query is pending) or dns_memory_step() (one answer). Callbacks may
 * start new queries; those are appended and delivered by the same run. So a callback never
 * fires inside dns_query(), exactly as with the c-ares backend.
 *
 * Answers:
 * - a listed name with records of the asked type: DNS_OK, rrs = those records (owner = the
 *   name that holds them, after CNAMEs);
 * - a listed name without that type: DNS_NODATA, or DNS_TEMPFAIL if the name was marked with
 *   dns_memory_add_timeout() (a query for a type with no record at that name times out);
 * - an unlisted name: DNS_NXDOMAIN (DNS_TEMPFAIL if marked);
 * - a CNAME at the name (and the asked type is not CNAME): followed like a recursive resolver,
 *   up to DNS_MEMORY_MAX_CNAME hops; a loop or a longer chain is DNS_TEMPFAIL, as a resolver's
 *   SERVFAIL would be.
 * Names compare case-insensitively; one trailing dot is ignored.
 *
 * Ownership: dns_memory_new() returns a zone owned by the caller until dns_memory_resolver()
 * hands it to a resolver; from then on dns_resolver_destroy() frees it (pending queries are
 * dropped without callbacks). The zone stays usable through its pointer while the resolver lives.
 */
#ifndef REBOUND_NET_DNS_MEMORY_H
#define REBOUND_NET_DNS_MEMORY_H

#include <stdbool.h>
#include <stddef.h>

#include "dns.h"

/* CNAME chain length a query follows before giving up (a resolver's loop protection). */
#define DNS_MEMORY_MAX_CNAME 10

struct dns_memory;

struct dns_memory *dns_memory_new(void);
/* Frees a zone that was never handed to a resolver. Accepts NULL. */
void dns_memory_free(struct dns_memory *zone);
/* Makes *resolver_r a resolver answering from zone; the resolver owns the zone from now on. */
void dns_memory_resolver(struct dns_memory *zone, struct dns_resolver *resolver_r);

/* Adds a deep copy of rr at name (rr->owner is ignored). */
void dns_memory_add(struct dns_memory *zone, const char *name, const struct dns_rr *rr);
/* Convenience wrappers; they return false (and add nothing) for unparsable values. */
bool dns_memory_add_a(struct dns_memory *zone, const char *name, const char *ip);
bool dns_memory_add_aaaa(struct dns_memory *zone, const char *name, const char *ip);
void dns_memory_add_mx(struct dns_memory *zone, const char *name, unsigned preference,
                       const char *exchange);
/* type is DNS_TYPE_PTR or DNS_TYPE_CNAME (or DNS_TYPE_NS). */
void dns_memory_add_name(struct dns_memory *zone, const char *name, enum dns_rr_type type,
                         const char *target);
/* One TXT (or SPF, type 99) record made of n character-strings. */
void dns_memory_add_txt(struct dns_memory *zone, const char *name, enum dns_rr_type type,
                        const char *const *strings, const size_t *lengths, size_t n);
/* Makes the name exist (NODATA instead of NXDOMAIN) without adding records. */
void dns_memory_add_name_only(struct dns_memory *zone, const char *name);
/* Queries at name for a type that has no record there time out (DNS_TEMPFAIL). */
void dns_memory_add_timeout(struct dns_memory *zone, const char *name);
/* True if name holds at least one record of type (no CNAME following). */
bool dns_memory_has(const struct dns_memory *zone, const char *name, enum dns_rr_type type);

/* Delivers one pending answer; returns false if nothing was pending. */
bool dns_memory_step(struct dns_memory *zone);
/* Delivers answers until no query is pending; returns how many callbacks fired. */
size_t dns_memory_run(struct dns_memory *zone);
/* Number of queries answered so far (delivered callbacks), for tests and statistics. */
size_t dns_memory_answered(const struct dns_memory *zone);

#endif
