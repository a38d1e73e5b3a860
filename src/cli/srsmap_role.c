#include "srsmap_role.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "srsmap_aliasdb.h"
#include "srsmap_domains.h"
#include "srsmap_server.h"
#include "xalloc.h"

/* Fewest worker threads chosen when srsmap.workers = 0 (see srsmap_role_auto_workers). */
#define SRSMAP_MIN_AUTO_WORKERS 4

struct srsmap_role {
    struct srsmap_domains *domains;
    struct srsmap_aliasdb *aliasdb;
    struct srsmap_server *server;
    int64_t fixed_ms;
    struct clock clock;
    struct srsmap_engine engine;
};

bool srsmap_role_is_configured(const struct config *cfg)
{
    return config_is_set(cfg, "srsmap.socketmap") || config_is_set(cfg, "srsmap.tcp_forward") ||
           config_is_set(cfg, "srsmap.tcp_reverse");
}

static void srsmap_role_setup_clock(struct srsmap_role *r, const struct config *cfg)
{
    if (config_is_set(cfg, "clock.fixed")) {
        r->fixed_ms = config_get_int(cfg, "clock.fixed") * 1000;
        r->clock = clock_fixed(&r->fixed_ms);
        LOG_WARN("-", "srsmap clock-fixed seconds=%lld (testing only: time does not pass)",
                 config_get_int(cfg, "clock.fixed"));
    } else {
        r->clock = clock_system();
    }
}

static bool srsmap_role_build_engine(struct srsmap_role *r, const struct config *cfg,
                                     const struct srs *srs, char **error_r)
{
    char **domains;
    size_t n = config_get_list(cfg, "srsmap.local_domains", &domains);
    r->domains = srsmap_domains_new(domains, n);
    config_free_list(domains, n);
    if (strcmp(config_get_string(cfg, "srsmap.original_envelope"), "database") == 0) {
        r->aliasdb = srsmap_aliasdb_open(config_get_string(cfg, "srsmap.envelope_database"),
                                         clock_now(&r->clock), error_r);
        if (r->aliasdb == NULL)
            return false;
    }
    r->engine.srs = srs;
    r->engine.local_domains = r->domains;
    r->engine.aliasdb = r->aliasdb;
    r->engine.clock = &r->clock;
    r->engine.always_rewrite = config_get_bool(cfg, "srs.always_rewrite");
    r->engine.max_age_days = (unsigned)config_get_int(cfg, "srs.max_age_days");
    return true;
}

/*
 * srsmap.workers = 0: one thread per online CPU, but at least SRSMAP_MIN_AUTO_WORKERS. A
 * lookup is a few microseconds of CPU between two wake-ups, so on a busy machine a preempted
 * thread stalls every connection it holds; a few threads more than cores keep the others
 * answering (measured with bench_srsmap_tcptable: 4 connections on 2 CPUs).
 */
static unsigned srsmap_role_auto_workers(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < SRSMAP_MIN_AUTO_WORKERS)
        return SRSMAP_MIN_AUTO_WORKERS;
    return cpus > SRSMAP_MAX_WORKERS ? SRSMAP_MAX_WORKERS : (unsigned)cpus;
}

struct srsmap_role *srsmap_role_start(const struct config *cfg, struct event_base *base,
                                      const struct srs *srs, char **error_r)
{
    struct srsmap_role *r = xcalloc(1, sizeof(*r));
    srsmap_role_setup_clock(r, cfg);
    if (!srsmap_role_build_engine(r, cfg, srs, error_r)) {
        srsmap_role_stop(r);
        return NULL;
    }
    struct srsmap_server_config sc = {
        .socketmap = config_get_string(cfg, "srsmap.socketmap"),
        .tcp_forward = config_get_string(cfg, "srsmap.tcp_forward"),
        .tcp_reverse = config_get_string(cfg, "srsmap.tcp_reverse"),
        .keep_alive_seconds = (unsigned)config_get_int(cfg, "srsmap.keep_alive"),
        .connection_limit = (unsigned)config_get_int(cfg, "srsmap.connection_limit"),
        .workers = (unsigned)config_get_int(cfg, "srsmap.workers"),
    };
    if (sc.workers == 0)
        sc.workers = srsmap_role_auto_workers();
    r->server = srsmap_server_new(base, &sc, &r->engine, error_r);
    if (r->server == NULL) {
        srsmap_role_stop(r);
        return NULL;
    }
    return r;
}

void srsmap_role_stop(struct srsmap_role *role)
{
    if (role == NULL)
        return;
    srsmap_server_free(role->server);
    srsmap_aliasdb_close(role->aliasdb);
    srsmap_domains_free(role->domains);
    free(role);
}
