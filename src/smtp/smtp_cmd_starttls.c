/*
 * STARTTLS, RFC 3207. After "220 2.0.0 Ready to start TLS" the session forgets everything it
 * learned in plaintext (4.2: EHLO, AUTH) and discards any bytes the client pipelined after the
 * command, which would otherwise be taken as if they came over TLS (the CVE-2011-0411 command
 * injection).
 */
#include <stdlib.h>

#include "log.h"
#include "smtp_session_impl.h"
#include "xalloc.h"

static void smtp_starttls_forget(struct smtp_session *s)
{
    smtp_session_reset_transaction(s);
    free(s->helo);
    s->helo = NULL;
    s->esmtp = false;
    free(s->account);
    s->account = NULL;
    s->account_id = 0;
    s->authenticated = false;
    if (s->trusted && s->lc->trusted_account != NULL)
        s->account = xstrdup(s->lc->trusted_account);
    smtp_session_set_state(s, SMTP_STATE_GREETED);
}

void smtp_cmd_starttls(struct smtp_session *s, struct smtp_command *cmd)
{
    if (s->tls) {
        smtp_session_reply(s, 503, "5.5.1", "Bad sequence of commands: TLS is already active");
        return;
    }
    if (s->server->config.tls_ctx == NULL) {
        smtp_session_reply(s, 502, "5.5.1", "STARTTLS is not available here");
        return;
    }
    if (s->state == SMTP_STATE_MAIL || s->state == SMTP_STATE_RCPT) {
        smtp_session_reply(s, 503, "5.5.1",
                           "Bad sequence of commands: STARTTLS is not allowed during a "
                           "transaction");
        return;
    }
    smtp_session_reply(s, 220, "2.0.0", "Ready to start TLS");
    s->transport.write(s->transport.ctx, s->out.data, s->out.len);
    buf_reset(&s->out);
    s->in_off = s->in.len; /* RFC 3207 / CVE-2011-0411: nothing pipelined survives */
    if (!s->transport.start_tls(s->transport.ctx)) {
        LOG_WARN(s->id, "starttls failed to start");
        smtp_session_close(s);
        return;
    }
    s->tls = true;
    smtp_starttls_forget(s);
    LOG_INFO(s->id, "starttls");
}
