/*
 * rebound account create|list|show|delete: tenants and their SMTP credentials, for operators.
 * `create` prints the generated SMTP password exactly once; the store keeps only its salted
 * PBKDF2 hash (store_password.h), so a lost password means a new account or credential.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_keys.h"
#include "cli.h"
#include "cli_store.h"
#include "sigv4.h"
#include "store_password.h"

static void cli_account_usage(FILE *out)
{
    fprintf(out,
            "usage: rebound account create NAME [--config FILE]\n"
            "       rebound account list [--config FILE]\n"
            "       rebound account show NAME [--config FILE]\n"
            "       rebound account delete NAME [--config FILE]\n"
            "       rebound account keys create NAME [--config FILE]\n"
            "\n"
            "create  makes an account and prints its SMTP username and a generated password.\n"
            "        The password is shown only this once: rebound stores a salted hash of it.\n"
            "        NAME: 1-%d letters, digits, '.', '_' or '-', starting with a letter or "
            "digit.\n"
            "list    prints every account: name, status, SMTP username, creation time.\n"
            "show    prints one account and its identities (never the password).\n"
            "delete  removes the account with its credentials and identities; refused while\n"
            "        mail of the account is still queued.\n"
            "keys create  makes an API access key pair (AWS SigV4, service ses) for the account\n"
            "        and prints the id, the secret and the SES SMTP password derived from the\n"
            "        secret for api.region (AWS's algorithm, version byte 0x04). The secret is\n"
            "        shown only this once, but it is stored as issued: SigV4 needs it to check\n"
            "        signatures (as AWS does); protect the store file.\n"
            "\n"
            "flags:\n"
            "  --config FILE   read the 'store' setting (default sqlite:rebound.db) from FILE\n"
            "\n"
            "Exit status: 0 done, 1 refused or failed (reason on stderr), 2 usage, 3 config.\n",
            STORE_MAX_ACCOUNT_NAME);
}

static int cli_account_create(struct store *st, const struct config *cfg, const char *name)
{
    char username[STORE_USERNAME_GENERATED_LEN + 1];
    char password[STORE_PASSWORD_GENERATED_LEN + 1];
    if (!store_username_generate(username) || !store_password_generate(password)) {
        cli_error("account create: the random number generator failed");
        return CLI_EXIT_FAILED;
    }
    char *hash = store_password_hash(password, STORE_PASSWORD_ITERATIONS);
    char *error = NULL;
    enum store_status s =
        hash ? store_account_create(st, name, username, hash, cli_store_now_ms(cfg), &error)
             : STORE_TEMPFAIL;
    free(hash);
    if (s != STORE_OK) {
        OPENSSL_cleanse(password, sizeof(password));
        return cli_store_fail("account create", s, error);
    }
    printf("account: %s\nsmtp username: %s\nsmtp password: %s\n", name, username, password);
    printf("(the password is shown only this once; rebound keeps only a salted hash of it)\n");
    OPENSSL_cleanse(password, sizeof(password));
    return CLI_EXIT_OK;
}

static int cli_account_list(struct store *st)
{
    struct store_account_list list;
    char *error = NULL;
    enum store_status s = store_account_list(st, &list, &error);
    if (s != STORE_OK)
        return cli_store_fail("account list", s, error);
    printf("%-24s %-7s %-20s %s\n", "NAME", "STATUS", "SMTP-USERNAME", "CREATED");
    for (size_t i = 0; i < list.n; i++) {
        char created[32];
        cli_store_time(list.items[i].created_ms, created, sizeof(created));
        printf("%-24s %-7s %-20s %s\n", list.items[i].name,
               store_account_status_name(list.items[i].status),
               list.items[i].username ? list.items[i].username : "-", created);
    }
    store_account_list_free(&list);
    return CLI_EXIT_OK;
}

static int cli_account_show(struct store *st, const char *name)
{
    struct store_account a;
    char *error = NULL;
    enum store_status s = store_account_get(st, name, &a, &error);
    if (s != STORE_OK)
        return cli_store_fail("account show", s, error);
    struct store_identity_list ids;
    s = store_identity_list(st, NULL, a.id, &ids, &error);
    if (s != STORE_OK) {
        store_account_clear(&a);
        return cli_store_fail("account show", s, error);
    }
    char created[32];
    cli_store_time(a.created_ms, created, sizeof(created));
    printf("name: %s\nstatus: %s\ncreated: %s\nsmtp username: %s\nidentities: %zu\n", a.name,
           store_account_status_name(a.status), created, a.username ? a.username : "-", ids.n);
    for (size_t i = 0; i < ids.n; i++)
        printf("  %s %s %s%s\n", ids.items[i].name, identity_kind_name(ids.items[i].kind),
               identity_status_name(ids.items[i].status), ids.items[i].forced ? " (forced)" : "");
    store_identity_list_free(&ids);
    store_account_clear(&a);
    return CLI_EXIT_OK;
}

static int cli_account_delete(struct store *st, const char *name)
{
    char *error = NULL;
    enum store_status s = store_account_delete(st, name, &error);
    if (s != STORE_OK)
        return cli_store_fail("account delete", s, error);
    printf("account '%s' deleted\n", name);
    return CLI_EXIT_OK;
}

static int cli_account_keys_create(struct store *st, const struct config *cfg, const char *name)
{
    char id[API_KEY_ID_LEN + 1], secret[API_KEY_SECRET_LEN + 1];
    if (!api_keys_generate(id, secret)) {
        cli_error("account keys create: the random number generator failed");
        return CLI_EXIT_FAILED;
    }
    char *error = NULL;
    enum store_status s =
        store_access_key_create(st, name, id, secret, cli_store_now_ms(cfg), &error);
    if (s != STORE_OK) {
        OPENSSL_cleanse(secret, sizeof(secret));
        return cli_store_fail("account keys create", s, error);
    }
    const char *region = config_get_string(cfg, "api.region");
    char *smtp = sigv4_ses_smtp_password(secret, region);
    printf("account: %s\naccess key id: %s\nsecret access key: %s\n"
           "smtp password (%s): %s\n",
           name, id, secret, region, smtp);
    OPENSSL_cleanse(smtp, strlen(smtp));
    free(smtp);
    OPENSSL_cleanse(secret, sizeof(secret));
    return CLI_EXIT_OK;
}

/* Runs one action on an open store. */
static int cli_account_run(const char *action, const struct cli_store_args *a, struct store *st,
                           const struct config *cfg)
{
    if (strcmp(action, "create") == 0)
        return cli_account_create(st, cfg, a->args[1]);
    if (strcmp(action, "list") == 0)
        return cli_account_list(st);
    if (strcmp(action, "show") == 0)
        return cli_account_show(st, a->args[1]);
    if (strcmp(action, "keys") == 0)
        return cli_account_keys_create(st, cfg, a->args[2]);
    return cli_account_delete(st, a->args[1]);
}

int cli_account(int argc, char **argv)
{
    struct cli_store_args a;
    int rc = cli_store_parse(argc, argv, 1, 0, "account", &a);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (a.help) {
        cli_account_usage(stdout);
        return CLI_EXIT_OK;
    }
    const char *action = a.n_args > 0 ? a.args[0] : "";
    bool is_list = strcmp(action, "list") == 0;
    bool takes_name = strcmp(action, "create") == 0 || strcmp(action, "show") == 0 ||
                      strcmp(action, "delete") == 0;
    bool is_keys = strcmp(action, "keys") == 0 && a.n_args == 3 && strcmp(a.args[1], "create") == 0;
    if (!(is_list && a.n_args == 1) && !(takes_name && a.n_args == 2) && !is_keys) {
        cli_account_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    struct config *cfg = NULL;
    struct store *st = NULL;
    rc = cli_store_open(a.config, &cfg, &st);
    if (rc != CLI_EXIT_OK)
        return rc;
    rc = cli_account_run(action, &a, st, cfg);
    store_close(st);
    config_free(cfg);
    return rc;
}
