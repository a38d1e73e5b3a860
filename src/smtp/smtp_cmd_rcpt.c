/*
 * RCPT TO, RFC 5321 4.1.1.3. Needs MAIL first (503 5.5.1). A non-ASCII address needs the
 * transaction's SMTPUTF8 (RFC 6531 3.4: 553 5.6.7). Past limits.recipients the reply is
 * 452 4.5.3 (RFC 5321 4.5.3.1.10: temporary, the client sends the rest later). Otherwise the
 * role decides.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "smtp_session_impl.h"
#include "xalloc.h"

static bool smtp_rcpt_allowed(struct smtp_session *s, const struct smtp_command *cmd)
{
    if (s->state != SMTP_STATE_MAIL && s->state != SMTP_STATE_RCPT) {
        smtp_session_reply(s, 503, "5.5.1", "Bad sequence of commands: need MAIL before RCPT");
        return false;
    }
    if (cmd->path_is_utf8 && !s->env.params.smtputf8) {
        smtp_session_reply(s, 553, "5.6.7",
                           "The recipient address is not ASCII: use MAIL FROM with SMTPUTF8");
        return false;
    }
    if (s->env.n_rcpts >= s->server->config.limits.recipients) {
        smtp_session_reply(s, 452, "4.5.3", "Too many recipients");
        return false;
    }
    return true;
}

static void smtp_rcpt_accept(struct smtp_session *s)
{
    s->env.rcpts = xreallocarray(s->env.rcpts, s->env.n_rcpts + 1, sizeof(*s->env.rcpts));
    struct smtp_rcpt *r = &s->env.rcpts[s->env.n_rcpts++];
    r->address = s->pending_rcpt;
    r->params = s->pending_rcpt_params;
    s->pending_rcpt = NULL;
    memset(&s->pending_rcpt_params, 0, sizeof(s->pending_rcpt_params));
    LOG_INFO(s->id, "rcpt to=<%s>", r->address);
    smtp_session_set_state(s, SMTP_STATE_RCPT);
    smtp_session_reply(s, 250, "2.1.5", "Recipient ok");
}

void smtp_cmd_rcpt(struct smtp_session *s, struct smtp_command *cmd)
{
    if (!smtp_rcpt_allowed(s, cmd))
        return;
    s->pending_rcpt = cmd->path;
    cmd->path = NULL;
    s->pending_rcpt_params = cmd->rcpt;
    memset(&cmd->rcpt, 0, sizeof(cmd->rcpt));
    const struct smtp_server_handler *h = &s->server->handler;
    if (h->rcpt == NULL) {
        smtp_rcpt_accept(s);
        return;
    }
    uint64_t id = smtp_session_request(s, SMTP_REQUEST_RCPT);
    struct smtp_session_info info;
    smtp_session_info(s, &info);
    h->rcpt(h->ctx, id, &info, &s->env, s->pending_rcpt, &s->pending_rcpt_params);
}

void smtp_cmd_rcpt_answered(struct smtp_session *s)
{
    switch (s->answer.verdict) {
    case SMTP_VERDICT_ACCEPT:
        smtp_rcpt_accept(s);
        return;
    case SMTP_VERDICT_TEMPFAIL:
        smtp_session_reply_answer(s, 451, "4.3.0", "Temporary failure, try again later");
        break;
    case SMTP_VERDICT_PERMFAIL:
        smtp_session_reply_answer(s, 550, "5.1.1", "Recipient refused");
        break;
    }
    free(s->pending_rcpt);
    s->pending_rcpt = NULL;
    smtp_rcpt_params_clear(&s->pending_rcpt_params);
}
