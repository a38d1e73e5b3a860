/*
 * dsn_fields: the "header-style" field groups of RFC 3464 section 2.1 (message/delivery-status)
 * and RFC 5965 section 3.1 (message/feedback-report), also used for text/rfc822-headers:
 *
 *   delivery-status-content = per-message-fields 1*( CRLF per-recipient-fields )
 *   field  = field-name ":" value CRLF      ; RFC 5322 2.2
 *   value continues on lines that start with SP or HTAB (folding, RFC 5322 2.2.3)
 *
 * Groups are separated by one or more blank lines (lines of only whitespace count as blank:
 * real MTAs emit them). Lines that are neither a field nor a continuation are skipped.
 * Values are unfolded (continuations joined by one space) and trimmed.
 *
 * The parser is incremental: feed any split of the input, the result is the same as parsing
 * it whole (tests trickle every sample a byte at a time). Everything returned is owned by the
 * caller (dsn_fields_free); dsn_fields_get() returns pointers borrowed from the group.
 */
#ifndef REBOUND_MAIL_DSN_FIELDS_H
#define REBOUND_MAIL_DSN_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#define DSN_FIELDS_MAX_GROUPS 1001  /* per-message group + DSN_MAX_RECIPIENTS */
#define DSN_FIELDS_MAX_FIELDS 64    /* fields kept per group */
#define DSN_FIELDS_MAX_LINE   8192  /* bytes kept per physical line */
#define DSN_FIELDS_MAX_VALUE  16384 /* bytes kept per unfolded value */

struct dsn_field {
    char *name;
    char *value;
};

struct dsn_field_group {
    struct dsn_field *fields;
    size_t count;
};

struct dsn_fields {
    struct dsn_field_group *groups;
    size_t count;
    bool truncated; /* something was dropped at a limit */
};

struct dsn_fields_parser;

struct dsn_fields_parser *dsn_fields_parser_new(void);
void dsn_fields_parser_feed(struct dsn_fields_parser *p, const char *data, size_t len);
/* Ends the input, frees the parser and returns the groups (owned). */
struct dsn_fields *dsn_fields_parser_finish(struct dsn_fields_parser *p);

/* Whole-buffer convenience over the three calls above. */
struct dsn_fields *dsn_fields_parse(const char *data, size_t len);
void dsn_fields_free(struct dsn_fields *f);

/* Value of the first field named `name` (ASCII case-insensitive) in g, or NULL. */
const char *dsn_fields_get(const struct dsn_field_group *g, const char *name);

#endif
