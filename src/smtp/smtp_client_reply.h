/*
 * smtp_client_reply: the client side's parser of server replies (RFC 5321 section 4.2) with
 * enhanced status codes (RFC 3463, RFC 2034), fed bytes as they arrive.
 *
 *     Reply-line     = *( Reply-code "-" [ textstring ] CRLF )
 *                      Reply-code [ SP textstring ] CRLF
 *     Reply-code     = %x32-35 %x30-35 %x30-39
 *     status-code    = class "." subject "." detail     (RFC 3463 section 2)
 *     class          = "2" / "4" / "5"
 *     subject, detail = 1*3digit
 *
 * The parser buffers one line at a time and stops after each complete reply, so pipelined
 * replies arriving in one read are taken one by one. Lines may end in CRLF or bare LF (servers
 * in the wild send both). A line longer than SMTP_CLIENT_MAX_REPLY_LINE, more lines than
 * SMTP_CLIENT_MAX_REPLY_LINES, a bad code, or continuation lines whose code differs from the
 * first line's is a protocol error: the caller drops the connection (a temporary failure).
 *
 * Ownership: the parser owns the reply it is building; smtp_client_reply_take() moves it out,
 * the caller releases it with smtp_client_reply_clear().
 */
#ifndef REBOUND_SMTP_CLIENT_REPLY_H
#define REBOUND_SMTP_CLIENT_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* RFC 5321 4.5.3.1.5 says 512 octets for a reply line; real servers exceed it. */
#define SMTP_CLIENT_MAX_REPLY_LINE 4096
/* EHLO replies are the longest multi-line replies seen in practice (~20 lines). */
#define SMTP_CLIENT_MAX_REPLY_LINES 100
/* "5.123.456" plus NUL. */
#define SMTP_CLIENT_ENHANCED_SIZE 12

struct smtp_client_reply {
    int code;                                 /* 200..599 */
    char enhanced[SMTP_CLIENT_ENHANCED_SIZE]; /* "" when the first line carries none */
    size_t n_lines;
    /* Every line as received without its line end, joined with "\n" ("250-a\n250 b"). */
    struct buf text;
};

enum smtp_client_parse {
    SMTP_CLIENT_PARSE_MORE,  /* everything consumed, no complete reply yet */
    SMTP_CLIENT_PARSE_REPLY, /* a complete reply is ready: take it */
    SMTP_CLIENT_PARSE_ERROR, /* protocol violation; see error (borrowed until next feed) */
};

struct smtp_client_reply_parser {
    struct buf line; /* the current incomplete line */
    struct smtp_client_reply reply;
    bool done;
    const char *error;
};

void smtp_client_reply_parser_init(struct smtp_client_reply_parser *p);
void smtp_client_reply_parser_free(struct smtp_client_reply_parser *p);

/* Consumes bytes of data up to and including the end of the next complete reply (or all of
 * them); *consumed_r says how many. After SMTP_CLIENT_PARSE_REPLY, take the reply before
 * feeding again. After SMTP_CLIENT_PARSE_ERROR the parser is unusable. */
enum smtp_client_parse smtp_client_reply_feed(struct smtp_client_reply_parser *p, const char *data,
                                              size_t len, size_t *consumed_r);
const char *smtp_client_reply_error(const struct smtp_client_reply_parser *p);
/* Moves the completed reply into *reply_r (owned) and readies the parser for the next one. */
void smtp_client_reply_take(struct smtp_client_reply_parser *p, struct smtp_client_reply *reply_r);

void smtp_client_reply_clear(struct smtp_client_reply *reply);

/* The text of the last line ("250 2.0.0 Ok"), borrowed from reply. */
const char *smtp_client_reply_last_line(const struct smtp_client_reply *reply);

/* Parses an enhanced status code at the start of text (followed by SP or end of text) whose
 * class digit is want_class ('2', '4' or '5'); copies it into out (SMTP_CLIENT_ENHANCED_SIZE
 * bytes) and returns its length, or 0 when there is none. */
size_t smtp_client_enhanced_parse(const char *text, size_t len, char want_class, char *out);

#endif
