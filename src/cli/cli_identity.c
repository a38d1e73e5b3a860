/*
 * rebound identity add|list|show|check|verify-link|verify --force|delete: the domains and
 * addresses an account may send from, and their verification (issue #6): a domain publishes a
 * TXT token, an address follows a one-time link served by the HTTP API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_store.h"
#include "cli_verify.h"
#include "verify_link.h"
#include "verify_token.h"
#include "xalloc.h"

static void cli_identity_usage(FILE *out)
{
    fprintf(out,
            "usage: rebound identity add DOMAIN-OR-ADDRESS --account NAME [--config FILE]\n"
            "       rebound identity list [--account NAME] [--config FILE]\n"
            "       rebound identity show IDENTITY [--config FILE]\n"
            "       rebound identity check IDENTITY [--config FILE]\n"
            "       rebound identity verify-link ADDRESS [--config FILE]\n"
            "       rebound identity verify --force IDENTITY [--config FILE]\n"
            "       rebound identity delete IDENTITY [--config FILE]\n"
            "\n"
            "add          records a domain (example.com) or an address (alice@example.com) for\n"
            "             an account, status PENDING. A domain gets a token to publish as TXT at\n"
            "             <verify.record_name>.<domain> (see 'rebound dns-records'); an address\n"
            "             gets a one-time link (verify.link_expiry_hours, default 24).\n"
            "list         prints identities (all, or one account's): name, type, status, account.\n"
            "show         prints one identity: status, time of the last check and its reason,\n"
            "             the token record, the MAIL FROM domain and its state, and its events.\n"
            "check        looks up the domain's TXT token now (DNS: dns.servers) and records the\n"
            "             result: SUCCESS, PENDING, TEMPORARY_FAILURE (DNS timeout/SERVFAIL), or\n"
            "             FAILED after verify.fail_after_hours without success.\n"
            "verify-link  issues a new one-time link for an address identity and prints it\n"
            "             (the API consumes it: GET <verify.link_base_url>/v2/rebound/verify/T).\n"
            "verify       --force marks the identity SUCCESS as an operator decision.\n"
            "delete       removes the identity; mail from it is refused from then on.\n"
            "\n"
            "A verified domain also covers its addresses and its subdomains (as in SES).\n"
            "\n"
            "flags:\n"
            "  --account NAME  the owning account (add), or the account to list\n"
            "  --force         verify without a DNS check (operator override)\n"
            "  --config FILE   read the settings (store, verify.*, dns.*) from FILE\n"
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

/* Issues the identity's token and prints what to do with it. */
static int cli_identity_issue(struct store *st, const struct config *cfg,
                              const struct store_identity *id)
{
    char *token = NULL, *error = NULL;
    int64_t expiry = config_get_int(cfg, "verify.link_expiry_hours") * 3600 * 1000;
    enum store_status s =
        verify_issue_token(st, id->name, cli_store_now_ms(cfg), expiry, &token, &error);
    if (s != STORE_OK)
        return cli_store_fail("identity token", s, error);
    if (id->kind == IDENTITY_DOMAIN) {
        char *record =
            verify_token_record_name(config_get_string(cfg, "verify.record_name"), id->name);
        printf("publish: %s. 3600 IN TXT \"%s\"\n", record, token);
        free(record);
    } else {
        char *link = verify_token_link(config_get_string(cfg, "verify.link_base_url"), token);
        printf("verification link (valid %lld h): %s\n",
               config_get_int(cfg, "verify.link_expiry_hours"), link);
        free(link);
    }
    free(token);
    return CLI_EXIT_OK;
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
    int rc = cli_identity_issue(st, cfg, &id);
    store_identity_clear(&id);
    return rc;
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

static void cli_identity_print_events(struct store *st, const char *name)
{
    struct store_event_list ev;
    char *error = NULL;
    if (store_identity_event_list(st, name, &ev, &error) != STORE_OK) {
        free(error);
        return;
    }
    for (size_t i = 0; i < ev.n; i++) {
        char when[32];
        cli_store_time(ev.items[i].time_ms, when, sizeof(when));
        printf("event:          %s %s %s\n", when, ev.items[i].type, ev.items[i].json);
    }
    store_event_list_free(&ev);
}

static int cli_identity_show(struct store *st, const struct config *cfg, const char *name)
{
    struct store_identity id;
    char *error = NULL;
    enum store_status s = store_identity_get(st, name, &id, &error);
    if (s != STORE_OK)
        return cli_store_fail("identity show", s, error);
    printf("identity:       %s\ntype:           %s\naccount:        %s\n", id.name,
           identity_kind_name(id.kind), id.account);
    cli_verify_print_check("status        ", id.status, id.last_check_ms, id.last_reason);
    if (id.forced)
        printf("forced:         yes (operator)\n");
    if (id.kind == IDENTITY_DOMAIN && id.token != NULL) {
        char *record =
            verify_token_record_name(config_get_string(cfg, "verify.record_name"), id.name);
        printf("token record:   %s. 3600 IN TXT \"%s\"\n", record, id.token);
        free(record);
    }
    if (id.mail_from.domain != NULL) {
        printf("mail from:      %s\nbehavior:       %s\n", id.mail_from.domain,
               store_mx_failure_name(id.mail_from.behavior));
        cli_verify_print_check("mail from state", id.mail_from.status, id.mail_from.last_check_ms,
                               id.mail_from.last_reason);
    }
    cli_identity_print_events(st, id.name);
    store_identity_clear(&id);
    return CLI_EXIT_OK;
}

static int cli_identity_check_now(struct store *st, const struct config *cfg, const char *name)
{
    /* A domain recorded before verification existed (schema 1) has no token yet: issue it. */
    struct store_identity id;
    char *error = NULL;
    enum store_status s = store_identity_get(st, name, &id, &error);
    if (s != STORE_OK)
        return cli_store_fail("identity check", s, error);
    int rc = id.kind == IDENTITY_DOMAIN && id.token == NULL ? cli_identity_issue(st, cfg, &id)
                                                            : CLI_EXIT_OK;
    store_identity_clear(&id);
    if (rc != CLI_EXIT_OK)
        return rc;
    struct cli_verify v;
    cli_verify_init(&v, cfg);
    rc = cli_verify_run(st, cfg, &v, name, STORE_CHECK_IDENTITY);
    cli_verify_clear(&v);
    return rc;
}

static int cli_identity_verify_link(struct store *st, const struct config *cfg, const char *name)
{
    struct store_identity id;
    char *error = NULL;
    enum store_status s = store_identity_get(st, name, &id, &error);
    if (s != STORE_OK)
        return cli_store_fail("identity verify-link", s, error);
    int rc = CLI_EXIT_FAILED;
    if (id.kind != IDENTITY_ADDRESS)
        cli_error("identity verify-link: %s is a domain; domains are verified by their TXT "
                  "record ('rebound identity check')",
                  id.name);
    else
        rc = cli_identity_issue(st, cfg, &id);
    store_identity_clear(&id);
    return rc;
}

/* Checks the action's arguments; prints the problem and returns CLI_EXIT_USAGE if wrong. */
static int cli_identity_args(const char *action, const struct cli_store_args *a)
{
    static const char *const actions[] = {"add",    "list",        "show",  "check",
                                          "verify", "verify-link", "delete"};
    bool is_list = strcmp(action, "list") == 0;
    bool known = false;
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
        known = known || strcmp(action, actions[i]) == 0;
    if (!known || a->n_args != (is_list ? 1 : 2)) {
        cli_identity_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(action, "add") == 0 && a->account == NULL) {
        cli_error("identity add: --account NAME is required");
        return CLI_EXIT_USAGE;
    }
    if (strcmp(action, "verify") == 0 && !a->force) {
        cli_error("identity verify: --force is required (it marks the identity verified as "
                  "an operator decision); 'rebound identity check' verifies through DNS");
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
    rc = cli_identity_args(action, &a);
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
    else if (strcmp(action, "show") == 0)
        rc = cli_identity_show(st, cfg, a.args[1]);
    else if (strcmp(action, "check") == 0)
        rc = cli_identity_check_now(st, cfg, a.args[1]);
    else if (strcmp(action, "verify-link") == 0)
        rc = cli_identity_verify_link(st, cfg, a.args[1]);
    else
        rc = cli_identity_delete(st, a.args[1]);
    store_close(st);
    config_free(cfg);
    return rc;
}
