/*
 * dsn_write: writes the delivery status notification rebound sends back to a sender whose
 * message could not be delivered (RFC 3464 multipart/report; report-type=delivery-status, RFC
 * 6522). Pure: everything, including the time, the Message-ID and the MIME boundary, comes
 * from the input, so the output is exactly reproducible (golden tests).
 *
 * Layout (lines end in CRLF):
 *   header: From MAILER-DAEMON@reporting_mta, To the original envelope-from, Subject, Date,
 *           Message-ID, Auto-Submitted: auto-replied (RFC 3834), MIME-Version, Content-Type
 *   1. text/plain: a paragraph for a person and one line per recipient with the diagnostic
 *   2. message/delivery-status: Reporting-MTA, Original-Envelope-Id (if any), Arrival-Date;
 *      then per recipient Final-Recipient, Original-Recipient (ORCPT, xtext decoded), Action,
 *      Status, Remote-MTA (if one answered), Diagnostic-Code (smtp; the reply on one line)
 *   3. text/rfc822-headers (the original header section) or, with full, message/rfc822 (the
 *      whole original message; RFC 3461 RET=FULL)
 * Header-field values coming from the network (replies, addresses) are cut at
 * DSN_WRITE_MAX_FIELD bytes, CR/LF/control characters replaced by spaces, non-ASCII by '?'.
 */
#ifndef REBOUND_MAIL_DSN_WRITE_H
#define REBOUND_MAIL_DSN_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define DSN_WRITE_MAX_FIELD 900

struct dsn_write_rcpt {
    const char *address;    /* Final-Recipient (rfc822) */
    const char *orcpt;      /* ORCPT as received ("rfc822;bob+40x.test", xtext) or NULL */
    const char *action;     /* "failed" or "delayed" */
    const char *status;     /* enhanced status code, e.g. "5.1.1" */
    const char *remote_mta; /* host name of the MTA that answered, or NULL */
    const char *diagnostic; /* the SMTP reply ("\n" between lines) or a reason; NULL = none */
};

struct dsn_write_input {
    const char *reporting_mta; /* this host's name */
    const char *to;            /* the original envelope-from */
    const char *message_id;    /* of the DSN itself, without angle brackets */
    const char *boundary;      /* MIME boundary; must not occur in original */
    const char *envid;         /* ENVID or NULL */
    int64_t arrival_ms;        /* when the original message was accepted */
    int64_t now_ms;            /* Date: of the DSN */
    const struct dsn_write_rcpt *rcpts;
    size_t n_rcpts;
    const char *original; /* the original message */
    size_t original_len;
    bool full; /* return the whole message (RET=FULL), else the headers only */
};

/* Appends the DSN to out. */
void dsn_write(const struct dsn_write_input *in, struct buf *out);
/* Appends an RFC 5322 date ("Sat, 28 Nov 2026 11:29:36 +0000") for ms since the epoch, UTC. */
void dsn_write_date(int64_t ms, struct buf *out);

#endif
