/*
 * dns_sync: DNS for command-line tools that are not inside the server's event loop. A
 * dns_sync owns a private libevent event_base and a resolver on it (a dns_cache in front of
 * dns_cares), and runs that loop on demand until the caller's work is done.
 *
 * Two ways to use it:
 * - one question: dns_sync_query() runs it to completion and returns an owned copy;
 * - any asynchronous code written against struct dns_resolver (the SPF evaluator, say):
 *       struct dns_sync *s = dns_sync_new(&options, &error);
 *       start_work(dns_sync_resolver(s), on_done, &state);   // on_done sets state.done
 *       dns_sync_run(s, &state.done);
 *       dns_sync_free(s);
 * Blocks the calling thread (that is the point): never use it inside an event callback.
 */
#ifndef REBOUND_NET_DNS_SYNC_H
#define REBOUND_NET_DNS_SYNC_H

#include <stdbool.h>

#include "dns.h"
#include "dns_cares.h"

struct dns_sync;

/* options may be NULL (/etc/resolv.conf, default timeout and tries). Returns NULL with
 * *error_r (owned) when the resolver cannot start (e.g. a bad servers string). */
struct dns_sync *dns_sync_new(const struct dns_cares_options *options, char **error_r);
/* The resolver to pass to asynchronous code; borrowed until dns_sync_free(). */
struct dns_resolver *dns_sync_resolver(struct dns_sync *sync);
/* Runs the private loop until *done is true (checked after every event) or nothing is left to
 * wait for (no query pending, no timer armed). */
void dns_sync_run(struct dns_sync *sync, const bool *done);
/* Destroys the resolver (pending queries are cancelled) and the loop. Accepts NULL. */
void dns_sync_free(struct dns_sync *sync);

/* Asks one question and waits for the answer. Returns false with *error_r (owned) only when
 * the resolver cannot start; otherwise *result_r is an owned result (dns.h) to release with
 * dns_result_clear(), whatever its status. */
bool dns_sync_query(const struct dns_cares_options *options, const char *name,
                    enum dns_rr_type type, struct dns_result *result_r, char **error_r);

#endif
