/*
 * verify_check: one asynchronous DNS verification check, over the resolver of dns.h.
 *
 * - Domain identity: the TXT record at "<record>.<domain>" must hold the token (one TXT record,
 *   its strings concatenated, equal to the token).
 * - Custom MAIL FROM domain: exactly one MX record, whose exchange is the feedback host; then
 *   the domain's SPF record (rebound's evaluator, spf.h) must give `pass` for every sending IP,
 *   checked one IP after the other with sender postmaster@<domain>.
 *
 * Outcomes are classified at the origin (verify_state.h): DNS timeouts and SERVFAIL (and an
 * SPF temperror) are VERIFY_OUTCOME_TEMP; anything else that is not a pass is
 * VERIFY_OUTCOME_WRONG with a reason naming the record that is missing or wrong.
 *
 * Async contract: *_start never calls `done` itself; done fires exactly once, later, from a
 * DNS callback, unless the check is freed first. The result is borrowed for the callback.
 * The returned check is owned by the caller: verify_check_free() it after done (freeing it
 * inside done is allowed) or earlier to cancel. Every argument is copied.
 */
#ifndef REBOUND_VERIFY_CHECK_H
#define REBOUND_VERIFY_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "verify_state.h"

struct verify_check_result {
    enum verify_outcome outcome;
    const char *reason; /* NULL on pass */
};

typedef void verify_done_fn(const struct verify_check_result *result, void *arg);

struct verify_check;

/* Checks that the TXT record at record_name (e.g. "_rebound.example.com") holds token. */
struct verify_check *verify_check_txt(struct dns_resolver *resolver, const char *record_name,
                                      const char *token, verify_done_fn *done, void *arg);

struct verify_mail_from_params {
    const char *domain;        /* the MAIL FROM domain */
    const char *feedback_host; /* the one MX target wanted */
    char *const *ips;          /* rebound's sending IPs: SPF must pass for each */
    size_t n_ips;
    int64_t now; /* seconds since the epoch (SPF %{t}) */
};

/* Checks a custom MAIL FROM domain's MX and SPF records. */
struct verify_check *verify_check_mail_from(struct dns_resolver *resolver,
                                            const struct verify_mail_from_params *params,
                                            verify_done_fn *done, void *arg);

/* Cancels a pending check (done will not fire) and frees it. Accepts NULL. */
void verify_check_free(struct verify_check *check);

#endif
