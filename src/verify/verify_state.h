/*
 * verify_state: the verification state machine shared by domain identities (DNS TXT token) and
 * custom MAIL FROM domains (MX + SPF). Pure: the caller supplies the outcome of one check, the
 * history and the time; the function says what the status becomes.
 *
 *   check passed                          -> SUCCESS
 *   no success for fail_after_ms          -> FAILED (counted from the last success, or from the
 *                                            start when there was none); FAILED stays FAILED
 *                                            until a check passes (on demand)
 *   DNS timeout / SERVFAIL (TEMP)         -> TEMPORARY_FAILURE
 *   records missing or wrong (WRONG)      -> PENDING before the first success,
 *                                            TEMPORARY_FAILURE after one (the records went)
 */
#ifndef REBOUND_VERIFY_STATE_H
#define REBOUND_VERIFY_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "identity.h"

/* SES gives a domain 72 hours to publish its records. */
#define VERIFY_DEFAULT_FAIL_AFTER_HOURS 72

enum verify_outcome {
    VERIFY_OUTCOME_PASS,
    VERIFY_OUTCOME_WRONG, /* an answer: the record is missing or wrong (permanent) */
    VERIFY_OUTCOME_TEMP,  /* no answer: timeout, SERVFAIL, unreachable server (temporary) */
};

/* "pass", "wrong", "temporary"; static. */
const char *verify_outcome_name(enum verify_outcome outcome);

struct verify_history {
    enum identity_status status;
    int64_t started_ms;      /* when verification began (identity added, MAIL FROM set) */
    int64_t last_success_ms; /* 0 = never */
};

/* The status after a check with this outcome at now_ms. */
enum identity_status verify_next(const struct verify_history *h, enum verify_outcome outcome,
                                 int64_t now_ms, int64_t fail_after_ms);

#endif
