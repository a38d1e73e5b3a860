#include "store_pending.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define STORE_PENDING_INITIAL 64

/* Ids come from a counter, so a multiplicative hash spreads consecutive ids well. */
static size_t store_pending_slot(const struct store_pending *p, uint64_t id)
{
    return (size_t)((id * 0x9E3779B97F4A7C15ULL) >> 20) & (p->cap - 1);
}

void store_pending_init(struct store_pending *p)
{
    p->cap = STORE_PENDING_INITIAL;
    p->n = 0;
    p->slots = xcalloc(p->cap, sizeof(p->slots[0]));
}

void store_pending_free(struct store_pending *p)
{
    free(p->slots);
    p->slots = NULL;
    p->cap = p->n = 0;
}

static void store_pending_insert(struct store_pending *p, const struct store_pending_entry *e)
{
    size_t i = store_pending_slot(p, e->id);
    while (p->slots[i].id != 0) {
        assert(p->slots[i].id != e->id);
        i = (i + 1) & (p->cap - 1);
    }
    p->slots[i] = *e;
    p->n++;
}

void store_pending_put(struct store_pending *p, const struct store_pending_entry *e)
{
    assert(e->id != 0);
    if ((p->n + 1) * 4 > p->cap * 3) {
        struct store_pending old = *p;
        p->cap = old.cap * 2;
        p->n = 0;
        p->slots = xcalloc(p->cap, sizeof(p->slots[0]));
        for (size_t i = 0; i < old.cap; i++) {
            if (old.slots[i].id != 0)
                store_pending_insert(p, &old.slots[i]);
        }
        free(old.slots);
    }
    store_pending_insert(p, e);
}

bool store_pending_take(struct store_pending *p, uint64_t id, struct store_pending_entry *e_r)
{
    size_t mask = p->cap - 1;
    size_t i = store_pending_slot(p, id);
    while (p->slots[i].id != id) {
        if (p->slots[i].id == 0)
            return false;
        i = (i + 1) & mask;
    }
    *e_r = p->slots[i];
    /* Backward-shift: move later entries of the probe run into the hole when that keeps them
     * reachable from their home slot. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; p->slots[j].id != 0; j = (j + 1) & mask) {
        size_t home = store_pending_slot(p, p->slots[j].id);
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            p->slots[hole] = p->slots[j];
            hole = j;
        }
    }
    memset(&p->slots[hole], 0, sizeof(p->slots[hole]));
    p->n--;
    return true;
}
