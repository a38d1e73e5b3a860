/*
 * Amazon SES event notifications delivered by e-mail (SNS e-mail subscriptions): the body is
 * one line of JSON in the very shape rebound itself emits,
 *   {"notificationType":"Bounce","bounce":{"bounceType":..,"bouncedRecipients":[
 *      {"emailAddress":..,"action":..,"status":..,"diagnosticCode":..}],"reportingMTA":..},
 *    "mail":{"messageId":..,..}}
 * with "Delivery" (delivery.recipients[], delivery.smtpResponse) and "Complaint"
 * (complaint.complainedRecipients[], complaint.complaintFeedbackType) variants.
 * This file is the jansson adapter (STYLE.md rule 5): every json_t reference stays here.
 * SECURITY: only a line of at most DSN_SESJSON_MAX_BYTES is handed to the JSON parser.
 */
#include "dsn_build.h"
#include "dsn_status.h"
#include "str.h"
#include "xalloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define DSN_SESJSON_MAX_BYTES (256u << 10) /* longest JSON line parsed */

static const char *dsn_sesjson_str(json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    return (v != NULL && *v != '\0') ? v : NULL;
}

static void dsn_sesjson_bounce(json_t *bounce, struct dsn_report *report)
{
    const char *type = dsn_sesjson_str(bounce, "bounceType");
    const char *subtype = dsn_sesjson_str(bounce, "bounceSubType");
    json_t *list = json_object_get(bounce, "bouncedRecipients");
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        const char *address = dsn_sesjson_str(item, "emailAddress");
        struct dsn_recipient *r = address ? dsn_build_add_recipient(report, address) : NULL;
        if (r == NULL)
            continue;
        dsn_build_set(&r->ses_type, type);
        dsn_build_set(&r->ses_subtype, subtype);
        dsn_build_set(&r->action, dsn_sesjson_str(item, "action"));
        if (r->action == NULL)
            dsn_build_set(&r->action, "failed");
        char status[DSN_STATUS_MAX_LEN + 1];
        const char *st = dsn_sesjson_str(item, "status");
        if (st != NULL && dsn_status_parse(st, status))
            dsn_build_set(&r->status, status);
        const char *diag = dsn_sesjson_str(item, "diagnosticCode");
        if (diag != NULL) {
            char *d = dsn_build_strip_type(diag);
            dsn_build_set_text(&r->diagnostic, d, strlen(d));
            free(d);
        }
    }
    const char *mta = dsn_sesjson_str(bounce, "reportingMTA");
    if (mta != NULL && report->reporting_mta == NULL)
        report->reporting_mta = dsn_build_strip_type(mta);
}

static void dsn_sesjson_recipients(json_t *list, const char *key, const char *action,
                                   const char *diagnostic, struct dsn_report *report)
{
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        const char *address = key ? dsn_sesjson_str(item, key) : json_string_value(item);
        struct dsn_recipient *r = address ? dsn_build_add_recipient(report, address) : NULL;
        if (r == NULL)
            continue;
        dsn_build_set(&r->action, action);
        if (diagnostic != NULL)
            dsn_build_set_text(&r->diagnostic, diagnostic, strlen(diagnostic));
    }
}

static bool dsn_sesjson_read(json_t *root, struct dsn_report *report)
{
    const char *type = dsn_sesjson_str(root, "notificationType");
    if (type == NULL)
        type = dsn_sesjson_str(root, "eventType");
    if (type == NULL)
        return false;
    if (strcmp(type, "Bounce") == 0) {
        dsn_sesjson_bounce(json_object_get(root, "bounce"), report);
        report->kind = DSN_KIND_BOUNCE;
    } else if (strcmp(type, "Delivery") == 0) {
        json_t *d = json_object_get(root, "delivery");
        dsn_sesjson_recipients(json_object_get(d, "recipients"), NULL, "delivered",
                               dsn_sesjson_str(d, "smtpResponse"), report);
        report->kind = DSN_KIND_DELIVERY;
    } else if (strcmp(type, "Complaint") == 0) {
        json_t *c = json_object_get(root, "complaint");
        dsn_sesjson_recipients(json_object_get(c, "complainedRecipients"), "emailAddress", NULL,
                               NULL, report);
        const char *fbt = dsn_sesjson_str(c, "complaintFeedbackType");
        report->feedback_type = str_lower(xstrdup(fbt ? fbt : "abuse"));
        report->kind = DSN_KIND_COMPLAINT;
    } else {
        return false;
    }
    const char *id = dsn_sesjson_str(json_object_get(root, "mail"), "messageId");
    if (id != NULL)
        dsn_build_set(&report->orig_message_id, id);
    report->format = DSN_FORMAT_SESJSON;
    return report->recipient_count > 0;
}

/* The first line of a text body that opens a JSON object naming a notification type. */
static const char *dsn_sesjson_line(const struct mime_entity *e, size_t *len_r)
{
    const char *p = e->body;
    const char *end = e->body + e->body_len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n > 0 && p[0] == '{' && n <= DSN_SESJSON_MAX_BYTES &&
            memmem(p, n, "Type\"", 5) != NULL) {
            *len_r = n;
            return p;
        }
        p += n + 1;
    }
    return NULL;
}

bool dsn_sesjson_parse(const struct mime_message *msg, struct dsn_report *report)
{
    for (size_t i = 0; i < msg->count; i++) {
        const struct mime_entity *e = &msg->entities[i];
        if (e->body == NULL || strcmp(e->content_type, "text/plain") != 0)
            continue;
        size_t len;
        const char *line = dsn_sesjson_line(e, &len);
        if (line == NULL)
            continue;
        json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
        bool ok = json_is_object(root) && dsn_sesjson_read(root, report);
        json_decref(root);
        if (ok)
            return true;
    }
    return false;
}
