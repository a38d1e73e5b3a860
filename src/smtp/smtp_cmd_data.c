/*
 * DATA, RFC 5321 4.1.1.4: 354, then the body until CRLF.CRLF (smtp_data.c), then either a
 * refusal decided here or a commit request to the role. "250" is sent only when the role
 * answers the commit with SMTP_VERDICT_ACCEPT (DESIGN.md: durably committed).
 *
 * Refusals after the final dot, most fundamental first:
 *   552 5.3.4  more than limits.message_size octets (RFC 1870, RFC 3463 X.3.4)
 *   550 5.6.0  a bare LF or bare CR (RFC 5321 2.3.8; smuggling-prone input is not guessed at)
 *   500 5.5.2  a line longer than limits.text_line octets (RFC 5321 4.5.3.1.6)
 *
 * A Received: header (RFC 5321 4.4, protocol names RFC 3848 / RFC 6531 3.7.3) is put before
 * the body; the body itself is kept byte-exact.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "smtp_session_impl.h"

static const char *smtp_data_protocol(const struct smtp_session *s)
{
    /* RFC 3848 2 / RFC 6531 3.7.3: [UTF8]SMTP / ESMTP + S (TLS) + A (AUTH). */
    static const char *const names[2][2][2] = {
        {{"ESMTP", "ESMTPA"}, {"ESMTPS", "ESMTPSA"}},
        {{"UTF8SMTP", "UTF8SMTPA"}, {"UTF8SMTPS", "UTF8SMTPSA"}},
    };
    if (!s->esmtp)
        return "SMTP";
    return names[s->env.params.smtputf8][s->tls][s->authenticated];
}

static void smtp_data_received(struct smtp_session *s)
{
    char date[64];
    time_t now = (time_t)clock_now(&s->server->config.clock);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    buf_printf(&s->body, "Received: from %s ([%s])\r\n\tby %s (rebound) with %s id %s;\r\n\t%s\r\n",
               s->helo, s->client_ip, s->server->config.hostname, smtp_data_protocol(s), s->id,
               date);
}

void smtp_cmd_data(struct smtp_session *s, struct smtp_command *cmd)
{
    if (s->state == SMTP_STATE_MAIL) {
        smtp_session_reply(s, 554, "5.5.1", "No valid recipients");
        return;
    }
    if (s->state != SMTP_STATE_RCPT) {
        smtp_session_reply(s, 503, "5.5.1",
                           "Bad sequence of commands: need MAIL and RCPT before DATA");
        return;
    }
    const struct smtp_limits *l = &s->server->config.limits;
    buf_reset(&s->body);
    smtp_data_received(s);
    smtp_data_reader_init(&s->data, &s->body, l->text_line, l->message_size);
    smtp_session_set_state(s, SMTP_STATE_DATA);
    smtp_session_reply(s, 354, NULL, "End data with <CR><LF>.<CR><LF>");
}

/* Returns true if the message was refused here. */
static bool smtp_data_refused(struct smtp_session *s)
{
    unsigned f = s->data.flags;
    if (f & SMTP_DATA_TOO_BIG)
        smtp_session_reply(s, 552, "5.3.4", "Message size exceeds fixed maximum message size");
    else if (f & SMTP_DATA_BARE_LF)
        smtp_session_reply(s, 550, "5.6.0",
                           "Message refused: bare LF in message; lines must end with CRLF "
                           "(RFC 5321 2.3.8)");
    else if (f & SMTP_DATA_BARE_CR)
        smtp_session_reply(s, 550, "5.6.0",
                           "Message refused: bare CR in message; lines must end with CRLF "
                           "(RFC 5321 2.3.8)");
    else if (f & SMTP_DATA_LINE_TOO_LONG)
        smtp_session_reply(s, 500, "5.5.2",
                           "Line too long: message lines are limited to 1000 octets including "
                           "CRLF (RFC 5321 4.5.3.1.6)");
    else
        return false;
    LOG_INFO(s->id, "refused size=%llu flags=%u", (unsigned long long)s->data.size, f);
    return true;
}

static void smtp_data_commit(struct smtp_session *s)
{
    const struct smtp_server_handler *h = &s->server->handler;
    uint64_t id = smtp_session_request(s, SMTP_REQUEST_COMMIT);
    struct smtp_session_info info;
    smtp_session_info(s, &info);
    struct smtp_message msg = {&s->env, s->body.data, s->body.len};
    h->commit(h->ctx, id, &info, &msg);
}

void smtp_cmd_data_input(struct smtp_session *s)
{
    if (s->in.len == s->in_off)
        return;
    size_t n = smtp_data_feed(&s->data, s->in.data + s->in_off, s->in.len - s->in_off);
    s->in_off += n;
    if (!smtp_data_is_done(&s->data))
        return;
    smtp_session_set_state(s, SMTP_STATE_READY);
    if (smtp_data_refused(s)) {
        smtp_session_reset_transaction(s);
        return;
    }
    smtp_data_commit(s);
}

void smtp_cmd_data_answered(struct smtp_session *s)
{
    const struct smtp_session_answer *a = &s->answer;
    switch (a->verdict) {
    case SMTP_VERDICT_ACCEPT:
        LOG_INFO(s->id, "committed id=%s size=%zu rcpts=%zu", a->message_id ? a->message_id : "-",
                 s->body.len, s->env.n_rcpts);
        if (a->message_id != NULL) {
            struct buf text = BUF_INIT;
            buf_printf(&text, "Ok %s", a->message_id);
            smtp_session_reply(s, 250, "2.0.0", buf_cstr(&text));
            buf_free(&text);
        } else {
            smtp_session_reply(s, 250, "2.0.0", "Ok");
        }
        break;
    case SMTP_VERDICT_TEMPFAIL:
        smtp_session_reply_answer(s, 451, "4.3.0",
                                  "Temporary failure: message not accepted, try again later");
        break;
    case SMTP_VERDICT_PERMFAIL:
        smtp_session_reply_answer(s, 554, "5.6.0", "Message rejected");
        break;
    }
    smtp_session_reset_transaction(s);
}
