/*
 * Every SMTP request the engine makes becomes one struct feedback_op, kept in a list until it
 * is answered or cancelled. An op waiting on the store records the store request id, so a
 * cancel from the engine cancels the store request too and the op can be freed at once:
 * store_service guarantees a cancelled request's callback never fires (no dangling arg).
 */
#include "feedback_mx.h"

#include <stdlib.h>
#include <string.h>

#include "feedback_event.h"
#include "feedback_parse.h"
#include "log.h"
#include "xalloc.h"

/* Longest reference (ENVID or Message-ID local part) looked up in the store. */
#define FEEDBACK_MAX_REF 255

enum feedback_op_stage { FEEDBACK_OP_RCPT, FEEDBACK_OP_COMMIT };

struct feedback_op {
    struct feedback_mx *mx;
    uint64_t smtp_id;
    store_request_id store_id; /* 0 when not waiting on the store */
    uint64_t parse_id;         /* 0 when not waiting on the parser */
    enum feedback_op_stage stage;
    char *log_id;
    char *client_ip;
    struct feedback_rcpt_decision d;
    /* COMMIT: a copy of the engine's struct (which lives on its stack only during the call);
     * the envelope and bytes it points to are borrowed until answered or cancelled. */
    struct smtp_message message;
    struct dsn_report *report;             /* COMMIT, after the owner is known */
    char queued_id[STORE_MESSAGE_ID_SIZE]; /* COMMIT: the forwarded report's id */
    struct feedback_op *next;
};

struct feedback_mx {
    struct feedback_mx_config cfg;
    struct smtp_server *server;
    struct feedback_parser *parser;
    struct feedback_op *ops;
};

static struct feedback_op *feedback_op_new(struct feedback_mx *mx, uint64_t smtp_id,
                                           enum feedback_op_stage stage,
                                           const struct smtp_session_info *session)
{
    struct feedback_op *op = xcalloc(1, sizeof(*op));
    op->mx = mx;
    op->smtp_id = smtp_id;
    op->stage = stage;
    op->log_id = xstrdup(session->id);
    op->client_ip = xstrdup(session->client_ip);
    op->next = mx->ops;
    mx->ops = op;
    return op;
}

/* Cancels what the op waits for and frees it (it is no longer in the list). */
static void feedback_op_destroy(struct feedback_op *op)
{
    if (op->store_id != 0)
        store_service_cancel(op->mx->cfg.store, op->store_id);
    feedback_rcpt_decision_clear(&op->d);
    dsn_report_free(op->report);
    free(op->log_id);
    free(op->client_ip);
    free(op);
}

static void feedback_op_free(struct feedback_op *op)
{
    struct feedback_op **p = &op->mx->ops;
    while (*p != op)
        p = &(*p)->next;
    *p = op->next;
    feedback_op_destroy(op);
}

/* Answers the engine and forgets the op. */
static void feedback_op_answer(struct feedback_op *op, enum smtp_verdict verdict, int code,
                               const char *enhanced, const char *text, const char *message_id)
{
    struct smtp_answer a = {.verdict = verdict,
                            .code = code,
                            .enhanced = enhanced,
                            .text = text,
                            .message_id = message_id};
    op->store_id = 0;
    smtp_server_answer(op->mx->server, op->smtp_id, &a);
    feedback_op_free(op);
}

static void feedback_op_refuse(struct feedback_op *op, const char *address)
{
    LOG_INFO(op->log_id, "feedback-refuse rcpt=<%s> why=%s client=%s", address, op->d.why,
             op->client_ip);
    feedback_op_answer(op, SMTP_VERDICT_PERMFAIL, 550, "5.1.1", op->d.reason, NULL);
}

static void feedback_op_tempfail(struct feedback_op *op, const char *what, const char *error)
{
    LOG_ERROR(op->log_id, "feedback-store-failed step=%s error=\"%s\"", what, error ? error : "-");
    feedback_op_answer(op, SMTP_VERDICT_TEMPFAIL, 451, "4.3.0",
                       "Temporary failure: could not record the report, try again later", NULL);
}

/* ---- RCPT ---- */

static void feedback_rcpt_identities_cb(store_request_id id, enum store_status status,
                                        const struct store_identity_list *list, const char *error,
                                        void *arg)
{
    struct feedback_op *op = arg;
    op->store_id = 0;
    if (status != STORE_OK) {
        feedback_op_tempfail(op, "identities", error);
        return;
    }
    if (!feedback_rcpt_owner(list, &op->d)) {
        feedback_op_refuse(op, op->d.reversed);
        return;
    }
    LOG_INFO(op->log_id, "feedback-accept rcpt-for=<%s> account=%lld identity=%s domain=%s",
             op->d.reversed, (long long)op->d.account_id, op->d.identity, op->d.domain);
    feedback_op_answer(op, SMTP_VERDICT_ACCEPT, 0, NULL, NULL, NULL);
}

static void feedback_mx_rcpt(void *ctx, uint64_t request_id,
                             const struct smtp_session_info *session,
                             const struct smtp_envelope *envelope, const char *forward_path,
                             const struct smtp_rcpt_params *params)
{
    struct feedback_mx *mx = ctx;
    struct feedback_op *op = feedback_op_new(mx, request_id, FEEDBACK_OP_RCPT, session);
    feedback_rcpt_check(mx->cfg.policy, forward_path, clock_now(&mx->cfg.clock), &op->d);
    if (op->d.kind == FEEDBACK_RCPT_REFUSE) {
        feedback_op_refuse(op, forward_path);
    } else if (op->d.kind == FEEDBACK_RCPT_OPERATOR) {
        LOG_INFO(op->log_id, "feedback-accept rcpt=<%s> operator=%s", forward_path,
                 mx->cfg.operator_address);
        feedback_op_answer(op, SMTP_VERDICT_ACCEPT, 0, NULL, NULL, NULL);
    } else {
        op->store_id = store_service_identities(mx->cfg.store, 0, feedback_rcpt_identities_cb, op);
    }
}

/* ---- DATA ---- */

static void feedback_commit_cb(store_request_id id, enum store_status status, const char *error,
                               void *arg)
{
    struct feedback_op *op = arg;
    op->store_id = 0;
    if (status != STORE_OK) {
        feedback_op_tempfail(op, "commit", error);
        return;
    }
    LOG_INFO(op->log_id, "feedback-committed id=%s", op->queued_id);
    feedback_op_answer(op, SMTP_VERDICT_ACCEPT, 0, NULL, NULL, op->queued_id);
}

/* The forwarded report as a queued message (feedback_mx.h states its shape). */
static struct store_message *feedback_forward_new(struct feedback_op *op, int64_t account_id,
                                                  const char *identity, const char *to)
{
    struct store_message *m = store_message_new();
    m->arrival_ms = clock_now_ms(&op->mx->cfg.clock);
    if (!store_message_id_new(m->arrival_ms, m->id)) {
        store_message_free(m);
        return NULL;
    }
    m->account_id = account_id;
    m->identity = xstrdup(identity);
    m->envelope_from = xstrdup("");
    m->return_path = xstrdup("");
    m->body = xmalloc(op->message.size + 1);
    memcpy(m->body, op->message.data, op->message.size);
    m->body[op->message.size] = '\0';
    m->body_len = op->message.size;
    store_message_add_rcpt(m, to, STORE_NOTIFY_NEVER, NULL);
    return m;
}

static void feedback_commit(struct feedback_op *op, struct store_message *m, const char *kind)
{
    if (m == NULL) {
        feedback_op_tempfail(op, "message-id", "the random number generator failed");
        return;
    }
    LOG_INFO(op->log_id,
             "feedback-queued id=%s to=<%s> account=%lld kind=%s events=%zu "
             "suppressions=%zu size=%zu",
             m->id, m->rcpts[0].address, (long long)m->account_id, kind, m->n_linked_events,
             m->n_suppressions, m->body_len);
    memcpy(op->queued_id, m->id, STORE_MESSAGE_ID_SIZE);
    op->store_id = store_service_commit(op->mx->cfg.store, m, feedback_commit_cb, op);
}

static void feedback_commit_report(struct feedback_op *op, const char *original_id)
{
    struct store_message *m =
        feedback_forward_new(op, op->d.account_id, op->d.identity, op->d.reversed);
    if (m != NULL) {
        struct feedback_event_context ctx = {
            .log_id = op->log_id,
            .feedback_id = m->id,
            .source = op->d.reversed,
            .message_id = original_id,
            .remote_ip = op->client_ip,
            .now_ms = m->arrival_ms,
            .rules = op->mx->cfg.rules,
        };
        struct feedback_event_counts counts;
        feedback_event_add(&ctx, op->report, m, &counts);
    }
    feedback_commit(op, m, dsn_kind_name(op->report->kind));
}

static void feedback_find_cb(store_request_id id, enum store_status status, const char *message_id,
                             const char *error, void *arg)
{
    struct feedback_op *op = arg;
    op->store_id = 0;
    if (status != STORE_OK && status != STORE_NOT_FOUND) {
        feedback_op_tempfail(op, "find", error);
        return;
    }
    feedback_commit_report(op, message_id);
}

/* The message id a returned Message-ID names: its local part without the brackets. */
static char *feedback_msgid_ref(const char *msgid)
{
    const char *start = msgid[0] == '<' ? msgid + 1 : msgid;
    size_t len = strcspn(start, "@>");
    return len > 0 && len <= FEEDBACK_MAX_REF ? xstrndup(start, len) : NULL;
}

/* Looks the original message up (ENVID first, then the returned Message-ID), then commits. */
static void feedback_link(struct feedback_op *op)
{
    char *refs[2];
    size_t n = 0;
    const struct dsn_report *r = op->report;
    if (r->envid != NULL && r->envid[0] != '\0' && strlen(r->envid) <= FEEDBACK_MAX_REF)
        refs[n++] = xstrdup(r->envid);
    char *local = r->orig_message_id ? feedback_msgid_ref(r->orig_message_id) : NULL;
    if (local != NULL)
        refs[n++] = local;
    if (n == 0 || (r->kind != DSN_KIND_BOUNCE && r->kind != DSN_KIND_COMPLAINT)) {
        for (size_t i = 0; i < n; i++)
            free(refs[i]);
        feedback_commit_report(op, NULL);
        return;
    }
    op->store_id = store_service_find_message(op->mx->cfg.store, op->d.account_id,
                                              (const char *const *)refs, n, feedback_find_cb, op);
    for (size_t i = 0; i < n; i++)
        free(refs[i]);
}

static void feedback_parsed_cb(uint64_t job_id, struct dsn_report *report, void *arg)
{
    struct feedback_mx *mx = arg;
    struct feedback_op *op = mx->ops;
    while (op != NULL && op->parse_id != job_id)
        op = op->next;
    if (op == NULL) { /* the session went away while its report was parsed */
        dsn_report_free(report);
        return;
    }
    op->parse_id = 0;
    op->report = report;
    LOG_INFO(op->log_id, "feedback-report kind=%s format=%s recipients=%zu envid=%s msgid=%s",
             dsn_kind_name(report->kind), dsn_format_name(report->format), report->recipient_count,
             report->envid ? report->envid : "-",
             report->orig_message_id ? report->orig_message_id : "-");
    feedback_link(op);
}

static void feedback_commit_identities_cb(store_request_id id, enum store_status status,
                                          const struct store_identity_list *list, const char *error,
                                          void *arg)
{
    struct feedback_op *op = arg;
    op->store_id = 0;
    if (status != STORE_OK) {
        feedback_op_tempfail(op, "identities", error);
        return;
    }
    if (!feedback_rcpt_owner(list, &op->d)) {
        feedback_op_refuse(op, op->d.reversed);
        return;
    }
    op->parse_id = feedback_parser_submit(op->mx->parser, op->message.data, op->message.size);
}

static void feedback_mx_commit(void *ctx, uint64_t request_id,
                               const struct smtp_session_info *session,
                               const struct smtp_message *message)
{
    struct feedback_mx *mx = ctx;
    struct feedback_op *op = feedback_op_new(mx, request_id, FEEDBACK_OP_COMMIT, session);
    op->message = *message;
    if (message->envelope->n_rcpts != FEEDBACK_MAX_RCPTS_PER_TRANSACTION) {
        feedback_op_answer(op, SMTP_VERDICT_PERMFAIL, 554, "5.5.3",
                           "One recipient per report, please", NULL);
        return;
    }
    const char *to = message->envelope->rcpts[0].address;
    feedback_rcpt_check(mx->cfg.policy, to, clock_now(&mx->cfg.clock), &op->d);
    if (op->d.kind == FEEDBACK_RCPT_REFUSE) {
        feedback_op_refuse(op, to);
    } else if (op->d.kind == FEEDBACK_RCPT_OPERATOR) {
        feedback_commit(
            op, feedback_forward_new(op, mx->cfg.operator_account_id, "", mx->cfg.operator_address),
            "operator");
    } else {
        op->store_id =
            store_service_identities(mx->cfg.store, 0, feedback_commit_identities_cb, op);
    }
}

static void feedback_mx_cancel(void *ctx, uint64_t request_id)
{
    struct feedback_mx *mx = ctx;
    for (struct feedback_op *op = mx->ops; op != NULL; op = op->next) {
        if (op->smtp_id == request_id) {
            LOG_INFO(op->log_id, "feedback-cancelled stage=%s",
                     op->stage == FEEDBACK_OP_RCPT ? "rcpt" : "data");
            feedback_op_free(op);
            return;
        }
    }
}

struct feedback_mx *feedback_mx_new(const struct feedback_mx_config *config, char **error_r)
{
    struct feedback_mx *mx = xcalloc(1, sizeof(*mx));
    mx->cfg = *config;
    mx->parser = feedback_parser_new(config->base, feedback_parsed_cb, mx);
    if (mx->parser == NULL) {
        *error_r = xasprintf("cannot start the report parser thread");
        free(mx);
        return NULL;
    }
    return mx;
}

struct smtp_server_handler feedback_mx_handler(struct feedback_mx *mx)
{
    struct smtp_server_handler h = {.ctx = mx,
                                    .rcpt = feedback_mx_rcpt,
                                    .commit = feedback_mx_commit,
                                    .cancel = feedback_mx_cancel};
    return h;
}

void feedback_mx_set_server(struct feedback_mx *mx, struct smtp_server *server)
{
    mx->server = server;
}

void feedback_mx_free(struct feedback_mx *mx)
{
    if (mx == NULL)
        return;
    struct feedback_op *op = mx->ops;
    mx->ops = NULL;
    while (op != NULL) {
        struct feedback_op *next = op->next;
        feedback_op_destroy(op);
        op = next;
    }
    feedback_parser_free(mx->parser);
    free(mx);
}
