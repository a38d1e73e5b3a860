#include "cli_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "clock.h"
#include "settings.h"

int cli_store_open(const char *config_path, struct config **cfg_r, struct store **st_r)
{
    char *error = NULL;
    struct config *cfg = settings_load(config_path, &error);
    if (cfg == NULL || !settings_validate(cfg, &error)) {
        cli_error("%s", error);
        free(error);
        config_free(cfg);
        return CLI_EXIT_CONFIG;
    }
    struct store *st = store_open(config_get_string(cfg, "store"), &error);
    if (st == NULL) {
        cli_error("%s", error);
        free(error);
        config_free(cfg);
        return CLI_EXIT_FAILED;
    }
    *cfg_r = cfg;
    *st_r = st;
    return CLI_EXIT_OK;
}

int64_t cli_store_now_ms(const struct config *cfg)
{
    if (config_is_set(cfg, "clock.fixed"))
        return config_get_int(cfg, "clock.fixed") * 1000;
    struct clock c = clock_system();
    return clock_now_ms(&c);
}

int cli_store_fail(const char *what, enum store_status status, char *error)
{
    cli_error("%s: %s", what, error ? error : store_status_name(status));
    free(error);
    return CLI_EXIT_FAILED;
}

void cli_store_time(int64_t ms, char *out, unsigned size)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int cli_store_parse(int argc, char **argv, int from, int allow, const char *what,
                    struct cli_store_args *a)
{
    memset(a, 0, sizeof(*a));
    for (int i = from; i < argc; i++) {
        const char *arg = argv[i];
        bool has_value = i + 1 < argc;
        if (cli_is_help(arg)) {
            a->help = true;
        } else if (strcmp(arg, "--config") == 0 && has_value) {
            a->config = argv[++i];
        } else if ((allow & CLI_STORE_ALLOW_ACCOUNT) && strcmp(arg, "--account") == 0 &&
                   has_value) {
            a->account = argv[++i];
        } else if ((allow & CLI_STORE_ALLOW_FORCE) && strcmp(arg, "--force") == 0) {
            a->force = true;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            cli_error("%s: unknown flag or missing value: '%s' (try --help)", what, arg);
            return CLI_EXIT_USAGE;
        } else if (a->n_args == CLI_STORE_MAX_ARGS) {
            cli_error("%s: too many arguments (try --help)", what);
            return CLI_EXIT_USAGE;
        } else {
            a->args[a->n_args++] = arg;
        }
    }
    return CLI_EXIT_OK;
}
