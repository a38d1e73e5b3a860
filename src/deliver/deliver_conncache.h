/*
 * deliver_conncache: open SMTP connections kept idle for the next message to the same
 * destination (the key: address, port, TLS policy and MX host name), each for at most
 * idle_ms, at most max of them in all. Postfix's scache does the same with 2 s by default.
 *
 * Ownership: put() takes the client; take() hands a usable one back to the caller (or NULL);
 * connections that time out, are evicted, or are found closed are QUIT and freed here.
 */
#ifndef REBOUND_DELIVER_CONNCACHE_H
#define REBOUND_DELIVER_CONNCACHE_H

#include <stddef.h>

#include "smtp_client.h"

struct event_base;

#define DELIVER_CONNCACHE_DEFAULT_MAX     64
#define DELIVER_CONNCACHE_DEFAULT_IDLE_MS 5000

struct deliver_conncache;

/* base is borrowed and must outlive the cache. 0 takes the defaults. */
struct deliver_conncache *deliver_conncache_new(struct event_base *base, size_t max, int idle_ms);
/* QUITs every kept connection and frees the cache. Accepts NULL. */
void deliver_conncache_free(struct deliver_conncache *cache);

void deliver_conncache_put(struct deliver_conncache *cache, const char *key,
                           struct smtp_client *client);
struct smtp_client *deliver_conncache_take(struct deliver_conncache *cache, const char *key);
size_t deliver_conncache_size(const struct deliver_conncache *cache);

#endif
