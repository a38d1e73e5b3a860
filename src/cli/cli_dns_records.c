/*
 * rebound dns-records IDENTITY: the DNS records a tenant publishes for an identity, as
 * zone-file lines to paste: the verification TXT token of a domain, and for a custom MAIL FROM
 * domain its MX (at the feedback host) and SPF TXT record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_store.h"
#include "cli_verify.h"
#include "mailfrom.h"
#include "verify_token.h"

static void cli_dns_records_usage(FILE *out)
{
    fprintf(out, "usage: rebound dns-records IDENTITY [--config FILE]\n\n"
                 "Prints the zone-file lines to publish for IDENTITY:\n"
                 "  <verify.record_name>.<domain>. 3600 IN TXT \"TOKEN\"   (domain identities)\n"
                 "  <mail-from>. 3600 IN MX 10 <mail_from.feedback_host>.\n"
                 "  <mail-from>. 3600 IN TXT \"v=spf1 include:<mail_from.spf_include> ~all\"\n"
                 "      (or ip4:/ip6: terms for mail_from.sending_ips when no include is set)\n\n"
                 "  --config FILE   read the settings from FILE\n\n"
                 "Exit status: 0 printed, 1 unknown identity or settings missing, 2 usage, "
                 "3 config.\n");
}

static int cli_dns_records_print(const struct config *cfg, const struct store_identity *id)
{
    if (id->kind == IDENTITY_DOMAIN && id->token != NULL) {
        char *record =
            verify_token_record_name(config_get_string(cfg, "verify.record_name"), id->name);
        printf("%s. %d IN TXT \"%s\"\n", record, MAILFROM_RECORD_TTL, id->token);
        free(record);
    } else if (id->kind == IDENTITY_ADDRESS) {
        printf("; %s is an address: it is verified by its link ('rebound identity "
               "verify-link'), not by DNS\n",
               id->name);
    }
    if (id->mail_from.domain == NULL)
        return CLI_EXIT_OK;
    struct cli_verify v;
    cli_verify_init(&v, cfg);
    int rc = CLI_EXIT_OK;
    if (v.settings.feedback_host == NULL || (v.spf.include == NULL && v.spf.n_ips == 0)) {
        cli_error("dns-records: set mail_from.feedback_host and mail_from.spf_include or "
                  "mail_from.sending_ips to print the MAIL FROM records");
        rc = CLI_EXIT_FAILED;
    } else {
        char *lines = mailfrom_zone_lines(id->mail_from.domain, v.settings.feedback_host, &v.spf);
        fputs(lines, stdout);
        free(lines);
    }
    cli_verify_clear(&v);
    return rc;
}

int cli_dns_records(int argc, char **argv)
{
    struct cli_store_args a;
    int rc = cli_store_parse(argc, argv, 1, 0, "dns-records", &a);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (a.help) {
        cli_dns_records_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (a.n_args != 1) {
        cli_dns_records_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    struct config *cfg = NULL;
    struct store *st = NULL;
    rc = cli_store_open(a.config, &cfg, &st);
    if (rc != CLI_EXIT_OK)
        return rc;
    struct store_identity id;
    char *error = NULL;
    enum store_status s = store_identity_get(st, a.args[0], &id, &error);
    if (s != STORE_OK) {
        rc = cli_store_fail("dns-records", s, error);
    } else {
        rc = cli_dns_records_print(cfg, &id);
        store_identity_clear(&id);
    }
    store_close(st);
    config_free(cfg);
    return rc;
}
