/*
 * rebound serve --config FILE: runs every configured role (serve.h) in the foreground on one
 * event loop, logging one key=value line per event to stderr. SIGTERM or SIGINT: every role
 * stops accepting, work in flight (commits waiting for the disk) finishes for at most
 * SERVE_DRAIN_SECONDS, then the roles stop and the store service writes what is queued.
 */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "cli_srs_setup.h"
#include "log.h"
#include "mime.h"
#include "serve.h"
#include "settings.h"
#include "xalloc.h"

/* How long shutdown lets cached outbound connections say QUIT. */
#define SERVE_QUIT_GRACE_US 500000

#define SERVE_DRAIN_SECONDS  10
#define SERVE_DRAIN_CHECK_US 20000

static const struct serve_role *const serve_roles[] = {
    &serve_role_submission,
    &serve_role_srsmap,
    &serve_role_feedback,
    /* Last: started after the roles that commit work, stopped before them. */
    &serve_role_delivery,
};
#define SERVE_N_ROLES (sizeof(serve_roles) / sizeof(serve_roles[0]))

/* The loop's state beyond the roles': signals and the drain timer. */
struct cli_serve {
    struct serve sv;
    bool started[SERVE_N_ROLES];
    struct event *sig_term, *sig_int, *drain_timer;
    bool draining;
    unsigned drain_checks_left; /* counted, not timed: clock.fixed must not stall a stop */
};

static void cli_serve_usage(void)
{
    printf("usage: rebound serve --config FILE\n\n"
           "Runs rebound in the foreground until SIGTERM or SIGINT, logging one line per\n"
           "event (key=value) to stderr. Roles started when configured:\n"
           "  submission  SMTP submission with AUTH (submission.listen: STARTTLS,\n"
           "              submission.listen_tls: implicit TLS); needs store, srs.domain and\n"
           "              srs.secret_file\n"
           "  srsmap      postsrsd-compatible SRS lookups (srsmap.socketmap, srsmap.tcp_*)\n\n"
           "  --config FILE  the configuration file ('rebound check-config --example' documents\n"
           "                 every option)\n"
           "  --help         this text\n\n"
           "On SIGTERM/SIGINT it stops accepting, lets commits in flight finish (at most %d s),\n"
           "then exits 0.\n",
           SERVE_DRAIN_SECONDS);
}

static bool cli_serve_idle(const struct cli_serve *cs)
{
    for (size_t i = 0; i < SERVE_N_ROLES; i++) {
        if (cs->started[i] && !serve_roles[i]->idle(&cs->sv))
            return false;
    }
    return true;
}

static void cli_serve_drain_check(evutil_socket_t fd, short what, void *arg)
{
    struct cli_serve *cs = arg;
    (void)fd;
    (void)what;
    bool late = cs->drain_checks_left == 0;
    if (cli_serve_idle(cs) || late) {
        LOG_INFO("-", "serve drained in_flight=%s", late ? "abandoned" : "none");
        event_base_loopexit(cs->sv.base, NULL);
        return;
    }
    cs->drain_checks_left--;
    struct timeval tv = {0, SERVE_DRAIN_CHECK_US};
    evtimer_add(cs->drain_timer, &tv);
}

static void cli_serve_on_signal(evutil_socket_t sig, short what, void *arg)
{
    struct cli_serve *cs = arg;
    (void)what;
    if (cs->draining)
        return;
    LOG_INFO("-", "serve stopping signal=%s", sig == SIGTERM ? "TERM" : "INT");
    for (size_t i = 0; i < SERVE_N_ROLES; i++) {
        if (cs->started[i])
            serve_roles[i]->drain(&cs->sv);
    }
    cs->draining = true;
    cs->drain_checks_left = SERVE_DRAIN_SECONDS * (1000000 / SERVE_DRAIN_CHECK_US);
    cli_serve_drain_check(-1, 0, cs);
}

static bool cli_serve_start(struct cli_serve *cs, char **error_r)
{
    struct serve *sv = &cs->sv;
    sv->base = event_base_new();
    if (sv->base == NULL) {
        *error_r = xasprintf("cannot create the event loop");
        return false;
    }
    struct store_service_config stc = {.url = config_get_string(sv->cfg, "store"),
                                       .readers = STORE_SERVICE_DEFAULT_READERS,
                                       .max_batch = STORE_SERVICE_DEFAULT_BATCH};
    sv->store = store_service_new(sv->base, &stc, error_r);
    if (sv->store == NULL)
        return false;
    struct buf names = BUF_INIT;
    bool ok = true;
    size_t n_listening = 0; /* roles that take work in; delivery alone has nothing to do */
    for (size_t i = 0; ok && i < SERVE_N_ROLES; i++) {
        if (!serve_roles[i]->wanted(sv->cfg))
            continue;
        cs->started[i] = true;
        ok = serve_roles[i]->start(sv, error_r);
        if (serve_roles[i] != &serve_role_delivery)
            n_listening++;
        buf_printf(&names, "%s%s", names.len ? "," : "", serve_roles[i]->name);
    }
    if (ok && n_listening == 0) {
        *error_r = xasprintf("nothing to serve: configure submission.listen, "
                             "submission.listen_tls, feedback.listen or srsmap.* endpoints");
        ok = false;
    }
    if (ok)
        LOG_INFO("-", "serve ready roles=%s store=%s", buf_cstr(&names),
                 config_get_string(sv->cfg, "store"));
    buf_free(&names);
    cs->sig_term = evsignal_new(sv->base, SIGTERM, cli_serve_on_signal, cs);
    cs->sig_int = evsignal_new(sv->base, SIGINT, cli_serve_on_signal, cs);
    cs->drain_timer = evtimer_new(sv->base, cli_serve_drain_check, cs);
    evsignal_add(cs->sig_term, NULL);
    evsignal_add(cs->sig_int, NULL);
    return ok;
}

static void cli_serve_free(struct cli_serve *cs)
{
    struct serve *sv = &cs->sv;
    for (size_t i = SERVE_N_ROLES; i-- > 0;) {
        if (cs->started[i])
            serve_roles[i]->stop(sv);
    }
    store_service_free(sv->store); /* writes every commit already queued */
    if (cs->sig_term)
        event_free(cs->sig_term);
    if (cs->sig_int)
        event_free(cs->sig_int);
    if (cs->drain_timer)
        event_free(cs->drain_timer);
    if (sv->base) {
        /* A moment for the QUITs of the connections the delivery role kept (each frees itself
         * when its QUIT is answered or fails): a courtesy, bounded. */
        struct timeval grace = {0, SERVE_QUIT_GRACE_US};
        event_base_loopexit(sv->base, &grace);
        event_base_dispatch(sv->base);
        event_base_free(sv->base);
    }
    srs_free(sv->srs);
}

/* Loads everything that can be wrong in the configuration (exit 3). */
static bool cli_serve_configure(struct cli_serve *cs, struct config *cfg, char **error_r)
{
    struct serve *sv = &cs->sv;
    sv->cfg = cfg;
    enum log_level level = LOG_LEVEL_INFO;
    log_level_parse(config_get_string(cfg, "log.level"), &level);
    log_init(level, NULL);
    if (config_is_set(cfg, "clock.fixed")) {
        sv->fixed_ms = config_get_int(cfg, "clock.fixed") * 1000;
        sv->clock = clock_fixed(&sv->fixed_ms);
        LOG_WARN("-", "serve clock-fixed seconds=%lld (testing only: time does not pass)",
                 config_get_int(cfg, "clock.fixed"));
    } else {
        sv->clock = clock_system();
    }
    sv->srs = cli_srs_setup(cfg, error_r);
    return sv->srs != NULL;
}

static int cli_serve_run(struct config *cfg)
{
    struct cli_serve cs = {0};
    char *error = NULL;
    int status = CLI_EXIT_OK;
    if (!cli_serve_configure(&cs, cfg, &error)) {
        status = CLI_EXIT_CONFIG;
    } else if (!cli_serve_start(&cs, &error)) {
        status = CLI_EXIT_FAILED;
    } else {
        signal(SIGPIPE, SIG_IGN);
        event_base_dispatch(cs.sv.base);
    }
    if (error != NULL) {
        cli_error("serve: %s", error);
        free(error);
    }
    cli_serve_free(&cs);
    if (status == CLI_EXIT_OK)
        LOG_INFO("-", "serve stopped");
    return status;
}

int cli_serve(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            cli_serve_usage();
            return CLI_EXIT_OK;
        }
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else {
            cli_error("serve: unexpected argument '%s' (try 'rebound serve --help')", argv[i]);
            return CLI_EXIT_USAGE;
        }
    }
    if (path == NULL) {
        cli_error("serve: --config FILE is required (try 'rebound serve --help')");
        return CLI_EXIT_USAGE;
    }
    char *error = NULL;
    struct config *cfg = settings_load(path, &error);
    if (cfg == NULL || !settings_validate(cfg, &error)) {
        cli_error("serve: %s", error);
        free(error);
        config_free(cfg);
        return CLI_EXIT_CONFIG;
    }
    /* Process-wide MIME setup (GMime) before any role can parse a report on a worker thread. */
    mime_global_init();
    int status = cli_serve_run(cfg);
    config_free(cfg);
    return status;
}
