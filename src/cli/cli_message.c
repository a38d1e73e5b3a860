/*
 * rebound message list|show: a message's life as the store recorded it (for operators and
 * tests): when it was accepted, each delivery attempt with the reply, every recipient's final
 * (or current) state, and the events stored for it.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_store.h"

#define CLI_MESSAGE_DEFAULT_LIMIT 50
#define CLI_MESSAGE_MAX_LIMIT     1000000

static void cli_message_usage(FILE *out)
{
    fprintf(out,
            "usage: rebound message list [--config FILE] [--limit N]\n"
            "       rebound message show ID [--envelope | --body] [--config FILE]\n"
            "\n"
            "list  the newest N messages (default %d), one per line:\n"
            "      ID ARRIVAL FROM=<envelope-from> rcpts=N delivered=N bounced=N pending=N\n"
            "show  one message's life, one line each, every line starting with the id:\n"
            "      ID accepted TIME from=<..> return-path=<..> size=N\n"
            "      ID attempt TIME rcpt=<..> result=STATE mx=HOST ip=IP reply=\"..\"\n"
            "      ID recipient <..> state=STATE attempts=N next-attempt=TIME\n"
            "      ID event TIME TYPE JSON\n"
            "\n"
            "flags:\n"
            "  --config FILE   read the 'store' setting (default sqlite:rebound.db) from FILE\n"
            "  --limit N       list at most N messages\n"
            "  --envelope      show: print the stored envelope (id, account, identity, envelope\n"
            "                  sender, return path, arrival, RET/ENVID, one line per recipient,\n"
            "                  size), an empty line, then the stored message bytes\n"
            "  --body          show: print only the stored message bytes, exactly as stored\n"
            "\n"
            "Exit status: 0 done, 1 no such message or the store failed, 2 usage, 3 config.\n",
            CLI_MESSAGE_DEFAULT_LIMIT);
}

/* A reply on one line: its lines joined with " | ", quotes escaped. */
static void cli_message_put_reply(const char *text)
{
    for (const char *p = text ? text : ""; *p; p++) {
        if (*p == '\n')
            fputs(" | ", stdout);
        else if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p != '\r')
            putchar(*p);
    }
}

static int cli_message_list(struct store *st, const char *limit_text)
{
    char *end = NULL;
    long limit = limit_text ? strtol(limit_text, &end, 10) : CLI_MESSAGE_DEFAULT_LIMIT;
    if (limit_text != NULL && (*end != '\0' || limit < 1 || limit > CLI_MESSAGE_MAX_LIMIT)) {
        cli_error("message list: --limit wants 1-%d", CLI_MESSAGE_MAX_LIMIT);
        return CLI_EXIT_USAGE;
    }
    struct store_message_summary_list list;
    char *error = NULL;
    enum store_status status = store_message_list(st, (size_t)limit, &list, &error);
    if (status != STORE_OK)
        return cli_store_fail("message list", status, error);
    for (size_t i = 0; i < list.n; i++) {
        const struct store_message_summary *m = &list.items[i];
        char when[32];
        cli_store_time(m->arrival_ms, when, sizeof(when));
        printf("%s %s from=<%s> rcpts=%zu delivered=%zu bounced=%zu pending=%zu\n", m->id, when,
               m->envelope_from ? m->envelope_from : "", m->n_rcpts, m->n_delivered, m->n_bounced,
               m->n_rcpts - m->n_delivered - m->n_bounced);
    }
    store_message_summary_list_free(&list);
    return CLI_EXIT_OK;
}

static void cli_message_print_attempts(const char *id, const struct store_attempt_list *a)
{
    for (size_t i = 0; i < a->n; i++) {
        char when[32];
        cli_store_time(a->items[i].time_ms, when, sizeof(when));
        printf("%s attempt %s rcpt=<%s> result=%s mx=%s ip=%s reply=\"", id, when,
               a->items[i].address, store_rcpt_state_name(a->items[i].state),
               a->items[i].mx_host ? a->items[i].mx_host : "-",
               a->items[i].mx_ip ? a->items[i].mx_ip : "-");
        cli_message_put_reply(a->items[i].reply);
        puts("\"");
    }
}

static void cli_message_print(const struct store_message *m, const struct store_attempt_list *a,
                              const struct store_event_list *e)
{
    char when[32];
    cli_store_time(m->arrival_ms, when, sizeof(when));
    printf("%s accepted %s from=<%s> return-path=<%s> size=%zu\n", m->id, when,
           m->envelope_from ? m->envelope_from : "", m->return_path ? m->return_path : "",
           m->body_len);
    cli_message_print_attempts(m->id, a);
    for (size_t i = 0; i < m->n_rcpts; i++) {
        const struct store_recipient *r = &m->rcpts[i];
        cli_store_time(r->next_attempt_ms, when, sizeof(when));
        printf("%s recipient <%s> state=%s attempts=%d next-attempt=%s\n", m->id, r->address,
               store_rcpt_state_name(r->state), r->attempts, when);
    }
    for (size_t i = 0; i < e->n; i++) {
        cli_store_time(e->items[i].time_ms, when, sizeof(when));
        printf("%s event %s %s %s\n", m->id, when, e->items[i].type, e->items[i].json);
    }
}

static void cli_message_notify(unsigned notify, char *out, size_t size)
{
    static const char *const names[] = {"NEVER", "SUCCESS", "FAILURE", "DELAY"};
    out[0] = '\0';
    for (unsigned i = 0; i < 4; i++) {
        if (notify & (1u << i)) {
            if (out[0] != '\0')
                strncat(out, ",", size - strlen(out) - 1);
            strncat(out, names[i], size - strlen(out) - 1);
        }
    }
    if (out[0] == '\0')
        strncat(out, "-", size - 1);
}

static void cli_message_print_envelope(const struct store_message *m, bool body_only)
{
    if (!body_only) {
        char when[32], notify[40];
        cli_store_time(m->arrival_ms, when, sizeof(when));
        static const char *const rets[] = {"-", "FULL", "HDRS"};
        printf("id: %s\naccount-id: %lld\nidentity: %s\nenvelope-from: <%s>\n"
               "return-path: <%s>\narrival: %s\nret: %s\nenvid: %s\n",
               m->id, (long long)m->account_id, m->identity ? m->identity : "-", m->envelope_from,
               m->return_path ? m->return_path : "", when, rets[m->dsn_ret],
               m->dsn_envid ? m->dsn_envid : "-");
        for (size_t i = 0; i < m->n_rcpts; i++) {
            const struct store_recipient *r = &m->rcpts[i];
            cli_message_notify(r->notify, notify, sizeof(notify));
            printf("rcpt: <%s> notify=%s orcpt=%s state=%s\n", r->address, notify,
                   r->orcpt ? r->orcpt : "-", store_rcpt_state_name(r->state));
        }
        printf("size: %zu\n\n", m->body_len);
    }
    fwrite(m->body, 1, m->body_len, stdout);
}

/* mode: 0 = the message's life, 1 = envelope and bytes, 2 = only the stored bytes. */
static int cli_message_show(struct store *st, const char *id, int mode)
{
    struct store_message *m = NULL;
    char *error = NULL;
    enum store_status status = store_message_get(st, id, &m, &error);
    if (status != STORE_OK)
        return cli_store_fail("message show", status, error);
    if (mode != 0) {
        cli_message_print_envelope(m, mode == 2);
        store_message_free(m);
        return CLI_EXIT_OK;
    }
    struct store_attempt_list attempts;
    struct store_event_list events = {0};
    status = store_attempt_list(st, id, &attempts, &error);
    if (status == STORE_OK)
        status = store_event_list(st, id, &events, &error);
    if (status == STORE_OK)
        cli_message_print(m, &attempts, &events);
    store_attempt_list_free(&attempts);
    store_event_list_free(&events);
    store_message_free(m);
    return status == STORE_OK ? CLI_EXIT_OK : cli_store_fail("message show", status, error);
}

int cli_message(int argc, char **argv)
{
    const char *config = NULL, *limit = NULL, *args[2] = {NULL, NULL};
    int n_args = 0, mode = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            cli_message_usage(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config = argv[++i];
        } else if (strcmp(argv[i], "--envelope") == 0) {
            mode = 1;
        } else if (strcmp(argv[i], "--body") == 0) {
            mode = 2;
        } else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
            limit = argv[++i];
        } else if (argv[i][0] != '-' && n_args < 2) {
            args[n_args++] = argv[i];
        } else {
            cli_error("message: unexpected argument '%s' (try 'rebound message --help')", argv[i]);
            return CLI_EXIT_USAGE;
        }
    }
    bool list = n_args == 1 && strcmp(args[0], "list") == 0;
    bool show = n_args == 2 && strcmp(args[0], "show") == 0;
    if (!list && !show) {
        cli_error("message: want 'list' or 'show ID' (try 'rebound message --help')");
        return CLI_EXIT_USAGE;
    }
    struct config *cfg = NULL;
    struct store *st = NULL;
    int rc = cli_store_open(config, &cfg, &st);
    if (rc != CLI_EXIT_OK)
        return rc;
    rc = list ? cli_message_list(st, limit) : cli_message_show(st, args[1], mode);
    store_close(st);
    config_free(cfg);
    return rc;
}
