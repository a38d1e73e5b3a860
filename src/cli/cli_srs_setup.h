/*
 * cli_srs_setup: the one place that turns the srs.* settings (domain, secret file, hash and
 * stamp options) into an SRS engine, for every command that needs one (srs, srsmap, serve).
 * Secrets are wiped from memory once the engine holds its own copy.
 */
#ifndef REBOUND_CLI_SRS_SETUP_H
#define REBOUND_CLI_SRS_SETUP_H

#include "config.h"
#include "srs.h"

/* An owned engine (srs_free), or NULL with *error_r (owned) naming what is missing or wrong. */
struct srs *cli_srs_setup(const struct config *cfg, char **error_r);

#endif
