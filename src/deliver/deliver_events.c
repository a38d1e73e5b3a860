/*
 * deliver_events: the only file of the scheduler that holds jansson objects (STYLE.md rule 5).
 */
#include "deliver_events.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify.h"
#include "xalloc.h"

const char *deliver_event_type(enum deliver_event_kind kind)
{
    return kind == DELIVER_EVENT_DELIVERY ? "Delivery"
           : kind == DELIVER_EVENT_DELAY  ? "DeliveryDelay"
                                          : "Bounce";
}

void deliver_event_time(int64_t ms, char *out, size_t size)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

static json_t *deliver_event_stamp(int64_t ms)
{
    char text[80];
    deliver_event_time(ms, text, sizeof(text));
    return json_string(text);
}

void deliver_event_bounce_type(const char *status, const char *response, bool expired,
                               const char **type_r, const char **subtype_r)
{
    /* A 5xx in the session is a hard (Permanent) bounce; giving up after the lifetime is a
     * soft (Transient) one, as SES reports them. The subtype comes from the classification
     * when it agrees on the type, else it is General. */
    *type_r = expired ? "Transient" : "Permanent";
    *subtype_r = "General";
    bool specific = false;
    const char *reason = classify_status_reason(status, &specific);
    if (!specific && response != NULL) {
        char *lower = xstrdup(response);
        for (char *p = lower; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        const char *by_text = classify_rules_match(lower);
        free(lower);
        if (by_text != NULL)
            reason = by_text;
    }
    if (reason == NULL || !classify_is_reason(reason))
        return;
    const char *type, *subtype;
    classify_ses(reason, !expired, &type, &subtype);
    if (strcmp(type, *type_r) == 0)
        *subtype_r = subtype;
}

static json_t *deliver_event_mail(const struct deliver_event_input *in)
{
    json_t *dest = json_array();
    for (size_t i = 0; i < in->n_destination; i++)
        json_array_append_new(dest, json_string(in->destination[i]));
    return json_pack("{s:o, s:s, s:s, s:I, s:o}", "timestamp", deliver_event_stamp(in->arrival_ms),
                     "messageId", in->message_id, "source", in->source, "sendingAccountId",
                     (json_int_t)in->account_id, "destination", dest);
}

static json_t *deliver_event_detail(const struct deliver_event_input *in)
{
    char *diag = xasprintf("smtp; %s", in->response ? in->response : "");
    for (char *p = diag; *p; p++) {
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    }
    json_t *o = NULL;
    if (in->kind == DELIVER_EVENT_DELIVERY) {
        o = json_pack("{s:o, s:I, s:[s], s:s, s:s}", "timestamp", deliver_event_stamp(in->now_ms),
                      "processingTimeMillis", (json_int_t)(in->now_ms - in->arrival_ms),
                      "recipients", in->recipient, "smtpResponse", diag + 6, "reportingMTA",
                      in->reporting_mta);
    } else if (in->kind == DELIVER_EVENT_DELAY) {
        o = json_pack("{s:o, s:s, s:o, s:[{s:s, s:s, s:s}], s:s}", "timestamp",
                      deliver_event_stamp(in->now_ms), "delayType", "TransientCommunicationFailure",
                      "expirationTime", deliver_event_stamp(in->expiration_ms), "delayedRecipients",
                      "emailAddress", in->recipient, "status", in->status, "diagnosticCode", diag,
                      "reportingMTA", in->reporting_mta);
    } else {
        const char *type, *subtype;
        deliver_event_bounce_type(in->status, in->response, in->expired, &type, &subtype);
        char *feedback = xasprintf("%s-%lld", in->message_id, (long long)in->now_ms);
        char *mta = xasprintf("dns; %s", in->reporting_mta);
        o = json_pack("{s:s, s:s, s:[{s:s, s:s, s:s, s:s}], s:o, s:s, s:s}", "bounceType", type,
                      "bounceSubType", subtype, "bouncedRecipients", "emailAddress", in->recipient,
                      "action", "failed", "status", in->status, "diagnosticCode", diag, "timestamp",
                      deliver_event_stamp(in->now_ms), "feedbackId", feedback, "reportingMTA", mta);
        free(feedback);
        free(mta);
    }
    if (o != NULL && in->remote_ip != NULL)
        json_object_set_new(o, "remoteMtaIp", json_string(in->remote_ip));
    free(diag);
    return o;
}

char *deliver_event_json(const struct deliver_event_input *in)
{
    static const char *const keys[] = {"delivery", "deliveryDelay", "bounce"};
    json_t *root = json_object();
    json_object_set_new(root, "eventType", json_string(deliver_event_type(in->kind)));
    json_object_set_new(root, "mail", deliver_event_mail(in));
    json_object_set_new(root, keys[in->kind], deliver_event_detail(in));
    char *text = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(root);
    return text ? text : xstrdup("{}");
}
