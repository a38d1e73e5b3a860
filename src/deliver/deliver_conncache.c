#include "deliver_conncache.h"

#include <event2/event.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct conncache_entry {
    struct conncache_entry *prev, *next; /* next is older */
    struct deliver_conncache *cache;
    char *key;
    struct smtp_client *client;
    struct event *idle;
};

struct deliver_conncache {
    struct event_base *base;
    size_t max, n;
    int idle_ms;
    struct conncache_entry *newest, *oldest;
};

struct deliver_conncache *deliver_conncache_new(struct event_base *base, size_t max, int idle_ms)
{
    struct deliver_conncache *cache = xcalloc(1, sizeof(*cache));
    cache->base = base;
    cache->max = max ? max : DELIVER_CONNCACHE_DEFAULT_MAX;
    cache->idle_ms = idle_ms > 0 ? idle_ms : DELIVER_CONNCACHE_DEFAULT_IDLE_MS;
    return cache;
}

/* Unlinks e and frees it; returns its client (owned by the caller). */
static struct smtp_client *conncache_remove(struct conncache_entry *e)
{
    struct deliver_conncache *cache = e->cache;
    if (e->prev)
        e->prev->next = e->next;
    else
        cache->newest = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        cache->oldest = e->prev;
    cache->n--;
    struct smtp_client *client = e->client;
    event_free(e->idle);
    free(e->key);
    free(e);
    return client;
}

static void conncache_idle_cb(evutil_socket_t fd, short what, void *arg)
{
    smtp_client_quit(conncache_remove(arg));
}

void deliver_conncache_put(struct deliver_conncache *cache, const char *key,
                           struct smtp_client *client)
{
    if (!smtp_client_is_usable(client)) {
        smtp_client_free(client);
        return;
    }
    if (cache->n >= cache->max)
        smtp_client_quit(conncache_remove(cache->oldest));
    struct conncache_entry *e = xcalloc(1, sizeof(*e));
    e->cache = cache;
    e->key = xstrdup(key);
    e->client = client;
    e->idle = evtimer_new(cache->base, conncache_idle_cb, e);
    struct timeval tv = {cache->idle_ms / 1000, (long)(cache->idle_ms % 1000) * 1000};
    evtimer_add(e->idle, &tv);
    e->next = cache->newest;
    if (cache->newest)
        cache->newest->prev = e;
    else
        cache->oldest = e;
    cache->newest = e;
    cache->n++;
}

struct smtp_client *deliver_conncache_take(struct deliver_conncache *cache, const char *key)
{
    struct conncache_entry *e = cache->newest;
    while (e != NULL) {
        struct conncache_entry *next = e->next;
        if (strcmp(e->key, key) == 0) {
            struct smtp_client *client = conncache_remove(e);
            if (smtp_client_is_usable(client))
                return client;
            smtp_client_free(client); /* the server closed it while it was idle */
        }
        e = next;
    }
    return NULL;
}

size_t deliver_conncache_size(const struct deliver_conncache *cache)
{
    return cache->n;
}

void deliver_conncache_free(struct deliver_conncache *cache)
{
    if (cache == NULL)
        return;
    struct conncache_entry *e = cache->newest;
    while (e != NULL) {
        struct conncache_entry *next = e->next;
        smtp_client_quit(e->client);
        event_free(e->idle);
        free(e->key);
        free(e);
        e = next;
    }
    free(cache);
}
