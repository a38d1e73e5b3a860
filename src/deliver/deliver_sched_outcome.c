/*
 * deliver_sched_outcome: what one finished delivery job writes to the store: per recipient the
 * new state (deliver_backoff.h), an attempts row and the SES event, and for the recipients
 * that bounced one DSN (dsn_write.h) to the original envelope-from, queued as a new message
 * with the null return path so that it can never bounce back in a loop.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "deliver_events.h"
#include "deliver_sched_impl.h"
#include "dsn_write.h"
#include "log.h"
#include "xalloc.h"

/* RFC 3463: 4.4.7 "Delivery time expired". */
#define DELIVER_SCHED_EXPIRED_STATUS "4.4.7"

static char *deliver_sched_dup(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static bool deliver_sched_wants_dsn(const struct store_message *msg,
                                    const struct store_recipient *r)
{
    if (msg->envelope_from == NULL || msg->envelope_from[0] == '\0')
        return false; /* never a DSN for a null sender (RFC 3461 6.2, RFC 5321 4.5.5) */
    return r->notify == 0 || (r->notify & STORE_NOTIFY_FAILURE) != 0;
}

static void deliver_sched_event(struct deliver_sched *s, const struct deliver_sched_job *job,
                                struct store_rcpt_outcome *out, enum deliver_event_kind kind,
                                const struct deliver_outcome *o, const char *status, bool expired,
                                int64_t now_ms)
{
    const struct store_message *msg = job->m->msg;
    const char **dest = xcalloc(msg->n_rcpts + 1, sizeof(dest[0]));
    for (size_t i = 0; i < msg->n_rcpts; i++)
        dest[i] = msg->rcpts[i].address;
    struct deliver_event_input in = {
        .kind = kind,
        .message_id = msg->id,
        .source = msg->envelope_from ? msg->envelope_from : "",
        .account_id = msg->account_id,
        .arrival_ms = msg->arrival_ms,
        .destination = dest,
        .n_destination = msg->n_rcpts,
        .now_ms = now_ms,
        .recipient = out->address,
        .status = status,
        .response = out->reply,
        .reporting_mta = s->reporting_mta,
        .remote_ip = o->mx_ip,
        .expiration_ms = msg->arrival_ms + s->o.backoff.lifetime_ms,
        .expired = expired,
    };
    out->event_type = xstrdup(deliver_event_type(kind));
    out->event_json = deliver_event_json(&in);
    free(dest);
}

/* The DSN for the bounced recipients as a new queued message (NULL if none is wanted). */
static struct store_message *deliver_sched_dsn(struct deliver_sched *s,
                                               const struct store_message *msg,
                                               const struct dsn_write_rcpt *rcpts, size_t n,
                                               int64_t now_ms)
{
    struct store_message *dsn = store_message_new();
    if (!store_message_id_new(now_ms, dsn->id)) {
        LOG_ERROR(msg->id, "dsn-failed reason=\"no random bytes for a message id\"");
        store_message_free(dsn);
        return NULL;
    }
    char *message_id = xasprintf("%s@%s", dsn->id, s->reporting_mta);
    char *boundary = xasprintf("%s/%s", dsn->id, s->reporting_mta);
    struct dsn_write_input in = {
        .reporting_mta = s->reporting_mta,
        .to = msg->envelope_from,
        .message_id = message_id,
        .boundary = boundary,
        .envid = msg->dsn_envid,
        .arrival_ms = msg->arrival_ms,
        .now_ms = now_ms,
        .rcpts = rcpts,
        .n_rcpts = n,
        .original = (const char *)msg->body,
        .original_len = msg->body_len,
        .full = msg->dsn_ret == STORE_RET_FULL,
    };
    struct buf body = BUF_INIT;
    dsn_write(&in, &body);
    free(message_id);
    free(boundary);
    dsn->account_id = msg->account_id;
    dsn->identity = xstrdup(msg->identity ? msg->identity : "");
    dsn->envelope_from = xstrdup("");
    dsn->return_path = xstrdup("");
    dsn->arrival_ms = now_ms;
    dsn->body_len = body.len;
    dsn->body = (unsigned char *)buf_steal(&body);
    store_message_add_rcpt(dsn, msg->envelope_from, 0, NULL);
    LOG_INFO(msg->id, "dsn-queued dsn=%s to=<%s> recipients=%zu", dsn->id, msg->envelope_from, n);
    return dsn;
}

/* Fills one recipient's outcome; returns its verdict. */
static void deliver_sched_one(struct deliver_sched *s, const struct deliver_sched_job *job,
                              size_t i, const struct deliver_outcome *o, int64_t now_ms,
                              struct store_rcpt_outcome *out, struct deliver_backoff_verdict *v)
{
    const struct store_message *msg = job->m->msg;
    const struct store_recipient *r = &msg->rcpts[job->idx[i]];
    const struct smtp_client_result *res = &o->rcpts[i];
    out->rcpt_id = r->id;
    out->message_id = xstrdup(msg->id);
    out->account_id = msg->account_id;
    out->address = xstrdup(r->address);
    out->attempts = r->attempts + 1;
    deliver_backoff_decide(&s->o.backoff, res->status, out->attempts, msg->arrival_ms, now_ms, v);
    out->state = v->state;
    out->next_attempt_ms = v->next_attempt_ms;
    out->time_ms = now_ms;
    out->reply = xstrdup(res->text ? res->text : o->response ? o->response : "");
    out->mx_host = deliver_sched_dup(o->mx_host);
    out->mx_ip = deliver_sched_dup(o->mx_ip);
    const char *status = v->expired ? DELIVER_SCHED_EXPIRED_STATUS : res->enhanced;
    if (v->state == STORE_RCPT_DELIVERED)
        deliver_sched_event(s, job, out, DELIVER_EVENT_DELIVERY, o, status, false, now_ms);
    else if (v->state == STORE_RCPT_BOUNCED)
        deliver_sched_event(s, job, out, DELIVER_EVENT_BOUNCE, o, status, v->expired, now_ms);
    else if (r->state == STORE_RCPT_QUEUED) /* the first deferral */
        deliver_sched_event(s, job, out, DELIVER_EVENT_DELAY, o, status, false, now_ms);
    LOG_INFO(msg->id, "%s rcpt=<%s> attempt=%d status=%s mx=%s ip=%s reply=\"%.200s\"",
             store_rcpt_state_name(v->state), r->address, out->attempts, status,
             o->mx_host ? o->mx_host : "-", o->mx_ip ? o->mx_ip : "-", out->reply);
}

struct store_record *deliver_sched_outcome(struct deliver_sched *s,
                                           const struct deliver_sched_job *job,
                                           const struct deliver_outcome *o, int64_t now_ms)
{
    const struct store_message *msg = job->m->msg;
    struct store_record *rec = store_record_new();
    struct dsn_write_rcpt *dsn = xcalloc(job->n, sizeof(dsn[0]));
    size_t n_dsn = 0;
    for (size_t i = 0; i < job->n && i < o->n_rcpts; i++) {
        struct store_rcpt_outcome *out = store_record_add(rec);
        struct deliver_backoff_verdict v;
        deliver_sched_one(s, job, i, o, now_ms, out, &v);
        const struct store_recipient *r = &msg->rcpts[job->idx[i]];
        if (v.state == STORE_RCPT_DELIVERED)
            s->stats.delivered++;
        else if (v.state == STORE_RCPT_DEFERRED)
            s->stats.deferred++;
        else
            s->stats.bounced++;
        if (v.state == STORE_RCPT_BOUNCED && deliver_sched_wants_dsn(msg, r))
            dsn[n_dsn++] = (struct dsn_write_rcpt){
                r->address, r->orcpt,
                "failed",   v.expired ? DELIVER_SCHED_EXPIRED_STATUS : o->rcpts[i].enhanced,
                o->mx_host, rec->items[rec->n - 1].reply};
    }
    if (n_dsn > 0) {
        struct store_message *m = deliver_sched_dsn(s, msg, dsn, n_dsn, now_ms);
        if (m != NULL) {
            store_record_add_message(rec, m);
            s->stats.dsns++;
        }
    }
    free(dsn);
    return rec;
}
