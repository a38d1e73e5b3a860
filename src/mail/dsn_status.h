/*
 * dsn_status: RFC 3463 enhanced status codes and RFC 5321 reply codes as they appear in
 * Status fields and in diagnostic text ("550 5.1.1 <a@b>: user unknown", "#5.5.0",
 * "smtp; 552-5.2.2 over quota").
 *
 *   status-code = class "." subject "." detail
 *   class = "2" / "4" / "5";  subject = 1*3digit;  detail = 1*3digit
 *
 * Only the registered subjects 0-7 (one digit) are recognised.
 */
#ifndef REBOUND_MAIL_DSN_STATUS_H
#define REBOUND_MAIL_DSN_STATUS_H

#include <stdbool.h>

#define DSN_STATUS_MAX_LEN 11 /* "5.123.123" plus slack */

/* True when s (trimmed) is exactly a status code; copies it to out (DSN_STATUS_MAX_LEN+1). */
bool dsn_status_parse(const char *s, char *out);
/* First status code standing alone in free text, copied to out; false if none. Codes that
 * are part of a longer dotted number (an IP address, a version) do not count. */
bool dsn_status_find(const char *text, char *out);
/* First SMTP reply code (2xx/4xx/5xx) in free text that is followed by ' ', '-' or end and
 * is not part of a longer number, or 0. */
int dsn_status_reply_code(const char *text);

/* The SMTP command a diagnostic says the refusal answered ("in reply to end of DATA
 * command", "after RCPT TO", "did not like our final DATA", ...): "CONN", "HELO", "MAIL",
 * "RCPT" or "DATA" (static strings), or NULL when the text does not say. */
const char *dsn_status_smtp_command(const char *text);

#endif
