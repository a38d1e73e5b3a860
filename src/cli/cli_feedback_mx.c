/*
 * rebound feedback-mx --config FILE: runs only the feedback MX (feedback_setup.h) with its own
 * store service, until SIGINT or SIGTERM. `rebound serve` runs the same role next to others.
 */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dsn.h"
#include "feedback_setup.h"
#include "log.h"
#include "mime.h"
#include "settings.h"

static void cli_feedback_mx_usage(void)
{
    printf("usage: rebound feedback-mx --config FILE\n\n"
           "Runs the feedback MX alone: an SMTP listener (feedback.listen, no AUTH, STARTTLS\n"
           "when feedback.tls_cert is set) for rebound's bounce domains (srs.domain and\n"
           "feedback.domains). It accepts only return paths this rebound issued (valid SRS0\n"
           "hash and stamp, reversed address covered by a verified identity of the owner) and\n"
           "postmaster@/abuse@ (handed to feedback.operator); everything else gets 550 5.1.1.\n"
           "Each accepted report is parsed, stored as Bounce/Complaint events, hard bounces and\n"
           "complaints go on the account's suppression list, and the report is queued for\n"
           "delivery to the original sender with MAIL FROM:<>, all committed before the 250.\n\n"
           "  --config FILE  the configuration file (see 'rebound check-config')\n"
           "Stops on SIGINT or SIGTERM.\n");
}

static void cli_feedback_mx_stop(evutil_socket_t sig, short what, void *arg)
{
    LOG_INFO("-", "stopping signal=%d", (int)sig);
    event_base_loopexit(arg, NULL);
}

static int cli_feedback_mx_run(const struct config *cfg)
{
    char *error = NULL;
    int status = CLI_EXIT_FAILED;
    struct event_base *base = event_base_new();
    struct store_service_config sc = {.url = config_get_string(cfg, "store"),
                                      .readers = STORE_SERVICE_DEFAULT_READERS,
                                      .max_batch = STORE_SERVICE_DEFAULT_BATCH};
    struct store_service *store = store_service_new(base, &sc, &error);
    struct feedback_role *role = store ? feedback_role_start(base, cfg, store, &error) : NULL;
    struct event *sigint = evsignal_new(base, SIGINT, cli_feedback_mx_stop, base);
    struct event *sigterm = evsignal_new(base, SIGTERM, cli_feedback_mx_stop, base);
    if (role != NULL) {
        event_add(sigint, NULL);
        event_add(sigterm, NULL);
        LOG_INFO("-", "ready");
        event_base_dispatch(base);
        status = CLI_EXIT_OK;
    } else {
        cli_error("feedback-mx: %s", error);
        free(error);
        status = CLI_EXIT_CONFIG;
    }
    feedback_role_stop(role);
    store_service_free(store);
    event_free(sigint);
    event_free(sigterm);
    event_base_free(base);
    return status;
}

int cli_feedback_mx(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            cli_feedback_mx_usage();
            return CLI_EXIT_OK;
        }
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else {
            cli_error("feedback-mx: unexpected argument '%s' (try --help)", argv[i]);
            return CLI_EXIT_USAGE;
        }
    }
    if (path == NULL) {
        cli_error("feedback-mx: --config FILE is required");
        return CLI_EXIT_USAGE;
    }
    char *error = NULL;
    struct config *cfg = settings_load(path, &error);
    if (cfg == NULL || !settings_validate(cfg, &error)) {
        cli_error("feedback-mx: %s", error);
        free(error);
        config_free(cfg);
        return CLI_EXIT_CONFIG;
    }
    enum log_level level = LOG_LEVEL_INFO;
    log_level_parse(config_get_string(cfg, "log.level"), &level);
    log_init(level, NULL);
    mime_global_init();
    signal(SIGPIPE, SIG_IGN);
    int status = cli_feedback_mx_run(cfg);
    config_free(cfg);
    return status;
}
