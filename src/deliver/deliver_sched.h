/*
 * deliver_sched: the queue scheduler. It leases due recipients from the store (through
 * store_service, never blocking the loop), groups each message's recipients by domain
 * (deliver_group.h), hands the groups to deliver_submit() within a global and a per-domain
 * concurrency window (deliver_limits.h), and records every outcome (deliver_backoff.h:
 * delivered / deferred with backoff / bounced) with its event (deliver_events.h) and, for
 * bounces, a DSN to the original envelope-from (dsn_write.h) queued in the same transaction as
 * a new message with the null return path, delivered by this same scheduler. Never a DSN for a
 * message whose envelope-from was null, nor for recipients with NOTIFY=NEVER (or a NOTIFY
 * without FAILURE).
 *
 * Restart safety: a recipient is leased for lease_ms when claimed; if rebound dies before its
 * outcome is recorded, the lease expires and another claim takes it again: at least once,
 * never lost. lease_ms must exceed the longest delivery (the RFC 5321 timeouts add up to about
 * 20 minutes for a stuck peer; the default is 30 minutes).
 *
 * How a role runs it (e.g. `rebound serve` or `rebound queue run`):
 *     s = deliver_sched_new(&options);   options borrow the base, store service and deliver
 *     deliver_sched_start(s);            begins claiming on the loop
 *     ...                                event_base_dispatch
 *     deliver_sched_stop(s);             no new claims or jobs; running jobs are cancelled
 *                                        (their leases expire, so they are retried later)
 *     deliver_sched_free(s);
 * The idle callback (optional) fires on the loop whenever the store reports no unfinished
 * recipient and nothing is in flight: `queue run` without --watch stops the loop there.
 */
#ifndef REBOUND_DELIVER_SCHED_H
#define REBOUND_DELIVER_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "deliver.h"
#include "deliver_backoff.h"
#include "store_service.h"

struct event_base;

#define DELIVER_SCHED_DEFAULT_LEASE_MS 1800000
#define DELIVER_SCHED_DEFAULT_POLL_MS  1000
/* Most recipients one claim leases. */
#define DELIVER_SCHED_MAX_CLAIM 1000

typedef void deliver_sched_idle_fn(void *arg);

struct deliver_sched_options {
    struct event_base *base;   /* borrowed */
    struct store_service *svc; /* borrowed */
    struct deliver *deliver;   /* borrowed */
    struct clock clock;
    size_t global_limit; /* jobs at once, >= 1 */
    size_t domain_limit; /* jobs at once per destination domain, >= 1 */
    struct deliver_backoff backoff;
    int64_t lease_ms;            /* > 0 */
    int poll_ms;                 /* longest wait between claims when idle, > 0 */
    const char *reporting_mta;   /* copied; this host's name for events and DSNs */
    size_t max_rcpts_per_job;    /* 0 = DELIVER_MAX_RCPTS */
    deliver_sched_idle_fn *idle; /* or NULL */
    void *idle_arg;
};

struct deliver_sched_stats {
    uint64_t claimed, delivered, deferred, bounced, dsns, record_failures;
};

struct deliver_sched;

struct deliver_sched *deliver_sched_new(const struct deliver_sched_options *options);
void deliver_sched_start(struct deliver_sched *s);
void deliver_sched_stop(struct deliver_sched *s);
/* Stops if needed, cancels pending store requests, frees. Accepts NULL. */
void deliver_sched_free(struct deliver_sched *s);
void deliver_sched_get_stats(const struct deliver_sched *s, struct deliver_sched_stats *stats_r);
/* Jobs waiting, running or being recorded, or a claim outstanding. */
bool deliver_sched_is_busy(const struct deliver_sched *s);

#endif
