#include "deliver_backoff.h"

int64_t deliver_backoff_delay_ms(const struct deliver_backoff *b, int failures)
{
    int64_t delay = b->initial_ms;
    /* Doubling stops at max_ms, long before int64 could overflow. */
    for (int i = 1; i < failures && delay < b->max_ms; i++)
        delay *= 2;
    return delay < b->max_ms ? delay : b->max_ms;
}

void deliver_backoff_decide(const struct deliver_backoff *b, enum smtp_client_status status,
                            int attempts, int64_t arrival_ms, int64_t now_ms,
                            struct deliver_backoff_verdict *verdict_r)
{
    verdict_r->next_attempt_ms = now_ms;
    verdict_r->expired = false;
    if (status == SMTP_CLIENT_OK) {
        verdict_r->state = STORE_RCPT_DELIVERED;
        return;
    }
    if (status == SMTP_CLIENT_PERMANENT) {
        verdict_r->state = STORE_RCPT_BOUNCED;
        return;
    }
    int64_t expiry = arrival_ms + b->lifetime_ms;
    if (now_ms >= expiry) {
        verdict_r->state = STORE_RCPT_BOUNCED;
        verdict_r->expired = true;
        return;
    }
    int64_t next = now_ms + deliver_backoff_delay_ms(b, attempts);
    verdict_r->state = STORE_RCPT_DEFERRED;
    verdict_r->next_attempt_ms = next < expiry ? next : expiry;
}
