/*
 * The session's run loop: frames command lines (RFC 5321 2.3.8: CRLF only; 4.5.3.1.4: at
 * most limits.command_line octets, AUTH lines RFC 4954 4: SMTP_AUTH_LINE_MAX), feeds DATA to
 * the body reader, delivers the role's answers, and dispatches one handler per command.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "smtp_session_impl.h"
#include "str.h"

typedef void smtp_cmd_fn(struct smtp_session *s, struct smtp_command *cmd);

static smtp_cmd_fn *const smtp_dispatch[] = {
    [SMTP_VERB_EHLO] = smtp_cmd_ehlo, [SMTP_VERB_HELO] = smtp_cmd_helo,
    [SMTP_VERB_MAIL] = smtp_cmd_mail, [SMTP_VERB_RCPT] = smtp_cmd_rcpt,
    [SMTP_VERB_DATA] = smtp_cmd_data, [SMTP_VERB_RSET] = smtp_cmd_rset,
    [SMTP_VERB_NOOP] = smtp_cmd_noop, [SMTP_VERB_QUIT] = smtp_cmd_quit,
    [SMTP_VERB_VRFY] = smtp_cmd_vrfy, [SMTP_VERB_EXPN] = smtp_cmd_expn,
    [SMTP_VERB_HELP] = smtp_cmd_help, [SMTP_VERB_STARTTLS] = smtp_cmd_starttls,
    [SMTP_VERB_AUTH] = smtp_cmd_auth,
};

static bool smtp_session_in_auth(const struct smtp_session *s)
{
    return s->state == SMTP_STATE_AUTH_PLAIN || s->state == SMTP_STATE_AUTH_USER ||
           s->state == SMTP_STATE_AUTH_PASS;
}

static size_t smtp_session_line_limit(const struct smtp_session *s, const char *p, size_t avail)
{
    if (smtp_session_in_auth(s))
        return SMTP_AUTH_LINE_MAX;
    if (avail >= 5 && str_equal_nocase_n(p, 5, "AUTH ", 5))
        return SMTP_AUTH_LINE_MAX;
    return s->server->config.limits.command_line;
}

/* Counts a command; past the limit the session ends (421 4.7.0). */
static bool smtp_session_count_command(struct smtp_session *s)
{
    if (++s->commands <= s->server->config.limits.commands)
        return true;
    smtp_session_reply(s, 421, "4.7.0", "Too many commands in one session, closing connection");
    smtp_session_close(s);
    return false;
}

static void smtp_session_line(struct smtp_session *s, const char *line, size_t len)
{
    if (smtp_session_in_auth(s)) {
        smtp_cmd_auth_line(s, line, len);
        return;
    }
    struct smtp_command cmd;
    struct smtp_reply error;
    if (!smtp_command_parse(line, len, &cmd, &error)) {
        smtp_session_reply_r(s, &error);
        return;
    }
    smtp_dispatch[cmd.verb](s, &cmd);
    smtp_command_clear(&cmd);
}

/* Takes the next complete line off the input. Returns false when more input is needed. */
static bool smtp_session_next_line(struct smtp_session *s)
{
    size_t avail = s->in.len - s->in_off;
    if (avail == 0)
        return false;
    const char *p = s->in.data + s->in_off;
    const char *lf = memchr(p, '\n', avail);
    if (s->discarding) {
        if (lf == NULL) {
            s->in_off = s->in.len;
            return false;
        }
        s->in_off += (size_t)(lf - p) + 1;
        s->discarding = false;
        if (smtp_session_count_command(s))
            smtp_session_reply(s, 500, "5.5.2", "Line too long");
        return true;
    }
    size_t limit = smtp_session_line_limit(s, p, avail);
    if (lf == NULL) {
        /* Even the shortest ending (LF) would make this line exceed the limit. */
        if (avail >= limit) {
            s->discarding = true;
            s->in_off = s->in.len;
        }
        return false;
    }
    size_t total = (size_t)(lf - p) + 1;
    s->in_off += total;
    if (!smtp_session_count_command(s))
        return false;
    if (total > limit) {
        smtp_session_reply(s, 500, "5.5.2", "Line too long");
    } else if (total < 2 || p[total - 2] != '\r') {
        smtp_session_reply(s, 500, "5.5.2",
                           "Syntax error: bare LF; lines must end with CRLF (RFC 5321 2.3.8)");
    } else if (memchr(p, '\r', total - 2) != NULL) {
        smtp_session_reply(s, 500, "5.5.2",
                           "Syntax error: bare CR; lines must end with CRLF (RFC 5321 2.3.8)");
    } else {
        smtp_session_line(s, p, total - 2);
    }
    return true;
}

static void smtp_session_deliver_answer(struct smtp_session *s)
{
    enum smtp_request_kind kind = s->request;
    s->request = SMTP_REQUEST_NONE;
    s->answer.ready = false;
    switch (kind) {
    case SMTP_REQUEST_AUTH:
        smtp_cmd_auth_answered(s);
        break;
    case SMTP_REQUEST_MAIL:
        smtp_cmd_mail_answered(s);
        break;
    case SMTP_REQUEST_RCPT:
        smtp_cmd_rcpt_answered(s);
        break;
    case SMTP_REQUEST_COMMIT:
        smtp_cmd_data_answered(s);
        break;
    case SMTP_REQUEST_NONE:
        break;
    }
    smtp_session_answer_clear(&s->answer);
}

static bool smtp_session_output_full(const struct smtp_session *s)
{
    return s->out.len + s->transport.output_pending(s->transport.ctx) >
           SMTP_SESSION_OUTPUT_HIGH_WATER;
}

static void smtp_session_after_run(struct smtp_session *s)
{
    if (s->in_off == s->in.len) {
        buf_reset(&s->in);
        s->in_off = 0;
    } else if (s->in_off > 4096) {
        memmove(s->in.data, s->in.data + s->in_off, s->in.len - s->in_off);
        s->in.len -= s->in_off;
        s->in.data[s->in.len] = '\0';
        s->in_off = 0;
    }
    if (s->state == SMTP_STATE_CLOSING)
        return;
    if (s->out.len > 0) {
        s->transport.write(s->transport.ctx, s->out.data, s->out.len);
        buf_reset(&s->out);
    }
    bool want_reading = s->in.len - s->in_off <= SMTP_SESSION_INPUT_HIGH_WATER;
    if (want_reading != s->reading) {
        s->reading = want_reading;
        s->transport.set_reading(s->transport.ctx, want_reading);
    }
    if (s->request == SMTP_REQUEST_NONE) {
        const struct smtp_limits *l = &s->server->config.limits;
        s->transport.set_timeout(
            s->transport.ctx, s->state == SMTP_STATE_DATA ? l->timeout_data : l->timeout_command);
    }
}

void smtp_session_run(struct smtp_session *s)
{
    if (s->in_run)
        return;
    s->in_run = true;
    while (s->state != SMTP_STATE_CLOSING) {
        if (s->answer.ready) {
            smtp_session_deliver_answer(s);
            continue;
        }
        if (s->request != SMTP_REQUEST_NONE || smtp_session_output_full(s))
            break;
        if (s->state == SMTP_STATE_DATA) {
            smtp_cmd_data_input(s);
            if (s->state == SMTP_STATE_DATA)
                break;
            continue;
        }
        if (!smtp_session_next_line(s))
            break;
    }
    smtp_session_after_run(s);
    s->in_run = false;
}
