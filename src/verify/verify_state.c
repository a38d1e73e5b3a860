/* verify_state: see verify_state.h for the rules. */
#include "verify_state.h"

const char *verify_outcome_name(enum verify_outcome outcome)
{
    static const char *const names[] = {"pass", "wrong", "temporary"};
    return names[outcome];
}

enum identity_status verify_next(const struct verify_history *h, enum verify_outcome outcome,
                                 int64_t now_ms, int64_t fail_after_ms)
{
    if (outcome == VERIFY_OUTCOME_PASS)
        return IDENTITY_SUCCESS;
    if (h->status == IDENTITY_FAILED)
        return IDENTITY_FAILED;
    /* The deadline runs from the last time the records were right (or from the start). */
    int64_t since = h->last_success_ms > h->started_ms ? h->last_success_ms : h->started_ms;
    if (now_ms - since >= fail_after_ms)
        return IDENTITY_FAILED;
    if (outcome == VERIFY_OUTCOME_TEMP)
        return IDENTITY_TEMPORARY_FAILURE;
    return h->last_success_ms > 0 ? IDENTITY_TEMPORARY_FAILURE : IDENTITY_PENDING;
}
