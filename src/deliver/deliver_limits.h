/*
 * deliver_limits: the scheduler's concurrency windows: at most `global` delivery jobs at once,
 * and at most `per_domain` at once for one destination domain (compared case-insensitively).
 * Postfix's default_process_limit and default_destination_concurrency_limit.
 */
#ifndef REBOUND_DELIVER_LIMITS_H
#define REBOUND_DELIVER_LIMITS_H

#include <stdbool.h>
#include <stddef.h>

#define DELIVER_LIMITS_DEFAULT_GLOBAL     100
#define DELIVER_LIMITS_DEFAULT_PER_DOMAIN 20
#define DELIVER_LIMITS_MAX                100000

struct deliver_limits;

/* global and per_domain >= 1. */
struct deliver_limits *deliver_limits_new(size_t global, size_t per_domain);
void deliver_limits_free(struct deliver_limits *l); /* accepts NULL */

/* Takes one slot for domain if both windows have room; false (nothing taken) otherwise. */
bool deliver_limits_acquire(struct deliver_limits *l, const char *domain);
/* Gives back a slot acquire() took. */
void deliver_limits_release(struct deliver_limits *l, const char *domain);
bool deliver_limits_is_full(const struct deliver_limits *l);
size_t deliver_limits_running(const struct deliver_limits *l);
size_t deliver_limits_domain_running(const struct deliver_limits *l, const char *domain);

#endif
