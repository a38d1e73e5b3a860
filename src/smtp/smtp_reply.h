/*
 * smtp_reply: formatting of server replies (RFC 5321 4.2) with RFC 2034 / RFC 3463 enhanced
 * status codes.
 *
 *   Reply-line     = *( Reply-code "-" [ textstring ] CRLF )
 *                    Reply-code [ SP textstring ] CRLF
 *   Reply-code     = %x32-35 %x30-35 %x30-39
 *   status-code    = class "." subject "." detail     (RFC 3463 2)
 *   class          = "2" / "4" / "5"
 *
 * Every reply the engine sends carries the enhanced code after the basic code on each line,
 * except where RFC 2034 3 and RFC 4954 4 forbid it: the 220 greeting, the EHLO/HELO reply and
 * the 334 / 354 intermediate replies (pass enhanced == NULL for those).
 *
 * Text may hold several lines separated by '\n'; each becomes its own reply line. Lines longer
 * than SMTP_REPLY_LINE_MAX (RFC 5321 4.5.3.1.5) are wrapped at a space (or cut) onto further
 * lines. Control characters in text supplied by a role are replaced with '?' so a reply can
 * never inject a line end.
 */
#ifndef REBOUND_SMTP_REPLY_H
#define REBOUND_SMTP_REPLY_H

#include <stdbool.h>

#include "buf.h"

/* RFC 5321 4.5.3.1.5: a reply line is at most 512 octets including the reply code and CRLF. */
#define SMTP_REPLY_LINE_MAX 512

/* A reply as data: every string is borrowed (usually a literal). */
struct smtp_reply {
    int code;             /* 200..599 */
    const char *enhanced; /* "5.5.2", or NULL where RFC 2034 exempts the reply */
    const char *text;     /* one or more lines separated by '\n' */
};

/* True if code is a reply code and enhanced (when not NULL) is a status code of the same
 * class (RFC 3463 2: the class digit equals the first digit of the basic code). */
bool smtp_reply_is_valid(int code, const char *enhanced);

/* Appends the formatted reply (one or more CRLF-terminated lines) to out. Asserts validity. */
void smtp_reply_format(struct buf *out, int code, const char *enhanced, const char *text);
void smtp_reply_append(struct buf *out, const struct smtp_reply *reply);

#endif
