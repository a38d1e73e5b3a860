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
 * Pure functions; results point to static constant strings (never freed).
 */
#ifndef REBOUND_MAIL_CLASSIFY_H
#define REBOUND_MAIL_CLASSIFY_H

#include <stdbool.h>

#include "dsn.h"

#define CLASSIFY_MAX_TEXT 4096 /* bytes of diagnostic text matched against the rules */

struct classify_result {
    const char *reason;      /* "userunknown", "mailboxfull", ..., "feedback", "vacation" */
    bool hard;               /* hard bounce (Sisimai's definition) */
    const char *ses_type;    /* "Permanent", "Transient", "Undetermined", "Complaint", "-" */
    const char *ses_subtype; /* "NoEmail", "General", ...; the feedback type for complaints */
    char status[16];         /* the status code used, or a reason's pseudo code "5.0.911" */
};

void classify_recipient(const struct dsn_report *report, const struct dsn_recipient *rcpt,
                        struct classify_result *out);

/* True when the result counts as a bounce (Permanent, Transient or Undetermined). */
bool classify_is_bounce(const struct classify_result *res);

/* Internal tables, exposed for classify.c and the unit tests. */
/* Reason named by the diagnostic text (lower-cased), or NULL. */
const char *classify_rules_match(const char *lowered_text);
/* Reason named by an enhanced status code; *specific_r is true when the code alone decides. */
const char *classify_status_reason(const char *status, bool *specific_r);
/* SES type/subtype for a reason; hard is the hard-bounce flag (notaccept depends on it). */
void classify_ses(const char *reason, bool hard, const char **type_r, const char **subtype_r);
/* Sisimai's pseudo status code detail (911 for userunknown, ...), or 0. */
int classify_pseudo_detail(const char *reason);

#endif
