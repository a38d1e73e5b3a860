/*
 * deliver_route: where mail for a domain goes (RFC 5321 section 5.1), asked of any struct
 * dns_resolver (dns.h) without blocking.
 *
 * - MX records sorted by preference; hosts of equal preference in random order (RFC 5321
 *   5.1: "randomized"), the randomness injected (deliver_random_fn) so tests pin it.
 * - No MX record (NODATA): the domain itself is the only host (implicit MX, RFC 5321 5.1).
 * - Null MX (RFC 7505): a single MX "." with preference 0 -> PERMANENT, 5.1.10.
 * - The domain does not exist (NXDOMAIN) -> PERMANENT, 5.1.2.
 * - DNS temporary failure (timeout, SERVFAIL, malformed answer) -> TEMPORARY, 4.4.3.
 * - Each host (at most max_hosts) is resolved to A and AAAA; the addresses are listed host by
 *   host in MX order, IPv4 before IPv6 within a host, at most max_addrs in all, each with the
 *   port (25; another only on test beds). Hosts without addresses are skipped; if no host has
 *   one the route fails: TEMPORARY 4.4.3 when a lookup failed temporarily, else PERMANENT
 *   5.4.4 (5.1.2 for an implicit MX).
 *
 * Ownership: the route handed to the callback is borrowed for the callback only (copy what is
 * kept). The callback never fires inside deliver_route_start(); deliver_route_cancel() stops
 * it from firing at all.
 */
#ifndef REBOUND_DELIVER_ROUTE_H
#define REBOUND_DELIVER_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dns.h"
#include "smtp_client.h"

struct event_base;

/* Postfix's smtp_mx_address_limit is 5 addresses; we try a few more hosts. */
#define DELIVER_ROUTE_DEFAULT_MAX_HOSTS 10
#define DELIVER_ROUTE_DEFAULT_MAX_ADDRS 10
#define DELIVER_ROUTE_MAX_HOSTS         100
#define DELIVER_ROUTE_MAX_ADDRS         100
/* Addresses of one type taken from one host's answer. */
#define DELIVER_ROUTE_MAX_ADDRS_PER_HOST 16
#define DELIVER_ROUTE_DEFAULT_PORT       25

/* Returns a uniformly distributed 32-bit value. */
typedef uint32_t deliver_random_fn(void *ctx);

/* A deliver_random_fn from the operating system (arc4random); ctx unused. */
uint32_t deliver_random_system(void *ctx);

struct deliver_route_options {
    size_t max_hosts;          /* 0 = DELIVER_ROUTE_DEFAULT_MAX_HOSTS */
    size_t max_addrs;          /* 0 = DELIVER_ROUTE_DEFAULT_MAX_ADDRS */
    uint16_t port;             /* 0 = DELIVER_ROUTE_DEFAULT_PORT */
    deliver_random_fn *random; /* NULL = deliver_random_system */
    void *random_ctx;
};

struct deliver_route_host {
    char *name;
    uint16_t preference;
};

struct deliver_route_addr {
    struct sockaddr_storage sa;
    socklen_t sa_len;
    size_t host; /* index into hosts */
    char ip[64]; /* the address as text, without the port */
};

struct deliver_route {
    enum smtp_client_status status; /* OK: addrs holds at least one address */
    char enhanced[SMTP_CLIENT_ENHANCED_SIZE];
    char *error; /* a sentence when not OK */
    bool implicit_mx;
    size_t n_hosts;
    struct deliver_route_host *hosts; /* in the order tried */
    size_t n_addrs;
    struct deliver_route_addr *addrs;
};

typedef void deliver_route_fn(const struct deliver_route *route, void *arg);

struct deliver_route_lookup;

/* Starts routing domain. resolver and base are borrowed and must outlive the lookup. Returns
 * a handle valid until the callback returns or deliver_route_cancel() (a no-op when called
 * from inside the callback). */
struct deliver_route_lookup *deliver_route_start(struct event_base *base,
                                                 struct dns_resolver *resolver, const char *domain,
                                                 const struct deliver_route_options *options,
                                                 deliver_route_fn *cb, void *arg);
void deliver_route_cancel(struct deliver_route_lookup *lookup);

/* The ordering rule on its own, for tests: sorts hosts by preference and shuffles each run of
 * equal preference with random (Fisher-Yates). */
void deliver_route_order(struct deliver_route_host *hosts, size_t n, deliver_random_fn *random,
                         void *random_ctx);
/* RFC 7505 section 3: exactly one MX, preference 0, exchange "." (the root). */
bool deliver_route_is_null_mx(const struct dns_result *mx);

#endif
