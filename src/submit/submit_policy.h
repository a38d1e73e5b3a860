/*
 * submit_policy: the submission role's decisions, as pure functions over what the store
 * returned (no I/O, no store, no clock of their own), so each one is unit-tested with a
 * hand-built identity list.
 *
 *   sender      MAIL FROM: not the null sender, account not paused, covered by a verified
 *               identity of the account (identity.h: SES semantics)
 *   headers     every address of every From: and Sender: field covered too
 *   return path SRS0 of the envelope sender into the return-path domain
 *
 * Refusals carry SES's texts, classified at the origin: policy refusals are permanent (5.7.1),
 * an SRS rewrite that cannot be made is permanent (5.1.7), nothing here is temporary.
 * Ownership: struct submit_decision's text is owned (submit_decision_clear); `identity` is
 * borrowed from the list passed in.
 */
#ifndef REBOUND_SUBMIT_POLICY_H
#define REBOUND_SUBMIT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srs.h"
#include "store.h"

#define SUBMIT_TEXT_NOT_VERIFIED                                                                   \
    "Message rejected: Email address is not verified. The following identities failed the "        \
    "check: "
#define SUBMIT_TEXT_PAUSED "Message rejected: Sending paused for this account"
/* Longest list of failed identities quoted back in one reply. */
#define SUBMIT_MAX_FAILED_TEXT 400

struct submit_decision {
    bool accept;
    int code;                              /* when refused */
    const char *enhanced;                  /* when refused; static */
    char *text;                            /* when refused; owned */
    const struct store_identity *identity; /* when accepted: the one covering the sender */
};

void submit_decision_clear(struct submit_decision *d);

/* MAIL FROM. `paused`: the account's sending is paused. */
void submit_policy_sender(const struct store_identity_list *ids, bool paused, const char *mail_from,
                          struct submit_decision *d_r);

/* End of DATA: the sender check again (an identity may have been revoked meanwhile), then the
 * From: and Sender: addresses of the message (the engine's data: Received: + the message). */
void submit_policy_message(const struct store_identity_list *ids, bool paused,
                           const char *mail_from, const char *data, size_t size,
                           struct submit_decision *d_r);

/* The domain the return path is rewritten into: the identity's custom MAIL FROM domain when
 * one is configured and usable (identities issue), else the default bounce domain. */
const char *submit_return_path_domain(const struct store_identity *identity,
                                      const char *default_domain);

/* The return path for mail_from: SRS0 into srs's domain. NULL with *d_r refused (5.1.7) if
 * the address cannot be rewritten; else an owned string. */
char *submit_return_path(const struct srs *srs, const char *mail_from, int64_t now,
                         struct submit_decision *d_r);

#endif
