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
#include "dns_zonefile.h"
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
    const char *ip, *sender, *helo, *dns, *zone, *receiver;
};

static void cli_spf_usage(FILE *out)
{
    fprintf(out,
            "usage: rebound spf [check] [--zone FILE | --dns HOST:PORT] [--helo NAME]\n"
            "                   [--receiver NAME] IP SENDER\n"
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
            "  --dns HOST:PORT     query this DNS server (needs the c-ares backend; until it\n"
            "                      is built in, this flag is refused with an error)\n\n"
            "exit status: 0 pass, 4 fail, 5 softfail, 6 neutral, 7 none, 8 temperror,\n"
            "9 permerror, 2 usage error, 1 other error.\n");
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

static void cli_spf_done(const struct spf_outcome *outcome, void *arg)
{
    spf_outcome_copy(arg, outcome);
}

/* Builds the resolver; today the in-memory zone backend (--zone). */
static bool cli_spf_resolver(const struct cli_spf_opts *o, struct dns_resolver *resolver,
                             struct dns_memory **zone_r)
{
    if (o->zone == NULL) {
        if (o->dns != NULL)
            cli_error("spf: --dns %s: this build has no c-ares resolver backend yet; "
                      "describe the records in a file and use --zone FILE",
                      o->dns);
        else
            cli_error("spf: no DNS source: give --zone FILE (the system resolver needs the "
                      "c-ares backend, not built in yet)");
        return false;
    }
    struct dns_memory *zone = dns_memory_new();
    char *error = NULL;
    if (!dns_zonefile_load(zone, o->zone, &error)) {
        cli_error("spf: %s", error);
        free(error);
        dns_memory_free(zone);
        return false;
    }
    dns_memory_resolver(zone, resolver);
    *zone_r = zone;
    return true;
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
    struct dns_resolver resolver = {0};
    struct dns_memory *zone = NULL;
    if (!cli_spf_resolver(&o, &resolver, &zone)) {
        spf_query_clear(&q);
        return CLI_EXIT_FAILED;
    }
    struct spf_outcome out = {0};
    struct spf_check *check = spf_check_start(&resolver, &q, cli_spf_done, &out, &out);
    dns_memory_run(zone);
    spf_check_free(check);
    cli_spf_print(&q, &out);
    status = cli_spf_exit_status(out.result);
    spf_outcome_clear(&out);
    dns_resolver_destroy(&resolver);
    spf_query_clear(&q);
    return status;
}
