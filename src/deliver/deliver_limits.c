/*
 * deliver_limits: a flat array of the domains with jobs running. It holds at most `global`
 * entries, so a linear search costs less than the delivery it admits.
 */
#include "deliver_limits.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

struct deliver_limits_domain {
    char *name;
    size_t running;
};

struct deliver_limits {
    size_t global, per_domain, running;
    struct deliver_limits_domain *domains;
    size_t n_domains;
};

struct deliver_limits *deliver_limits_new(size_t global, size_t per_domain)
{
    assert(global >= 1 && per_domain >= 1);
    struct deliver_limits *l = xcalloc(1, sizeof(*l));
    l->global = global;
    l->per_domain = per_domain;
    l->domains = xcalloc(global, sizeof(l->domains[0]));
    return l;
}

void deliver_limits_free(struct deliver_limits *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->n_domains; i++)
        free(l->domains[i].name);
    free(l->domains);
    free(l);
}

static struct deliver_limits_domain *deliver_limits_find(const struct deliver_limits *l,
                                                         const char *domain)
{
    for (size_t i = 0; i < l->n_domains; i++) {
        if (strcasecmp(l->domains[i].name, domain) == 0)
            return &l->domains[i];
    }
    return NULL;
}

bool deliver_limits_acquire(struct deliver_limits *l, const char *domain)
{
    if (l->running >= l->global)
        return false;
    struct deliver_limits_domain *d = deliver_limits_find(l, domain);
    if (d != NULL && d->running >= l->per_domain)
        return false;
    if (d == NULL) {
        assert(l->n_domains < l->global);
        d = &l->domains[l->n_domains++];
        d->name = xstrdup(domain);
        d->running = 0;
    }
    d->running++;
    l->running++;
    return true;
}

void deliver_limits_release(struct deliver_limits *l, const char *domain)
{
    struct deliver_limits_domain *d = deliver_limits_find(l, domain);
    assert(d != NULL && d->running > 0 && l->running > 0);
    l->running--;
    if (--d->running == 0) {
        free(d->name);
        *d = l->domains[--l->n_domains];
    }
}

bool deliver_limits_is_full(const struct deliver_limits *l)
{
    return l->running >= l->global;
}

size_t deliver_limits_running(const struct deliver_limits *l)
{
    return l->running;
}

size_t deliver_limits_domain_running(const struct deliver_limits *l, const char *domain)
{
    const struct deliver_limits_domain *d = deliver_limits_find(l, domain);
    return d ? d->running : 0;
}
