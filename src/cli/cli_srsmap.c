/*
 * rebound srsmap --config FILE: the postsrsd-compatible lookup service in the foreground.
 * Reads and validates the whole configuration, then serves until SIGTERM or SIGINT.
 */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_srs_setup.h"
#include "log.h"
#include "settings.h"
#include "srs.h"
#include "srsmap_role.h"
#include "xalloc.h"

/* Everything the command owns; freed in one place. */
struct cli_srsmap {
    struct config *cfg;
    struct srs *srs;
    struct event_base *base;
    struct srsmap_role *role;
    struct event *sig_term, *sig_int;
};

static void cli_srsmap_usage(void)
{
    printf("usage: rebound srsmap --config FILE\n\n"
           "Serves SRS lookups to Postfix as a drop-in replacement for postsrsd, in the\n"
           "foreground, until SIGTERM or SIGINT:\n"
           "  socketmap (postsrsd 2.x)  srsmap.socketmap = inet:HOST:PORT | unix:/PATH\n"
           "      main.cf: sender_canonical_maps = socketmap:inet:HOST:PORT:forward\n"
           "               recipient_canonical_maps = socketmap:inet:HOST:PORT:reverse\n"
           "  tcp_table (postsrsd 1.x)  srsmap.tcp_forward = HOST:PORT, srsmap.tcp_reverse = ...\n"
           "      main.cf: sender_canonical_maps = tcp:HOST:PORT\n\n"
           "flags:\n"
           "  --config FILE   configuration file (required); srs.domain and srs.secret_file\n"
           "                  must be set. 'rebound check-config --config FILE' prints every\n"
           "                  setting; docs/srsmap.md explains the srsmap.* options.\n"
           "  --help          this text\n");
}

static bool cli_srsmap_build_srs(struct cli_srsmap *s, char **error_r)
{
    s->srs = cli_srs_setup(s->cfg, error_r);
    return s->srs != NULL;
}

static void cli_srsmap_on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    LOG_INFO("-", "srsmap stopping signal=%s", sig == SIGTERM ? "TERM" : "INT");
    event_base_loopexit(arg, NULL);
}

static bool cli_srsmap_start(struct cli_srsmap *s, char **error_r)
{
    s->base = event_base_new();
    if (s->base == NULL) {
        *error_r = xasprintf("cannot create the event loop");
        return false;
    }
    s->role = srsmap_role_start(s->cfg, s->base, s->srs, error_r);
    if (s->role == NULL)
        return false;
    s->sig_term = evsignal_new(s->base, SIGTERM, cli_srsmap_on_signal, s->base);
    s->sig_int = evsignal_new(s->base, SIGINT, cli_srsmap_on_signal, s->base);
    evsignal_add(s->sig_term, NULL);
    evsignal_add(s->sig_int, NULL);
    return true;
}

static void cli_srsmap_free(struct cli_srsmap *s)
{
    srsmap_role_stop(s->role);
    if (s->sig_term)
        event_free(s->sig_term);
    if (s->sig_int)
        event_free(s->sig_int);
    if (s->base)
        event_base_free(s->base);
    srs_free(s->srs);
    config_free(s->cfg);
}

/* Loads and checks everything that can be wrong in the configuration (exit 3). */
static bool cli_srsmap_configure(struct cli_srsmap *s, const char *path, char **error_r)
{
    s->cfg = settings_load(path, error_r);
    if (s->cfg == NULL || !settings_validate(s->cfg, error_r))
        return false;
    enum log_level level = LOG_LEVEL_INFO;
    log_level_parse(config_get_string(s->cfg, "log.level"), &level);
    log_init(level, NULL);
    return cli_srsmap_build_srs(s, error_r);
}

int cli_srsmap(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            cli_srsmap_usage();
            return CLI_EXIT_OK;
        }
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else {
            cli_error("srsmap: unexpected argument '%s' (try 'rebound srsmap --help')", argv[i]);
            return CLI_EXIT_USAGE;
        }
    }
    if (path == NULL) {
        cli_error("srsmap: --config FILE is required (try 'rebound srsmap --help')");
        return CLI_EXIT_USAGE;
    }
    struct cli_srsmap s = {0};
    char *error = NULL;
    int status = CLI_EXIT_OK;
    if (!cli_srsmap_configure(&s, path, &error)) {
        status = CLI_EXIT_CONFIG;
    } else if (!cli_srsmap_start(&s, &error)) {
        status = CLI_EXIT_FAILED;
    } else {
        signal(SIGPIPE, SIG_IGN);
        event_base_dispatch(s.base);
        LOG_INFO("-", "srsmap stopped");
    }
    if (error != NULL) {
        cli_error("srsmap: %s", error);
        free(error);
    }
    cli_srsmap_free(&s);
    return status;
}
