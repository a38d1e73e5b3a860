/*
 * rebound deliver-once [flags] --from RETURN_PATH --to RCPT [--to RCPT...] FILE
 *
 * Routes and delivers one message now, through the same resolver, router and SMTP client the
 * server uses, and prints one line per recipient. For operators testing a route and for the
 * tests; nothing is queued and nothing is retried.
 */
#include <event2/event.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "clock.h"
#include "deliver.h"
#include "deliver_tls.h"
#include "dns_cache.h"
#include "dns_cares.h"
#include "queue_role.h"
#include "settings.h"
#include "smtp_client_body.h"
#include "xalloc.h"

/* Recipients one command line may name. */
#define CLI_DELIVER_MAX_RCPTS DELIVER_MAX_RCPTS
/* Largest message read from FILE. */
#define CLI_DELIVER_MAX_MESSAGE ((size_t)64 * 1024 * 1024)

static void cli_deliver_usage(FILE *out)
{
    fprintf(
        out,
        "usage: rebound deliver-once [--config FILE] [--dns SERVERS] [--port N]\n"
        "         [--tls-policy none|may|verify] [--tls-ca FILE] [--helo NAME]\n"
        "         [--timeout MS] [--connect-timeout MS] [--envid ID] [--ret FULL|HDRS]\n"
        "         [--notify LIST] --from RETURN_PATH --to RCPT [--to RCPT...] MESSAGE\n\n"
        "Looks up the recipients' MX hosts, delivers MESSAGE (a file, or - for stdin) to\n"
        "them now with MAIL FROM:<RETURN_PATH> (use '' for the null sender) and prints one\n"
        "line per recipient, in the order given:\n"
        "    RCPT STATUS ENHANCED-CODE REMOTE-IP REPLY\n"
        "STATUS is delivered, temporary or permanent; REMOTE-IP is - when no MTA was\n"
        "reached; REPLY is the server's reply (lines joined with ' | ') or the reason.\n\n"
        "  --config FILE       read the dns.* and deliver.* settings from FILE\n"
        "  --dns SERVERS       DNS servers, host:port[,host:port] (default: dns.servers)\n"
        "  --port N            TEST BEDS ONLY: the MTAs' port (default: deliver.smtp_port, 25)\n"
        "  --tls-policy P      none, may (opportunistic STARTTLS, the default) or verify\n"
        "                      (STARTTLS required, certificate and MX name verified)\n"
        "  --tls-ca FILE       CA certificates (PEM) for --tls-policy verify\n"
        "  --helo NAME         name sent in EHLO (default: deliver.helo_name, else hostname)\n"
        "  --timeout MS        wait at most MS for every SMTP reply (default: RFC 5321's)\n"
        "  --connect-timeout MS  wait at most MS for each TCP connection\n"
        "  --envid ID          DSN envelope id (ENVID), sent when the server offers DSN\n"
        "  --ret FULL|HDRS     DSN RET parameter\n"
        "  --notify LIST       DSN NOTIFY for every recipient (NEVER or SUCCESS,FAILURE,DELAY)\n\n"
        "Exit status: 0 every recipient delivered; 1 any was not; 2 usage error;\n"
        "3 configuration error.\n");
}

struct cli_deliver_args {
    const char *config_path, *servers, *port, *tls_policy, *tls_ca, *helo, *timeout,
        *connect_timeout, *envid, *ret, *notify, *from, *file;
    const char *rcpts[CLI_DELIVER_MAX_RCPTS];
    size_t n_rcpts;
    bool orcpt;
};

static const char **cli_deliver_slot(struct cli_deliver_args *a, const char *arg)
{
    static const struct {
        const char *flag;
        size_t offset;
    } flags[] = {
        {"--config", offsetof(struct cli_deliver_args, config_path)},
        {"--dns", offsetof(struct cli_deliver_args, servers)},
        {"--port", offsetof(struct cli_deliver_args, port)},
        {"--tls-policy", offsetof(struct cli_deliver_args, tls_policy)},
        {"--tls-ca", offsetof(struct cli_deliver_args, tls_ca)},
        {"--helo", offsetof(struct cli_deliver_args, helo)},
        {"--timeout", offsetof(struct cli_deliver_args, timeout)},
        {"--connect-timeout", offsetof(struct cli_deliver_args, connect_timeout)},
        {"--envid", offsetof(struct cli_deliver_args, envid)},
        {"--ret", offsetof(struct cli_deliver_args, ret)},
        {"--notify", offsetof(struct cli_deliver_args, notify)},
        {"--from", offsetof(struct cli_deliver_args, from)},
    };
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        if (strcmp(arg, flags[i].flag) == 0)
            return (const char **)((char *)a + flags[i].offset);
    }
    return NULL;
}

static int cli_deliver_parse_args(int argc, char **argv, struct cli_deliver_args *a)
{
    memset(a, 0, sizeof(*a));
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char **slot = cli_deliver_slot(a, arg);
        if (cli_is_help(arg)) {
            cli_deliver_usage(stdout);
            return -1;
        } else if (slot != NULL && i + 1 < argc) {
            *slot = argv[++i];
        } else if (strcmp(arg, "--orcpt") == 0) {
            a->orcpt = true;
        } else if (strcmp(arg, "--to") == 0 && i + 1 < argc) {
            if (a->n_rcpts == CLI_DELIVER_MAX_RCPTS) {
                cli_error("deliver-once: at most %d recipients", CLI_DELIVER_MAX_RCPTS);
                return CLI_EXIT_USAGE;
            }
            a->rcpts[a->n_rcpts++] = argv[++i];
        } else if ((arg[0] != '-' || strcmp(arg, "-") == 0) && a->file == NULL) {
            a->file = arg;
        } else {
            cli_error("deliver-once: unexpected argument '%s' (try 'rebound deliver-once --help')",
                      arg);
            return CLI_EXIT_USAGE;
        }
    }
    if (a->from == NULL || a->n_rcpts == 0 || a->file == NULL) {
        cli_error("deliver-once: want --from, at least one --to, and a MESSAGE file (try "
                  "'rebound deliver-once --help')");
        return CLI_EXIT_USAGE;
    }
    for (size_t i = 0; i < a->n_rcpts; i++) {
        const char *at = strrchr(a->rcpts[i], '@');
        if (at == NULL || at[1] == '\0' || at == a->rcpts[i]) {
            cli_error("deliver-once: '%s' is not an address (want local@domain)", a->rcpts[i]);
            return CLI_EXIT_USAGE;
        }
    }
    return 0;
}

static struct config *cli_deliver_settings(const struct cli_deliver_args *a)
{
    char *error = NULL;
    struct config *cfg = settings_load(a->config_path, &error);
    const char *names[] = {"dns.servers",        "deliver.smtp_port",
                           "deliver.tls_policy", "deliver.tls_ca_file",
                           "deliver.helo_name",  "deliver.connect_timeout_ms"};
    const char *values[] = {a->servers, a->port, a->tls_policy,
                            a->tls_ca,  a->helo, a->connect_timeout};
    for (size_t i = 0; cfg != NULL && i < sizeof(names) / sizeof(names[0]); i++) {
        if (values[i] != NULL && !config_set(cfg, names[i], values[i], &error)) {
            config_free(cfg);
            cfg = NULL;
        }
    }
    const char *reply_timeouts[] = {"deliver.greeting_timeout_ms",  "deliver.command_timeout_ms",
                                    "deliver.mail_timeout_ms",      "deliver.rcpt_timeout_ms",
                                    "deliver.data_init_timeout_ms", "deliver.data_block_timeout_ms",
                                    "deliver.data_term_timeout_ms"};
    for (size_t i = 0; cfg != NULL && a->timeout != NULL && i < 7; i++) {
        if (!config_set(cfg, reply_timeouts[i], a->timeout, &error)) {
            config_free(cfg);
            cfg = NULL;
        }
    }
    if (cfg == NULL) {
        cli_error("deliver-once: %s", error);
        free(error);
    }
    return cfg;
}

static bool cli_deliver_read(const char *path, struct buf *out)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        cli_error("deliver-once: cannot read %s", path);
        return false;
    }
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && out->len <= CLI_DELIVER_MAX_MESSAGE)
        buf_append(out, chunk, n);
    bool ok = !ferror(f) && out->len <= CLI_DELIVER_MAX_MESSAGE;
    if (f != stdin)
        fclose(f);
    if (!ok)
        cli_error("deliver-once: cannot read %s (or it is larger than %zu bytes)", path,
                  CLI_DELIVER_MAX_MESSAGE);
    return ok;
}

struct cli_deliver_job {
    uint64_t id;
    const char *domain;
    size_t idx[CLI_DELIVER_MAX_RCPTS]; /* positions in args->rcpts */
    size_t n;
};

struct cli_deliver_run {
    const struct cli_deliver_args *args;
    const struct buf *msg;
    struct deliver *deliver;
    struct cli_deliver_job jobs[CLI_DELIVER_MAX_RCPTS];
    size_t n_jobs, next_job, finished;
    char *lines[CLI_DELIVER_MAX_RCPTS];
    bool all_ok;
};

/* The reply on one line: its lines joined with " | ". */
static void cli_deliver_put_reply(struct buf *out, const char *text)
{
    for (const char *p = text ? text : ""; *p; p++) {
        if (*p == '\n')
            buf_append_str(out, " | ");
        else
            buf_append_char(out, *p);
    }
}

static void cli_deliver_submit_next(struct cli_deliver_run *run);

static void cli_deliver_done(uint64_t job_id, const struct deliver_outcome *o, void *arg)
{
    struct cli_deliver_run *run = arg;
    for (size_t j = 0; j < run->n_jobs; j++) {
        struct cli_deliver_job *job = &run->jobs[j];
        if (job->id != job_id)
            continue;
        for (size_t i = 0; i < job->n && i < o->n_rcpts; i++) {
            const struct smtp_client_result *r = &o->rcpts[i];
            struct buf line = BUF_INIT;
            buf_printf(&line, "%s %s %s %s ", run->args->rcpts[job->idx[i]],
                       smtp_client_status_name(r->status), r->enhanced, o->mx_ip ? o->mx_ip : "-");
            cli_deliver_put_reply(&line, r->text);
            run->lines[job->idx[i]] = buf_steal(&line);
            if (r->status != SMTP_CLIENT_OK)
                run->all_ok = false;
        }
    }
    run->finished++;
    if (run->next_job < run->n_jobs)
        cli_deliver_submit_next(run);
}

static void cli_deliver_group(struct cli_deliver_run *run)
{
    const struct cli_deliver_args *a = run->args;
    for (size_t i = 0; i < a->n_rcpts; i++) {
        const char *domain = strrchr(a->rcpts[i], '@') + 1;
        size_t j = 0;
        while (j < run->n_jobs && strcasecmp(run->jobs[j].domain, domain) != 0)
            j++;
        if (j == run->n_jobs)
            run->jobs[run->n_jobs++].domain = domain;
        run->jobs[j].idx[run->jobs[j].n++] = i;
    }
}

/* Submits the next domain's job. One at a time, so that a later domain whose MX is the same
 * host reuses the connection the earlier one left open (as the scheduler's jobs will). */
static void cli_deliver_submit_next(struct cli_deliver_run *run)
{
    const struct cli_deliver_args *a = run->args;
    struct cli_deliver_job *cj = &run->jobs[run->next_job++];
    struct deliver_rcpt rcpts[CLI_DELIVER_MAX_RCPTS];
    struct buf orcpt[CLI_DELIVER_MAX_RCPTS];
    for (size_t i = 0; i < cj->n; i++) {
        const char *rcpt = a->rcpts[cj->idx[i]];
        orcpt[i] = (struct buf)BUF_INIT;
        if (a->orcpt) { /* RFC 3461 4.2: addr-type ";" xtext */
            buf_append_str(&orcpt[i], "rfc822;");
            smtp_client_xtext_encode(rcpt, &orcpt[i]);
        }
        rcpts[i] = (struct deliver_rcpt){rcpt, a->notify, a->orcpt ? orcpt[i].data : NULL};
    }
    struct deliver_job job = {
        .domain = cj->domain,
        .return_path = a->from,
        .envid = a->envid,
        .ret = a->ret,
        .rcpts = rcpts,
        .n_rcpts = cj->n,
        .body = run->msg->data ? run->msg->data : "",
        .body_len = run->msg->len,
        .log_id = a->envid,
    };
    cj->id = deliver_submit(run->deliver, &job, cli_deliver_done, run);
    for (size_t i = 0; i < cj->n; i++)
        buf_free(&orcpt[i]);
}

/* Runs the jobs on a private loop until every one has reported, then lets QUITs finish. */
static int cli_deliver_run(const struct cli_deliver_args *a, const struct config *cfg,
                           const struct buf *msg, SSL_CTX *ssl_ctx)
{
    struct event_base *base = event_base_new();
    struct dns_cares_options dns_options = {
        .servers = config_get_string(cfg, "dns.servers"),
        .timeout_ms = (int)config_get_int(cfg, "dns.timeout_ms"),
        .tries = (int)config_get_int(cfg, "dns.tries"),
    };
    struct dns_resolver cares, resolver;
    char *error = NULL;
    if (base == NULL || !dns_cares_new(base, &dns_options, &cares, &error)) {
        cli_error("deliver-once: %s", error ? error : "cannot create an event loop");
        free(error);
        if (base)
            event_base_free(base);
        return CLI_EXIT_CONFIG;
    }
    struct dns_cache_options cache_options = {.clock = clock_system()};
    dns_cache_new(base, cares, &cache_options, &resolver);
    char host[256] = "localhost";
    gethostname(host, sizeof(host) - 1);
    const char *helo = config_get_string(cfg, "deliver.helo_name");
    char **verify = NULL;
    size_t n_verify = config_get_list(cfg, "deliver.tls_verify_domains", &verify);
    struct deliver_options o = {
        .base = base,
        .resolver = &resolver,
        .ssl_ctx = ssl_ctx,
        .helo_name = helo ? helo : host,
        .verify_domains = (const char *const *)verify,
        .n_verify_domains = n_verify,
    };
    queue_role_deliver_options(cfg, &o);
    struct deliver *d = deliver_new(&o);
    config_free_list(verify, n_verify);
    struct cli_deliver_run run = {.args = a, .msg = msg, .deliver = d, .all_ok = true};
    cli_deliver_group(&run);
    cli_deliver_submit_next(&run);
    while (run.finished < run.n_jobs && event_base_loop(base, EVLOOP_ONCE) == 0)
        ;
    dns_resolver_destroy(&resolver);
    deliver_free(d);           /* QUITs the connections it kept */
    event_base_dispatch(base); /* until the last QUIT is answered or times out */
    event_base_free(base);
    for (size_t i = 0; i < a->n_rcpts; i++) {
        printf("%s\n", run.lines[i] ? run.lines[i] : "");
        free(run.lines[i]);
    }
    return run.all_ok && run.finished == run.n_jobs ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}

int cli_deliver_once(int argc, char **argv)
{
    struct cli_deliver_args a;
    int rc = cli_deliver_parse_args(argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    struct config *cfg = cli_deliver_settings(&a);
    if (cfg == NULL)
        return CLI_EXIT_CONFIG;
    struct buf msg = BUF_INIT;
    if (!cli_deliver_read(a.file, &msg)) {
        config_free(cfg);
        buf_free(&msg);
        return CLI_EXIT_FAILED;
    }
    char *error = NULL;
    SSL_CTX *ssl_ctx = deliver_tls_ctx_new(config_get_string(cfg, "deliver.tls_ca_file"), &error);
    if (ssl_ctx == NULL) {
        cli_error("deliver-once: %s", error);
        free(error);
        rc = CLI_EXIT_CONFIG;
    } else {
        rc = cli_deliver_run(&a, cfg, &msg, ssl_ctx);
        SSL_CTX_free(ssl_ctx);
    }
    buf_free(&msg);
    config_free(cfg);
    return rc;
}
