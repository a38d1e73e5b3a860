#include "dns_sync.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dns_cache.h"
#include "xalloc.h"

struct dns_sync {
    struct event_base *base;
    struct dns_resolver resolver;
};

struct dns_sync *dns_sync_new(const struct dns_cares_options *options, char **error_r)
{
    struct dns_sync *s = xcalloc(1, sizeof(*s));
    s->base = event_base_new();
    if (s->base == NULL)
        abort(); /* libevent allocation failure: out of memory */
    struct dns_resolver cares;
    if (!dns_cares_new(s->base, options, &cares, error_r)) {
        event_base_free(s->base);
        free(s);
        return NULL;
    }
    struct dns_cache_options cache_options = {.clock = clock_system()};
    dns_cache_new(s->base, cares, &cache_options, &s->resolver);
    return s;
}

struct dns_resolver *dns_sync_resolver(struct dns_sync *sync)
{
    return &sync->resolver;
}

void dns_sync_run(struct dns_sync *sync, const bool *done)
{
    /* EVLOOP_ONCE returns after one round of callbacks; 1 means nothing is pending at all. */
    while (!*done && event_base_loop(sync->base, EVLOOP_ONCE) == 0)
        ;
}

void dns_sync_free(struct dns_sync *sync)
{
    if (sync == NULL)
        return;
    dns_resolver_destroy(&sync->resolver);
    event_base_free(sync->base);
    free(sync);
}

struct sync_one {
    bool done;
    struct dns_result *result;
};

static void sync_on_answer(const struct dns_result *result, void *arg)
{
    struct sync_one *one = arg;
    dns_result_copy(one->result, result);
    one->done = true;
}

bool dns_sync_query(const struct dns_cares_options *options, const char *name,
                    enum dns_rr_type type, struct dns_result *result_r, char **error_r)
{
    memset(result_r, 0, sizeof(*result_r));
    struct dns_sync *s = dns_sync_new(options, error_r);
    if (s == NULL)
        return false;
    struct sync_one one = {false, result_r};
    dns_query(dns_sync_resolver(s), name, type, sync_on_answer, &one);
    dns_sync_run(s, &one.done);
    if (!one.done) { /* cannot happen with c-ares (every query ends), but never hang silently */
        result_r->status = DNS_TEMPFAIL;
        result_r->error = xstrdup("DNS query ended without an answer");
    }
    dns_sync_free(s);
    return true;
}
