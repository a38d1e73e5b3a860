/*
 * AUTH, RFC 4954, mechanisms PLAIN (RFC 4616) and LOGIN. Offered only when the role
 * authenticates and the session is encrypted, unless the listener allows plaintext AUTH; an
 * AUTH before TLS gets 538 5.7.11 (RFC 4954 6). Not inside a transaction and not twice
 * (503 5.5.1, RFC 4954 4). "*" cancels (501, RFC 4954 4). Bad base64 gets 501 5.5.2, a bad
 * password 535 5.7.8 (RFC 4954 6). Credentials are wiped once the role has answered and are
 * never logged.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "smtp_session_impl.h"
#include "xalloc.h"

static void smtp_auth_fail(struct smtp_session *s, int code, const char *enhanced, const char *text)
{
    smtp_auth_credentials_clear(&s->creds);
    smtp_session_set_state(s, SMTP_STATE_READY);
    smtp_session_reply(s, code, enhanced, text);
}

static void smtp_auth_submit(struct smtp_session *s)
{
    smtp_session_set_state(s, SMTP_STATE_READY);
    /* We do not let one identity act as another (RFC 4616 2 authzid). */
    if (s->creds.authzid[0] != '\0' && strcmp(s->creds.authzid, s->creds.username) != 0) {
        smtp_auth_fail(s, 535, "5.7.8",
                       "Authentication credentials invalid: authorization identity refused");
        return;
    }
    const struct smtp_server_handler *h = &s->server->handler;
    uint64_t id = smtp_session_request(s, SMTP_REQUEST_AUTH);
    struct smtp_session_info info;
    smtp_session_info(s, &info);
    h->auth(h->ctx, id, &info, &s->creds);
}

static void smtp_auth_prompt(struct smtp_session *s, enum smtp_session_state next,
                             const char *challenge)
{
    buf_printf(&s->out, "334 %s\r\n", challenge);
    smtp_session_set_state(s, next);
}

static bool smtp_auth_allowed(struct smtp_session *s)
{
    if (!smtp_session_auth_offered(s)) {
        if (s->server->handler.auth != NULL && !s->tls)
            smtp_session_reply(s, 538, "5.7.11",
                               "Encryption required for requested authentication mechanism: "
                               "issue STARTTLS first");
        else
            smtp_session_reply(s, 502, "5.5.1", "AUTH is not available here");
        return false;
    }
    if (s->state == SMTP_STATE_GREETED) {
        smtp_session_reply(s, 503, "5.5.1", "Bad sequence of commands: send EHLO first");
        return false;
    }
    if (s->authenticated) {
        smtp_session_reply(s, 503, "5.5.1", "Bad sequence of commands: already authenticated");
        return false;
    }
    if (s->state != SMTP_STATE_READY) {
        smtp_session_reply(s, 503, "5.5.1",
                           "Bad sequence of commands: AUTH is not allowed during a transaction");
        return false;
    }
    return true;
}

static void smtp_auth_login_username(struct smtp_session *s, const char *b64, size_t len)
{
    char *user;
    if (!smtp_auth_login_decode(b64, len, &user)) {
        smtp_auth_fail(s, 501, "5.5.2", "Cannot decode the AUTH response (base64 expected)");
        return;
    }
    s->creds.authzid = xstrdup("");
    s->creds.username = user;
    smtp_auth_prompt(s, SMTP_STATE_AUTH_PASS, SMTP_AUTH_LOGIN_PASSWORD_PROMPT);
}

static void smtp_auth_plain_response(struct smtp_session *s, const char *b64, size_t len)
{
    if (!smtp_auth_plain_decode(b64, len, &s->creds)) {
        smtp_auth_fail(s, 501, "5.5.2", "Cannot decode the AUTH PLAIN response");
        return;
    }
    smtp_auth_submit(s);
}

void smtp_cmd_auth(struct smtp_session *s, struct smtp_command *cmd)
{
    if (!smtp_auth_allowed(s))
        return;
    const char *ir = cmd->arg2;
    if (strcmp(cmd->arg, "PLAIN") == 0) {
        if (ir != NULL)
            smtp_auth_plain_response(s, ir, strlen(ir));
        else
            smtp_auth_prompt(s, SMTP_STATE_AUTH_PLAIN, "");
    } else if (strcmp(cmd->arg, "LOGIN") == 0) {
        if (ir != NULL)
            smtp_auth_login_username(s, ir, strlen(ir));
        else
            smtp_auth_prompt(s, SMTP_STATE_AUTH_USER, SMTP_AUTH_LOGIN_USERNAME_PROMPT);
    } else {
        smtp_session_reply(s, 504, "5.5.4", "Unrecognized authentication type");
    }
}

void smtp_cmd_auth_line(struct smtp_session *s, const char *line, size_t len)
{
    if (len == 1 && line[0] == '*') {
        smtp_auth_fail(s, 501, "5.7.0", "Authentication cancelled");
        return;
    }
    switch (s->state) {
    case SMTP_STATE_AUTH_PLAIN:
        smtp_auth_plain_response(s, line, len);
        break;
    case SMTP_STATE_AUTH_USER:
        smtp_auth_login_username(s, line, len);
        break;
    case SMTP_STATE_AUTH_PASS:
        if (!smtp_auth_login_decode(line, len, &s->creds.password)) {
            smtp_auth_fail(s, 501, "5.5.2", "Cannot decode the AUTH response (base64 expected)");
            return;
        }
        smtp_auth_submit(s);
        break;
    default:
        break;
    }
}

void smtp_cmd_auth_answered(struct smtp_session *s)
{
    const struct smtp_session_answer *a = &s->answer;
    if (a->verdict == SMTP_VERDICT_ACCEPT) {
        free(s->account);
        s->account = xstrdup(a->account ? a->account : s->creds.username);
        s->account_id = a->account_id;
        s->authenticated = true;
        LOG_INFO(s->id, "auth ok user=%s account=%s", s->creds.username, s->account);
        smtp_session_reply(s, 235, "2.7.0", "Authentication successful");
    } else {
        LOG_INFO(s->id, "auth failed user=%s", s->creds.username);
        if (a->verdict == SMTP_VERDICT_TEMPFAIL)
            smtp_session_reply_answer(s, 454, "4.7.0", "Temporary authentication failure");
        else
            smtp_session_reply_answer(s, 535, "5.7.8", "Authentication credentials invalid");
    }
    smtp_auth_credentials_clear(&s->creds);
}
