/*
 * dsn_text: the human-readable side of a report. Most MTAs (qmail, Exim, Gmail, Yahoo, ...)
 * send no message/delivery-status part; the recipients and the reasons are only in prose.
 * This module extracts, from the report's own text (never from the returned original):
 * the candidate recipient addresses in order, each with the text that follows it up to the
 * next recipient (its "block": where the MTA writes the remote reply).
 *
 * Pure functions over a mime_message; results are owned by the caller (dsn_text_free).
 */
#ifndef REBOUND_MAIL_DSN_TEXT_H
#define REBOUND_MAIL_DSN_TEXT_H

#include <stddef.h>

#include "mime.h"

#define DSN_TEXT_MAX_BYTES (256u << 10) /* bytes of report text examined */
#define DSN_TEXT_MAX_BLOCK 1536         /* bytes of text kept after each recipient */

struct dsn_text_block {
    char *address;
    char *text; /* the recipient's line and what follows, up to the next recipient */
};

struct dsn_text {
    char *body; /* the report's own text, cut before the returned original */
    struct dsn_text_block *blocks;
    size_t count;
};

/* When `only` is given (count entries), just those addresses start blocks: the MTA listed
 * its failed recipients (X-Failed-Recipients) and other addresses are part of the prose. */
struct dsn_text *dsn_text_extract(const struct mime_message *msg, char *const *only,
                                  size_t only_count);
void dsn_text_free(struct dsn_text *t);
/* A header of the returned original: from an embedded message/rfc822, else the first
 * `name:` line after the cut in the report's text. Owned; NULL if there is none. */
char *dsn_text_original_header(const struct mime_message *msg, const char *name);
/* The first address in the To of the returned original, owned; NULL if there is none. */
char *dsn_text_original_to(const struct mime_message *msg);
/* The block of `address` (case-insensitive), or NULL; borrowed from t. */
const struct dsn_text_block *dsn_text_find(const struct dsn_text *t, const char *address);

#endif
