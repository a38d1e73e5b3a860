/*
 * feedback_mx: the feedback MX role on the SMTP engine (smtp_server.h). It receives bounces,
 * complaints and replies sent to rebound's return paths, learns from them and hands each
 * report back to the tenant's original envelope-from.
 *
 *   RCPT   feedback_rcpt_check(); a return path also needs the owner (store_service_identities
 *          over all accounts, then feedback_rcpt_owner()). Refusals: 550 5.1.1 + a sentence,
 *          nothing stored. A store failure: 451 4.3.0.
 *   DATA   the decision is taken again (the store may have changed), the report is parsed
 *          (dsn_parse, on a worker thread: feedback_parse.h) and the original message looked up
 * (store_service_find_message by Original-Envelope-Id, then by the local part of the returned
 * Message-ID), then ONE commit stores the forwarded report, its events and the suppression entries
 *          (feedback_event.h). 250 only after that commit; 451 4.3.0 if it failed.
 *
 * The forwarded report is a store_message queued for the delivery agent:
 *   account_id    the owner of the return path (operator mail: the operator's account)
 *   identity      the verified identity covering the original sender ("" for operator mail)
 *   envelope_from ""  and  return_path ""   -> delivered with MAIL FROM:<>
 *   rcpts         [the reversed address] (operator mail: the operator address), NOTIFY=NEVER
 *                 so a failure to deliver it is never answered with a bounce of its own
 *   body          the report exactly as received, after the engine's Received: line
 *
 * SECURITY: the client is anyone on the Internet. Only the decisions above open the door;
 * sizes are bounded by the engine's limits (the listener setup names them). One recipient per
 * transaction (FEEDBACK_MAX_RCPTS_PER_TRANSACTION): further RCPTs get the engine's 452 and the
 * client sends them in the next transaction, so every report has exactly one owner.
 *
 * Ownership: the config is borrowed for the role's life (policy, rules, store service).
 * feedback_mx_new() returns an owned role; feedback_mx_free() cancels what is pending.
 */
#ifndef REBOUND_FEEDBACK_MX_H
#define REBOUND_FEEDBACK_MX_H

#include <stdint.h>

#include <event2/event.h>

#include "classify.h"
#include "clock.h"
#include "feedback_rcpt.h"
#include "smtp_server.h"
#include "store_service.h"

#define FEEDBACK_MAX_RCPTS_PER_TRANSACTION 1
/* Largest report accepted by default (feedback.max_report_size; SIZE= above it is refused at
 * MAIL, DATA counted): 10 MiB, a bounce carrying back a full 10 MB message is rare. Written as
 * a plain number because the option table's default is its text. */
#define FEEDBACK_DEFAULT_MAX_REPORT_SIZE_NUM 10485760

struct feedback_mx_config {
    struct event_base *base; /* for the report parser's wake-ups */
    const struct feedback_rcpt_policy *policy;
    const char *operator_address;       /* postmaster@/abuse@ go here; NULL: refused */
    int64_t operator_account_id;        /* the account whose queue carries operator mail */
    const struct classify_rules *rules; /* operator classification rules, or NULL */
    struct clock clock;
    struct store_service *store;
};

struct feedback_mx;

/* NULL (with *error_r, owned) if the report parser's thread cannot be started. */
struct feedback_mx *feedback_mx_new(const struct feedback_mx_config *config, char **error_r);
/* The handler to give smtp_server_new(); ctx is the role. */
struct smtp_server_handler feedback_mx_handler(struct feedback_mx *mx);
/* The server answers go to; set once after smtp_server_new(). */
void feedback_mx_set_server(struct feedback_mx *mx, struct smtp_server *server);
/* Cancels pending store requests. Free the smtp_server first. Accepts NULL. */
void feedback_mx_free(struct feedback_mx *mx);

#endif
