/*
 * rebound api: serves the SES v2-compatible HTTP API (src/api) until SIGTERM or SIGINT.
 * Prints "api listening on ADDRESS:PORT" once the socket listens (tests read it).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_server.h"
#include "cli.h"
#include "cli_store.h"
#include "log.h"

static void cli_api_usage(FILE *out)
{
    fprintf(out, "usage: rebound api [--config FILE]\n\n"
                 "Serves the HTTP API on api.listen (default 127.0.0.1:8780; port 0 picks a free\n"
                 "one) until SIGTERM or SIGINT. SES v2 paths and JSON shapes: identities\n"
                 "(create, list, get, delete), MAIL FROM attributes, account; requests are signed\n"
                 "with AWS Signature Version 4 (service ses, region api.region) using a key from\n"
                 "'rebound account keys create'. GET /v2/rebound/verify/TOKEN consumes an address\n"
                 "identity's one-time verification link.\n\n"
                 "  --config FILE   read the settings (store, api.*, verify.*) from FILE\n\n"
                 "Exit status: 0 stopped by a signal, 1 cannot listen or open the store, 2 usage,\n"
                 "3 config.\n");
}

static struct clock cli_api_clock(const struct config *cfg, int64_t *fixed_ms)
{
    if (config_is_set(cfg, "clock.fixed")) {
        *fixed_ms = config_get_int(cfg, "clock.fixed") * 1000;
        return clock_fixed(fixed_ms);
    }
    return clock_system();
}

static int cli_api_serve(struct store *st, const struct config *cfg)
{
    int64_t fixed = 0;
    struct clock clock = cli_api_clock(cfg, &fixed);
    struct api_context ctx = {
        .store = st,
        .clock = &clock,
        .region = config_get_string(cfg, "api.region"),
        .record = config_get_string(cfg, "verify.record_name"),
        .link_expiry_ms = config_get_int(cfg, "verify.link_expiry_hours") * 3600 * 1000,
        .link_base_url = config_get_string(cfg, "verify.link_base_url"),
    };
    /* The server thread inherits this mask: only the main thread takes the signals. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    char *error = NULL;
    struct api_server *srv = api_server_start(config_get_string(cfg, "api.listen"), &ctx, &error);
    if (srv == NULL) {
        cli_error("api: %s", error);
        free(error);
        return CLI_EXIT_FAILED;
    }
    const char *listen = config_get_string(cfg, "api.listen");
    printf("api listening on %.*s:%u\n", (int)(strrchr(listen, ':') - listen), listen,
           api_server_port(srv));
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    api_server_stop(srv);
    return CLI_EXIT_OK;
}

int cli_api(int argc, char **argv)
{
    struct cli_store_args a;
    int rc = cli_store_parse(argc, argv, 1, 0, "api", &a);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (a.help) {
        cli_api_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (a.n_args != 0) {
        cli_api_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    struct config *cfg = NULL;
    struct store *st = NULL;
    rc = cli_store_open(a.config, &cfg, &st);
    if (rc != CLI_EXIT_OK)
        return rc;
    enum log_level level = LOG_LEVEL_INFO;
    (void)log_level_parse(config_get_string(cfg, "log.level"), &level);
    log_init(level, stderr);
    rc = cli_api_serve(st, cfg);
    store_close(st);
    config_free(cfg);
    return rc;
}
