/*
 * The session state machine: input framing (command lines, AUTH lines, DATA), dispatch to one
 * handler per command, the request/answer cycle with the role, and the limits that protect the
 * process (line length, commands per session, buffered input and output).
 *
 * Why a run loop: with PIPELINING a client may send many commands at once, and any of them
 * may have to wait for the role. smtp_session_run() processes buffered input in order until it
 * must wait (request outstanding, output backed up, or no complete line), so replies always
 * come out in command order.
 *
 * Why we refuse bare LF in command lines: RFC 5321 2.3.8 allows CRLF only, and accepting other
 * line ends in one place but not another is exactly what SMTP smuggling exploits.
 */
#include "smtp_session.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "smtp_session_impl.h"
#include "str.h"
#include "xalloc.h"

void smtp_session_reply(struct smtp_session *s, int code, const char *enhanced, const char *text)
{
    smtp_reply_format(&s->out, code, enhanced, text);
    if (code >= 400)
        LOG_INFO(s->id, "reply code=%d status=%s", code, enhanced ? enhanced : "-");
}

void smtp_session_reply_r(struct smtp_session *s, const struct smtp_reply *r)
{
    smtp_session_reply(s, r->code, r->enhanced, r->text);
}

static const char *smtp_state_name(enum smtp_session_state st)
{
    static const char *const names[] = {"greeted",    "ready",     "mail",      "rcpt",   "data",
                                        "auth-plain", "auth-user", "auth-pass", "closing"};
    return names[st];
}

void smtp_session_set_state(struct smtp_session *s, enum smtp_session_state state)
{
    LOG_DEBUG(s->id, "state from=%s to=%s", smtp_state_name(s->state), smtp_state_name(state));
    s->state = state;
}

void smtp_session_close(struct smtp_session *s)
{
    if (s->state == SMTP_STATE_CLOSING)
        return;
    smtp_session_set_state(s, SMTP_STATE_CLOSING);
    if (s->out.len > 0) {
        s->transport.write(s->transport.ctx, s->out.data, s->out.len);
        buf_reset(&s->out);
    }
    s->transport.close(s->transport.ctx);
}

void smtp_session_info(const struct smtp_session *s, struct smtp_session_info *info_r)
{
    info_r->id = s->id;
    info_r->listener = s->lc->name;
    info_r->client_ip = s->client_ip;
    info_r->helo = s->helo;
    info_r->tls = s->tls;
    info_r->account = s->account;
    info_r->account_id = s->account_id;
    info_r->authenticated = s->authenticated;
}

uint64_t smtp_session_request(struct smtp_session *s, enum smtp_request_kind kind)
{
    struct smtp_server *srv = s->server;
    s->request = kind;
    s->request_id = ++srv->next_request_id;
    idtab_put(&srv->requests, s->request_id, s);
    /* The client is not at fault while the role thinks: no idle timeout meanwhile. */
    s->transport.set_timeout(s->transport.ctx, 0);
    return s->request_id;
}

void smtp_session_answer_clear(struct smtp_session_answer *a)
{
    free(a->enhanced);
    free(a->text);
    free(a->account);
    free(a->message_id);
    memset(a, 0, sizeof(*a));
}

void smtp_session_reply_answer(struct smtp_session *s, int def_code, const char *def_enhanced,
                               const char *def_text)
{
    const struct smtp_session_answer *a = &s->answer;
    int code = a->code ? a->code : def_code;
    const char *enhanced = a->enhanced ? a->enhanced : def_enhanced;
    if (a->code && a->enhanced == NULL)
        enhanced = code / 100 == def_code / 100 ? def_enhanced : (code >= 500 ? "5.0.0" : "4.0.0");
    smtp_session_reply(s, code, enhanced, a->text ? a->text : def_text);
}

void smtp_session_reset_transaction(struct smtp_session *s)
{
    free(s->env.mail_from);
    smtp_mail_params_clear(&s->env.params);
    for (size_t i = 0; i < s->env.n_rcpts; i++) {
        free(s->env.rcpts[i].address);
        smtp_rcpt_params_clear(&s->env.rcpts[i].params);
    }
    free(s->env.rcpts);
    memset(&s->env, 0, sizeof(s->env));
    free(s->pending_rcpt);
    s->pending_rcpt = NULL;
    smtp_rcpt_params_clear(&s->pending_rcpt_params);
    buf_free(&s->body);
}

struct smtp_session *smtp_session_new(struct smtp_server *server,
                                      const struct smtp_listener_config *lc,
                                      const struct smtp_transport *transport, const char *client_ip,
                                      bool trusted, bool tls_active)
{
    struct smtp_session *s = xcalloc(1, sizeof(*s));
    s->server = server;
    s->lc = lc;
    s->transport = *transport;
    s->client_ip = xstrdup(client_ip);
    s->trusted = trusted;
    s->tls = tls_active;
    s->reading = true;
    s->id = xasprintf("S%llx-%llu", (unsigned long long)(server->started_ms / 1000),
                      (unsigned long long)++server->next_session_number);
    if (trusted && lc->trusted_account != NULL)
        s->account = xstrdup(lc->trusted_account);
    s->next = server->sessions;
    if (s->next)
        s->next->prev = s;
    server->sessions = s;
    server->n_sessions++;
    LOG_INFO(s->id, "connect listener=%s client=%s tls=%s trusted=%s", lc->name, client_ip,
             tls_active ? "yes" : "no", trusted ? "yes" : "no");
    return s;
}

void smtp_session_start(struct smtp_session *s)
{
    buf_printf(&s->out, "220 %s ESMTP rebound\r\n", s->server->config.hostname);
    s->transport.set_timeout(s->transport.ctx, s->server->config.limits.timeout_command);
    smtp_session_run(s);
}

const char *smtp_session_id(const struct smtp_session *s)
{
    return s->id;
}

bool smtp_session_is_closing(const struct smtp_session *s)
{
    return s->state == SMTP_STATE_CLOSING;
}

void smtp_session_free(struct smtp_session *s)
{
    if (s == NULL)
        return;
    struct smtp_server *srv = s->server;
    if (s->request != SMTP_REQUEST_NONE) {
        idtab_remove(&srv->requests, s->request_id);
        if (srv->handler.cancel != NULL)
            srv->handler.cancel(srv->handler.ctx, s->request_id);
    }
    if (s->prev)
        s->prev->next = s->next;
    else
        srv->sessions = s->next;
    if (s->next)
        s->next->prev = s->prev;
    srv->n_sessions--;
    LOG_INFO(s->id, "disconnect commands=%u", s->commands);
    smtp_session_reset_transaction(s);
    smtp_session_answer_clear(&s->answer);
    smtp_auth_credentials_clear(&s->creds);
    buf_free(&s->in);
    buf_free(&s->out);
    free(s->id);
    free(s->client_ip);
    free(s->helo);
    free(s->account);
    free(s);
}

void smtp_session_input(struct smtp_session *s, const char *data, size_t len)
{
    if (s->state == SMTP_STATE_CLOSING)
        return;
    buf_append(&s->in, data, len);
    smtp_session_run(s);
}

void smtp_session_timeout(struct smtp_session *s)
{
    if (s->state == SMTP_STATE_CLOSING)
        return;
    LOG_INFO(s->id, "timeout state=%s", smtp_state_name(s->state));
    smtp_session_reply(s, 421, "4.4.2",
                       s->state == SMTP_STATE_DATA
                           ? "Timeout exceeded: no message data received in time, closing "
                             "connection"
                           : "Timeout exceeded: no command received in time, closing connection");
    smtp_session_close(s);
}
