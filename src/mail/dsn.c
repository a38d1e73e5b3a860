/*
 * dsn_parse: MIME first (mime.c), then the recognisers from the most to the least
 * structured: ARF, RFC 3464, SES notification JSON, RFC 3834, plain text. Whatever recognised the
 * report, the returned original is looked for (Message-ID, for linking) and status/reply codes
 * missing from the structured fields are read from the diagnostic text or, for RFC 3464 reports
 * that carry no Diagnostic-Code, from the recipient's block in the human-readable part.
 */
#include "dsn.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dsn_build.h"
#include "dsn_status.h"
#include "dsn_text.h"
#include "mime.h"
#include "str.h"
#include "xalloc.h"

static void dsn_add_text_diagnostics(const struct mime_message *msg, struct dsn_report *report)
{
    struct dsn_text *t = NULL;
    for (size_t i = 0; i < report->recipient_count; i++) {
        struct dsn_recipient *r = &report->recipients[i];
        if (t == NULL)
            t = dsn_text_extract(msg, NULL, 0);
        const struct dsn_text_block *b = dsn_text_find(t, r->address);
        if (b == NULL && t->count == 1 && report->recipient_count == 1)
            b = &t->blocks[0];
        if (b == NULL)
            continue;
        if (r->diagnostic == NULL || *r->diagnostic == '\0')
            dsn_build_set_text(&r->diagnostic, b->text, strlen(b->text));
        else if (r->command == NULL)
            r->command = dsn_status_smtp_command(b->text);
    }
    dsn_text_free(t);
}

struct dsn_report *dsn_parse(const char *data, size_t len)
{
    struct dsn_report *report = xcalloc(1, sizeof(*report));
    if (len > DSN_MAX_MESSAGE_BYTES) {
        len = DSN_MAX_MESSAGE_BYTES;
        report->truncated = true;
    }
    struct mime_message *msg = mime_parse(data, len);
    if (msg == NULL || msg->count == 0) {
        mime_message_free(msg);
        return report;
    }
    report->truncated |= msg->truncated;
    const char *subject = mime_header_get(&msg->entities[0].headers, "Subject");
    if (subject != NULL)
        report->subject = xstrdup(subject);
    if (dsn_arf_parse(msg, report) || dsn_rfc3464_parse(msg, report)) {
        dsn_add_text_diagnostics(msg, report);
    } else if (!dsn_sesjson_parse(msg, report) && !dsn_autoreply_parse(msg, report)) {
        dsn_text_parse(msg, report);
    }
    if (report->kind != DSN_KIND_NONE)
        dsn_build_find_original(msg, report);
    dsn_build_fill_codes(report);
    mime_message_free(msg);
    return report;
}

void dsn_report_free(struct dsn_report *report)
{
    if (report == NULL)
        return;
    for (size_t i = 0; i < report->recipient_count; i++) {
        struct dsn_recipient *r = &report->recipients[i];
        free(r->address);
        free(r->original_recipient);
        free(r->action);
        free(r->status);
        free(r->diagnostic);
        free(r->remote_mta);
        free(r->ses_type);
        free(r->ses_subtype);
    }
    free(report->recipients);
    free(report->reporting_mta);
    free(report->envid);
    free(report->arrival_date);
    free(report->orig_message_id);
    free(report->feedback_type);
    free(report->subject);
    free(report);
}

const char *dsn_kind_name(enum dsn_kind kind)
{
    switch (kind) {
    case DSN_KIND_BOUNCE:
        return "bounce";
    case DSN_KIND_DELIVERY:
        return "delivery";
    case DSN_KIND_COMPLAINT:
        return "complaint";
    case DSN_KIND_AUTOREPLY:
        return "autoreply";
    case DSN_KIND_NONE:
        break;
    }
    return "none";
}

const char *dsn_format_name(enum dsn_format format)
{
    switch (format) {
    case DSN_FORMAT_RFC3464:
        return "rfc3464";
    case DSN_FORMAT_ARF:
        return "arf";
    case DSN_FORMAT_RFC3834:
        return "rfc3834";
    case DSN_FORMAT_TEXT:
        return "text";
    case DSN_FORMAT_SESJSON:
        return "ses-json";
    case DSN_FORMAT_NONE:
        break;
    }
    return "none";
}

struct dsn_reader {
    struct buf data;
    bool overflow;
};

struct dsn_reader *dsn_reader_new(void)
{
    return xcalloc(1, sizeof(struct dsn_reader));
}

void dsn_reader_feed(struct dsn_reader *r, const char *data, size_t len)
{
    size_t room = DSN_MAX_MESSAGE_BYTES - r->data.len;
    if (len > room) {
        r->overflow = true;
        len = room;
    }
    buf_append(&r->data, data, len);
}

struct dsn_report *dsn_reader_finish(struct dsn_reader *r)
{
    struct dsn_report *report = dsn_parse(buf_cstr(&r->data), r->data.len);
    report->truncated |= r->overflow;
    buf_free(&r->data);
    free(r);
    return report;
}
