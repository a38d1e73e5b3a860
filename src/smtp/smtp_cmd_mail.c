/*
 * MAIL FROM, RFC 5321 4.1.1.2: starts a transaction. Refused before EHLO/HELO and inside a
 * transaction (503 5.5.1), without AUTH on a listener that requires it (530 5.7.0, RFC 4954
 * 6), and when SIZE= exceeds the limit (552 5.3.4, RFC 1870 6). Otherwise the role decides.
 */
#include <string.h>

#include "log.h"
#include "smtp_session_impl.h"

static bool smtp_mail_allowed(struct smtp_session *s, const struct smtp_command *cmd)
{
    if (s->state == SMTP_STATE_GREETED) {
        smtp_session_reply(s, 503, "5.5.1", "Bad sequence of commands: send EHLO or HELO first");
        return false;
    }
    if (s->state != SMTP_STATE_READY) {
        smtp_session_reply(s, 503, "5.5.1", "Bad sequence of commands: nested MAIL command");
        return false;
    }
    if (s->lc->require_auth && s->account == NULL) {
        smtp_session_reply(s, 530, "5.7.0", "Authentication required");
        return false;
    }
    if (cmd->mail.has_size && cmd->mail.size > s->server->config.limits.message_size) {
        smtp_session_reply(s, 552, "5.3.4", "Message size exceeds fixed maximum message size");
        return false;
    }
    return true;
}

static void smtp_mail_accept(struct smtp_session *s)
{
    LOG_INFO(s->id, "mail from=<%s> size=%llu", s->env.mail_from,
             (unsigned long long)s->env.params.size);
    smtp_session_set_state(s, SMTP_STATE_MAIL);
    smtp_session_reply(s, 250, "2.1.0", "Sender ok");
}

void smtp_cmd_mail(struct smtp_session *s, struct smtp_command *cmd)
{
    if (!smtp_mail_allowed(s, cmd))
        return;
    s->env.mail_from = cmd->path;
    cmd->path = NULL;
    s->env.params = cmd->mail;
    memset(&cmd->mail, 0, sizeof(cmd->mail));
    const struct smtp_server_handler *h = &s->server->handler;
    if (h->mail == NULL) {
        smtp_mail_accept(s);
        return;
    }
    uint64_t id = smtp_session_request(s, SMTP_REQUEST_MAIL);
    struct smtp_session_info info;
    smtp_session_info(s, &info);
    h->mail(h->ctx, id, &info, s->env.mail_from, &s->env.params);
}

void smtp_cmd_mail_answered(struct smtp_session *s)
{
    switch (s->answer.verdict) {
    case SMTP_VERDICT_ACCEPT:
        smtp_mail_accept(s);
        return;
    case SMTP_VERDICT_TEMPFAIL:
        smtp_session_reply_answer(s, 451, "4.3.0", "Temporary failure, try again later");
        break;
    case SMTP_VERDICT_PERMFAIL:
        smtp_session_reply_answer(s, 550, "5.7.1", "Sender refused");
        break;
    }
    smtp_session_reset_transaction(s);
}
