/*
 * idtab: a map from non-zero 64-bit ids to borrowed pointers. It is how state crosses an
 * asynchronous boundary (STYLE.md rule 6): a request carries an id, and whoever answers later
 * looks the id up; if the owner removed it meanwhile, the lookup returns NULL and the answer is
 * dropped. Open addressing with backward-shift deletion, so there are no tombstones and the
 * table never degrades. The table owns its slot array only; values are borrowed.
 */
#ifndef REBOUND_LIB_IDTAB_H
#define REBOUND_LIB_IDTAB_H

#include <stddef.h>
#include <stdint.h>

struct idtab_slot {
    uint64_t id; /* 0 = empty */
    void *value;
};

struct idtab {
    struct idtab_slot *slots;
    size_t cap; /* power of two, or 0 before the first insert */
    size_t count;
};

#define IDTAB_INIT                                                                                 \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/* Inserts or replaces; id must not be 0. */
void idtab_put(struct idtab *t, uint64_t id, void *value);
/* Returns the value or NULL (borrowed). */
void *idtab_get(const struct idtab *t, uint64_t id);
/* Removes id and returns its value (NULL if absent). */
void *idtab_remove(struct idtab *t, uint64_t id);
void idtab_free(struct idtab *t);

#endif
