/*
 * smtp_data: the incremental reader of the DATA body (RFC 5321 4.1.1.4, 4.5.2, 2.3.8).
 *
 *   The body ends with the five octets CR LF "." CR LF; nothing else ends it (2.3.8, and the
 *   2023 "SMTP smuggling" attacks: a bare LF before "." is NOT end of data).
 *   Transparency (4.5.2): a line starting with "." has that first "." removed.
 *   Lines end with CRLF (2.3.8). A bare LF or a bare CR anywhere marks the message
 *   SMTP_DATA_BARE_LF / SMTP_DATA_BARE_CR; the session refuses such a message after the final
 *   dot (550 5.6.0) instead of guessing what the client meant.
 *   Text lines are at most max_line octets including CRLF (4.5.3.1.6); longer ones mark
 *   SMTP_DATA_LINE_TOO_LONG. More than max_size octets of body mark SMTP_DATA_TOO_BIG and stop
 *   storing, so memory stays bounded while the reader still finds the end of data.
 *
 * The reader is fed any number of bytes at a time (a byte at a time works the same as the
 * whole input) and appends the unstuffed body, CRLFs kept, to a caller-owned buf. It owns
 * nothing itself.
 */
#ifndef REBOUND_SMTP_DATA_H
#define REBOUND_SMTP_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* RFC 5321 4.5.3.1.6: a text line is at most 1000 octets including the CRLF. */
#define SMTP_TEXT_LINE_MAX 1000

enum smtp_data_flag {
    SMTP_DATA_BARE_LF = 1 << 0,
    SMTP_DATA_BARE_CR = 1 << 1,
    SMTP_DATA_LINE_TOO_LONG = 1 << 2,
    SMTP_DATA_TOO_BIG = 1 << 3,
};

enum smtp_data_state {
    SMTP_DATA_LINE_START, /* after CRLF (or at the very start) */
    SMTP_DATA_IN_LINE,
    SMTP_DATA_CR,     /* saw CR inside a line */
    SMTP_DATA_DOT,    /* saw "." at line start */
    SMTP_DATA_DOT_CR, /* saw "." CR at line start */
    SMTP_DATA_DONE,
};

struct smtp_data_reader {
    enum smtp_data_state state;
    unsigned flags;    /* enum smtp_data_flag */
    size_t max_line;   /* octets per line including CRLF */
    uint64_t max_size; /* body octets stored at most */
    size_t line_len;   /* octets of the current line received so far */
    uint64_t size;     /* body octets seen (stored or not) */
    struct buf *out;   /* borrowed */
};

void smtp_data_reader_init(struct smtp_data_reader *r, struct buf *out, size_t max_line,
                           uint64_t max_size);
/* Consumes bytes up to and including the end-of-data marker. Returns the number of bytes
 * consumed: len unless the marker was found, in which case smtp_data_is_done() is true and the
 * rest belongs to the next command. */
size_t smtp_data_feed(struct smtp_data_reader *r, const char *data, size_t len);
bool smtp_data_is_done(const struct smtp_data_reader *r);

#endif
