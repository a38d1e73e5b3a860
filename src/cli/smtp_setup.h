/*
 * smtp_setup: turns the frozen config's smtp.* and submission.* options into the engine's
 * structures (limits, TLS context, trusted networks, listener configs). Used by every command
 * that runs the submission listeners (`rebound smtp-sink` now, `rebound serve` later).
 * Ownership: the struct is the caller's; smtp_setup_free() releases what load put in it. The
 * listener configs point into the setup, so it must outlive the server.
 */
#ifndef REBOUND_CLI_SMTP_SETUP_H
#define REBOUND_CLI_SMTP_SETUP_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "net_cidr.h"
#include "smtp_server.h"

struct smtp_setup {
    struct smtp_server_config server;
    char *hostname;
    void *tls_ctx; /* SSL_CTX *, owned */
    struct net_cidr_list trusted;
    char **addresses;
    struct smtp_listener_config *listeners;
    size_t n_listeners;
};

bool smtp_setup_load(const struct config *cfg, struct smtp_setup *setup_r, char **error_r);
void smtp_setup_free(struct smtp_setup *setup);

#endif
