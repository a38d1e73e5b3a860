/*
 * verify_run: runs verification checks for identities in the store: reads the identity, starts
 * the DNS check (verify_check.h), applies the state machine (verify_state.h) to the outcome and
 * records the check, and every status transition as an event with its reason, in the store.
 *
 * Blocking: the store calls here BLOCK (store.h). The runner is therefore driven either by a
 * command-line tool (through dns_sync) or, inside a server, from a loop dedicated to
 * verification - never from the SMTP or API loop.
 *
 * Ownership: the runner borrows the store, resolver, settings (and the strings they point to)
 * and clock for its whole life. Pending checks are cancelled by verify_runner_free() without
 * callbacks.
 */
#ifndef REBOUND_VERIFY_RUN_H
#define REBOUND_VERIFY_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "dns.h"
#include "store.h"

struct verify_settings {
    const char *record;        /* TXT record label, VERIFY_DEFAULT_RECORD */
    int64_t fail_after_ms;     /* FAILED after this long without success */
    const char *feedback_host; /* MAIL FROM: the one MX target wanted; NULL = not configured */
    char **ips;                /* MAIL FROM: sending IPs SPF must pass for */
    size_t n_ips;
};

struct verify_runner;

struct verify_runner *verify_runner_new(struct store *st, struct dns_resolver *resolver,
                                        const struct verify_settings *settings,
                                        const struct clock *clock);
void verify_runner_free(struct verify_runner *r);
/* The store the runner was given (borrowed). */
struct store *verify_runner_store(const struct verify_runner *r);

/* What one check did; borrowed for the callback. */
struct verify_report {
    const char *identity;
    enum store_check_target target;
    enum identity_status from, to;
    const char *reason;             /* NULL on success */
    enum store_status store_status; /* recording it: STORE_OK or why not (store_error) */
    const char *store_error;
};
typedef void verify_report_fn(const struct verify_report *report, void *arg);

/* Starts checking one identity (target IDENTITY: its TXT token; MAIL_FROM: its MAIL FROM
 * domain). Returns false with *error_r (owned) when there is nothing to check: unknown identity,
 * an address identity (verified by link), no MAIL FROM domain set, MAIL FROM settings missing,
 * or the same check already pending. `done` fires later, once. */
bool verify_runner_start(struct verify_runner *r, const char *identity,
                         enum store_check_target target, verify_report_fn *done, void *arg,
                         char **error_r);
/* True if that check is pending. */
bool verify_runner_is_pending(const struct verify_runner *r, const char *identity,
                              enum store_check_target target);
size_t verify_runner_pending(const struct verify_runner *r);

#endif
