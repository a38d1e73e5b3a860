/*
 * classify: one recipient result of a report -> a reason (Sisimai's vocabulary, so results
 * compare with the reference corpus) -> SES bounceType/bounceSubType.
 *
 * Inputs, strongest first: the DSN Action (delivered/relayed/expanded are not bounces), the
 * enhanced status code when it is specific (5.1.1 = no such mailbox), the diagnostic text
 * matched against ordered per-reason phrase tables (classify_rules.c), the generic status
 * class, and the SMTP reply code. The reason -> SES mapping follows
 * tests/yardsticks/bounces/reason-map.tsv (classify_ses.c).
 *
 * Pure functions; results point to static constant strings (never freed), or into the
 * operator rules they were given (valid while those are).
 */
#ifndef REBOUND_MAIL_CLASSIFY_H
#define REBOUND_MAIL_CLASSIFY_H

#include <stdbool.h>

#include "dsn.h"

#define CLASSIFY_MAX_TEXT       4096 /* bytes of diagnostic text matched against the rules */
#define CLASSIFY_RULES_MAX      1000 /* operator rules per file */
#define CLASSIFY_RULES_MAX_LINE 512  /* bytes per operator rule line */

/* Operator rules loaded from a file (classify_file.c); immutable once loaded, shareable. */
struct classify_rules;

/* Loads and validates a rules file: "<reason> <phrase>" per line, '#' comments. Returns an
 * owned object (classify_rules_free, NULL-safe) or NULL with *error_r set (owned, free()). */
struct classify_rules *classify_rules_load(const char *path, char **error_r);
struct classify_rules *classify_rules_parse(const char *text, size_t len, char **error_r);
void classify_rules_free(struct classify_rules *rules);

struct classify_result {
    const char *reason;      /* "userunknown", "mailboxfull", ..., "feedback", "vacation" */
    bool hard;               /* hard bounce (Sisimai's definition) */
    const char *ses_type;    /* "Permanent", "Transient", "Undetermined", "Complaint", "-" */
    const char *ses_subtype; /* "NoEmail", "General", ...; the feedback type for complaints */
    char status[16];         /* the status code used, or a reason's pseudo code "5.0.911" */
};

/* Classifies one recipient of a report. `rules` (borrowed, may be NULL) are the operator's
 * rules: the first of them whose phrase occurs in the diagnostic decides the reason, before
 * any built-in evidence. */
void classify_recipient(const struct classify_rules *rules, const struct dsn_report *report,
                        const struct dsn_recipient *rcpt, struct classify_result *out);

/* True when the result counts as a bounce (Permanent, Transient or Undetermined). */
bool classify_is_bounce(const struct classify_result *res);

/* Internal tables, exposed for classify.c and the unit tests. */
/* Reason named by the diagnostic text (lower-cased), or NULL. */
const char *classify_rules_match(const char *lowered_text);
/* Reason named by an enhanced status code; *specific_r is true when the code alone decides. */
const char *classify_status_reason(const char *status, bool *specific_r);
/* SES type/subtype for a reason; hard is the hard-bounce flag (notaccept depends on it). */
void classify_ses(const char *reason, bool hard, const char **type_r, const char **subtype_r);
/* Reason of the first operator rule matching the lower-cased text, or NULL. */
const char *classify_rules_match_extra(const struct classify_rules *rules,
                                       const char *lowered_text);
/* The reason an SES type/subtype pair names by itself (NoEmail -> userunknown, ...), or NULL
 * for General/Undetermined and unknown pairs. */
const char *classify_ses_reason(const char *type, const char *subtype);
/* True for a reason the SES mapping knows. */
bool classify_is_reason(const char *reason);
/* Sisimai's pseudo status code detail (911 for userunknown, ...), or 0. */
int classify_pseudo_detail(const char *reason);

#endif
