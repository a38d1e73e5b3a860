/*
 * The commands that need no role: RSET, NOOP, QUIT (RFC 5321 4.1.1.5, 4.1.1.9, 4.1.1.10),
 * VRFY (3.5.3: 252, we never disclose mailboxes), EXPN (502, lists are not expanded) and
 * HELP (4.1.1.8).
 */
#include "smtp_session_impl.h"

void smtp_cmd_rset(struct smtp_session *s, struct smtp_command *cmd)
{
    smtp_session_reset_transaction(s);
    if (s->state != SMTP_STATE_GREETED)
        smtp_session_set_state(s, SMTP_STATE_READY);
    smtp_session_reply(s, 250, "2.0.0", "Ok");
}

void smtp_cmd_noop(struct smtp_session *s, struct smtp_command *cmd)
{
    smtp_session_reply(s, 250, "2.0.0", "Ok");
}

void smtp_cmd_quit(struct smtp_session *s, struct smtp_command *cmd)
{
    smtp_session_reply(s, 221, "2.0.0", "Bye");
    smtp_session_close(s);
}

void smtp_cmd_vrfy(struct smtp_session *s, struct smtp_command *cmd)
{
    smtp_session_reply(s, 252, "2.5.0",
                       "Cannot VRFY user, but will accept message and attempt delivery");
}

void smtp_cmd_expn(struct smtp_session *s, struct smtp_command *cmd)
{
    smtp_session_reply(s, 502, "5.5.1", "EXPN is not implemented");
}

void smtp_cmd_help(struct smtp_session *s, struct smtp_command *cmd)
{
    smtp_session_reply(s, 214, "2.0.0",
                       "rebound accepts: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP "
                       "STARTTLS AUTH\n"
                       "See RFC 5321 for the protocol");
}
