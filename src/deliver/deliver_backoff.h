/*
 * deliver_backoff: what one attempt's outcome does to a recipient (the scheduler's policy,
 * pure: no I/O, the time passed in).
 *
 * - OK -> DELIVERED.
 * - PERMANENT -> BOUNCED.
 * - TEMPORARY -> DEFERRED, next attempt after an exponential backoff: initial_ms after the
 *   first failed attempt, doubling after each further one, at most max_ms (Postfix's
 *   minimal/maximal_backoff_time); the last retry is pulled in to the moment the lifetime ends.
 *   A TEMPORARY outcome once the lifetime (counted from arrival) is over -> BOUNCED, expired
 *   (Postfix's maximal_queue_lifetime; RFC 5321 4.5.4.1 suggests at least 4-5 days, SES-like
 *   services use much less: the default is 24 h).
 */
#ifndef REBOUND_DELIVER_BACKOFF_H
#define REBOUND_DELIVER_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

#include "smtp_client.h"
#include "store.h"

#define DELIVER_BACKOFF_DEFAULT_INITIAL_MS  60000
#define DELIVER_BACKOFF_DEFAULT_MAX_MS      3600000
#define DELIVER_BACKOFF_DEFAULT_LIFETIME_MS 86400000

struct deliver_backoff {
    int64_t initial_ms;  /* > 0 */
    int64_t max_ms;      /* >= initial_ms */
    int64_t lifetime_ms; /* >= 0 */
};

struct deliver_backoff_verdict {
    enum store_rcpt_state state;
    int64_t next_attempt_ms; /* for DEFERRED; else now */
    bool expired;            /* BOUNCED because the lifetime ran out */
};

/* The delay after `failures` (>= 1) failed attempts in a row. */
int64_t deliver_backoff_delay_ms(const struct deliver_backoff *b, int failures);

/* The recipient's new state after an attempt that ended at now_ms with status; attempts is the
 * count including this one. */
void deliver_backoff_decide(const struct deliver_backoff *b, enum smtp_client_status status,
                            int attempts, int64_t arrival_ms, int64_t now_ms,
                            struct deliver_backoff_verdict *verdict_r);

#endif
