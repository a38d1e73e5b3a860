/*
 * submit: the submission role. It implements the SMTP engine's handler (smtp_server.h) over
 * the store service (store_service.h) and the SRS engine (srs.h):
 *
 *   AUTH        store_service_authenticate: 235; 535 5.7.8 bad credentials; 454 4.7.0 tempfail
 *   MAIL        the account's verified identities must cover the sender (submit_policy.h);
 *               paused accounts and <> are refused (554 5.7.1)
 *   RCPT        accepted (the engine enforces the count)
 *   end of DATA sender, From: and Sender: checked again; return path = SRS0 of the sender;
 *               the message and its envelope committed (group commit); "250 Ok <id>" only
 *               when the COMMIT returned. Any failure before that: 451 4.3.0, nothing stored.
 *
 * Identities are cached per account for SUBMIT_IDENTITY_CACHE_MS (so a revoked identity stops
 * covering within that time, and a busy account costs one lookup per period, not per MAIL).
 * Account status (paused) is learnt from every AUTH, and for the trusted-network account from
 * submit_config at start.
 *
 * SECURITY: everything the session hands over is client data; policy decisions are made only
 * from the store's answers. Passwords go to the store service (which cleanses its copy) and
 * are never logged.
 * Ownership: submit_new() returns an owned object (submit_free); the config's pointers are
 * borrowed and must outlive it. Pending store requests are cancelled by submit_free().
 */
#ifndef REBOUND_SUBMIT_H
#define REBOUND_SUBMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "smtp_server.h"
#include "srs.h"
#include "store_service.h"

#define SUBMIT_IDENTITY_CACHE_MS 1000

struct submit_config {
    struct store_service *store; /* borrowed */
    const struct srs *srs;       /* the default bounce domain's engine; borrowed */
    struct clock clock;          /* arrival times, SRS stamps, the cache */
    const char *trusted_account; /* the account of trusted networks, or NULL */
    int64_t trusted_account_id;  /* its store id (looked up at start) */
    bool trusted_account_paused; /* its status at start */
};

struct submit;

struct submit *submit_new(const struct submit_config *cfg);
/* The handler to give smtp_server_new(); ctx is the role. */
struct smtp_server_handler submit_handler(struct submit *sub);
/* The server answers go to; set once after smtp_server_new(). */
void submit_set_server(struct submit *sub, struct smtp_server *server);
/* Requests waiting for the store (for a clean shutdown: stop when 0). */
unsigned submit_pending(const struct submit *sub);
/* Accepts NULL. Call after smtp_server_free() (which cancels every session's request). */
void submit_free(struct submit *sub);

#endif
