/*
 * rebound srsmap --config FILE: the postsrsd-compatible lookup service in the foreground.
 * Reads and validates the whole configuration, then serves until SIGTERM or SIGINT.
 */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "log.h"
#include "settings.h"
#include "srs.h"
#include "srsmap_aliasdb.h"
#include "srsmap_domains.h"
#include "srsmap_server.h"
#include "xalloc.h"

/* Fewest worker threads chosen when srsmap.workers = 0 (see cli_srsmap_auto_workers). */
#define SRSMAP_MIN_AUTO_WORKERS 4

/* Everything the service owns; freed in one place. */
struct cli_srsmap {
    struct config *cfg;
    struct srs *srs;
    struct srsmap_domains *domains;
    struct srsmap_aliasdb *aliasdb;
    struct event_base *base;
    struct srsmap_server *server;
    struct event *sig_term, *sig_int;
    int64_t fixed_ms;
    struct clock clock;
    struct srsmap_engine engine;
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
    const struct config *cfg = s->cfg;
    if (!config_is_set(cfg, "srs.domain") || !config_is_set(cfg, "srs.secret_file")) {
        *error_r = xasprintf("srs.domain and srs.secret_file must be set for srsmap");
        return false;
    }
    char **secrets = NULL;
    unsigned n =
        settings_read_secrets(config_get_string(cfg, "srs.secret_file"), &secrets, error_r);
    if (n == 0)
        return false;
    struct srs_config sc;
    srs_config_defaults(&sc);
    sc.domain = config_get_string(cfg, "srs.domain");
    sc.secrets = (const char *const *)secrets;
    sc.n_secrets = n;
    sc.hash_length = (unsigned)config_get_int(cfg, "srs.hash_length");
    sc.hash_min = (unsigned)config_get_int(cfg, "srs.hash_min");
    sc.max_age_days = (unsigned)config_get_int(cfg, "srs.max_age_days");
    sc.separator = config_get_string(cfg, "srs.separator")[0];
    sc.alphabet = strcmp(config_get_string(cfg, "srs.alphabet"), "base64") == 0
                      ? SRS_ALPHABET_BASE64
                      : SRS_ALPHABET_BASE64URL;
    sc.always_rewrite = config_get_bool(cfg, "srs.always_rewrite");
    s->srs = srs_new(&sc, error_r);
    for (unsigned i = 0; i < n; i++)
        explicit_bzero(secrets[i], strlen(secrets[i])); /* srs_new keeps its own copy */
    config_free_list(secrets, n);
    return s->srs != NULL;
}

static void cli_srsmap_setup_clock(struct cli_srsmap *s)
{
    if (config_is_set(s->cfg, "clock.fixed")) {
        s->fixed_ms = config_get_int(s->cfg, "clock.fixed") * 1000;
        s->clock = clock_fixed(&s->fixed_ms);
        LOG_WARN("-", "srsmap clock-fixed seconds=%lld (testing only: time does not pass)",
                 config_get_int(s->cfg, "clock.fixed"));
    } else {
        s->clock = clock_system();
    }
}

static bool cli_srsmap_build_engine(struct cli_srsmap *s, char **error_r)
{
    char **domains;
    size_t n = config_get_list(s->cfg, "srsmap.local_domains", &domains);
    s->domains = srsmap_domains_new(domains, n);
    config_free_list(domains, n);
    if (strcmp(config_get_string(s->cfg, "srsmap.original_envelope"), "database") == 0) {
        s->aliasdb = srsmap_aliasdb_open(config_get_string(s->cfg, "srsmap.envelope_database"),
                                         clock_now(&s->clock), error_r);
        if (s->aliasdb == NULL)
            return false;
    }
    s->engine.srs = s->srs;
    s->engine.local_domains = s->domains;
    s->engine.aliasdb = s->aliasdb;
    s->engine.clock = &s->clock;
    s->engine.always_rewrite = config_get_bool(s->cfg, "srs.always_rewrite");
    s->engine.max_age_days = (unsigned)config_get_int(s->cfg, "srs.max_age_days");
    return true;
}

static void cli_srsmap_on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    LOG_INFO("-", "srsmap stopping signal=%s", sig == SIGTERM ? "TERM" : "INT");
    event_base_loopexit(arg, NULL);
}

/*
 * srsmap.workers = 0: one thread per online CPU, but at least SRSMAP_MIN_AUTO_WORKERS. A
 * lookup is a few microseconds of CPU between two wake-ups, so on a busy machine a preempted
 * thread stalls every connection it holds; a few threads more than cores keep the others
 * answering (measured with bench_srsmap_tcptable: 4 connections on 2 CPUs).
 */
static unsigned cli_srsmap_auto_workers(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < SRSMAP_MIN_AUTO_WORKERS)
        return SRSMAP_MIN_AUTO_WORKERS;
    return cpus > SRSMAP_MAX_WORKERS ? SRSMAP_MAX_WORKERS : (unsigned)cpus;
}

static bool cli_srsmap_start(struct cli_srsmap *s, char **error_r)
{
    s->base = event_base_new();
    if (s->base == NULL) {
        *error_r = xasprintf("cannot create the event loop");
        return false;
    }
    struct srsmap_server_config sc = {
        .socketmap = config_get_string(s->cfg, "srsmap.socketmap"),
        .tcp_forward = config_get_string(s->cfg, "srsmap.tcp_forward"),
        .tcp_reverse = config_get_string(s->cfg, "srsmap.tcp_reverse"),
        .keep_alive_seconds = (unsigned)config_get_int(s->cfg, "srsmap.keep_alive"),
        .connection_limit = (unsigned)config_get_int(s->cfg, "srsmap.connection_limit"),
        .workers = (unsigned)config_get_int(s->cfg, "srsmap.workers"),
    };
    if (sc.workers == 0)
        sc.workers = cli_srsmap_auto_workers();
    s->server = srsmap_server_new(s->base, &sc, &s->engine, error_r);
    if (s->server == NULL)
        return false;
    s->sig_term = evsignal_new(s->base, SIGTERM, cli_srsmap_on_signal, s->base);
    s->sig_int = evsignal_new(s->base, SIGINT, cli_srsmap_on_signal, s->base);
    evsignal_add(s->sig_term, NULL);
    evsignal_add(s->sig_int, NULL);
    return true;
}

static void cli_srsmap_free(struct cli_srsmap *s)
{
    srsmap_server_free(s->server);
    if (s->sig_term)
        event_free(s->sig_term);
    if (s->sig_int)
        event_free(s->sig_int);
    if (s->base)
        event_base_free(s->base);
    srsmap_aliasdb_close(s->aliasdb);
    srsmap_domains_free(s->domains);
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
    cli_srsmap_setup_clock(s);
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
    } else if (!cli_srsmap_build_engine(&s, &error) || !cli_srsmap_start(&s, &error)) {
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
