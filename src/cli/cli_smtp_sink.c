/*
 * rebound smtp-sink --config FILE [--dir DIR]: runs the submission listeners with the sink
 * role (smtp_sink.h): every message that gets a 250 is in DIR/new, fsync'd. For debugging the
 * SMTP engine and for its integration tests; not a mail server.
 */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "settings.h"
#include "smtp_listen.h"
#include "smtp_setup.h"
#include "smtp_sink.h"

static void cli_smtp_sink_usage(void)
{
    printf("usage: rebound smtp-sink --config FILE [--dir DIR]\n\n"
           "Runs the SMTP submission listeners (submission.listen, submission.listen_tls)\n"
           "with a test role that accepts sink.user/sink.password, every sender and every\n"
           "recipient, and writes each message to DIR/new (fsync'd before the 250).\n\n"
           "  --config FILE  the configuration file (see 'rebound check-config')\n"
           "  --dir DIR      where messages go (overrides sink.dir)\n"
           "Stops on SIGINT or SIGTERM.\n");
}

static void cli_smtp_sink_stop(evutil_socket_t sig, short what, void *arg)
{
    LOG_INFO("-", "stopping signal=%d", (int)sig);
    event_base_loopexit(arg, NULL);
}

static int cli_smtp_sink_run(const struct config *cfg, const char *dir)
{
    struct smtp_setup setup;
    char *error = NULL;
    if (!smtp_setup_load(cfg, &setup, &error)) {
        cli_error("%s", error);
        free(error);
        return CLI_EXIT_CONFIG;
    }
    int status = CLI_EXIT_FAILED;
    struct event_base *base = event_base_new();
    struct smtp_sink *sink = smtp_sink_new(base, dir, config_get_string(cfg, "sink.user"),
                                           config_get_string(cfg, "sink.password"), &error);
    struct smtp_server *server = NULL;
    struct event *sigint = evsignal_new(base, SIGINT, cli_smtp_sink_stop, base);
    struct event *sigterm = evsignal_new(base, SIGTERM, cli_smtp_sink_stop, base);
    if (sink == NULL)
        goto done;
    struct smtp_server_handler handler = smtp_sink_handler(sink);
    server = smtp_server_new(&setup.server, &handler);
    smtp_sink_set_server(sink, server);
    for (size_t i = 0; i < setup.n_listeners; i++) {
        if (!smtp_server_listen(server, base, &setup.listeners[i], &error))
            goto done;
    }
    event_add(sigint, NULL);
    event_add(sigterm, NULL);
    LOG_INFO("-", "ready dir=%s", dir);
    event_base_dispatch(base);
    status = CLI_EXIT_OK;
done:
    if (error != NULL) {
        cli_error("%s", error);
        free(error);
    }
    smtp_server_free(server);
    smtp_sink_free(sink);
    event_free(sigint);
    event_free(sigterm);
    event_base_free(base);
    smtp_setup_free(&setup);
    return status;
}

int cli_smtp_sink(int argc, char **argv)
{
    const char *path = NULL, *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            cli_smtp_sink_usage();
            return CLI_EXIT_OK;
        }
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else {
            cli_error("smtp-sink: unexpected argument '%s' (try --help)", argv[i]);
            return CLI_EXIT_USAGE;
        }
    }
    if (path == NULL) {
        cli_error("smtp-sink: --config FILE is required");
        return CLI_EXIT_USAGE;
    }
    char *error = NULL;
    struct config *cfg = settings_load(path, &error);
    if (cfg == NULL || !settings_validate(cfg, &error)) {
        cli_error("%s", error);
        free(error);
        config_free(cfg);
        return CLI_EXIT_CONFIG;
    }
    enum log_level level = LOG_LEVEL_INFO;
    log_level_parse(config_get_string(cfg, "log.level"), &level);
    log_init(level, NULL);
    if (dir == NULL)
        dir = config_get_string(cfg, "sink.dir");
    int status;
    if (dir == NULL) {
        cli_error("smtp-sink: set sink.dir or pass --dir DIR");
        status = CLI_EXIT_CONFIG;
    } else {
        signal(SIGPIPE, SIG_IGN);
        status = cli_smtp_sink_run(cfg, dir);
    }
    config_free(cfg);
    return status;
}
