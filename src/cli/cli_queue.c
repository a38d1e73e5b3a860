/*
 * rebound queue run|inject: the delivery queue from the command line.
 *
 * run     runs the scheduler (queue_role.h) in the foreground: until every recipient in the
 *         store is delivered or bounced, or with --watch until SIGINT/SIGTERM.
 * inject  commits a message file straight into the store with a given envelope (debugging and
 *         tests: the way mail enters the queue when the submission role is not running).
 */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "cli_store.h"
#include "log.h"
#include "queue_role.h"
#include "settings.h"
#include "smtp_client_body.h"
#include "xalloc.h"

/* Largest message inject reads; recipients and copies one call may commit. */
#define CLI_QUEUE_MAX_MESSAGE   ((size_t)64 * 1024 * 1024)
#define CLI_QUEUE_MAX_RCPTS     1000
#define CLI_QUEUE_MAX_COPIES    100000
#define CLI_QUEUE_QUIT_GRACE_US 500000

static void cli_queue_usage(FILE *out)
{
    fprintf(out,
            "usage: rebound queue run [--config FILE] [--watch]\n"
            "       rebound queue inject [--config FILE] --account NAME --from ENVELOPE_FROM\n"
            "         [--return-path ADDR] [--envid ID] [--ret FULL|HDRS] [--notify LIST]\n"
            "         [--orcpt] [--count N] --to RCPT [--to RCPT...] MESSAGE\n"
            "\n"
            "run     delivers the queue now: due recipients are sent (deliver.* settings),\n"
            "        deferred ones retried with backoff, bounces answered with a DSN to the\n"
            "        sender. Exits when no recipient is left queued or deferred, printing\n"
            "        'delivered=N deferred=N bounced=N dsns=N'.\n"
            "  --watch        keep running (and polling the store) until SIGINT or SIGTERM\n"
            "inject  queues MESSAGE (a file, - for stdin) as if it had been submitted and\n"
            "        prints the new message id (one line per copy).\n"
            "  --account NAME     the owning account (must exist)\n"
            "  --from ADDR        the original envelope-from ('' for the null sender)\n"
            "  --return-path ADDR the MAIL FROM used for delivery (default: --from)\n"
            "  --envid ID, --ret FULL|HDRS, --notify NEVER|SUCCESS,FAILURE,DELAY  DSN options\n"
            "  --orcpt            record ORCPT=rfc822;RCPT for every recipient\n"
            "  --count N          queue N copies (one transaction)\n"
            "  --config FILE      read the settings (store, deliver.*, dns.*) from FILE\n"
            "\n"
            "Exit status: 0 done, 1 failed, 2 usage, 3 configuration error.\n");
}

struct cli_queue_args {
    const char *config, *account, *from, *return_path, *envid, *ret, *notify, *count, *file;
    const char *rcpts[CLI_QUEUE_MAX_RCPTS];
    size_t n_rcpts;
    bool watch, orcpt;
};

static const char **cli_queue_slot(struct cli_queue_args *a, const char *flag)
{
    const char *names[] = {"--config", "--account", "--from",   "--return-path",
                           "--envid",  "--ret",     "--notify", "--count"};
    const char **slots[] = {&a->config, &a->account, &a->from,   &a->return_path,
                            &a->envid,  &a->ret,     &a->notify, &a->count};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(flag, names[i]) == 0)
            return slots[i];
    }
    return NULL;
}

static int cli_queue_parse(int argc, char **argv, struct cli_queue_args *a)
{
    memset(a, 0, sizeof(*a));
    for (int i = 2; i < argc; i++) {
        const char **slot = cli_queue_slot(a, argv[i]);
        if (slot != NULL && i + 1 < argc) {
            *slot = argv[++i];
        } else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc &&
                   a->n_rcpts < CLI_QUEUE_MAX_RCPTS) {
            a->rcpts[a->n_rcpts++] = argv[++i];
        } else if (strcmp(argv[i], "--watch") == 0) {
            a->watch = true;
        } else if (strcmp(argv[i], "--orcpt") == 0) {
            a->orcpt = true;
        } else if ((argv[i][0] != '-' || strcmp(argv[i], "-") == 0) && a->file == NULL) {
            a->file = argv[i];
        } else {
            cli_error("queue: unexpected argument '%s' (try 'rebound queue --help')", argv[i]);
            return CLI_EXIT_USAGE;
        }
    }
    return CLI_EXIT_OK;
}

struct cli_queue_run {
    struct event_base *base;
    bool watch;
};

static void cli_queue_idle(void *arg)
{
    struct cli_queue_run *run = arg;
    if (!run->watch)
        event_base_loopbreak(run->base);
}

static void cli_queue_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    event_base_loopbreak(arg);
}

static int cli_queue_run_loop(struct config *cfg, bool watch)
{
    struct cli_queue_run run = {event_base_new(), watch};
    struct store_service_config sc = {config_get_string(cfg, "store"),
                                      STORE_SERVICE_DEFAULT_READERS, STORE_SERVICE_DEFAULT_BATCH};
    char *error = NULL;
    struct store_service *svc = store_service_new(run.base, &sc, &error);
    struct queue_role *q =
        svc ? queue_role_new(run.base, cfg, svc, cli_queue_idle, &run, &error) : NULL;
    if (q == NULL) {
        cli_error("queue run: %s", error ? error : "cannot start");
        free(error);
        store_service_free(svc);
        event_base_free(run.base);
        return CLI_EXIT_CONFIG;
    }
    struct event *sigint = evsignal_new(run.base, SIGINT, cli_queue_signal, run.base);
    struct event *sigterm = evsignal_new(run.base, SIGTERM, cli_queue_signal, run.base);
    event_add(sigint, NULL);
    event_add(sigterm, NULL);
    queue_role_start(q);
    event_base_dispatch(run.base);
    struct deliver_sched_stats stats;
    queue_role_stats(q, &stats);
    queue_role_stop(q);
    queue_role_free(q);
    store_service_free(svc); /* writes what is queued */
    event_free(sigint);
    event_free(sigterm);
    /* A moment for the QUITs of the connections deliver kept: a courtesy, bounded. */
    struct timeval grace = {0, CLI_QUEUE_QUIT_GRACE_US};
    event_base_loopexit(run.base, &grace);
    event_base_dispatch(run.base);
    event_base_free(run.base);
    printf("delivered=%llu deferred=%llu bounced=%llu dsns=%llu\n",
           (unsigned long long)stats.delivered, (unsigned long long)stats.deferred,
           (unsigned long long)stats.bounced, (unsigned long long)stats.dsns);
    return CLI_EXIT_OK;
}

static bool cli_queue_read(const char *path, struct buf *out)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL)
        return false;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && out->len <= CLI_QUEUE_MAX_MESSAGE)
        buf_append(out, chunk, n);
    bool ok = !ferror(f) && out->len <= CLI_QUEUE_MAX_MESSAGE;
    if (f != stdin)
        fclose(f);
    return ok;
}

static unsigned cli_queue_notify(const char *text)
{
    unsigned bits = 0;
    if (text == NULL)
        return 0;
    if (strstr(text, "NEVER"))
        bits |= STORE_NOTIFY_NEVER;
    if (strstr(text, "SUCCESS"))
        bits |= STORE_NOTIFY_SUCCESS;
    if (strstr(text, "FAILURE"))
        bits |= STORE_NOTIFY_FAILURE;
    if (strstr(text, "DELAY"))
        bits |= STORE_NOTIFY_DELAY;
    return bits;
}

static struct store_message *cli_queue_message(const struct cli_queue_args *a, int64_t account,
                                               const struct buf *body, int64_t now_ms)
{
    struct store_message *m = store_message_new();
    if (!store_message_id_new(now_ms, m->id)) {
        store_message_free(m);
        return NULL;
    }
    const char *at = strrchr(a->from, '@');
    m->account_id = account;
    m->identity = xstrdup(at ? at + 1 : "-");
    m->envelope_from = xstrdup(a->from);
    m->return_path = xstrdup(a->return_path ? a->return_path : a->from);
    m->arrival_ms = now_ms;
    m->dsn_ret = a->ret == NULL                ? STORE_RET_UNSET
                 : strcmp(a->ret, "FULL") == 0 ? STORE_RET_FULL
                                               : STORE_RET_HDRS;
    m->dsn_envid = a->envid ? xstrdup(a->envid) : NULL;
    m->body = xmalloc(body->len + 1);
    memcpy(m->body, body->data ? body->data : "", body->len);
    m->body_len = body->len;
    for (size_t i = 0; i < a->n_rcpts; i++) {
        struct buf orcpt = BUF_INIT;
        if (a->orcpt) {
            buf_append_str(&orcpt, "rfc822;");
            smtp_client_xtext_encode(a->rcpts[i], &orcpt);
        }
        store_message_add_rcpt(m, a->rcpts[i], cli_queue_notify(a->notify),
                               a->orcpt ? buf_cstr(&orcpt) : NULL);
        buf_free(&orcpt);
    }
    return m;
}

static int cli_queue_commit(struct store *st, struct store_message **msgs, size_t n)
{
    enum store_status *results = xcalloc(n, sizeof(results[0]));
    char **errors = xcalloc(n, sizeof(errors[0]));
    enum store_status status = store_message_commit(st, msgs, n, results, errors);
    int rc = CLI_EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        if (status == STORE_OK && results[i] == STORE_OK) {
            printf("%s\n", msgs[i]->id);
        } else if (rc == CLI_EXIT_OK) {
            cli_error("queue inject: %s", errors[i] ? errors[i] : store_status_name(results[i]));
            rc = CLI_EXIT_FAILED;
        }
        free(errors[i]);
    }
    free(results);
    free(errors);
    return rc;
}

static int cli_queue_inject(const struct cli_queue_args *a)
{
    char *end = NULL;
    long count = a->count ? strtol(a->count, &end, 10) : 1;
    if (a->account == NULL || a->from == NULL || a->n_rcpts == 0 || a->file == NULL ||
        (a->count && (*end != '\0' || count < 1 || count > CLI_QUEUE_MAX_COPIES))) {
        cli_error("queue inject: want --account, --from, at least one --to, a MESSAGE file "
                  "and --count 1-%d (try 'rebound queue --help')",
                  CLI_QUEUE_MAX_COPIES);
        return CLI_EXIT_USAGE;
    }
    struct config *cfg = NULL;
    struct store *st = NULL;
    int rc = cli_store_open(a->config, &cfg, &st);
    if (rc != CLI_EXIT_OK)
        return rc;
    struct store_account account = {0};
    char *error = NULL;
    struct buf body = BUF_INIT;
    enum store_status status = store_account_get(st, a->account, &account, &error);
    if (status != STORE_OK) {
        rc = cli_store_fail("queue inject", status, error);
    } else if (!cli_queue_read(a->file, &body)) {
        cli_error("queue inject: cannot read %s (or it is larger than %zu bytes)", a->file,
                  CLI_QUEUE_MAX_MESSAGE);
        rc = CLI_EXIT_FAILED;
    } else {
        struct store_message **msgs = xcalloc((size_t)count, sizeof(struct store_message *));
        int64_t now = cli_store_now_ms(cfg);
        for (long i = 0; i < count && rc == CLI_EXIT_OK; i++) {
            msgs[i] = cli_queue_message(a, account.id, &body, now);
            if (msgs[i] == NULL) {
                cli_error("queue inject: no random bytes for a message id");
                rc = CLI_EXIT_FAILED;
            }
        }
        if (rc == CLI_EXIT_OK)
            rc = cli_queue_commit(st, msgs, (size_t)count);
        for (long i = 0; i < count; i++)
            store_message_free(msgs[i]);
        free(msgs);
    }
    buf_free(&body);
    store_account_clear(&account);
    store_close(st);
    config_free(cfg);
    return rc;
}

int cli_queue(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        cli_queue_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    struct cli_queue_args a;
    int rc = cli_queue_parse(argc, argv, &a);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (strcmp(argv[1], "inject") == 0)
        return cli_queue_inject(&a);
    if (strcmp(argv[1], "run") != 0 || a.file != NULL) {
        cli_error("queue: want 'run' or 'inject' (try 'rebound queue --help')");
        return CLI_EXIT_USAGE;
    }
    char *error = NULL;
    struct config *cfg = settings_load(a.config, &error);
    if (cfg == NULL || !settings_validate(cfg, &error)) {
        cli_error("queue run: %s", error);
        free(error);
        config_free(cfg);
        return CLI_EXIT_CONFIG;
    }
    enum log_level level = LOG_LEVEL_INFO;
    log_level_parse(config_get_string(cfg, "log.level"), &level);
    log_init(level, NULL);
    rc = cli_queue_run_loop(cfg, a.watch);
    config_free(cfg);
    return rc;
}
