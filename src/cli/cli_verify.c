#include "cli_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_store.h"
#include "dns_sync.h"
#include "xalloc.h"

void cli_verify_init(struct cli_verify *v, const struct config *cfg)
{
    memset(v, 0, sizeof(*v));
    v->settings.record = config_get_string(cfg, "verify.record_name");
    v->settings.fail_after_ms = config_get_int(cfg, "verify.fail_after_hours") * 3600 * 1000;
    v->settings.feedback_host = config_get_string(cfg, "mail_from.feedback_host");
    v->settings.n_ips = config_get_list(cfg, "mail_from.sending_ips", &v->settings.ips);
    v->spf.include = config_get_string(cfg, "mail_from.spf_include");
    v->spf.ips = v->settings.ips;
    v->spf.n_ips = v->settings.n_ips;
    v->now_ms = cli_store_now_ms(cfg);
    v->clock = clock_fixed(&v->now_ms);
}

void cli_verify_clear(struct cli_verify *v)
{
    config_free_list(v->settings.ips, v->settings.n_ips);
    memset(v, 0, sizeof(*v));
}

void cli_verify_print_check(const char *label, enum identity_status status, int64_t last_check_ms,
                            const char *reason)
{
    char when[32] = "never";
    if (last_check_ms > 0)
        cli_store_time(last_check_ms, when, sizeof(when));
    printf("%s: %s (last check: %s)%s%s\n", label, identity_status_name(status), when,
           reason ? ": " : "", reason ? reason : "");
}

struct cli_verify_wait {
    bool done;
    int rc;
};

static void cli_verify_report(const struct verify_report *rep, void *arg)
{
    struct cli_verify_wait *w = arg;
    w->done = true;
    if (rep->store_status != STORE_OK) {
        cli_error("check %s: recording the result: %s", rep->identity, rep->store_error);
        w->rc = CLI_EXIT_FAILED;
        return;
    }
    printf("%s %s: %s -> %s%s%s%s\n",
           rep->target == STORE_CHECK_MAIL_FROM ? "mail-from" : "identity", rep->identity,
           identity_status_name(rep->from), identity_status_name(rep->to), rep->reason ? " (" : "",
           rep->reason ? rep->reason : "", rep->reason ? ")" : "");
    w->rc = CLI_EXIT_OK;
}

int cli_verify_run(struct store *st, const struct config *cfg, struct cli_verify *v,
                   const char *name, enum store_check_target target)
{
    struct dns_cares_options options = {
        .servers = config_get_string(cfg, "dns.servers"),
        .timeout_ms = (int)config_get_int(cfg, "dns.timeout_ms"),
        .tries = (int)config_get_int(cfg, "dns.tries"),
    };
    char *error = NULL;
    struct dns_sync *sync = dns_sync_new(&options, &error);
    if (sync == NULL) {
        cli_error("check: %s", error);
        free(error);
        return CLI_EXIT_CONFIG;
    }
    struct verify_runner *r =
        verify_runner_new(st, dns_sync_resolver(sync), &v->settings, &v->clock);
    struct cli_verify_wait w = {false, CLI_EXIT_FAILED};
    if (verify_runner_start(r, name, target, cli_verify_report, &w, &error)) {
        dns_sync_run(sync, &w.done);
    } else {
        cli_error("check: %s", error);
        free(error);
    }
    verify_runner_free(r);
    dns_sync_free(sync);
    return w.rc;
}
