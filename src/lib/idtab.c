#include "idtab.h"

#include <assert.h>
#include <stdlib.h>

#include "xalloc.h"

/* Fibonacci hashing spreads sequential ids (the common case) over the table. */
static size_t idtab_home(const struct idtab *t, uint64_t id)
{
    return (size_t)((id * 0x9E3779B97F4A7C15ULL) >> 32) & (t->cap - 1);
}

static void idtab_grow(struct idtab *t)
{
    struct idtab old = *t;
    t->cap = old.cap ? old.cap * 2 : 16;
    t->slots = xcalloc(t->cap, sizeof(*t->slots));
    t->count = 0;
    for (size_t i = 0; i < old.cap; i++) {
        if (old.slots[i].id != 0)
            idtab_put(t, old.slots[i].id, old.slots[i].value);
    }
    free(old.slots);
}

void idtab_put(struct idtab *t, uint64_t id, void *value)
{
    assert(id != 0);
    /* Keep the load factor under 3/4 so probe sequences stay short. */
    if ((t->count + 1) * 4 > t->cap * 3)
        idtab_grow(t);
    size_t i = idtab_home(t, id);
    while (t->slots[i].id != 0 && t->slots[i].id != id)
        i = (i + 1) & (t->cap - 1);
    if (t->slots[i].id == 0)
        t->count++;
    t->slots[i].id = id;
    t->slots[i].value = value;
}

static size_t idtab_find(const struct idtab *t, uint64_t id)
{
    if (t->cap == 0 || id == 0)
        return (size_t)-1;
    size_t i = idtab_home(t, id);
    while (t->slots[i].id != 0) {
        if (t->slots[i].id == id)
            return i;
        i = (i + 1) & (t->cap - 1);
    }
    return (size_t)-1;
}

void *idtab_get(const struct idtab *t, uint64_t id)
{
    size_t i = idtab_find(t, id);
    return i == (size_t)-1 ? NULL : t->slots[i].value;
}

void *idtab_remove(struct idtab *t, uint64_t id)
{
    size_t i = idtab_find(t, id);
    if (i == (size_t)-1)
        return NULL;
    void *value = t->slots[i].value;
    size_t mask = t->cap - 1;
    /* Backward-shift: move later members of the probe run into the hole when allowed. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; t->slots[j].id != 0; j = (j + 1) & mask) {
        size_t home = idtab_home(t, t->slots[j].id);
        /* The entry at j may move to hole iff hole lies cyclically in [home, j). */
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            t->slots[hole] = t->slots[j];
            hole = j;
        }
    }
    t->slots[hole].id = 0;
    t->slots[hole].value = NULL;
    t->count--;
    return value;
}

void idtab_free(struct idtab *t)
{
    free(t->slots);
    t->slots = NULL;
    t->cap = 0;
    t->count = 0;
}
