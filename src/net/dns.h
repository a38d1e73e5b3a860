/*
 * dns: the abstract asynchronous resolver every DNS user codes against (SPF, MX routing,
 * verification). Backends: c-ares on the libevent loop (dns_cares.h), a TTL cache in front of
 * any resolver (dns_cache.h), and in-memory zone data for tests (dns_memory.h).
 *
 * Contract for every backend:
 * - dns_query() never blocks and never calls the callback from inside itself: the callback
 *   fires exactly once, later, from the event loop (or from the backend's run function),
 *   unless the query is cancelled first with dns_cancel().
 * - The result and everything it points to are borrowed for the duration of the callback only.
 * - Outcomes are classified at the origin: NXDOMAIN and NODATA are answers; timeouts, SERVFAIL,
 *   and refused/unreachable servers are DNS_TEMPFAIL; malformed answers are DNS_PERMFAIL.
 * - Names are given without a trailing dot (one is tolerated); comparisons are case-insensitive.
 */
#ifndef REBOUND_NET_DNS_H
#define REBOUND_NET_DNS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest name we query (RFC 1035 2.3.4: 255 octets on the wire, 253 in text). */
#define DNS_MAX_NAME_LEN 253

enum dns_rr_type {
    DNS_TYPE_A = 1,
    DNS_TYPE_NS = 2,
    DNS_TYPE_CNAME = 5,
    DNS_TYPE_SOA = 6,
    DNS_TYPE_PTR = 12,
    DNS_TYPE_MX = 15,
    DNS_TYPE_TXT = 16,
    DNS_TYPE_AAAA = 28,
    DNS_TYPE_SPF = 99,
};

enum dns_status {
    DNS_OK,       /* at least one record of the asked type (rrs may still hold CNAMEs too) */
    DNS_NXDOMAIN, /* the name does not exist */
    DNS_NODATA,   /* the name exists, no record of this type */
    DNS_TEMPFAIL, /* timeout, SERVFAIL, no server reachable: try again later */
    DNS_PERMFAIL, /* malformed answer, refused query, bad name */
};

struct dns_txt {
    size_t n_strings;
    char **strings; /* each string may contain NUL bytes: use lengths */
    size_t *lengths;
};

struct dns_rr {
    enum dns_rr_type type;
    uint32_t ttl;
    char *owner; /* owner name as answered */
    union {
        struct in_addr a;
        struct in6_addr aaaa;
        struct {
            uint16_t preference;
            char *exchange;
        } mx;
        char *target;       /* PTR, CNAME, NS */
        struct dns_txt txt; /* TXT, SPF */
    } u;
};

struct dns_result {
    enum dns_status status;
    const char *error; /* a sentence for TEMPFAIL/PERMFAIL, else NULL */
    size_t n_rrs;
    struct dns_rr *rrs; /* only records of the asked type, in answer order */
    /* Negative caching (RFC 2308 section 5), for NXDOMAIN and NODATA answers: when the answer
     * carried the zone's SOA, has_negative_ttl is true and negative_ttl is min(SOA TTL,
     * SOA MINIMUM). Zero-initialised (false) means "not known": caches use their default. */
    bool has_negative_ttl;
    uint32_t negative_ttl;
};

typedef void dns_callback_fn(const struct dns_result *result, void *arg);

struct dns_resolver_ops {
    uint64_t (*query)(void *impl, const char *name, enum dns_rr_type type, dns_callback_fn *cb,
                      void *arg);
    void (*cancel)(void *impl, uint64_t query_id);
    void (*destroy)(void *impl);
};

/* A resolver is a small value: backend operations plus the backend's state (owned by it). */
struct dns_resolver {
    const struct dns_resolver_ops *ops;
    void *impl;
};

/* Starts a query; returns its id (never 0). */
uint64_t dns_query(struct dns_resolver *resolver, const char *name, enum dns_rr_type type,
                   dns_callback_fn *cb, void *arg);
/* Cancels a pending query: its callback will not fire. Unknown or finished ids are ignored. */
void dns_cancel(struct dns_resolver *resolver, uint64_t query_id);
/* Destroys the backend; pending queries are cancelled without callbacks. Accepts NULL ops. */
void dns_resolver_destroy(struct dns_resolver *resolver);

const char *dns_status_name(enum dns_status status);
const char *dns_type_name(enum dns_rr_type type);

/* Helpers for backends: deep copy and release of records (owned storage). */
void dns_rr_copy(struct dns_rr *dst, const struct dns_rr *src);
void dns_rr_clear(struct dns_rr *rr);
/* An owned result: rrs from xcalloc (each released with dns_rr_clear) and error from xstrdup
 * (or NULL). dns_result_copy() deep-copies any result (borrowed or owned) into that form;
 * dns_result_clear() releases an owned result and zeroes it. */
void dns_result_copy(struct dns_result *dst, const struct dns_result *src);
void dns_result_clear(struct dns_result *result);

#endif
