/*
 * verify_sched: the verifier's schedule. A libevent timer fires every tick_ms; each tick lists
 * the identities and starts, through the runner, every check that is due: a domain identity
 * (not forced, not FAILED) whose last check is interval_ms old or more, and a MAIL FROM domain
 * (not FAILED) likewise. SUCCESS ones keep being checked, so a domain whose records go drops
 * to TEMPORARY_FAILURE. "Due" is decided with the runner's clock (tests pin it and call
 * verify_sched_tick() directly); the timer itself only paces the ticks.
 *
 * Blocking: a tick reads the store (verify_run.h): use a loop dedicated to verification.
 * Ownership: base and runner are borrowed and must outlive the scheduler.
 */
#ifndef REBOUND_VERIFY_SCHED_H
#define REBOUND_VERIFY_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "verify_run.h"

#define VERIFY_DEFAULT_INTERVAL_S 300
#define VERIFY_SCHED_TICK_MS      10000
/* Most checks one tick starts (the rest wait for the next tick). */
#define VERIFY_SCHED_MAX_PER_TICK 256

struct event_base;
struct verify_sched;

struct verify_sched *verify_sched_new(struct event_base *base, struct verify_runner *runner,
                                      const struct clock *clock, int64_t interval_ms,
                                      int64_t tick_ms);
/* Stops the timer. Checks already started stay with the runner. Accepts NULL. */
void verify_sched_free(struct verify_sched *s);
/* One tick now: returns the number of checks started (or -1 if the store could not be read). */
int verify_sched_tick(struct verify_sched *s);

#endif
