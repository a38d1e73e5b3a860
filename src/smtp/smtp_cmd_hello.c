/*
 * EHLO and HELO, RFC 5321 4.1.1.1. Both reset any transaction (4.1.4). The EHLO reply lists
 * the extensions this engine implements; per RFC 2034 3 it carries no enhanced status codes.
 * STARTTLS is offered only when TLS is configured and not active; AUTH only when the role
 * authenticates and the session is encrypted or the listener allows plaintext AUTH.
 */
#include <stdlib.h>

#include "smtp_session_impl.h"
#include "xalloc.h"

bool smtp_session_auth_offered(const struct smtp_session *s)
{
    return s->server->handler.auth != NULL && (s->tls || s->lc->auth_plaintext);
}

static void smtp_hello_common(struct smtp_session *s, struct smtp_command *cmd, bool esmtp)
{
    smtp_session_reset_transaction(s);
    free(s->helo);
    s->helo = cmd->arg;
    cmd->arg = NULL;
    s->esmtp = esmtp;
    smtp_session_set_state(s, SMTP_STATE_READY);
}

void smtp_cmd_ehlo(struct smtp_session *s, struct smtp_command *cmd)
{
    smtp_hello_common(s, cmd, true);
    const struct smtp_server_config *c = &s->server->config;
    buf_printf(&s->out, "250-%s\r\n", c->hostname);
    buf_append_str(&s->out, "250-PIPELINING\r\n");
    buf_printf(&s->out, "250-SIZE %llu\r\n", (unsigned long long)c->limits.message_size);
    buf_append_str(&s->out, "250-8BITMIME\r\n");
    buf_append_str(&s->out, "250-ENHANCEDSTATUSCODES\r\n");
    if (c->tls_ctx != NULL && !s->tls)
        buf_append_str(&s->out, "250-STARTTLS\r\n");
    if (smtp_session_auth_offered(s))
        buf_append_str(&s->out, "250-AUTH PLAIN LOGIN\r\n");
    buf_append_str(&s->out, "250-DSN\r\n");
    buf_append_str(&s->out, "250 SMTPUTF8\r\n");
}

void smtp_cmd_helo(struct smtp_session *s, struct smtp_command *cmd)
{
    smtp_hello_common(s, cmd, false);
    smtp_session_reply(s, 250, NULL, s->server->config.hostname);
}
