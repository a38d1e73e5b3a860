/*
 * feedback_setup: the feedback MX as a startable role. Reads feedback.*, srs.* and smtp.*
 * options from the frozen config, builds the SRS engine, the RCPT policy, the TLS context and
 * the engine, and listens on feedback.listen. `rebound feedback-mx` runs it alone; `rebound
 * serve` adds it to its list of roles:
 *
 *     struct feedback_role *r = feedback_role_start(base, cfg, store_service, &error);
 *     ... event_base_dispatch(base) ...
 *     feedback_role_stop(r);            (before the store service and the base are freed)
 *
 * Served bounce domains: srs.domain plus feedback.domains. MAIL FROM domains are not in the
 * store yet (branch ident); when they are, they join this list (the start log says which
 * domains are served and where they came from).
 *
 * Start-up work blocks (reading the secret file, resolving feedback.operator_account in the
 * store); nothing blocks once the loop runs. Ownership: cfg, base and store are borrowed and
 * must outlive the role; the role is owned by the caller (feedback_role_stop, NULL-safe).
 */
#ifndef REBOUND_CLI_FEEDBACK_SETUP_H
#define REBOUND_CLI_FEEDBACK_SETUP_H

#include <event2/event.h>

#include "config.h"
#include "store_service.h"

struct feedback_role;

/* NULL with *error_r (owned) when the config is incomplete or a listener cannot be bound. */
struct feedback_role *feedback_role_start(struct event_base *base, const struct config *cfg,
                                          struct store_service *store, char **error_r);
/* Closes the listeners and every session, cancels pending store requests. Accepts NULL. */
void feedback_role_stop(struct feedback_role *role);

#endif
