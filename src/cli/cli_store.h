/*
 * cli_store: what the store subcommands (account, identity) share: reading --config, opening
 * the store it names, the time to record, and turning a store status into an exit code.
 */
#ifndef REBOUND_CLI_STORE_H
#define REBOUND_CLI_STORE_H

#include <stdint.h>

#include "config.h"
#include "store.h"

#include <stdbool.h>

#define CLI_STORE_MAX_ARGS 4

/* The flags the store subcommands understand; which are allowed is the caller's choice. */
struct cli_store_args {
    const char *config;  /* --config FILE */
    const char *account; /* --account NAME */
    bool force;          /* --force */
    bool help;           /* -h / --help */
    const char *args[CLI_STORE_MAX_ARGS];
    int n_args;
};
#define CLI_STORE_ALLOW_ACCOUNT 1
#define CLI_STORE_ALLOW_FORCE   2

/* Parses argv[from..argc); prints the problem and returns CLI_EXIT_USAGE on an unknown flag, a
 * flag missing its value or too many arguments; else CLI_EXIT_OK. `what` names the command. */
int cli_store_parse(int argc, char **argv, int from, int allow, const char *what,
                    struct cli_store_args *a);

/* Loads the config at path (NULL: defaults) and opens its store. On failure prints the reason
 * and returns the exit status (CLI_EXIT_CONFIG or CLI_EXIT_FAILED); else 0 with *cfg_r and
 * *st_r owned (config_free, store_close). */
int cli_store_open(const char *config_path, struct config **cfg_r, struct store **st_r);
/* The time to record: clock.fixed if set (testing), else the system clock; milliseconds. */
int64_t cli_store_now_ms(const struct config *cfg);
/* Prints "rebound: <what>: <error>" and returns the exit status for a failed store call. */
int cli_store_fail(const char *what, enum store_status status, char *error);
/* Formats ms since the epoch as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void cli_store_time(int64_t ms, char *out, unsigned size);

#endif
