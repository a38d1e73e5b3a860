/*
 * rebound dns [--dns SERVERS] [--timeout MS] [--tries N] [--config FILE] TYPE NAME
 *
 * Asks one DNS question through the same resolver the server uses (c-ares behind the cache)
 * and prints what came back: a "status" line, then one "OWNER TTL TYPE DATA" line per record.
 * For operators debugging MAIL FROM and SPF set-ups, and for the tests.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "dns_sync.h"
#include "settings.h"
#include "str.h"
#include "xalloc.h"

static const struct {
    const char *name;
    enum dns_rr_type type;
} cli_dns_types[] = {
    {"A", DNS_TYPE_A},     {"AAAA", DNS_TYPE_AAAA},   {"MX", DNS_TYPE_MX},
    {"TXT", DNS_TYPE_TXT}, {"SPF", DNS_TYPE_SPF},     {"TYPE99", DNS_TYPE_SPF},
    {"PTR", DNS_TYPE_PTR}, {"CNAME", DNS_TYPE_CNAME}, {"NS", DNS_TYPE_NS},
};

static void cli_dns_usage(FILE *out)
{
    fprintf(out, "usage: rebound dns [--dns SERVERS] [--timeout MS] [--tries N] [--config FILE]\n"
                 "                   TYPE NAME\n\n"
                 "Asks one DNS question through rebound's resolver and prints the answer: a line\n"
                 "'status ok|nxdomain|nodata|tempfail|permfail', then one line per record:\n"
                 "'OWNER TTL TYPE DATA' (TXT/SPF data as quoted strings, one per string).\n\n"
                 "  --dns SERVERS   servers to ask, host:port[,host:port] (IPv6 as [addr]:port);\n"
                 "                  default: the dns.servers setting, else /etc/resolv.conf\n"
                 "  --timeout MS    wait for one try (default: dns.timeout_ms)\n"
                 "  --tries N       rounds over the servers before giving up (default: dns.tries)\n"
                 "  --config FILE   read the dns.* settings from FILE\n\n"
                 "TYPE is A, AAAA, MX, TXT, SPF (or TYPE99), PTR, CNAME or NS. With PTR, NAME may\n"
                 "be an IPv4 or IPv6 address: its reverse name is asked.\n"
                 "Exit status: 0 records found; 1 nxdomain, nodata, tempfail or permfail;\n"
                 "2 usage error; 3 configuration error.\n");
}

static bool cli_dns_parse_type(const char *text, enum dns_rr_type *type_r)
{
    for (size_t i = 0; i < sizeof(cli_dns_types) / sizeof(cli_dns_types[0]); i++) {
        if (str_equal_nocase(text, cli_dns_types[i].name)) {
            *type_r = cli_dns_types[i].type;
            return true;
        }
    }
    return false;
}

/* RFC 1035 section 3.5 (in-addr.arpa) and RFC 3596 section 2.5 (ip6.arpa). */
static char *cli_dns_reverse_name(const char *ip)
{
    unsigned char a[16];
    if (inet_pton(AF_INET, ip, a) == 1)
        return xasprintf("%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1], a[0]);
    if (inet_pton(AF_INET6, ip, a) != 1)
        return xstrdup(ip);
    struct buf b = BUF_INIT;
    for (int i = 15; i >= 0; i--)
        buf_printf(&b, "%x.%x.", a[i] & 0x0F, a[i] >> 4);
    buf_append_str(&b, "ip6.arpa");
    return buf_steal(&b);
}

/* A character-string in zone-file form: quoted, with \" \\ and \DDD escapes. */
static void cli_dns_put_string(struct buf *out, const char *s, size_t len)
{
    buf_append_char(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            buf_printf(out, "\\%c", c);
        else if (c < 0x20 || c > 0x7e)
            buf_printf(out, "\\%03u", c);
        else
            buf_append_char(out, (char)c);
    }
    buf_append_char(out, '"');
}

static void cli_dns_put_rdata(struct buf *out, const struct dns_rr *rr)
{
    char ip[INET6_ADDRSTRLEN];
    switch (rr->type) {
    case DNS_TYPE_A:
        buf_append_str(out, inet_ntop(AF_INET, &rr->u.a, ip, sizeof(ip)));
        return;
    case DNS_TYPE_AAAA:
        buf_append_str(out, inet_ntop(AF_INET6, &rr->u.aaaa, ip, sizeof(ip)));
        return;
    case DNS_TYPE_MX:
        buf_printf(out, "%u %s", rr->u.mx.preference, rr->u.mx.exchange);
        return;
    case DNS_TYPE_PTR:
    case DNS_TYPE_CNAME:
    case DNS_TYPE_NS:
        buf_append_str(out, rr->u.target);
        return;
    case DNS_TYPE_TXT:
    case DNS_TYPE_SPF:
        for (size_t i = 0; i < rr->u.txt.n_strings; i++) {
            if (i > 0)
                buf_append_char(out, ' ');
            cli_dns_put_string(out, rr->u.txt.strings[i], rr->u.txt.lengths[i]);
        }
        return;
    case DNS_TYPE_SOA:
        return;
    }
}

static int cli_dns_print(const struct dns_result *result, const char *type, const char *name)
{
    printf("status %s\n", dns_status_name(result->status));
    struct buf line = BUF_INIT;
    for (size_t i = 0; i < result->n_rrs; i++) {
        const struct dns_rr *rr = &result->rrs[i];
        buf_reset(&line);
        buf_printf(&line, "%s %u %s ", rr->owner, rr->ttl, dns_type_name(rr->type));
        cli_dns_put_rdata(&line, rr);
        fwrite(line.data, 1, line.len, stdout);
        fputc('\n', stdout);
    }
    buf_free(&line);
    if (result->status == DNS_TEMPFAIL || result->status == DNS_PERMFAIL)
        cli_error("dns: %s %s: %s", type, name, result->error ? result->error : "failed");
    return result->status == DNS_OK ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}

struct cli_dns_args {
    const char *config_path;
    const char *servers, *timeout, *tries;
    const char *type, *name;
};

static int cli_dns_parse_args(int argc, char **argv, struct cli_dns_args *a)
{
    memset(a, 0, sizeof(*a));
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (cli_is_help(arg)) {
            cli_dns_usage(stdout);
            return -1;
        }
        const char **slot = strcmp(arg, "--dns") == 0       ? &a->servers
                            : strcmp(arg, "--timeout") == 0 ? &a->timeout
                            : strcmp(arg, "--tries") == 0   ? &a->tries
                            : strcmp(arg, "--config") == 0  ? &a->config_path
                                                            : NULL;
        if (slot != NULL && i + 1 < argc) {
            *slot = argv[++i];
        } else if (slot == NULL && arg[0] != '-' && a->type == NULL) {
            a->type = arg;
        } else if (slot == NULL && arg[0] != '-' && a->name == NULL) {
            a->name = arg;
        } else {
            cli_error("dns: unexpected argument '%s' (try 'rebound dns --help')", arg);
            return CLI_EXIT_USAGE;
        }
    }
    if (a->name == NULL) {
        cli_error("dns: want TYPE and NAME (try 'rebound dns --help')");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* Settings file first, then the flags over it: one validation path for both. */
static struct config *cli_dns_settings(const struct cli_dns_args *a)
{
    char *error = NULL;
    struct config *cfg = settings_load(a->config_path, &error);
    const char *names[] = {"dns.servers", "dns.timeout_ms", "dns.tries"};
    const char *values[] = {a->servers, a->timeout, a->tries};
    for (size_t i = 0; cfg != NULL && i < 3; i++) {
        if (values[i] != NULL && !config_set(cfg, names[i], values[i], &error)) {
            config_free(cfg);
            cfg = NULL;
        }
    }
    if (cfg == NULL) {
        cli_error("dns: %s", error);
        free(error);
    }
    return cfg;
}

int cli_dns(int argc, char **argv)
{
    struct cli_dns_args a;
    int rc = cli_dns_parse_args(argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    enum dns_rr_type type;
    if (!cli_dns_parse_type(a.type, &type)) {
        cli_error("dns: unknown record type '%s' (want A, AAAA, MX, TXT, SPF, PTR, CNAME, NS)",
                  a.type);
        return CLI_EXIT_USAGE;
    }
    struct config *cfg = cli_dns_settings(&a);
    if (cfg == NULL)
        return CLI_EXIT_CONFIG;
    struct dns_cares_options options = {
        .servers = config_get_string(cfg, "dns.servers"),
        .timeout_ms = (int)config_get_int(cfg, "dns.timeout_ms"),
        .tries = (int)config_get_int(cfg, "dns.tries"),
    };
    char *name = type == DNS_TYPE_PTR ? cli_dns_reverse_name(a.name) : xstrdup(a.name);
    struct dns_result result;
    char *error = NULL;
    if (!dns_sync_query(&options, name, type, &result, &error)) {
        cli_error("dns: %s", error);
        free(error);
        rc = CLI_EXIT_CONFIG;
    } else {
        rc = cli_dns_print(&result, a.type, name);
        dns_result_clear(&result);
    }
    free(name);
    config_free(cfg);
    return rc;
}
