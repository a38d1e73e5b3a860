/*
 * cli_verify: what the verification commands (identity, mail-from, dns-records) share: the
 * verify settings read from the config, the SPF policy to publish, and one check run to
 * completion through dns_sync (the command line is not inside a server loop).
 */
#ifndef REBOUND_CLI_VERIFY_H
#define REBOUND_CLI_VERIFY_H

#include "config.h"
#include "mailfrom.h"
#include "store.h"
#include "verify_run.h"

/* Settings owned by the struct (cli_verify_clear). */
struct cli_verify {
    struct verify_settings settings;
    struct mailfrom_spf_policy spf;
    int64_t now_s;
    struct clock clock;
    int64_t now_ms;
};

void cli_verify_init(struct cli_verify *v, const struct config *cfg);
void cli_verify_clear(struct cli_verify *v);
/* Runs one check of `name` now and prints "TARGET NAME: FROM -> TO (reason)". Returns the exit
 * status: 0 if the check ran and was recorded (whatever it found), 1 otherwise. */
int cli_verify_run(struct store *st, const struct config *cfg, struct cli_verify *v,
                   const char *name, enum store_check_target target);
/* Prints an identity's status line with the time of its last check ("never" if none). */
void cli_verify_print_check(const char *label, enum identity_status status, int64_t last_check_ms,
                            const char *reason);

#endif
