/*
 * rebound spf: runs check_host() for one client IP and sender, prints the result, the
 * explanation, the matched mechanism and the two header fields. The evaluation runs over a
 * struct dns_resolver, so any backend works; this command drives it to completion itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "dns_memory.h"
#include "dns_sync.h"
#include "dns_zonefile.h"
#include "settings.h"
#include "spf.h"
#include "spf_header.h"
#include "str.h"

/* Exit statuses: 0 pass, then one per other result (usage errors stay 2, see cli.h). */
enum cli_spf_exit {
    CLI_SPF_EXIT_FAIL = 4,
    CLI_SPF_EXIT_SOFTFAIL = 5,
    CLI_SPF_EXIT_NEUTRAL = 6,
    CLI_SPF_EXIT_NONE = 7,
    CLI_SPF_EXIT_TEMPERROR = 8,
    CLI_SPF_EXIT_PERMERROR = 9,
};

struct cli_spf_opts {
    const char *ip, *sender, *helo, *dns, *zone, *receiver, *config;
};

/* The DNS source: an in-memory zone (--zone) or c-ares behind the TTL cache (dns_sync). */
struct cli_spf_dns {
    struct dns_memory *zone;      /* --zone; owned by `resolver` */
    struct dns_resolver resolver; /* --zone */
    struct dns_sync *sync;        /* otherwise */
    struct config *cfg;           /* the dns.* settings sync was made from */
};

static void cli_spf_usage(FILE *out)
{
    fprintf(out,
            "usage: rebound spf [check] [--zone FILE | --dns SERVERS] [--helo NAME]\n"
            "                   [--receiver NAME] [--config FILE] IP SENDER\n"
            "       rebound spf [check] ... --ip IP --sender SENDER\n\n"
            "Evaluates SPF (RFC 7208 check_host) for a message from client IP with MAIL FROM\n"
            "SENDER and prints the result, the explanation (on fail), the mechanism that\n"
            "matched, and ready-to-use Received-SPF and Authentication-Results header fields.\n\n"
            "  IP, --ip IP         client address: IPv4, IPv6 or IPv4-mapped IPv6\n"
            "  SENDER, --sender A  MAIL FROM address; \"\" checks the HELO identity\n"
            "                      (postmaster@NAME) and then needs --helo\n"
            "  --helo NAME         HELO/EHLO name the client gave\n"
            "  --receiver NAME     this host's name, used as authserv-id and %%{r}\n"
            "                      (default: the host name)\n"
            "  --zone FILE         answer DNS from FILE, an in-memory zone: one record per\n"
            "                      line, 'NAME TYPE VALUE...', types A AAAA MX PTR CNAME TXT\n"
            "                      SPF, plus TIMEOUT and EXISTS (see src/net/dns_zonefile.h)\n"
            "  --dns SERVERS       ask these DNS servers, host:port[,host:port] (IPv6 as\n"
            "                      [addr]:port); default: the dns.servers setting, else the\n"
            "                      servers of /etc/resolv.conf\n"
            "  --config FILE       read the dns.* settings (servers, timeout, tries) from FILE\n\n"
            "exit status: 0 pass, 4 fail, 5 softfail, 6 neutral, 7 none, 8 temperror,\n"
            "9 permerror, 2 usage error, 3 configuration error, 1 other error.\n");
}

static int cli_spf_parse(int argc, char **argv, struct cli_spf_opts *o)
{
    const char *positional[2];
    int n_pos = 0;
    int i = 1;
    if (i < argc && strcmp(argv[i], "check") == 0)
        i++;
    for (; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = strcmp(a, "--ip") == 0         ? &o->ip
                            : strcmp(a, "--sender") == 0   ? &o->sender
                            : strcmp(a, "--helo") == 0     ? &o->helo
                            : strcmp(a, "--dns") == 0      ? &o->dns
                            : strcmp(a, "--zone") == 0     ? &o->zone
                            : strcmp(a, "--receiver") == 0 ? &o->receiver
                            : strcmp(a, "--config") == 0   ? &o->config
                                                           : NULL;
        if (slot != NULL) {
            if (i + 1 >= argc) {
                cli_error("spf: %s needs a value", a);
                return CLI_EXIT_USAGE;
            }
            *slot = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            cli_error("spf: unknown option '%s' (try 'rebound spf --help')", a);
            return CLI_EXIT_USAGE;
        } else if (n_pos < 2) {
            positional[n_pos++] = a;
        } else {
            cli_error("spf: unexpected argument '%s'", a);
            return CLI_EXIT_USAGE;
        }
    }
    if (n_pos > 0 && o->ip == NULL)
        o->ip = positional[0];
    if (n_pos > 1 && o->sender == NULL)
        o->sender = positional[1];
    if (o->ip == NULL || o->sender == NULL) {
        cli_error("spf: need a client IP and a sender (try 'rebound spf --help')");
        return CLI_EXIT_USAGE;
    }
    if (o->dns != NULL && o->zone != NULL) {
        cli_error("spf: --dns and --zone are mutually exclusive");
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

static int cli_spf_exit_status(enum spf_result r)
{
    switch (r) {
    case SPF_RESULT_PASS:
        return CLI_EXIT_OK;
    case SPF_RESULT_FAIL:
        return CLI_SPF_EXIT_FAIL;
    case SPF_RESULT_SOFTFAIL:
        return CLI_SPF_EXIT_SOFTFAIL;
    case SPF_RESULT_NEUTRAL:
        return CLI_SPF_EXIT_NEUTRAL;
    case SPF_RESULT_NONE:
        return CLI_SPF_EXIT_NONE;
    case SPF_RESULT_TEMPERROR:
        return CLI_SPF_EXIT_TEMPERROR;
    case SPF_RESULT_PERMERROR:
        return CLI_SPF_EXIT_PERMERROR;
    }
    return CLI_EXIT_FAILED;
}

static void cli_spf_print(const struct spf_query *q, const struct spf_outcome *o)
{
    printf("result: %s\n", spf_result_name(o->result));
    printf("domain: %s\n", o->domain ? o->domain : q->domain);
    printf("explanation: %s\n", o->explanation ? o->explanation : "");
    printf("mechanism: %s\n", o->mechanism ? o->mechanism : (o->problem ? "" : "(default)"));
    if (o->problem != NULL)
        printf("problem: %s\n", o->problem);
    char *rs = spf_header_received_spf(q, o);
    char *ar = spf_header_authentication_results(NULL, q, o);
    printf("Received-SPF: %s\n", rs);
    printf("Authentication-Results: %s\n", ar);
    free(rs);
    free(ar);
}

/* c-ares behind the cache, configured like `rebound dns`: settings file, then --dns over it. */
static int cli_spf_dns_open_sync(const struct cli_spf_opts *o, struct cli_spf_dns *d)
{
    char *error = NULL;
    d->cfg = settings_load(o->config, &error);
    if (d->cfg != NULL && o->dns != NULL && !config_set(d->cfg, "dns.servers", o->dns, &error)) {
        config_free(d->cfg);
        d->cfg = NULL;
    }
    if (d->cfg == NULL) {
        cli_error("spf: %s", error);
        free(error);
        return CLI_EXIT_CONFIG;
    }
    struct dns_cares_options options = {
        .servers = config_get_string(d->cfg, "dns.servers"),
        .timeout_ms = (int)config_get_int(d->cfg, "dns.timeout_ms"),
        .tries = (int)config_get_int(d->cfg, "dns.tries"),
    };
    d->sync = dns_sync_new(&options, &error);
    if (d->sync == NULL) {
        cli_error("spf: %s", error);
        free(error);
        return CLI_EXIT_CONFIG;
    }
    return CLI_EXIT_OK;
}

/* Returns CLI_EXIT_OK or the exit status of the failure (reported on stderr). */
static int cli_spf_dns_open(const struct cli_spf_opts *o, struct cli_spf_dns *d)
{
    char *error = NULL;
    memset(d, 0, sizeof(*d));
    if (o->zone == NULL)
        return cli_spf_dns_open_sync(o, d);
    d->zone = dns_memory_new();
    if (!dns_zonefile_load(d->zone, o->zone, &error)) {
        cli_error("spf: %s", error);
        free(error);
        dns_memory_free(d->zone);
        return CLI_EXIT_FAILED;
    }
    dns_memory_resolver(d->zone, &d->resolver);
    return CLI_EXIT_OK;
}

static struct dns_resolver *cli_spf_dns_resolver(struct cli_spf_dns *d)
{
    return d->sync != NULL ? dns_sync_resolver(d->sync) : &d->resolver;
}

/* Drives the backend until the evaluation is done. */
static void cli_spf_dns_run(struct cli_spf_dns *d, const bool *done)
{
    if (d->sync != NULL)
        dns_sync_run(d->sync, done);
    else
        dns_memory_run(d->zone);
}

static void cli_spf_dns_close(struct cli_spf_dns *d)
{
    dns_sync_free(d->sync);
    config_free(d->cfg);
    dns_resolver_destroy(&d->resolver);
}

struct cli_spf_wait {
    bool done;
    struct spf_outcome out;
};

static void cli_spf_done(const struct spf_outcome *outcome, void *arg)
{
    struct cli_spf_wait *w = arg;
    spf_outcome_copy(&w->out, outcome);
    w->done = true;
}

int cli_spf(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            cli_spf_usage(stdout);
            return CLI_EXIT_OK;
        }
    }
    struct cli_spf_opts o = {0};
    int status = cli_spf_parse(argc, argv, &o);
    if (status != CLI_EXIT_OK)
        return status;
    char host[256] = "localhost";
    if (o.receiver == NULL && gethostname(host, sizeof(host) - 1) == 0)
        host[sizeof(host) - 1] = '\0';
    struct spf_request req = {.client_ip = o.ip,
                              .sender = o.sender,
                              .helo = o.helo,
                              .receiver = o.receiver ? o.receiver : host,
                              .now = (int64_t)time(NULL)};
    struct spf_query q;
    char *error = NULL;
    if (!spf_query_init(&q, &req, &error)) {
        cli_error("spf: %s", error);
        free(error);
        return CLI_EXIT_USAGE;
    }
    struct cli_spf_dns dns;
    status = cli_spf_dns_open(&o, &dns);
    if (status != CLI_EXIT_OK) {
        spf_query_clear(&q);
        return status;
    }
    struct cli_spf_wait w = {0};
    struct spf_check *check =
        spf_check_start(cli_spf_dns_resolver(&dns), &q, cli_spf_done, &w, &w.out);
    if (check != NULL)
        cli_spf_dns_run(&dns, &w.done);
    if (check != NULL && !w.done) { /* cannot happen: every query ends, at worst timed out */
        cli_error("spf: the resolver stopped before the evaluation ended");
        status = CLI_EXIT_FAILED;
    } else {
        cli_spf_print(&q, &w.out);
        status = cli_spf_exit_status(w.out.result);
    }
    spf_check_free(check);
    spf_outcome_clear(&w.out);
    cli_spf_dns_close(&dns);
    spf_query_clear(&q);
    return status;
}
