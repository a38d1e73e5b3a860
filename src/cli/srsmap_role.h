/*
 * srsmap_role: the SRS lookup service (srsmap_server.h) as a role a command starts on its own
 * event base: `rebound srsmap` runs only this role, `rebound serve` runs it next to the
 * submission listeners when srsmap.* endpoints are configured. Builds the lookup engine from
 * the srsmap.* settings (local domains, alias database, clock).
 * Ownership: srsmap_role_start() returns an owned role (srsmap_role_stop); cfg, base and srs
 * are borrowed and must outlive it.
 */
#ifndef REBOUND_CLI_SRSMAP_ROLE_H
#define REBOUND_CLI_SRSMAP_ROLE_H

#include <event2/event.h>
#include <stdbool.h>

#include "config.h"
#include "srs.h"

struct srsmap_role;

/* True when at least one srsmap endpoint is configured. */
bool srsmap_role_is_configured(const struct config *cfg);
/* Binds the endpoints and serves on base. NULL with *error_r (owned) on failure. */
struct srsmap_role *srsmap_role_start(const struct config *cfg, struct event_base *base,
                                      const struct srs *srs, char **error_r);
/* Closes the endpoints and connections. Accepts NULL. */
void srsmap_role_stop(struct srsmap_role *role);

#endif
