/*
 * store_pending: the loop-side table of requests awaiting a reply, keyed by request id
 * (STYLE.md rule 6). Only the event-loop thread touches it; worker threads see ids, never the
 * callbacks or their arguments. An open-addressing hash table with linear probing and
 * backward-shift deletion; it grows, so its size is bounded by the callers' requests in flight.
 */
#ifndef REBOUND_STORE_PENDING_H
#define REBOUND_STORE_PENDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store_pending_entry {
    uint64_t id; /* 0 = empty slot */
    int kind;    /* the request's kind; the service casts cb back to that kind's type */
    void (*cb)(void);
    void *arg; /* borrowed from the requester */
};

struct store_pending {
    struct store_pending_entry *slots;
    size_t cap; /* power of two */
    size_t n;
};

void store_pending_init(struct store_pending *p);
void store_pending_free(struct store_pending *p);
/* id must be non-zero and not present. */
void store_pending_put(struct store_pending *p, const struct store_pending_entry *e);
/* Removes the entry with this id into *e_r; false if absent. */
bool store_pending_take(struct store_pending *p, uint64_t id, struct store_pending_entry *e_r);

#endif
