/*
 * deliver_group: splits the claimed recipients of one message into delivery jobs: all
 * recipients of one domain (compared case-insensitively) in one transaction, in the order
 * claimed, at most DELIVER_MAX_RCPTS per job (a longer list becomes several jobs).
 */
#ifndef REBOUND_DELIVER_GROUP_H
#define REBOUND_DELIVER_GROUP_H

#include <stddef.h>

struct deliver_group {
    const char *domain; /* borrowed from the first address of the group */
    size_t *idx;        /* owned: positions in the address array */
    size_t n;
};

/* Groups addresses[0..n); an address without '@' gets the empty domain (routing refuses it).
 * Returns the number of groups; *groups_r is owned (deliver_group_free). max_per_group is
 * DELIVER_MAX_RCPTS in production, smaller in tests. */
size_t deliver_group_split(const char *const *addresses, size_t n, size_t max_per_group,
                           struct deliver_group **groups_r);
void deliver_group_free(struct deliver_group *groups, size_t n);

#endif
