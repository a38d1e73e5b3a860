#include "dns_cache.h"

#include <assert.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"
#include "xalloc.h"

/*
 * Three kinds of state: entries (answers kept, in a hash table and an LRU list), fetches
 * (questions in flight at the inner resolver, each with the waiters that asked it), and hits
 * (waiters answered from memory, waiting for the deliver event). A waiter is one dns_query()
 * of our caller; its id is what dns_cancel() looks up.
 */

struct cache_entry {
    struct cache_entry *hnext;         /* hash chain */
    struct cache_entry *newer, *older; /* LRU list */
    char *name;                        /* lower case, no trailing dot */
    enum dns_rr_type type;
    int64_t expires_ms;
    struct dns_result result; /* owned */
};

struct cache_waiter {
    struct cache_waiter *prev, *next;
    uint64_t id;
    dns_callback_fn *cb;
    void *arg;
    struct dns_result hit; /* owned; only for hits */
};

struct cache_wlist {
    struct cache_waiter *head, *tail;
};

struct cache_fetch {
    struct cache_fetch *prev, *next;
    struct dns_cache *cache;
    char *name;
    enum dns_rr_type type;
    uint64_t inner_id;
    struct cache_wlist waiters;
    bool delivering; /* answered: no longer joinable, not cancellable at the inner resolver */
};

struct dns_cache {
    struct event_base *base;
    struct dns_resolver inner;
    struct clock clock;
    size_t max_entries;
    uint32_t negative_ttl;
    struct cache_entry **buckets;
    size_t n_buckets; /* a power of two */
    size_t n_entries;
    struct cache_entry *newest, *oldest;
    struct cache_fetch *fetches;
    struct cache_wlist hits;
    struct event *deliver;
    uint64_t next_id;
    unsigned delivering;
    bool destroy_pending;
    struct dns_cache_stats stats;
};

/* ---- lists ---- */

static void cache_wlist_push(struct cache_wlist *l, struct cache_waiter *w)
{
    w->next = NULL;
    w->prev = l->tail;
    if (l->tail)
        l->tail->next = w;
    else
        l->head = w;
    l->tail = w;
}

static void cache_wlist_remove(struct cache_wlist *l, struct cache_waiter *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        l->head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        l->tail = w->prev;
    w->prev = w->next = NULL;
}

static struct cache_waiter *cache_wlist_pop(struct cache_wlist *l)
{
    struct cache_waiter *w = l->head;
    if (w == NULL)
        return NULL;
    l->head = w->next;
    if (l->head)
        l->head->prev = NULL;
    else
        l->tail = NULL;
    w->next = NULL;
    return w;
}

static struct cache_waiter *cache_wlist_find(const struct cache_wlist *l, uint64_t id)
{
    for (struct cache_waiter *w = l->head; w; w = w->next)
        if (w->id == id)
            return w;
    return NULL;
}

static void cache_waiter_free(struct cache_waiter *w)
{
    dns_result_clear(&w->hit);
    free(w);
}

static void cache_wlist_free(struct cache_wlist *l)
{
    struct cache_waiter *w;
    while ((w = cache_wlist_pop(l)) != NULL)
        cache_waiter_free(w);
}

static void cache_fetch_unlink(struct dns_cache *c, struct cache_fetch *f)
{
    if (f->prev)
        f->prev->next = f->next;
    else
        c->fetches = f->next;
    if (f->next)
        f->next->prev = f->prev;
    f->prev = f->next = NULL;
}

static void cache_fetch_free(struct cache_fetch *f)
{
    cache_wlist_free(&f->waiters);
    free(f->name);
    free(f);
}

/* ---- entries ---- */

static size_t cache_hash(const char *name, enum dns_rr_type type, size_t n_buckets)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const char *p = name; *p; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211ULL;
    h = (h ^ (uint64_t)type) * 1099511628211ULL;
    return (size_t)(h & (n_buckets - 1));
}

static void cache_lru_unlink(struct dns_cache *c, struct cache_entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void cache_lru_push(struct dns_cache *c, struct cache_entry *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest)
        c->newest->newer = e;
    else
        c->oldest = e;
    c->newest = e;
}

static void cache_entry_remove(struct dns_cache *c, struct cache_entry *e)
{
    struct cache_entry **link = &c->buckets[cache_hash(e->name, e->type, c->n_buckets)];
    while (*link != e)
        link = &(*link)->hnext;
    *link = e->hnext;
    cache_lru_unlink(c, e);
    dns_result_clear(&e->result);
    free(e->name);
    free(e);
    c->n_entries--;
}

/* The live entry for (name, type), moved to the LRU head; expired entries are dropped. */
static struct cache_entry *cache_lookup(struct dns_cache *c, const char *name,
                                        enum dns_rr_type type, int64_t now_ms)
{
    struct cache_entry *e = c->buckets[cache_hash(name, type, c->n_buckets)];
    while (e && !(e->type == type && strcmp(e->name, name) == 0))
        e = e->hnext;
    if (e == NULL)
        return NULL;
    if (now_ms >= e->expires_ms) {
        cache_entry_remove(c, e);
        return NULL;
    }
    cache_lru_unlink(c, e);
    cache_lru_push(c, e);
    return e;
}

/* How long a result may be kept, in seconds; 0 = not at all. */
static uint32_t cache_lifetime(const struct dns_cache *c, const struct dns_result *r)
{
    uint32_t ttl;
    switch (r->status) {
    case DNS_OK:
        if (r->n_rrs == 0)
            return 0;
        ttl = DNS_CACHE_MAX_TTL;
        for (size_t i = 0; i < r->n_rrs; i++)
            if (r->rrs[i].ttl < ttl)
                ttl = r->rrs[i].ttl;
        return ttl;
    case DNS_NXDOMAIN:
    case DNS_NODATA:
        ttl = r->has_negative_ttl ? r->negative_ttl : c->negative_ttl;
        return ttl < DNS_CACHE_MAX_NEGATIVE_TTL ? ttl : DNS_CACHE_MAX_NEGATIVE_TTL;
    case DNS_TEMPFAIL:
    case DNS_PERMFAIL:
        return 0;
    }
    return 0;
}

static void cache_store(struct dns_cache *c, const char *name, enum dns_rr_type type,
                        const struct dns_result *result)
{
    uint32_t ttl = cache_lifetime(c, result);
    if (ttl == 0)
        return;
    int64_t now_ms = clock_now_ms(&c->clock);
    struct cache_entry *old = cache_lookup(c, name, type, now_ms);
    if (old != NULL)
        cache_entry_remove(c, old);
    if (c->n_entries >= c->max_entries) {
        cache_entry_remove(c, c->oldest);
        c->stats.evictions++;
    }
    struct cache_entry *e = xcalloc(1, sizeof(*e));
    e->name = xstrdup(name);
    e->type = type;
    e->expires_ms = now_ms + (int64_t)ttl * 1000;
    dns_result_copy(&e->result, result);
    size_t b = cache_hash(name, type, c->n_buckets);
    e->hnext = c->buckets[b];
    c->buckets[b] = e;
    cache_lru_push(c, e);
    c->n_entries++;
}

/* A copy of the entry's answer whose TTLs count down to its expiry. */
static void cache_copy_hit(const struct cache_entry *e, int64_t now_ms, struct dns_result *out)
{
    uint32_t remaining = (uint32_t)((e->expires_ms - now_ms) / 1000);
    dns_result_copy(out, &e->result);
    for (size_t i = 0; i < out->n_rrs; i++)
        out->rrs[i].ttl = remaining;
    if (out->status != DNS_OK) {
        out->has_negative_ttl = true;
        out->negative_ttl = remaining;
    }
}

/* ---- delivery ---- */

static void cache_really_destroy(struct dns_cache *c);

static void cache_end_delivery(struct dns_cache *c)
{
    c->delivering--;
    if (c->destroy_pending && c->delivering == 0)
        cache_really_destroy(c);
}

static void cache_on_deliver(evutil_socket_t fd, short what, void *arg)
{
    struct dns_cache *c = arg;
    c->delivering++;
    struct cache_waiter *w;
    while (!c->destroy_pending && (w = cache_wlist_pop(&c->hits)) != NULL) {
        w->cb(&w->hit, w->arg);
        cache_waiter_free(w);
    }
    cache_end_delivery(c);
}

/* The inner resolver answered a fetch: keep the answer, then tell every waiter. */
static void cache_on_inner(const struct dns_result *result, void *arg)
{
    struct cache_fetch *f = arg;
    struct dns_cache *c = f->cache;
    cache_store(c, f->name, f->type, result);
    f->delivering = true;
    c->delivering++;
    struct cache_waiter *w;
    while (!c->destroy_pending && (w = cache_wlist_pop(&f->waiters)) != NULL) {
        w->cb(result, w->arg);
        cache_waiter_free(w);
    }
    cache_fetch_unlink(c, f);
    cache_fetch_free(f);
    cache_end_delivery(c);
}

/* ---- struct dns_resolver operations ---- */

static char *cache_key(const char *name)
{
    char *key = str_lower(xstrdup(name));
    size_t len = strlen(key);
    if (len > 1 && key[len - 1] == '.')
        key[len - 1] = '\0';
    return key;
}

static struct cache_fetch *cache_find_fetch(struct dns_cache *c, const char *name,
                                            enum dns_rr_type type)
{
    for (struct cache_fetch *f = c->fetches; f; f = f->next)
        if (!f->delivering && f->type == type && strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

static void cache_start_fetch(struct dns_cache *c, char *key, enum dns_rr_type type,
                              struct cache_waiter *w)
{
    struct cache_fetch *f = xcalloc(1, sizeof(*f));
    f->cache = c;
    f->name = key;
    f->type = type;
    cache_wlist_push(&f->waiters, w);
    f->next = c->fetches;
    if (c->fetches)
        c->fetches->prev = f;
    c->fetches = f;
    c->stats.misses++;
    /* dns.h: the inner callback never fires inside dns_query, so f is complete in time. */
    f->inner_id = dns_query(&c->inner, key, type, cache_on_inner, f);
}

static uint64_t cache_query(void *impl, const char *name, enum dns_rr_type type,
                            dns_callback_fn *cb, void *arg)
{
    struct dns_cache *c = impl;
    struct cache_waiter *w = xcalloc(1, sizeof(*w));
    w->id = c->next_id++;
    w->cb = cb;
    w->arg = arg;
    uint64_t id = w->id;
    char *key = cache_key(name);
    int64_t now_ms = clock_now_ms(&c->clock);
    struct cache_entry *e = cache_lookup(c, key, type, now_ms);
    if (e != NULL) {
        c->stats.hits++;
        cache_copy_hit(e, now_ms, &w->hit);
        cache_wlist_push(&c->hits, w);
        event_active(c->deliver, EV_TIMEOUT, 0);
        free(key);
        return id;
    }
    struct cache_fetch *f = cache_find_fetch(c, key, type);
    if (f != NULL) {
        c->stats.coalesced++;
        cache_wlist_push(&f->waiters, w);
        free(key);
        return id;
    }
    cache_start_fetch(c, key, type, w);
    return id;
}

static void cache_cancel(void *impl, uint64_t query_id)
{
    struct dns_cache *c = impl;
    struct cache_waiter *w = cache_wlist_find(&c->hits, query_id);
    if (w != NULL) {
        cache_wlist_remove(&c->hits, w);
        cache_waiter_free(w);
        return;
    }
    for (struct cache_fetch *f = c->fetches; f; f = f->next) {
        w = cache_wlist_find(&f->waiters, query_id);
        if (w == NULL)
            continue;
        cache_wlist_remove(&f->waiters, w);
        cache_waiter_free(w);
        if (f->waiters.head == NULL && !f->delivering) {
            dns_cancel(&c->inner, f->inner_id); /* nobody left who wants the answer */
            cache_fetch_unlink(c, f);
            cache_fetch_free(f);
        }
        return;
    }
}

static void cache_really_destroy(struct dns_cache *c)
{
    dns_resolver_destroy(&c->inner); /* no inner callback fires after this */
    struct cache_fetch *f;
    while ((f = c->fetches) != NULL) {
        c->fetches = f->next;
        cache_fetch_free(f);
    }
    cache_wlist_free(&c->hits);
    for (struct cache_entry *e = c->newest, *older; e != NULL; e = older) {
        older = e->older; /* the buckets go as a whole below */
        dns_result_clear(&e->result);
        free(e->name);
        free(e);
    }
    free(c->buckets);
    event_free(c->deliver);
    free(c);
}

static void cache_destroy(void *impl)
{
    struct dns_cache *c = impl;
    if (c->delivering > 0) {
        c->destroy_pending = true; /* finished when the delivery loop unwinds */
        return;
    }
    cache_really_destroy(c);
}

static const struct dns_resolver_ops cache_ops = {
    .query = cache_query,
    .cancel = cache_cancel,
    .destroy = cache_destroy,
};

void dns_cache_new(struct event_base *base, struct dns_resolver inner,
                   const struct dns_cache_options *options, struct dns_resolver *resolver_r)
{
    assert(options != NULL && options->clock.now_ms != NULL);
    assert(options->max_entries <= DNS_CACHE_MAX_ENTRIES);
    struct dns_cache *c = xcalloc(1, sizeof(*c));
    c->base = base;
    c->inner = inner;
    c->clock = options->clock;
    c->max_entries = options->max_entries ? options->max_entries : DNS_CACHE_DEFAULT_MAX_ENTRIES;
    c->negative_ttl =
        options->negative_ttl ? options->negative_ttl : DNS_CACHE_DEFAULT_NEGATIVE_TTL;
    c->n_buckets = 16;
    while (c->n_buckets < c->max_entries)
        c->n_buckets *= 2;
    c->buckets = xcalloc(c->n_buckets, sizeof(struct cache_entry *));
    c->next_id = 1;
    c->deliver = event_new(base, -1, 0, cache_on_deliver, c);
    if (c->deliver == NULL)
        abort(); /* libevent allocation failure: out of memory */
    resolver_r->ops = &cache_ops;
    resolver_r->impl = c;
}

void dns_cache_get_stats(const struct dns_resolver *cache, struct dns_cache_stats *stats_r)
{
    assert(cache->ops == &cache_ops);
    const struct dns_cache *c = cache->impl;
    *stats_r = c->stats;
    stats_r->entries = c->n_entries;
}
