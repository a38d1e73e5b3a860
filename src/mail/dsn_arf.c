/*
 * RFC 5965 Abuse Reporting Format complaints. The second part of a multipart/report;
 * report-type=feedback-report is message/feedback-report:
 *
 *   feedback-type = "Feedback-Type:" [CFWS] token [CFWS] CRLF    ; 3.1, required
 *   original-rcpt-to = "Original-Rcpt-To:" [CFWS] addr-spec CRLF ; 3.2, optional, repeatable
 *
 * The complained-about recipients are the Original-Rcpt-To fields; without them, the To of the
 * returned original message (message/rfc822 or text/rfc822-headers), since that is the
 * mailbox that complained. Microsoft's JMRP reports are not ARF: they attach the original
 * with an X-HmXmrOriginalRecipient header; those count as an "abuse" complaint too.
 */
#include "dsn_addr.h"
#include "dsn_build.h"
#include "dsn_fields.h"
#include "str.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static void dsn_arf_add_address(struct dsn_report *report, const char *value)
{
    char *addr = dsn_addr_first(value);
    if (addr != NULL && dsn_build_find_recipient(report, addr) == NULL)
        dsn_build_add_recipient(report, addr);
    free(addr);
}

/* Each address in an address-list header value (To: a@b, "C" <c@d>). */
static void dsn_arf_add_list(struct dsn_report *report, const char *value)
{
    size_t pos = 0, s, e, len = strlen(value);
    while (dsn_addr_scan(value, len, &pos, &s, &e)) {
        char *addr = xstrndup(value + s, e - s);
        dsn_arf_add_address(report, addr);
        free(addr);
    }
}

static const char *dsn_arf_original_header(const struct mime_message *msg, const char *name,
                                           struct dsn_fields **fields_r)
{
    for (size_t i = 1; i < msg->count; i++) {
        const struct mime_entity *e = &msg->entities[i];
        const char *v = mime_header_get(&e->inner_headers, name);
        if (v != NULL)
            return v;
        if (strcmp(e->content_type, "text/rfc822-headers") == 0 && e->body != NULL &&
            *fields_r == NULL) {
            *fields_r = dsn_fields_parse(e->body, e->body_len);
            if ((*fields_r)->count > 0 && dsn_fields_get(&(*fields_r)->groups[0], name))
                return dsn_fields_get(&(*fields_r)->groups[0], name);
        }
    }
    return NULL;
}

static void dsn_arf_recipients_from_original(const struct mime_message *msg,
                                             struct dsn_report *report)
{
    struct dsn_fields *fields = NULL;
    const char *to = dsn_arf_original_header(msg, "To", &fields);
    if (to != NULL)
        dsn_arf_add_list(report, to);
    dsn_fields_free(fields);
}

static void dsn_arf_read_report(const struct dsn_field_group *g, struct dsn_report *report)
{
    for (size_t i = 0; i < g->count; i++) {
        const struct dsn_field *f = &g->fields[i];
        if (str_equal_nocase(f->name, "Feedback-Type") && report->feedback_type == NULL)
            report->feedback_type = str_lower(str_trim(xstrdup(f->value)));
        else if (str_equal_nocase(f->name, "Original-Rcpt-To"))
            dsn_arf_add_address(report, f->value);
        else if (str_equal_nocase(f->name, "Reporting-MTA") && report->reporting_mta == NULL)
            report->reporting_mta = dsn_build_strip_type(f->value);
        else if (str_equal_nocase(f->name, "Arrival-Date") && report->arrival_date == NULL)
            dsn_build_set(&report->arrival_date, f->value);
    }
}

static bool dsn_arf_jmrp(const struct mime_message *msg, struct dsn_report *report)
{
    for (size_t i = 1; i < msg->count; i++) {
        const char *v =
            mime_header_get(&msg->entities[i].inner_headers, "X-HmXmrOriginalRecipient");
        if (v != NULL) {
            dsn_arf_add_address(report, v);
            dsn_build_set(&report->feedback_type, "abuse");
            return true;
        }
    }
    return false;
}

bool dsn_arf_parse(const struct mime_message *msg, struct dsn_report *report)
{
    bool found = false;
    for (size_t i = 0; i < msg->count && !found; i++) {
        const struct mime_entity *e = &msg->entities[i];
        if (strcmp(e->content_type, "message/feedback-report") != 0 || e->body == NULL)
            continue;
        struct dsn_fields *f = dsn_fields_parse(e->body, e->body_len);
        for (size_t g = 0; g < f->count; g++)
            dsn_arf_read_report(&f->groups[g], report);
        dsn_fields_free(f);
        found = true;
    }
    if (!found && !dsn_arf_jmrp(msg, report))
        return false;
    if (report->feedback_type == NULL)
        dsn_build_set(&report->feedback_type, "abuse");
    if (report->recipient_count == 0)
        dsn_arf_recipients_from_original(msg, report);
    report->kind = DSN_KIND_COMPLAINT;
    report->format = DSN_FORMAT_ARF;
    return true;
}
