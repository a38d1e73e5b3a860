/*
 * RFC 3464 delivery status notifications: the message/delivery-status entity (or RFC 6533
 * message/global-delivery-status) holds one per-message group and one group per recipient:
 *
 *   per-message-fields = [ original-envelope-id-field CRLF ] reporting-mta-field CRLF
 *                        [ dsn-gateway-field CRLF ] [ received-from-mta-field CRLF ]
 *                        [ arrival-date-field CRLF ] *( extension-field CRLF )
 *   per-recipient-fields = [ original-recipient-field CRLF ] final-recipient-field CRLF
 *                        action-field CRLF status-field CRLF [ remote-mta-field CRLF ]
 *                        [ diagnostic-code-field CRLF ] [ last-attempt-date-field CRLF ] ...
 *
 * Real MTAs omit the per-message group, repeat it, or put a blank line inside a recipient
 * group, so a group counts as a recipient when it names one (Final- or Original-Recipient)
 * and every other group contributes per-message fields.
 */
#include "dsn_addr.h"
#include "dsn_build.h"
#include "dsn_fields.h"
#include "dsn_status.h"
#include "str.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static bool dsn_rfc3464_is_status_entity(const struct mime_entity *e)
{
    return strcmp(e->content_type, "message/delivery-status") == 0 ||
           strcmp(e->content_type, "message/global-delivery-status") == 0;
}

static void dsn_rfc3464_set_stripped(char **field, const char *value)
{
    if (value == NULL || *field != NULL)
        return;
    char *v = dsn_build_strip_type(value);
    if (*v != '\0')
        dsn_build_set(field, v);
    free(v);
}

static void dsn_rfc3464_per_message(const struct dsn_field_group *g, struct dsn_report *report)
{
    dsn_rfc3464_set_stripped(&report->reporting_mta, dsn_fields_get(g, "Reporting-MTA"));
    if (report->envid == NULL && dsn_fields_get(g, "Original-Envelope-Id") != NULL)
        dsn_build_set(&report->envid, dsn_fields_get(g, "Original-Envelope-Id"));
    if (report->arrival_date == NULL && dsn_fields_get(g, "Arrival-Date") != NULL)
        dsn_build_set(&report->arrival_date, dsn_fields_get(g, "Arrival-Date"));
}

static void dsn_rfc3464_recipient(const struct dsn_field_group *g, struct dsn_report *report)
{
    char *final = dsn_addr_first(dsn_fields_get(g, "Final-Recipient"));
    char *orig = dsn_addr_first(dsn_fields_get(g, "Original-Recipient"));
    if (final == NULL)
        final = dsn_addr_first(dsn_fields_get(g, "X-Actual-Recipient"));
    const char *address = final ? final : orig;
    struct dsn_recipient *r = address ? dsn_build_add_recipient(report, address) : NULL;
    if (r != NULL) {
        dsn_build_set(&r->original_recipient, orig);
        const char *action = dsn_fields_get(g, "Action");
        if (action != NULL) {
            char *a = dsn_build_strip_type(action);
            r->action = str_lower(a);
        }
        char status[DSN_STATUS_MAX_LEN + 1];
        const char *st = dsn_fields_get(g, "Status");
        if (st != NULL && (dsn_status_parse(st, status) || dsn_status_find(st, status)))
            dsn_build_set(&r->status, status);
        const char *diag = dsn_fields_get(g, "Diagnostic-Code");
        if (diag != NULL) {
            char *d = dsn_build_strip_type(diag);
            dsn_build_set_text(&r->diagnostic, d, strlen(d));
            free(d);
        }
        dsn_rfc3464_set_stripped(&r->remote_mta, dsn_fields_get(g, "Remote-MTA"));
    }
    free(final);
    free(orig);
}

static bool dsn_rfc3464_is_recipient_group(const struct dsn_field_group *g)
{
    return dsn_fields_get(g, "Final-Recipient") != NULL ||
           dsn_fields_get(g, "Original-Recipient") != NULL;
}

static bool dsn_rfc3464_is_failure(const struct dsn_recipient *r)
{
    if (r->action != NULL)
        return strcmp(r->action, "failed") == 0 || strcmp(r->action, "delayed") == 0 ||
               (r->status != NULL && r->status[0] != '2' && strcmp(r->action, "delivered") != 0 &&
                strcmp(r->action, "relayed") != 0 && strcmp(r->action, "expanded") != 0);
    return r->status == NULL || r->status[0] != '2';
}

static bool dsn_rfc3464_names_recipient(const struct dsn_field *f)
{
    return str_equal_nocase(f->name, "Final-Recipient") ||
           str_equal_nocase(f->name, "Original-Recipient");
}

/* Some MTAs leave out the blank line between two recipients' groups; a field naming a
 * recipient starts a new group when the current one already names one the same way, or
 * is complete (has Action and Status) and the new field is the next one's Original-Recipient. */
static bool dsn_rfc3464_starts_new(const struct dsn_field_group *slice, const struct dsn_field *f)
{
    if (!dsn_rfc3464_names_recipient(f))
        return false;
    if (dsn_fields_get(slice, f->name) != NULL)
        return true;
    return str_equal_nocase(f->name, "Original-Recipient") &&
           dsn_fields_get(slice, "Final-Recipient") != NULL &&
           dsn_fields_get(slice, "Action") != NULL && dsn_fields_get(slice, "Status") != NULL;
}

static void dsn_rfc3464_group(const struct dsn_field_group *group, bool strict,
                              struct dsn_report *report)
{
    size_t start = 0;
    for (size_t i = 0; i <= group->count; i++) {
        struct dsn_field_group slice = {group->fields + start, i - start};
        if (i < group->count && !dsn_rfc3464_starts_new(&slice, &group->fields[i]))
            continue;
        if (slice.count == 0)
            continue;
        if (!dsn_rfc3464_is_recipient_group(&slice))
            dsn_rfc3464_per_message(&slice, report);
        else if (strict || dsn_fields_get(&slice, "Action") || dsn_fields_get(&slice, "Status"))
            dsn_rfc3464_recipient(&slice, report);
        start = i;
    }
}

static void dsn_rfc3464_read(const char *body, size_t len, bool strict, struct dsn_report *report)
{
    struct dsn_fields *f = dsn_fields_parse(body, len);
    report->truncated |= f->truncated;
    for (size_t g = 0; g < f->count; g++)
        dsn_rfc3464_group(&f->groups[g], strict, report);
    dsn_fields_free(f);
}

bool dsn_rfc3464_parse(const struct mime_message *msg, struct dsn_report *report)
{
    for (size_t i = 0; i < msg->count && report->recipient_count == 0; i++) {
        const struct mime_entity *e = &msg->entities[i];
        if (dsn_rfc3464_is_status_entity(e) && e->body != NULL)
            dsn_rfc3464_read(e->body, e->body_len, true, report);
    }
    /* A multipart/report whose boundary does not match its parts (it happens), or a bounce
     * forwarded inline as text, reaches us as one opaque body: read recipient groups that
     * carry an Action or Status from the raw text instead. */
    if (report->recipient_count == 0 && msg->count > 0 && msg->raw_body &&
        (strncmp(msg->entities[0].content_type, "multipart/", 10) == 0 ||
         dsn_build_looks_like_bounce(msg)))
        dsn_rfc3464_read(msg->raw_body, msg->raw_body_len, false, report);
    if (report->recipient_count == 0)
        return false;
    report->format = DSN_FORMAT_RFC3464;
    report->kind = DSN_KIND_DELIVERY;
    for (size_t i = 0; i < report->recipient_count; i++) {
        if (dsn_rfc3464_is_failure(&report->recipients[i]))
            report->kind = DSN_KIND_BOUNCE;
    }
    return true;
}
