/*
 * rebound mail-from set|unset|show|check: the custom MAIL FROM domain of a domain identity
 * (issue #6): its rules, its verification (one MX at the feedback host, SPF pass for every
 * sending IP) and the return path a submission gets in its current state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_store.h"
#include "cli_verify.h"
#include "mailfrom.h"
#include "xalloc.h"

static void cli_mail_from_usage(FILE *out)
{
    fprintf(out,
            "usage: rebound mail-from set IDENTITY DOMAIN [BEHAVIOR] [--config FILE]\n"
            "       rebound mail-from unset IDENTITY [--config FILE]\n"
            "       rebound mail-from show IDENTITY [--config FILE]\n"
            "       rebound mail-from check IDENTITY [--config FILE]\n"
            "\n"
            "set    sets the custom MAIL FROM domain of a domain identity. DOMAIN must be a\n"
            "       valid DNS name, a proper subdomain of the identity, and neither another\n"
            "       account's identity nor another identity's MAIL FROM domain. BEHAVIOR is\n"
            "       what happens while it is not verified: USE_DEFAULT_VALUE (default: the\n"
            "       return path uses srs.domain) or REJECT_MESSAGE (submissions are refused).\n"
            "       A new domain starts PENDING; publish 'rebound dns-records IDENTITY'.\n"
            "unset  removes it (the return path uses srs.domain).\n"
            "show   prints the domain, behavior, state, last check and the return-path domain a\n"
            "       message would get now (or the refusal).\n"
            "check  checks the records now: exactly one MX, pointing at mail_from.feedback_host,\n"
            "       and SPF pass for every mail_from.sending_ips. DNS timeouts and SERVFAIL give\n"
            "       TEMPORARY_FAILURE; FAILED after verify.fail_after_hours without success.\n"
            "\n"
            "flags:\n"
            "  --config FILE   read the settings (store, mail_from.*, verify.*, dns.*) from FILE\n"
            "\n"
            "Exit status: 0 done, 1 refused or failed (reason on stderr), 2 usage, 3 config.\n");
}

static int cli_mail_from_set(struct store *st, const struct config *cfg, const char *name,
                             const char *domain, const char *behavior_text)
{
    enum store_mx_failure behavior = STORE_MX_USE_DEFAULT_VALUE;
    if (behavior_text != NULL && !store_mx_failure_parse(behavior_text, &behavior)) {
        cli_error("mail-from set: '%s' is not USE_DEFAULT_VALUE or REJECT_MESSAGE", behavior_text);
        return CLI_EXIT_USAGE;
    }
    char *error = NULL;
    char *dom = NULL;
    if (domain != NULL) {
        dom = mailfrom_validate(name, domain, &error);
        if (dom == NULL) {
            cli_error("mail-from set: %s", error);
            free(error);
            return CLI_EXIT_FAILED;
        }
    }
    enum store_status s =
        store_mail_from_set(st, name, dom, behavior, cli_store_now_ms(cfg), &error);
    if (s != STORE_OK) {
        free(dom);
        return cli_store_fail("mail-from set", s, error);
    }
    if (dom != NULL)
        printf("MAIL FROM domain of %s set to %s (%s); publish 'rebound dns-records %s'\n", name,
               dom, store_mx_failure_name(behavior), name);
    else
        printf("MAIL FROM domain of %s removed\n", name);
    free(dom);
    return CLI_EXIT_OK;
}

static int cli_mail_from_show(struct store *st, const struct config *cfg, const char *name)
{
    struct store_identity id;
    char *error = NULL;
    enum store_status s = store_identity_get(st, name, &id, &error);
    if (s != STORE_OK)
        return cli_store_fail("mail-from show", s, error);
    const struct store_mail_from *mf = &id.mail_from;
    if (mf->domain != NULL) {
        printf("identity:    %s\ndomain:      %s\nbehavior:    %s\n", id.name, mf->domain,
               store_mx_failure_name(mf->behavior));
        cli_verify_print_check("status     ", mf->status, mf->last_check_ms, mf->last_reason);
    } else {
        printf("identity:    %s\ndomain:      (none)\n", id.name);
    }
    const char *def = config_get_string(cfg, "srs.domain");
    struct mailfrom_decision d;
    mailfrom_return_domain(mf, def ? def : "(srs.domain unset)", &d);
    if (d.choice == MAILFROM_REJECT)
        printf("submission:  refused: %s (API: %s)\n", d.smtp_reply, d.api_error);
    else
        printf("return path: %s (%s)\n", d.domain,
               d.choice == MAILFROM_USE_CUSTOM ? "custom MAIL FROM" : "default bounce domain");
    store_identity_clear(&id);
    return CLI_EXIT_OK;
}

int cli_mail_from(int argc, char **argv)
{
    struct cli_store_args a;
    int rc = cli_store_parse(argc, argv, 1, 0, "mail-from", &a);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (a.help) {
        cli_mail_from_usage(stdout);
        return CLI_EXIT_OK;
    }
    const char *action = a.n_args > 0 ? a.args[0] : "";
    bool set = strcmp(action, "set") == 0;
    bool other =
        strcmp(action, "unset") == 0 || strcmp(action, "show") == 0 || strcmp(action, "check") == 0;
    if (!((set && (a.n_args == 3 || a.n_args == 4)) || (other && a.n_args == 2))) {
        cli_mail_from_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    struct config *cfg = NULL;
    struct store *st = NULL;
    rc = cli_store_open(a.config, &cfg, &st);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (set) {
        rc = cli_mail_from_set(st, cfg, a.args[1], a.args[2], a.n_args == 4 ? a.args[3] : NULL);
    } else if (strcmp(action, "unset") == 0) {
        rc = cli_mail_from_set(st, cfg, a.args[1], NULL, NULL);
    } else if (strcmp(action, "show") == 0) {
        rc = cli_mail_from_show(st, cfg, a.args[1]);
    } else {
        struct cli_verify v;
        cli_verify_init(&v, cfg);
        rc = cli_verify_run(st, cfg, &v, a.args[1], STORE_CHECK_MAIL_FROM);
        cli_verify_clear(&v);
    }
    store_close(st);
    config_free(cfg);
    return rc;
}
