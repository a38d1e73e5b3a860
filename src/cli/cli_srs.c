/*
 * rebound srs forward|reverse [flags] ADDRESS: one SRS rewrite, for operators and scripts.
 * Settings come from --config FILE (srs.* options), then the flags override them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_srs_setup.h"
#include "settings.h"
#include "srs.h"
#include "str.h"

static void cli_srs_usage(FILE *out)
{
    fprintf(out, "usage: rebound srs forward|reverse [flags] ADDRESS\n"
                 "\n"
                 "forward rewrites a sender into the SRS domain (SRS0, or SRS1 for an SRS address\n"
                 "minted elsewhere); reverse checks an SRS address (hash, age) and prints the\n"
                 "address it stands for. Prints the result on stdout and exits 0, or prints the\n"
                 "reason on stderr and exits 1.\n"
                 "\n"
                 "flags (each overrides the configuration file):\n"
                 "  --config FILE        read srs.* settings from FILE\n"
                 "  --secret-file F      secrets, one per line; the first signs, all verify\n"
                 "  --domain D           the SRS domain to rewrite into\n"
                 "  --now SECONDS        pretend the time is SECONDS since the epoch (UTC)\n"
                 "  --alphabet A         hash alphabet: base64url (default, postsrsd >= 2.2.6)\n"
                 "                       or base64 (postsrsd 1.x); base64url also accepts base64\n"
                 "  --hash-length N      hash characters written (default 4)\n"
                 "  --hash-min N         fewest hash characters accepted (default: hash length)\n"
                 "  --max-age DAYS       days an SRS0 address stays valid (default 21)\n"
                 "  --separator C        separator after SRS0/SRS1: = + or - (default =)\n"
                 "  --always-rewrite     also rewrite senders already in the SRS domain\n");
}

/* Maps a flag to its config option; NULL for flags handled here. */
static const char *cli_srs_option(const char *flag)
{
    static const char *const map[][2] = {
        {"--secret-file", "srs.secret_file"}, {"--domain", "srs.domain"},
        {"--alphabet", "srs.alphabet"},       {"--hash-length", "srs.hash_length"},
        {"--hash-min", "srs.hash_min"},       {"--max-age", "srs.max_age_days"},
        {"--separator", "srs.separator"},     {"--now", "clock.fixed"},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(flag, map[i][0]) == 0)
            return map[i][1];
    }
    return NULL;
}

/* Applies the flags to cfg; on success *address_r is argv's ADDRESS (borrowed). */
static int cli_srs_parse(int argc, char **argv, struct config **cfg_r, const char **address_r)
{
    const char *config_path = NULL;
    for (int i = 2; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--config") == 0)
            config_path = argv[i + 1];
    }
    char *error = NULL;
    struct config *cfg = settings_load(config_path, &error);
    if (cfg == NULL) {
        cli_error("%s", error);
        free(error);
        return CLI_EXIT_CONFIG;
    }
    *cfg_r = cfg;
    *address_r = NULL;
    for (int i = 2; i < argc; i++) {
        const char *opt = cli_srs_option(argv[i]);
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            i++;
        } else if (strcmp(argv[i], "--always-rewrite") == 0) {
            config_set(cfg, "srs.always_rewrite", "yes", &error);
        } else if (opt != NULL && i + 1 < argc) {
            if (!config_set(cfg, opt, argv[++i], &error)) {
                cli_error("srs: %s: %s", argv[i - 1], error);
                free(error);
                return CLI_EXIT_USAGE;
            }
        } else if (argv[i][0] == '-' && argv[i][1] != '\0' && *address_r == NULL &&
                   strcmp(argv[i], "--") != 0) {
            cli_error("srs: unknown or incomplete flag '%s' (see 'rebound srs --help')", argv[i]);
            return CLI_EXIT_USAGE;
        } else if (*address_r == NULL) {
            if (strcmp(argv[i], "--") == 0 && i + 1 < argc)
                i++;
            *address_r = argv[i];
        } else {
            cli_error("srs: more than one address given");
            return CLI_EXIT_USAGE;
        }
    }
    if (*address_r == NULL) {
        cli_error("srs: no address given (see 'rebound srs --help')");
        return CLI_EXIT_USAGE;
    }
    if (!settings_validate(cfg, &error)) {
        cli_error("srs: %s", error);
        free(error);
        return CLI_EXIT_CONFIG;
    }
    return CLI_EXIT_OK;
}

/* Builds the engine from the settings; NULL after printing the reason. */
static struct srs *cli_srs_engine(const struct config *cfg)
{
    char *error = NULL;
    struct srs *srs = cli_srs_setup(cfg, &error);
    if (srs == NULL) {
        cli_error("srs: %s", error);
        free(error);
    }
    return srs;
}

int cli_srs(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        cli_srs_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    bool forward = strcmp(argv[1], "forward") == 0;
    if (!forward && strcmp(argv[1], "reverse") != 0) {
        cli_error("srs: '%s' is neither forward nor reverse", argv[1]);
        return CLI_EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            cli_srs_usage(stdout);
            return CLI_EXIT_OK;
        }
    }
    struct config *cfg = NULL;
    const char *address = NULL;
    int rc = cli_srs_parse(argc, argv, &cfg, &address);
    struct srs *srs = rc == CLI_EXIT_OK ? cli_srs_engine(cfg) : NULL;
    if (rc == CLI_EXIT_OK && srs == NULL)
        rc = CLI_EXIT_CONFIG;
    if (srs != NULL) {
        int64_t now = config_is_set(cfg, "clock.fixed") ? config_get_int(cfg, "clock.fixed")
                                                        : (int64_t)time(NULL);
        char *result = NULL;
        enum srs_status st = forward ? srs_forward(srs, address, now, &result)
                                     : srs_reverse(srs, address, now, &result);
        if (srs_status_ok(st)) {
            printf("%s\n", result);
        } else {
            cli_error("srs %s: %s (%s)", argv[1], srs_strerror(st), srs_status_name(st));
            rc = CLI_EXIT_FAILED;
        }
        free(result);
    }
    srs_free(srs);
    config_free(cfg);
    return rc;
}
