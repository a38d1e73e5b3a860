#include "smtp_setup.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net_tls.h"
#include "xalloc.h"

static void smtp_setup_limits(const struct config *cfg, struct smtp_limits *l)
{
    smtp_limits_default(l);
    l->command_line = (size_t)config_get_int(cfg, "smtp.max_command_line");
    l->text_line = (size_t)config_get_int(cfg, "smtp.max_text_line");
    l->recipients = (unsigned)config_get_int(cfg, "smtp.max_recipients");
    l->message_size = (uint64_t)config_get_int(cfg, "smtp.max_message_size");
    l->commands = (unsigned)config_get_int(cfg, "smtp.max_commands");
    l->sessions = (unsigned)config_get_int(cfg, "smtp.max_sessions");
    l->sessions_per_ip = (unsigned)config_get_int(cfg, "smtp.max_sessions_per_ip");
    l->timeout_command = (unsigned)config_get_int(cfg, "smtp.timeout_command");
    l->timeout_data = (unsigned)config_get_int(cfg, "smtp.timeout_data");
}

static bool smtp_setup_tls(const struct config *cfg, struct smtp_setup *s, char **error_r)
{
    const char *cert = config_get_string(cfg, "submission.tls_cert");
    const char *key = config_get_string(cfg, "submission.tls_key");
    if (cert == NULL && key == NULL)
        return true;
    if (cert == NULL || key == NULL) {
        *error_r = xasprintf("submission.tls_cert and submission.tls_key go together");
        return false;
    }
    s->tls_ctx = net_tls_server_ctx_new(cert, key, error_r);
    return s->tls_ctx != NULL;
}

static bool smtp_setup_trusted(const struct config *cfg, struct smtp_setup *s, char **error_r)
{
    char **words;
    size_t n = config_get_list(cfg, "submission.trusted_networks", &words);
    bool ok = net_cidr_list_parse(words, n, &s->trusted, error_r);
    config_free_list(words, n);
    if (ok && n > 0 && config_get_string(cfg, "submission.trusted_account") == NULL) {
        *error_r = xasprintf("submission.trusted_networks needs submission.trusted_account");
        ok = false;
    }
    return ok;
}

static void smtp_setup_add(const struct config *cfg, struct smtp_setup *s, const char *option,
                           bool implicit_tls)
{
    char **words;
    size_t n = config_get_list(cfg, option, &words);
    for (size_t i = 0; i < n; i++) {
        s->listeners = xreallocarray(s->listeners, s->n_listeners + 1, sizeof(*s->listeners));
        s->addresses = xreallocarray(s->addresses, s->n_listeners + 1, sizeof(char *));
        s->addresses[s->n_listeners] = words[i];
        struct smtp_listener_config *lc = &s->listeners[s->n_listeners++];
        memset(lc, 0, sizeof(*lc));
        lc->name = implicit_tls ? "submission-tls" : "submission";
        lc->address = words[i];
        lc->implicit_tls = implicit_tls;
        lc->auth_plaintext = config_get_bool(cfg, "submission.auth_plaintext");
        lc->require_auth = true;
        lc->trusted_networks = &s->trusted;
        lc->trusted_account = config_get_string(cfg, "submission.trusted_account");
    }
    free(words); /* the strings now belong to s->addresses */
}

bool smtp_setup_load(const struct config *cfg, struct smtp_setup *s, char **error_r)
{
    memset(s, 0, sizeof(*s));
    const char *host = config_get_string(cfg, "smtp.hostname");
    if (host == NULL) {
        char name[HOST_NAME_MAX + 1] = "localhost";
        gethostname(name, sizeof(name));
        name[HOST_NAME_MAX] = '\0';
        s->hostname = xstrdup(name);
    } else {
        s->hostname = xstrdup(host);
    }
    s->server.hostname = s->hostname;
    s->server.clock = clock_system();
    smtp_setup_limits(cfg, &s->server.limits);
    if (!smtp_setup_tls(cfg, s, error_r) || !smtp_setup_trusted(cfg, s, error_r)) {
        smtp_setup_free(s);
        return false;
    }
    s->server.tls_ctx = s->tls_ctx;
    smtp_setup_add(cfg, s, "submission.listen", false);
    smtp_setup_add(cfg, s, "submission.listen_tls", true);
    if (s->n_listeners == 0) {
        *error_r = xasprintf("no listener: set submission.listen or submission.listen_tls");
        smtp_setup_free(s);
        return false;
    }
    return true;
}

void smtp_setup_free(struct smtp_setup *s)
{
    for (size_t i = 0; i < s->n_listeners; i++)
        free(s->addresses[i]);
    free(s->addresses);
    free(s->listeners);
    net_cidr_list_free(&s->trusted);
    net_tls_ctx_free(s->tls_ctx);
    free(s->hostname);
    memset(s, 0, sizeof(*s));
}
