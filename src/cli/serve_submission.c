/*
 * The submission role of `rebound serve`: the SMTP listeners (submission.listen, STARTTLS;
 * submission.listen_tls, implicit TLS) with the submit role (submit.h) on the shared store
 * service and SRS engine.
 */
#include <stdlib.h>

#include "log.h"
#include "serve.h"
#include "smtp_listen.h"
#include "store.h"
#include "submit.h"
#include "xalloc.h"

static bool serve_submission_wanted(const struct config *cfg)
{
    return config_is_set(cfg, "submission.listen") || config_is_set(cfg, "submission.listen_tls");
}

/* The trusted networks' account must exist: looked up once at start (blocking is fine here,
 * the loop is not running yet). */
static bool serve_submission_trusted(const struct serve *sv, struct submit_config *sc,
                                     char **error_r)
{
    sc->trusted_account = config_get_string(sv->cfg, "submission.trusted_account");
    if (sc->trusted_account == NULL)
        return true;
    struct store *st = store_open(config_get_string(sv->cfg, "store"), error_r);
    if (st == NULL)
        return false;
    struct store_account acc = {0};
    char *error = NULL;
    enum store_status status = store_account_get(st, sc->trusted_account, &acc, &error);
    store_close(st);
    if (status != STORE_OK) {
        *error_r = xasprintf("submission.trusted_account '%s': %s", sc->trusted_account,
                             error != NULL ? error : store_status_name(status));
        free(error);
        return false;
    }
    sc->trusted_account_id = acc.id;
    sc->trusted_account_paused = acc.status == STORE_ACCOUNT_PAUSED;
    store_account_clear(&acc);
    return true;
}

static bool serve_submission_start(struct serve *sv, char **error_r)
{
    if (!smtp_setup_load(sv->cfg, &sv->setup, error_r))
        return false;
    sv->setup_loaded = true;
    sv->setup.server.clock = sv->clock;
    struct submit_config sc = {.store = sv->store, .srs = sv->srs, .clock = sv->clock};
    if (!serve_submission_trusted(sv, &sc, error_r))
        return false;
    sv->submit = submit_new(&sc);
    struct smtp_server_handler handler = submit_handler(sv->submit);
    sv->smtp = smtp_server_new(&sv->setup.server, &handler);
    submit_set_server(sv->submit, sv->smtp);
    for (size_t i = 0; i < sv->setup.n_listeners; i++) {
        if (!smtp_server_listen(sv->smtp, sv->base, &sv->setup.listeners[i], error_r))
            return false;
    }
    return true;
}

static void serve_submission_drain(struct serve *sv)
{
    if (sv->smtp != NULL)
        smtp_server_stop_accepting(sv->smtp);
}

static bool serve_submission_idle(const struct serve *sv)
{
    return sv->submit == NULL || submit_pending(sv->submit) == 0;
}

static void serve_submission_stop(struct serve *sv)
{
    smtp_server_free(sv->smtp); /* cancels every session's request */
    sv->smtp = NULL;
    submit_free(sv->submit);
    sv->submit = NULL;
    if (sv->setup_loaded)
        smtp_setup_free(&sv->setup);
    sv->setup_loaded = false;
}

const struct serve_role serve_role_submission = {
    "submission",           serve_submission_wanted, serve_submission_start,
    serve_submission_drain, serve_submission_idle,   serve_submission_stop,
};
