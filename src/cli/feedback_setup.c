#include "feedback_setup.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "cli_srs_setup.h"
#include "feedback_mx.h"
#include "log.h"
#include "net_tls.h"
#include "settings.h"
#include "smtp_listen.h"
#include "str.h"
#include "xalloc.h"

struct feedback_role {
    struct srs *srs;
    char **domains;
    size_t n_domains;
    char **listen;
    size_t n_listen;
    struct smtp_listener_config *listeners;
    struct feedback_rcpt_policy policy;
    struct classify_rules *rules;
    char *hostname;
    void *tls_ctx;
    int64_t fixed_ms; /* clock.fixed, for tests */
    struct smtp_server *server;
    struct feedback_mx *mx;
};

static void feedback_setup_limits(const struct config *cfg, struct smtp_limits *l)
{
    smtp_limits_default(l);
    l->command_line = (size_t)config_get_int(cfg, "smtp.max_command_line");
    l->text_line = (size_t)config_get_int(cfg, "smtp.max_text_line");
    l->recipients = FEEDBACK_MAX_RCPTS_PER_TRANSACTION;
    l->message_size = (uint64_t)config_get_int(cfg, "feedback.max_report_size");
    l->commands = (unsigned)config_get_int(cfg, "smtp.max_commands");
    l->sessions = (unsigned)config_get_int(cfg, "smtp.max_sessions");
    l->sessions_per_ip = (unsigned)config_get_int(cfg, "smtp.max_sessions_per_ip");
    l->timeout_command = (unsigned)config_get_int(cfg, "smtp.timeout_command");
    l->timeout_data = (unsigned)config_get_int(cfg, "smtp.timeout_data");
}

/* The account id of feedback.operator_account (a blocking lookup, at start only). */
static bool feedback_setup_operator(const struct config *cfg, int64_t *id_r, char **error_r)
{
    const char *name = config_get_string(cfg, "feedback.operator_account");
    if (name == NULL) {
        *error_r = xasprintf("feedback.operator needs feedback.operator_account (the account "
                             "whose queue carries mail for postmaster@ and abuse@)");
        return false;
    }
    struct store *st = store_open(config_get_string(cfg, "store"), error_r);
    if (st == NULL)
        return false;
    struct store_account account = {0};
    enum store_status status = store_account_get(st, name, &account, error_r);
    *id_r = account.id;
    store_account_clear(&account);
    store_close(st);
    return status == STORE_OK;
}

static bool feedback_setup_tls(const struct config *cfg, struct feedback_role *r, char **error_r)
{
    const char *cert = config_get_string(cfg, "feedback.tls_cert");
    const char *key = config_get_string(cfg, "feedback.tls_key");
    if (cert == NULL && key == NULL)
        return true;
    if (cert == NULL || key == NULL) {
        *error_r = xasprintf("feedback.tls_cert and feedback.tls_key go together");
        return false;
    }
    r->tls_ctx = net_tls_server_ctx_new(cert, key, error_r);
    return r->tls_ctx != NULL;
}

static bool feedback_setup_policy(const struct config *cfg, struct feedback_role *r, char **error_r)
{
    r->srs = cli_srs_setup(cfg, error_r);
    if (r->srs == NULL)
        return false;
    r->n_domains = config_get_list(cfg, "feedback.domains", &r->domains);
    for (size_t i = 0; i < r->n_domains; i++)
        str_lower(r->domains[i]);
    r->policy.srs = r->srs;
    r->policy.domains = (const char *const *)r->domains;
    r->policy.n_domains = r->n_domains;
    r->policy.has_operator = config_get_string(cfg, "feedback.operator") != NULL;
    if (config_is_set(cfg, "feedback.classify_rules")) {
        r->rules = classify_rules_load(config_get_string(cfg, "feedback.classify_rules"), error_r);
        if (r->rules == NULL)
            return false;
    }
    return true;
}

static void feedback_setup_hostname(const struct config *cfg, struct feedback_role *r)
{
    const char *host = config_get_string(cfg, "smtp.hostname");
    char name[HOST_NAME_MAX + 1] = "localhost";
    if (host == NULL) {
        gethostname(name, sizeof(name));
        name[HOST_NAME_MAX] = '\0';
    }
    r->hostname = xstrdup(host ? host : name);
}

static bool feedback_setup_listen(struct event_base *base, const struct config *cfg,
                                  struct feedback_role *r, char **error_r)
{
    r->n_listen = config_get_list(cfg, "feedback.listen", &r->listen);
    if (r->n_listen == 0) {
        *error_r = xasprintf("no listener: set feedback.listen");
        return false;
    }
    r->listeners = xcalloc(r->n_listen, sizeof(r->listeners[0]));
    for (size_t i = 0; i < r->n_listen; i++) {
        r->listeners[i].name = "feedback";
        r->listeners[i].address = r->listen[i];
        if (!smtp_server_listen(r->server, base, &r->listeners[i], error_r))
            return false;
    }
    return true;
}

static void feedback_setup_log(const struct feedback_role *r, const char *operator)
{
    struct buf b = BUF_INIT;
    buf_append_str(&b, srs_domain(r->srs));
    for (size_t i = 0; i < r->n_domains; i++)
        buf_printf(&b, ",%s", r->domains[i]);
    LOG_INFO("-",
             "feedback-ready listen=%s domains=%s source=config operator=%s tls=%s "
             "note=\"MAIL FROM domains are not in the store yet: serving srs.domain and "
             "feedback.domains\"",
             r->listen[0], buf_cstr(&b), operator ? operator : "-", r->tls_ctx ? "yes" : "no");
    buf_free(&b);
}

struct feedback_role *feedback_role_start(struct event_base *base, const struct config *cfg,
                                          struct store_service *store, char **error_r)
{
    struct feedback_role *r = xcalloc(1, sizeof(*r));
    struct feedback_mx_config mc = {.base = base, .policy = &r->policy, .store = store};
    mc.operator_address = config_get_string(cfg, "feedback.operator");
    if (!feedback_setup_policy(cfg, r, error_r) || !feedback_setup_tls(cfg, r, error_r) ||
        (mc.operator_address != NULL &&
         !feedback_setup_operator(cfg, &mc.operator_account_id, error_r))) {
        feedback_role_stop(r);
        return NULL;
    }
    mc.rules = r->rules;
    if (config_is_set(cfg, "clock.fixed")) {
        r->fixed_ms = config_get_int(cfg, "clock.fixed") * 1000;
        mc.clock = clock_fixed(&r->fixed_ms);
    } else {
        mc.clock = clock_system();
    }
    feedback_setup_hostname(cfg, r);
    struct smtp_server_config sc = {
        .hostname = r->hostname, .tls_ctx = r->tls_ctx, .clock = mc.clock};
    feedback_setup_limits(cfg, &sc.limits);
    r->mx = feedback_mx_new(&mc, error_r);
    if (r->mx == NULL) {
        feedback_role_stop(r);
        return NULL;
    }
    struct smtp_server_handler handler = feedback_mx_handler(r->mx);
    r->server = smtp_server_new(&sc, &handler);
    feedback_mx_set_server(r->mx, r->server);
    if (!feedback_setup_listen(base, cfg, r, error_r)) {
        feedback_role_stop(r);
        return NULL;
    }
    feedback_setup_log(r, mc.operator_address);
    return r;
}

void feedback_role_stop(struct feedback_role *r)
{
    if (r == NULL)
        return;
    smtp_server_free(r->server);
    feedback_mx_free(r->mx);
    free(r->listeners);
    config_free_list(r->listen, r->n_listen);
    config_free_list(r->domains, r->n_domains);
    classify_rules_free(r->rules);
    net_tls_ctx_free(r->tls_ctx);
    srs_free(r->srs);
    free(r->hostname);
    free(r);
}
