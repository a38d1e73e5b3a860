/*
 * smtp_client_body: what the client does to message bytes and envelope parameters before they
 * go on the wire.
 *
 * - Dot-stuffing (RFC 5321 section 4.5.2): a line that begins with "." gets one more "."; lines
 *   end in CRLF (a bare LF becomes CRLF, so a message stored with LF line ends still travels
 *   as SMTP requires; a CR not followed by LF is passed as is); a final line end is added when
 *   the message lacks one; then the terminating ".\r\n".
 * - 8-bit detection: any byte >= 0x80 means BODY=8BITMIME is needed (RFC 6152).
 * - xtext (RFC 3461 section 4): ENVID and ORCPT values on the wire.
 */
#ifndef REBOUND_SMTP_CLIENT_BODY_H
#define REBOUND_SMTP_CLIENT_BODY_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Streaming dot-stuffer: feed the message in any pieces, then finish once. */
struct smtp_client_dot {
    bool at_line_start;
    bool after_cr;
};

void smtp_client_dot_init(struct smtp_client_dot *d);
/* Appends the stuffed form of data to out. */
void smtp_client_dot_feed(struct smtp_client_dot *d, const char *data, size_t len, struct buf *out);
/* Appends the missing line end (if any) and ".\r\n". */
void smtp_client_dot_finish(struct smtp_client_dot *d, struct buf *out);
/* The whole message at once: out receives the stuffed message and its terminator. */
void smtp_client_dot_stuff(const char *data, size_t len, struct buf *out);

bool smtp_client_has_8bit(const char *data, size_t len);

/* Appends the xtext encoding of s ("+XX" for '+', '=', and bytes outside 0x21..0x7e). */
void smtp_client_xtext_encode(const char *s, struct buf *out);

#endif
