#include "submit.h"

#include <stdlib.h>
#include <string.h>

#include "idtab.h"
#include "log.h"
#include "submit_policy.h"
#include "xalloc.h"

enum submit_req_kind { SUBMIT_REQ_AUTH, SUBMIT_REQ_MAIL, SUBMIT_REQ_COMMIT };

/* One engine request waiting for the store; found by the engine's request id. */
struct submit_req {
    struct submit *sub;
    enum submit_req_kind kind;
    uint64_t smtp_id;
    store_request_id store_id; /* 0 while nothing is asked of the store */
    int64_t account_id;
    char *session_id;
    char *mail_from; /* MAIL */
    /* COMMIT: a copy of the engine's struct (which lives on its stack only for the call);
     * the envelope and data it points to are borrowed until answered or cancelled. */
    struct smtp_message message;
    char message_id[STORE_MESSAGE_ID_SIZE];
};

/* An account's identities as last read, for SUBMIT_IDENTITY_CACHE_MS. */
struct submit_ids {
    struct store_identity_list list; /* names and statuses only */
    int64_t fetched_ms;
};

struct submit {
    struct submit_config cfg;
    struct smtp_server *server;
    struct idtab reqs;   /* smtp request id -> struct submit_req */
    struct idtab ids;    /* account id -> struct submit_ids */
    struct idtab paused; /* account id -> the submit itself when paused (a set) */
};

struct submit *submit_new(const struct submit_config *cfg)
{
    struct submit *sub = xcalloc(1, sizeof(*sub));
    sub->cfg = *cfg;
    if (cfg->trusted_account_id > 0 && cfg->trusted_account_paused)
        idtab_put(&sub->paused, (uint64_t)cfg->trusted_account_id, sub);
    return sub;
}

void submit_set_server(struct submit *sub, struct smtp_server *server)
{
    sub->server = server;
}

unsigned submit_pending(const struct submit *sub)
{
    return (unsigned)sub->reqs.count;
}

static void submit_req_free(struct submit_req *r)
{
    free(r->session_id);
    free(r->mail_from);
    free(r);
}

static struct submit_req *submit_req_new(struct submit *sub, enum submit_req_kind kind,
                                         uint64_t smtp_id, const struct smtp_session_info *s)
{
    struct submit_req *r = xcalloc(1, sizeof(*r));
    r->sub = sub;
    r->kind = kind;
    r->smtp_id = smtp_id;
    r->session_id = xstrdup(s->id);
    idtab_put(&sub->reqs, smtp_id, r);
    return r;
}

/* Answers the engine and forgets the request. */
static void submit_finish(struct submit_req *r, const struct smtp_answer *a)
{
    struct submit *sub = r->sub;
    idtab_remove(&sub->reqs, r->smtp_id);
    smtp_server_answer(sub->server, r->smtp_id, a);
    submit_req_free(r);
}

static void submit_tempfail(struct submit_req *r, const char *what, const char *error)
{
    LOG_WARN(r->session_id, "submit tempfail step=%s error=\"%s\"", what,
             error != NULL ? error : "-");
    struct smtp_answer a = {.verdict = SMTP_VERDICT_TEMPFAIL,
                            .code = 451,
                            .enhanced = "4.3.0",
                            .text = "Temporary failure, please try again later"};
    submit_finish(r, &a);
}

static void submit_refused(struct submit_req *r, const struct submit_decision *d)
{
    LOG_INFO(r->session_id, "submit refused step=%s code=%d reason=\"%s\"",
             r->kind == SUBMIT_REQ_MAIL ? "mail" : "data", d->code, d->text);
    struct smtp_answer a = {.verdict =
                                d->code >= 500 ? SMTP_VERDICT_PERMFAIL : SMTP_VERDICT_TEMPFAIL,
                            .code = d->code,
                            .enhanced = d->enhanced,
                            .text = d->text};
    submit_finish(r, &a);
}

/* ---- AUTH ---- */

static void submit_auth_done(store_request_id id, const struct store_auth_result *res, void *arg)
{
    struct submit_req *r = arg;
    struct submit *sub = r->sub;
    (void)id;
    r->store_id = 0;
    if (res->status == STORE_OK) {
        if (res->account_status == STORE_ACCOUNT_PAUSED)
            idtab_put(&sub->paused, (uint64_t)res->account_id, sub);
        else
            idtab_remove(&sub->paused, (uint64_t)res->account_id);
        struct smtp_answer a = {
            .verdict = SMTP_VERDICT_ACCEPT, .account = res->account, .account_id = res->account_id};
        submit_finish(r, &a);
    } else if (res->status == STORE_NOT_FOUND) {
        struct smtp_answer a = {.verdict = SMTP_VERDICT_PERMFAIL}; /* 535 5.7.8 */
        submit_finish(r, &a);
    } else {
        LOG_WARN(r->session_id, "submit auth-tempfail status=%s", store_status_name(res->status));
        struct smtp_answer a = {.verdict = SMTP_VERDICT_TEMPFAIL}; /* 454 4.7.0 */
        submit_finish(r, &a);
    }
}

static void submit_auth(void *ctx, uint64_t id, const struct smtp_session_info *session,
                        const struct smtp_auth_credentials *creds)
{
    struct submit *sub = ctx;
    struct submit_req *r = submit_req_new(sub, SUBMIT_REQ_AUTH, id, session);
    r->store_id = store_service_authenticate(sub->cfg.store, creds->username, creds->password,
                                             submit_auth_done, r);
}

/* ---- identities, cached per account ---- */

static void submit_ids_free(struct submit_ids *c)
{
    if (c != NULL)
        store_identity_list_free(&c->list);
    free(c);
}

/* Caches a copy of the list the store returned; returns the copy (owned by the cache). */
static const struct store_identity_list *submit_ids_store(struct submit *sub, int64_t account_id,
                                                          const struct store_identity_list *list)
{
    struct submit_ids *c = xcalloc(1, sizeof(*c));
    c->fetched_ms = clock_now_ms(&sub->cfg.clock);
    c->list.n = list->n;
    c->list.items = xcalloc(list->n ? list->n : 1, sizeof(c->list.items[0]));
    for (size_t i = 0; i < list->n; i++) {
        c->list.items[i].id = list->items[i].id;
        c->list.items[i].name = xstrdup(list->items[i].name);
        c->list.items[i].kind = list->items[i].kind;
        c->list.items[i].account_id = list->items[i].account_id;
        c->list.items[i].status = list->items[i].status;
    }
    submit_ids_free(idtab_remove(&sub->ids, (uint64_t)account_id));
    idtab_put(&sub->ids, (uint64_t)account_id, c);
    return &c->list;
}

static const struct store_identity_list *submit_ids_fresh(struct submit *sub, int64_t account_id)
{
    struct submit_ids *c = idtab_get(&sub->ids, (uint64_t)account_id);
    if (c == NULL || clock_now_ms(&sub->cfg.clock) - c->fetched_ms >= SUBMIT_IDENTITY_CACHE_MS)
        return NULL;
    return &c->list;
}

static void submit_decide(struct submit_req *r, const struct store_identity_list *ids);

static void submit_ids_done(store_request_id id, enum store_status status,
                            const struct store_identity_list *list, const char *error, void *arg)
{
    struct submit_req *r = arg;
    (void)id;
    r->store_id = 0;
    if (status != STORE_OK) {
        submit_tempfail(r, "identities", error);
        return;
    }
    submit_decide(r, submit_ids_store(r->sub, r->account_id, list));
}

/* Decides now if the account's identities are cached, else after the store answers. */
static void submit_with_identities(struct submit_req *r)
{
    const struct store_identity_list *ids = submit_ids_fresh(r->sub, r->account_id);
    if (ids != NULL)
        submit_decide(r, ids);
    else
        r->store_id =
            store_service_identities(r->sub->cfg.store, r->account_id, submit_ids_done, r);
}

/* The account a session acts for: from AUTH, or the trusted networks' account. */
static int64_t submit_account_id(const struct submit *sub, const struct smtp_session_info *s)
{
    if (s->account_id > 0)
        return s->account_id;
    if (!s->authenticated && s->account != NULL && sub->cfg.trusted_account != NULL &&
        strcmp(s->account, sub->cfg.trusted_account) == 0)
        return sub->cfg.trusted_account_id;
    return 0;
}

static bool submit_start(struct submit_req *r, const struct smtp_session_info *session)
{
    r->account_id = submit_account_id(r->sub, session);
    if (r->account_id <= 0) {
        submit_tempfail(r, "account", "the session has no known account");
        return false;
    }
    return true;
}

/* ---- MAIL ---- */

static void submit_mail(void *ctx, uint64_t id, const struct smtp_session_info *session,
                        const char *reverse_path, const struct smtp_mail_params *params)
{
    struct submit *sub = ctx;
    (void)params;
    struct submit_req *r = submit_req_new(sub, SUBMIT_REQ_MAIL, id, session);
    r->mail_from = xstrdup(reverse_path);
    if (submit_start(r, session))
        submit_with_identities(r);
}

/* ---- end of DATA ---- */

static void submit_commit_done(store_request_id id, enum store_status status, const char *error,
                               void *arg)
{
    struct submit_req *r = arg;
    (void)id;
    r->store_id = 0;
    if (status == STORE_OK) {
        LOG_INFO(r->session_id, "submit committed id=%s", r->message_id);
        struct smtp_answer a = {.verdict = SMTP_VERDICT_ACCEPT, .message_id = r->message_id};
        submit_finish(r, &a);
    } else if (store_status_is_temporary(status)) {
        submit_tempfail(r, "commit", error);
    } else {
        LOG_ERROR(r->session_id, "submit commit-failed id=%s status=%s error=\"%s\"", r->message_id,
                  store_status_name(status), error != NULL ? error : "-");
        struct smtp_answer a = {.verdict = SMTP_VERDICT_PERMFAIL,
                                .code = 554,
                                .enhanced = "5.3.0",
                                .text = "The message could not be stored"};
        submit_finish(r, &a);
    }
}

static enum store_dsn_ret submit_ret(enum smtp_dsn_ret ret)
{
    return ret == SMTP_DSN_RET_FULL   ? STORE_RET_FULL
           : ret == SMTP_DSN_RET_HDRS ? STORE_RET_HDRS
                                      : STORE_RET_UNSET;
}

/* The stored form of an accepted message; takes return_path. */
static struct store_message *submit_build(const struct submit_req *r, const char *identity,
                                          char *return_path, int64_t now_ms)
{
    const struct smtp_envelope *env = r->message.envelope;
    struct store_message *m = store_message_new();
    memcpy(m->id, r->message_id, sizeof(m->id));
    m->account_id = r->account_id;
    m->identity = xstrdup(identity);
    m->envelope_from = xstrdup(env->mail_from);
    m->return_path = return_path;
    m->arrival_ms = now_ms;
    m->dsn_ret = submit_ret(env->params.ret);
    m->dsn_envid = env->params.envid != NULL ? xstrdup(env->params.envid) : NULL;
    m->body = xmalloc(r->message.size ? r->message.size : 1);
    memcpy(m->body, r->message.data, r->message.size);
    m->body_len = r->message.size;
    for (size_t i = 0; i < env->n_rcpts; i++) {
        const struct smtp_rcpt *rc = &env->rcpts[i];
        char *orcpt = rc->params.orcpt_type == NULL
                          ? NULL
                          : xasprintf("%s;%s", rc->params.orcpt_type, rc->params.orcpt_addr);
        /* smtp_dsn_notify and store_notify share their bit values (RFC 3461 4.1). */
        store_message_add_rcpt(m, rc->address, rc->params.notify, orcpt);
        free(orcpt);
    }
    return m;
}

static void submit_commit_decided(struct submit_req *r, struct submit_decision *d)
{
    struct submit *sub = r->sub;
    int64_t now_ms = clock_now_ms(&sub->cfg.clock);
    const char *mail_from = r->message.envelope->mail_from;
    char *rp = submit_return_path(sub->cfg.srs, mail_from, now_ms / 1000, d);
    if (rp == NULL) {
        submit_refused(r, d);
        return;
    }
    if (!store_message_id_new(now_ms, r->message_id)) {
        free(rp);
        submit_tempfail(r, "message-id", "the random number generator failed");
        return;
    }
    LOG_INFO(r->session_id,
             "submit accepted id=%s from=<%s> return_path=<%s> domain=%s identity=%s rcpts=%zu "
             "size=%zu",
             r->message_id, mail_from, rp,
             submit_return_path_domain(d->identity, srs_domain(sub->cfg.srs)), d->identity->name,
             r->message.envelope->n_rcpts, r->message.size);
    struct store_message *m = submit_build(r, d->identity->name, rp, now_ms);
    r->store_id = store_service_commit(sub->cfg.store, m, submit_commit_done, r);
}

static void submit_decide(struct submit_req *r, const struct store_identity_list *ids)
{
    bool paused = idtab_get(&r->sub->paused, (uint64_t)r->account_id) != NULL;
    struct submit_decision d;
    if (r->kind == SUBMIT_REQ_MAIL) {
        submit_policy_sender(ids, paused, r->mail_from, &d);
    } else {
        const struct smtp_message *m = &r->message;
        submit_policy_message(ids, paused, m->envelope->mail_from, m->data, m->size, &d);
    }
    if (!d.accept) {
        submit_refused(r, &d);
    } else if (r->kind == SUBMIT_REQ_MAIL) {
        struct smtp_answer a = {.verdict = SMTP_VERDICT_ACCEPT};
        submit_finish(r, &a);
    } else {
        submit_commit_decided(r, &d);
    }
    submit_decision_clear(&d);
}

static void submit_commit(void *ctx, uint64_t id, const struct smtp_session_info *session,
                          const struct smtp_message *message)
{
    struct submit *sub = ctx;
    struct submit_req *r = submit_req_new(sub, SUBMIT_REQ_COMMIT, id, session);
    r->message = *message;
    if (submit_start(r, session))
        submit_with_identities(r);
}

/* ---- cancel, lifecycle ---- */

static void submit_cancel(void *ctx, uint64_t id)
{
    struct submit *sub = ctx;
    struct submit_req *r = idtab_remove(&sub->reqs, id);
    if (r == NULL)
        return;
    if (r->store_id != 0)
        store_service_cancel(sub->cfg.store, r->store_id);
    LOG_INFO(r->session_id, "submit cancelled request=%llu", (unsigned long long)id);
    submit_req_free(r);
}

struct smtp_server_handler submit_handler(struct submit *sub)
{
    struct smtp_server_handler h = {
        .ctx = sub,
        .auth = submit_auth,
        .mail = submit_mail,
        .commit = submit_commit,
        .cancel = submit_cancel,
    };
    return h;
}

void submit_free(struct submit *sub)
{
    if (sub == NULL)
        return;
    for (size_t i = 0; i < sub->reqs.cap; i++) {
        struct submit_req *r = sub->reqs.slots[i].value;
        if (sub->reqs.slots[i].id == 0 || r == NULL)
            continue;
        if (r->store_id != 0)
            store_service_cancel(sub->cfg.store, r->store_id);
        submit_req_free(r);
    }
    idtab_free(&sub->reqs);
    for (size_t i = 0; i < sub->ids.cap; i++) {
        if (sub->ids.slots[i].id != 0)
            submit_ids_free(sub->ids.slots[i].value);
    }
    idtab_free(&sub->ids);
    idtab_free(&sub->paused);
    free(sub);
}
