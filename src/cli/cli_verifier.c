/*
 * rebound verifier: runs the verification scheduler (verify_sched.h) on its own event loop,
 * with the c-ares resolver (no cache: every check asks the DNS afresh). Every check is logged
 * and recorded in the store, every transition as an event. --once runs one round of due checks
 * and exits when they are all answered (for cron and tests).
 */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_store.h"
#include "cli_verify.h"
#include "dns_cares.h"
#include "log.h"
#include "verify_sched.h"

static void cli_verifier_usage(FILE *out)
{
    fprintf(
        out,
        "usage: rebound verifier [--once] [--config FILE]\n\n"
        "Checks, on a schedule, every domain identity's TXT token and every custom MAIL\n"
        "FROM domain (one MX at mail_from.feedback_host, SPF pass for every\n"
        "mail_from.sending_ips) whose last check is verify.interval_seconds old or more;\n"
        "SUCCESS ones keep being checked, FAILED ones are not (use 'check' on demand).\n"
        "Each check is logged on stderr and recorded in the store with its events.\n\n"
        "  --once          run one round of due checks, wait for their answers, exit\n"
        "  --config FILE   read the settings (store, verify.*, mail_from.*, dns.*) from FILE\n\n"
        "Exit status: 0 done (or stopped by SIGTERM/SIGINT), 1 store or DNS failure,\n"
        "2 usage, 3 config.\n");
}

static void cli_verifier_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopbreak(arg);
}

struct cli_verifier {
    struct event_base *base;
    struct dns_resolver resolver;
    struct verify_runner *runner;
    struct verify_sched *sched;
};

static int cli_verifier_loop(struct cli_verifier *v, bool once)
{
    int started = verify_sched_tick(v->sched);
    if (started < 0)
        return CLI_EXIT_FAILED;
    if (once) {
        while (verify_runner_pending(v->runner) > 0)
            event_base_loop(v->base, EVLOOP_ONCE);
        printf("verifier: %d check(s) run\n", started);
        return CLI_EXIT_OK;
    }
    struct event *term = evsignal_new(v->base, SIGTERM, cli_verifier_stop, v->base);
    struct event *intr = evsignal_new(v->base, SIGINT, cli_verifier_stop, v->base);
    event_add(term, NULL);
    event_add(intr, NULL);
    event_base_dispatch(v->base);
    event_free(term);
    event_free(intr);
    return CLI_EXIT_OK;
}

static int cli_verifier_run(struct store *st, const struct config *cfg, bool once)
{
    struct cli_verify cv;
    cli_verify_init(&cv, cfg);
    int64_t fixed = cv.now_ms;
    struct clock clock = config_is_set(cfg, "clock.fixed") ? clock_fixed(&fixed) : clock_system();
    struct dns_cares_options options = {
        .servers = config_get_string(cfg, "dns.servers"),
        .timeout_ms = (int)config_get_int(cfg, "dns.timeout_ms"),
        .tries = (int)config_get_int(cfg, "dns.tries"),
    };
    struct cli_verifier v = {0};
    v.base = event_base_new();
    char *error = NULL;
    int rc = CLI_EXIT_CONFIG;
    if (dns_cares_new(v.base, &options, &v.resolver, &error)) {
        v.runner = verify_runner_new(st, &v.resolver, &cv.settings, &clock);
        v.sched = verify_sched_new(v.base, v.runner, &clock,
                                   config_get_int(cfg, "verify.interval_seconds") * 1000,
                                   VERIFY_SCHED_TICK_MS);
        rc = cli_verifier_loop(&v, once);
        verify_sched_free(v.sched);
        verify_runner_free(v.runner);
        dns_resolver_destroy(&v.resolver);
    } else {
        cli_error("verifier: %s", error);
        free(error);
    }
    event_base_free(v.base);
    cli_verify_clear(&cv);
    return rc;
}

int cli_verifier(int argc, char **argv)
{
    bool once = false;
    int n = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--once") == 0)
            once = true;
        else
            argv[n++] = argv[i];
    }
    struct cli_store_args a;
    int rc = cli_store_parse(n, argv, 1, 0, "verifier", &a);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (a.help) {
        cli_verifier_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (a.n_args != 0) {
        cli_verifier_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    struct config *cfg = NULL;
    struct store *st = NULL;
    rc = cli_store_open(a.config, &cfg, &st);
    if (rc != CLI_EXIT_OK)
        return rc;
    rc = cli_verifier_run(st, cfg, once);
    store_close(st);
    config_free(cfg);
    return rc;
}
