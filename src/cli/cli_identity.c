/*
 * rebound identity add|list|verify|delete: the domains and addresses an account may send from.
 * Until DNS verification lands (issue #6), `verify --force` is the operator's override that
 * marks an identity verified.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_store.h"
#include "xalloc.h"

static void cli_identity_usage(FILE *out)
{
    fprintf(out,
            "usage: rebound identity add DOMAIN-OR-ADDRESS --account NAME [--config FILE]\n"
            "       rebound identity list [--account NAME] [--config FILE]\n"
            "       rebound identity verify --force IDENTITY [--config FILE]\n"
            "       rebound identity delete IDENTITY [--config FILE]\n"
            "\n"
            "add     records a domain (example.com) or an address (alice@example.com) for an\n"
            "        account, status PENDING. An identity belongs to one account only.\n"
            "list    prints identities (all, or one account's): name, type, status, account.\n"
            "verify  --force marks the identity SUCCESS as an operator decision (DNS\n"
            "        verification is not in this version, so --force is required).\n"
            "delete  removes the identity; mail from it is refused from then on.\n"
            "\n"
            "A verified domain also covers its addresses and its subdomains (as in SES).\n"
            "\n"
            "flags:\n"
            "  --account NAME  the owning account (add), or the account to list\n"
            "  --force         verify without a DNS check (operator override)\n"
            "  --config FILE   read the 'store' setting (default sqlite:rebound.db) from FILE\n"
            "\n"
            "Exit status: 0 done, 1 refused or failed (reason on stderr), 2 usage, 3 config.\n");
}

/* The identity as stored (normalized), for messages; owned. */
static char *cli_identity_display(const char *name)
{
    enum identity_kind kind;
    char *error = NULL;
    char *norm = identity_normalize(name, strlen(name), &kind, &error);
    free(error);
    return norm ? norm : xstrdup(name);
}

static int cli_identity_add(struct store *st, const struct config *cfg, const char *name,
                            const char *account)
{
    char *error = NULL;
    enum store_status s = store_identity_add(st, name, account, cli_store_now_ms(cfg), &error);
    if (s != STORE_OK)
        return cli_store_fail("identity add", s, error);
    struct store_identity id;
    s = store_identity_get(st, name, &id, &error);
    if (s != STORE_OK)
        return cli_store_fail("identity add", s, error);
    printf("identity %s (%s) added to account '%s', status %s\n", id.name,
           identity_kind_name(id.kind), id.account, identity_status_name(id.status));
    store_identity_clear(&id);
    return CLI_EXIT_OK;
}

static int cli_identity_list(struct store *st, const char *account)
{
    struct store_identity_list list;
    char *error = NULL;
    enum store_status s = store_identity_list(st, account, 0, &list, &error);
    if (s != STORE_OK)
        return cli_store_fail("identity list", s, error);
    printf("%-40s %-13s %-26s %s\n", "IDENTITY", "TYPE", "STATUS", "ACCOUNT");
    for (size_t i = 0; i < list.n; i++) {
        const struct store_identity *id = &list.items[i];
        char status[40];
        snprintf(status, sizeof(status), "%s%s", identity_status_name(id->status),
                 id->forced ? " (forced)" : "");
        printf("%-40s %-13s %-26s %s\n", id->name, identity_kind_name(id->kind), status,
               id->account);
    }
    store_identity_list_free(&list);
    return CLI_EXIT_OK;
}

static int cli_identity_verify(struct store *st, const struct config *cfg, const char *name)
{
    char *error = NULL;
    enum store_status s =
        store_identity_set_status(st, name, IDENTITY_SUCCESS, true, cli_store_now_ms(cfg), &error);
    if (s != STORE_OK)
        return cli_store_fail("identity verify", s, error);
    char *shown = cli_identity_display(name);
    printf("identity %s marked SUCCESS by the operator (forced)\n", shown);
    free(shown);
    return CLI_EXIT_OK;
}

static int cli_identity_delete(struct store *st, const char *name)
{
    char *error = NULL;
    enum store_status s = store_identity_delete(st, name, &error);
    if (s != STORE_OK)
        return cli_store_fail("identity delete", s, error);
    char *shown = cli_identity_display(name);
    printf("identity %s deleted\n", shown);
    free(shown);
    return CLI_EXIT_OK;
}

/* Checks the action's arguments; prints the problem and returns CLI_EXIT_USAGE if wrong. */
static int cli_identity_check(const char *action, const struct cli_store_args *a)
{
    bool is_list = strcmp(action, "list") == 0;
    bool known = is_list || strcmp(action, "add") == 0 || strcmp(action, "verify") == 0 ||
                 strcmp(action, "delete") == 0;
    if (!known || a->n_args != (is_list ? 1 : 2)) {
        cli_identity_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(action, "add") == 0 && a->account == NULL) {
        cli_error("identity add: --account NAME is required");
        return CLI_EXIT_USAGE;
    }
    if (strcmp(action, "verify") == 0 && !a->force) {
        cli_error("identity verify: DNS verification is not available in this version; "
                  "use --force to mark the identity verified as an operator decision");
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

int cli_identity(int argc, char **argv)
{
    struct cli_store_args a;
    int rc = cli_store_parse(argc, argv, 1, CLI_STORE_ALLOW_ACCOUNT | CLI_STORE_ALLOW_FORCE,
                             "identity", &a);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (a.help) {
        cli_identity_usage(stdout);
        return CLI_EXIT_OK;
    }
    const char *action = a.n_args > 0 ? a.args[0] : "";
    rc = cli_identity_check(action, &a);
    if (rc != CLI_EXIT_OK)
        return rc;
    struct config *cfg = NULL;
    struct store *st = NULL;
    rc = cli_store_open(a.config, &cfg, &st);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (strcmp(action, "add") == 0)
        rc = cli_identity_add(st, cfg, a.args[1], a.account);
    else if (strcmp(action, "list") == 0)
        rc = cli_identity_list(st, a.account);
    else if (strcmp(action, "verify") == 0)
        rc = cli_identity_verify(st, cfg, a.args[1]);
    else
        rc = cli_identity_delete(st, a.args[1]);
    store_close(st);
    config_free(cfg);
    return rc;
}
