/*
 * rebound message show ID [--body] [--config FILE]: a stored message with its envelope (as the
 * submission role committed it), or with --body only its stored bytes, exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_store.h"

static void cli_message_usage(FILE *out)
{
    fprintf(out,
            "usage: rebound message show ID [--body] [--config FILE]\n"
            "\n"
            "show    prints the message's envelope: id, account, identity, the original\n"
            "        envelope sender, the return path (SRS), arrival time, DSN RET/ENVID, one\n"
            "        line per recipient (NOTIFY, ORCPT, state), size; then an empty line and\n"
            "        the stored message (Received: header + body as submitted).\n"
            "\n"
            "flags:\n"
            "  --body         print only the stored message bytes, exactly as stored\n"
            "  --config FILE  read the 'store' setting (default sqlite:rebound.db) from FILE\n"
            "\n"
            "Exit status: 0 done, 1 not found or failed (reason on stderr), 2 usage, 3 config.\n");
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

static void cli_message_print(const struct store_message *m, bool body_only)
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

int cli_message(int argc, char **argv)
{
    const char *config = NULL, *id = NULL;
    bool body_only = false;
    if (argc < 2 || cli_is_help(argv[1])) {
        cli_message_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "show") != 0) {
        cli_error("message: unknown subcommand '%s' (try 'rebound message --help')", argv[1]);
        return CLI_EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            cli_message_usage(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config = argv[++i];
        } else if (strcmp(argv[i], "--body") == 0) {
            body_only = true;
        } else if (id == NULL && argv[i][0] != '-') {
            id = argv[i];
        } else {
            cli_error("message show: unexpected argument '%s'", argv[i]);
            return CLI_EXIT_USAGE;
        }
    }
    if (id == NULL) {
        cli_error("message show: no message id given");
        return CLI_EXIT_USAGE;
    }
    struct config *cfg;
    struct store *st;
    int rc = cli_store_open(config, &cfg, &st);
    if (rc != 0)
        return rc;
    struct store_message *m = NULL;
    char *error = NULL;
    enum store_status s = store_message_get(st, id, &m, &error);
    if (s == STORE_OK) {
        cli_message_print(m, body_only);
        store_message_free(m);
    } else {
        rc = cli_store_fail("message show", s, error);
    }
    store_close(st);
    config_free(cfg);
    return rc;
}
