/*
 * dsn_build: internal to the dsn modules. The format recognisers (dsn_rfc3464, dsn_arf,
 * dsn_autoreply, dsn_text) share these helpers to fill a dsn_report; nothing outside
 * src/mail/dsn*.c includes this header.
 */
#ifndef REBOUND_MAIL_DSN_BUILD_H
#define REBOUND_MAIL_DSN_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "dsn.h"
#include "mime.h"

/* Appends a recipient with the given bare address (copied). Returns NULL (and sets
 * report->truncated) once DSN_MAX_RECIPIENTS are held. The result is borrowed from report. */
struct dsn_recipient *dsn_build_add_recipient(struct dsn_report *report, const char *address);
/* The recipient whose address equals `address` (ASCII case-insensitive), or NULL. */
struct dsn_recipient *dsn_build_find_recipient(struct dsn_report *report, const char *address);
/* Replaces *field with a copy of value (NULL clears it). */
void dsn_build_set(char **field, const char *value);
/* Like dsn_build_set, keeping at most DSN_MAX_DIAGNOSTIC bytes, whitespace runs squeezed. */
void dsn_build_set_text(char **field, const char *value, size_t len);

/* Drops a "type;" prefix such as "rfc822;" or "dns;" and surrounding blanks; owned copy. */
char *dsn_build_strip_type(const char *value);

/* Recognisers: each returns true when it understood the message and filled `report`. */
bool dsn_rfc3464_parse(const struct mime_message *msg, struct dsn_report *report);
bool dsn_arf_parse(const struct mime_message *msg, struct dsn_report *report);
bool dsn_autoreply_parse(const struct mime_message *msg, struct dsn_report *report);
bool dsn_text_parse(const struct mime_message *msg, struct dsn_report *report);
bool dsn_sesjson_parse(const struct mime_message *msg, struct dsn_report *report);

/* True when the report's From or Subject says it is a delivery failure report. */
bool dsn_build_looks_like_bounce(const struct mime_message *msg);

/* Fills the Message-ID of the returned original, from an embedded message or text/rfc822-
 * headers entity, when the report does not have one yet. */
void dsn_build_find_original(const struct mime_message *msg, struct dsn_report *report);
/* For each recipient: the enhanced status and reply code found in its diagnostic text, when
 * the structured fields gave none. */
void dsn_build_fill_codes(struct dsn_report *report);

#endif
