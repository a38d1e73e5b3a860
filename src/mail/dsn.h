/*
 * dsn: understanding a report that came back to a return path. One call turns the raw bytes
 * of a message into a dsn_report: what kind of report it is and, per recipient, what the
 * reporting MTA said (RFC 3464 fields where present, else what could be read from the
 * human-readable text of the ~70 non-standard formats real MTAs send).
 *
 *   RFC 3464 (message/delivery-status)  -> DSN_KIND_BOUNCE (failed/delayed recipients) or
 *                                          DSN_KIND_DELIVERY (only delivered/relayed/expanded)
 *   RFC 5965 (message/feedback-report)  -> DSN_KIND_COMPLAINT, feedback_type set
 *   RFC 3834 auto-reply                 -> DSN_KIND_AUTOREPLY (never counted as a bounce)
 *   Amazon SES notification JSON        -> the kind its notificationType names
 *   plain-text bounce of a known shape  -> DSN_KIND_BOUNCE
 *   anything else                       -> DSN_KIND_NONE, no recipients
 *
 * The report also carries what links it to the original message (ISSUE 7: by
 * Original-Envelope-Id, then the returned Message-ID, then the return path): envid and
 * orig_message_id. Classification into SES bounce types lives in classify.h.
 *
 * SECURITY: input is untrusted. Message size, recipients and every nested structure are
 * bounded by named limits (here, mime.h and dsn_fields.h). Pure computation, no I/O.
 * Ownership: dsn_parse() returns an owned report (dsn_report_free, NULL-safe); every string
 * in it belongs to the report. mime_global_init() must have run once in the process.
 */
#ifndef REBOUND_MAIL_DSN_H
#define REBOUND_MAIL_DSN_H

#include <stdbool.h>
#include <stddef.h>

#define DSN_MAX_MESSAGE_BYTES (16u << 20) /* bytes of a report considered; the rest ignored */
#define DSN_MAX_RECIPIENTS    1000        /* recipients kept per report */
#define DSN_MAX_DIAGNOSTIC    2048        /* bytes of diagnostic text kept per recipient */

enum dsn_kind {
    DSN_KIND_NONE = 0,
    DSN_KIND_BOUNCE,
    DSN_KIND_DELIVERY,
    DSN_KIND_COMPLAINT,
    DSN_KIND_AUTOREPLY,
};

enum dsn_format {
    DSN_FORMAT_NONE = 0,
    DSN_FORMAT_RFC3464,
    DSN_FORMAT_ARF,
    DSN_FORMAT_RFC3834,
    DSN_FORMAT_TEXT,
    DSN_FORMAT_SESJSON,
};

struct dsn_recipient {
    char *address;            /* bare addr-spec: Final-Recipient, else Original-Recipient */
    char *original_recipient; /* Original-Recipient / Original-Rcpt-To, NULL if absent */
    char *action;             /* lower-case DSN Action ("failed", "delayed", ...), or NULL */
    char *status;             /* enhanced status "c.s.d" (RFC 3463), or NULL */
    int reply_code;           /* SMTP reply code seen in the diagnostic, 0 if none */
    char *diagnostic;         /* Diagnostic-Code without its type, or text; NULL if none */
    char *remote_mta;         /* Remote-MTA without its type, or NULL */
    const char *command;      /* SMTP command refused ("RCPT", "DATA", ...; static), or NULL */
    char *ses_type;           /* classification stated by the report itself (an SES */
    char *ses_subtype;        /* notification's bounceType/bounceSubType), or NULL */
};

struct dsn_report {
    enum dsn_kind kind;
    enum dsn_format format;
    char *reporting_mta;   /* Reporting-MTA without its type */
    char *envid;           /* Original-Envelope-Id */
    char *arrival_date;    /* Arrival-Date */
    char *orig_message_id; /* Message-ID of the returned original, NULL if not returned */
    char *feedback_type;   /* ARF Feedback-Type, lower-case */
    char *subject;         /* the report's own Subject (for diagnostics) */
    struct dsn_recipient *recipients;
    size_t recipient_count;
    bool truncated; /* some part of the report was dropped at a limit */
};

struct dsn_report *dsn_parse(const char *data, size_t len);
void dsn_report_free(struct dsn_report *report);

const char *dsn_kind_name(enum dsn_kind kind);
const char *dsn_format_name(enum dsn_format format);

/* Streaming front end for callers that receive a report in pieces (SMTP DATA): feed any
 * split of the bytes (beyond DSN_MAX_MESSAGE_BYTES they are dropped), then finish, which
 * frees the reader and returns the same report dsn_parse() gives for the whole input. */
struct dsn_reader;
struct dsn_reader *dsn_reader_new(void);
void dsn_reader_feed(struct dsn_reader *r, const char *data, size_t len);
struct dsn_report *dsn_reader_finish(struct dsn_reader *r);

#endif
