/*
 * Command lines, RFC 5321 4.1.1 (with RFC 3207, RFC 4954):
 *
 *   ehlo      = "EHLO" SP ( Domain / address-literal ) CRLF
 *   helo      = "HELO" SP Domain CRLF
 *   mail      = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF
 *   rcpt      = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path )
 *               [SP Rcpt-parameters] CRLF
 *   data      = "DATA" CRLF
 *   rset      = "RSET" CRLF
 *   vrfy      = "VRFY" SP String CRLF
 *   expn      = "EXPN" SP String CRLF
 *   help      = "HELP" [ SP String ] CRLF
 *   noop      = "NOOP" [ SP String ] CRLF
 *   quit      = "QUIT" CRLF
 *   starttls  = "STARTTLS" CRLF                                        (RFC 3207 4)
 *   auth      = "AUTH" SP sasl-mech [SP initial-response] CRLF         (RFC 4954 4)
 *   sasl-mech = 1*20mech-char; mech-char = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE
 *   initial-response = base64 / "="
 *
 * Verbs are case-insensitive (4.1.1). As most servers do, one optional SP is tolerated after
 * "MAIL FROM:" / "RCPT TO:" (clients in the wild send it). A line holding NUL or other control
 * characters is refused: the session hands us lines that already passed the CR/LF checks.
 */
#include "smtp_command.h"

#include <stdlib.h>
#include <string.h>

#include "str.h"
#include "xalloc.h"

/* RFC 4954 4: sasl-mech is at most 20 characters. */
#define SMTP_SASL_MECH_MAX 20

struct smtp_verb_entry {
    const char *name;
    enum smtp_verb verb;
};

static const struct smtp_verb_entry smtp_verbs[] = {
    {"EHLO", SMTP_VERB_EHLO}, {"HELO", SMTP_VERB_HELO}, {"MAIL", SMTP_VERB_MAIL},
    {"RCPT", SMTP_VERB_RCPT}, {"DATA", SMTP_VERB_DATA}, {"RSET", SMTP_VERB_RSET},
    {"NOOP", SMTP_VERB_NOOP}, {"QUIT", SMTP_VERB_QUIT}, {"VRFY", SMTP_VERB_VRFY},
    {"EXPN", SMTP_VERB_EXPN}, {"HELP", SMTP_VERB_HELP}, {"STARTTLS", SMTP_VERB_STARTTLS},
    {"AUTH", SMTP_VERB_AUTH},
};

const char *smtp_verb_name(enum smtp_verb verb)
{
    for (size_t i = 0; i < sizeof(smtp_verbs) / sizeof(smtp_verbs[0]); i++) {
        if (smtp_verbs[i].verb == verb)
            return smtp_verbs[i].name;
    }
    return "UNKNOWN";
}

static void smtp_set_error(struct smtp_reply *e, int code, const char *enhanced, const char *text)
{
    e->code = code;
    e->enhanced = enhanced;
    e->text = text;
}

/* Commands that take no argument at all. */
static bool smtp_parse_bare(const char *args, size_t len, struct smtp_reply *e)
{
    if (len == 0)
        return true;
    smtp_set_error(e, 501, "5.5.4", "Syntax error: this command takes no argument");
    return false;
}

static bool smtp_parse_hello(const char *args, size_t len, struct smtp_command *cmd,
                             struct smtp_reply *e)
{
    /* Liberal like every deployed server: any printable word; many clients send a bare
     * hostname or a malformed literal, and refusing them gains nothing. */
    if (len == 0 || len > SMTP_DOMAIN_MAX || memchr(args, ' ', len) != NULL) {
        smtp_set_error(e, 501, "5.5.4", "Syntax error: EHLO/HELO needs one domain name");
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)args[i] >= 0x80) {
            smtp_set_error(e, 501, "5.5.4", "Syntax error: the EHLO/HELO domain must be ASCII");
            return false;
        }
    }
    cmd->arg = xstrndup(args, len);
    return true;
}

static bool smtp_parse_optional(const char *args, size_t len, struct smtp_command *cmd,
                                struct smtp_reply *e)
{
    if (len > 0)
        cmd->arg = xstrndup(args, len);
    return true;
}

/* Finds the end of the <path> that starts args (quoted strings may hold '>' and ' '). */
static size_t smtp_path_end(const char *s, size_t len)
{
    bool quoted = false;
    for (size_t i = 0; i < len; i++) {
        if (quoted && s[i] == '\\') {
            i++;
        } else if (s[i] == '"') {
            quoted = !quoted;
        } else if (!quoted && s[i] == '>') {
            return i + 1;
        }
    }
    return len;
}

static bool smtp_parse_path_arg(const char *args, size_t len, const char *prefix,
                                struct smtp_command *cmd, size_t *rest_r, struct smtp_reply *e)
{
    size_t plen = strlen(prefix);
    bool is_mail = cmd->verb == SMTP_VERB_MAIL;
    if (len < plen || !str_equal_nocase_n(args, plen, prefix, plen)) {
        smtp_set_error(e, 501, "5.5.4",
                       is_mail ? "Syntax error: use MAIL FROM:<address>"
                               : "Syntax error: use RCPT TO:<address>");
        return false;
    }
    args += plen;
    len -= plen;
    size_t skipped = (len > 0 && args[0] == ' ') ? 1 : 0;
    args += skipped;
    len -= skipped;
    size_t end = smtp_path_end(args, len);
    const char *why = NULL;
    if (!is_mail && str_equal_nocase_n(args, end, "<Postmaster>", 12)) {
        cmd->path = xstrdup("Postmaster");
    } else if (!smtp_path_parse(args, end, is_mail, &cmd->path, &cmd->path_is_utf8, &why)) {
        smtp_set_error(e, 501, is_mail ? "5.1.7" : "5.1.3",
                       is_mail ? "Bad sender address syntax" : "Bad recipient address syntax");
        return false;
    }
    if (end < len && args[end] != ' ') {
        smtp_set_error(e, 501, "5.5.4", "Syntax error: expected a space after the address");
        return false;
    }
    *rest_r = plen + skipped + end;
    return true;
}

static bool smtp_parse_mail(const char *args, size_t len, struct smtp_command *cmd,
                            struct smtp_reply *e)
{
    size_t rest;
    if (!smtp_parse_path_arg(args, len, "FROM:", cmd, &rest, e))
        return false;
    if (!smtp_mail_params_parse(args + rest, len - rest, &cmd->mail, e))
        return false;
    /* RFC 6531 3.4: a non-ASCII address without SMTPUTF8 is refused with 553 5.6.7. */
    if (cmd->path_is_utf8 && !cmd->mail.smtputf8) {
        smtp_set_error(e, 553, "5.6.7",
                       "The sender address is not ASCII: use the SMTPUTF8 parameter");
        return false;
    }
    return true;
}

static bool smtp_parse_rcpt(const char *args, size_t len, struct smtp_command *cmd,
                            struct smtp_reply *e)
{
    size_t rest;
    if (!smtp_parse_path_arg(args, len, "TO:", cmd, &rest, e))
        return false;
    return smtp_rcpt_params_parse(args + rest, len - rest, &cmd->rcpt, e);
}

static bool smtp_parse_auth(const char *args, size_t len, struct smtp_command *cmd,
                            struct smtp_reply *e)
{
    const char *sp = memchr(args, ' ', len);
    size_t mech_len = sp ? (size_t)(sp - args) : len;
    if (mech_len == 0 || mech_len > SMTP_SASL_MECH_MAX) {
        smtp_set_error(e, 501, "5.5.4", "Syntax error: use AUTH mechanism [initial-response]");
        return false;
    }
    for (size_t i = 0; i < mech_len; i++) {
        char c = str_ascii_upper(args[i]);
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
            smtp_set_error(e, 501, "5.5.4", "Syntax error in the SASL mechanism name");
            return false;
        }
    }
    cmd->arg = xstrndup(args, mech_len);
    for (char *p = cmd->arg; *p; p++)
        *p = str_ascii_upper(*p);
    if (sp != NULL) {
        size_t ir_len = len - mech_len - 1;
        if (ir_len == 0 || memchr(sp + 1, ' ', ir_len) != NULL) {
            smtp_set_error(e, 501, "5.5.2", "Syntax error in the initial response");
            return false;
        }
        cmd->arg2 = xstrndup(sp + 1, ir_len);
    }
    return true;
}

static bool smtp_parse_args(const char *args, size_t len, struct smtp_command *cmd,
                            struct smtp_reply *e)
{
    switch (cmd->verb) {
    case SMTP_VERB_EHLO:
    case SMTP_VERB_HELO:
        return smtp_parse_hello(args, len, cmd, e);
    case SMTP_VERB_MAIL:
        return smtp_parse_mail(args, len, cmd, e);
    case SMTP_VERB_RCPT:
        return smtp_parse_rcpt(args, len, cmd, e);
    case SMTP_VERB_AUTH:
        return smtp_parse_auth(args, len, cmd, e);
    case SMTP_VERB_VRFY:
    case SMTP_VERB_EXPN:
        if (len == 0) {
            smtp_set_error(e, 501, "5.5.4", "Syntax error: this command needs an argument");
            return false;
        }
        return smtp_parse_optional(args, len, cmd, e);
    case SMTP_VERB_HELP:
    case SMTP_VERB_NOOP:
        return smtp_parse_optional(args, len, cmd, e);
    default:
        return smtp_parse_bare(args, len, e);
    }
}

static bool smtp_line_has_control(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c < 0x20 || c == 0x7f)
            return true;
    }
    return false;
}

bool smtp_command_parse(const char *line, size_t len, struct smtp_command *cmd_r,
                        struct smtp_reply *error_r)
{
    memset(cmd_r, 0, sizeof(*cmd_r));
    if (smtp_line_has_control(line, len)) {
        smtp_set_error(error_r, 500, "5.5.2", "Syntax error: control characters in command");
        return false;
    }
    const char *sp = memchr(line, ' ', len);
    size_t verb_len = sp ? (size_t)(sp - line) : len;
    for (size_t i = 0; i < sizeof(smtp_verbs) / sizeof(smtp_verbs[0]); i++) {
        if (str_equal_nocase_n(line, verb_len, smtp_verbs[i].name, strlen(smtp_verbs[i].name)))
            cmd_r->verb = smtp_verbs[i].verb;
    }
    if (cmd_r->verb == SMTP_VERB_UNKNOWN) {
        smtp_set_error(error_r, 500, "5.5.1", "Command unrecognized");
        return false;
    }
    const char *args = sp ? sp + 1 : line + len;
    size_t args_len = sp ? len - verb_len - 1 : 0;
    if (!smtp_parse_args(args, args_len, cmd_r, error_r)) {
        smtp_command_clear(cmd_r);
        return false;
    }
    return true;
}

void smtp_command_clear(struct smtp_command *cmd)
{
    free(cmd->arg);
    free(cmd->arg2);
    free(cmd->path);
    smtp_mail_params_clear(&cmd->mail);
    smtp_rcpt_params_clear(&cmd->rcpt);
    memset(cmd, 0, sizeof(*cmd));
}
