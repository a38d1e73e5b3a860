/*
 * The JSON is built with jansson (its ownership stays in this file): every object below is
 * owned by its parent once set with json_object_set_new, and the root is freed after dumping.
 */
#include "feedback_event.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "xalloc.h"

void feedback_event_timestamp(int64_t ms, char out[32])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char day[24];
    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%s.%03dZ", day, (int)(ms % 1000));
}

static json_t *feedback_event_str(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *feedback_event_mail(const struct feedback_event_context *ctx, const char *rcpt)
{
    json_t *mail = json_object();
    json_object_set_new(mail, "messageId", feedback_event_str(ctx->message_id));
    json_object_set_new(mail, "source", json_string(ctx->source));
    json_t *dest = json_array();
    if (rcpt != NULL)
        json_array_append_new(dest, json_string(rcpt));
    json_object_set_new(mail, "destination", dest);
    return mail;
}

static char *feedback_event_prefixed(const char *type, const char *value)
{
    return value != NULL ? xasprintf("%s; %s", type, value) : NULL;
}

static json_t *feedback_event_bounce(const struct feedback_event_context *ctx,
                                     const struct dsn_report *report, const struct dsn_recipient *r,
                                     const struct classify_result *res, const char *feedback_id,
                                     const char *timestamp)
{
    json_t *rcpt = json_object();
    json_object_set_new(rcpt, "emailAddress", json_string(r->address));
    json_object_set_new(rcpt, "action", json_string(r->action ? r->action : "failed"));
    json_object_set_new(rcpt, "status", json_string(r->status ? r->status : res->status));
    char *diag = feedback_event_prefixed("smtp", r->diagnostic);
    json_object_set_new(rcpt, "diagnosticCode", feedback_event_str(diag));
    free(diag);
    json_t *list = json_array();
    json_array_append_new(list, rcpt);
    json_t *bounce = json_object();
    json_object_set_new(bounce, "bounceType", json_string(res->ses_type));
    json_object_set_new(bounce, "bounceSubType", json_string(res->ses_subtype));
    json_object_set_new(bounce, "bouncedRecipients", list);
    json_object_set_new(bounce, "timestamp", json_string(timestamp));
    json_object_set_new(bounce, "feedbackId", json_string(feedback_id));
    char *mta = feedback_event_prefixed("dns", report->reporting_mta);
    json_object_set_new(bounce, "reportingMTA", feedback_event_str(mta));
    free(mta);
    json_object_set_new(bounce, "remoteMtaIp", json_string(ctx->remote_ip));
    json_t *root = json_object();
    json_object_set_new(root, "eventType", json_string("Bounce"));
    json_object_set_new(root, "bounce", bounce);
    json_object_set_new(root, "mail", feedback_event_mail(ctx, r->address));
    return root;
}

static json_t *feedback_event_complaint(const struct feedback_event_context *ctx,
                                        const struct dsn_report *report, const char *address,
                                        const char *feedback_id, const char *timestamp)
{
    json_t *list = json_array();
    if (address != NULL) {
        json_t *rcpt = json_object();
        json_object_set_new(rcpt, "emailAddress", json_string(address));
        json_array_append_new(list, rcpt);
    }
    json_t *c = json_object();
    json_object_set_new(c, "complainedRecipients", list);
    json_object_set_new(c, "complaintFeedbackType",
                        json_string(report->feedback_type ? report->feedback_type : "abuse"));
    json_object_set_new(c, "userAgent", feedback_event_str(ctx->user_agent));
    json_object_set_new(c, "arrivalDate", feedback_event_str(report->arrival_date));
    json_object_set_new(c, "timestamp", json_string(timestamp));
    json_object_set_new(c, "feedbackId", json_string(feedback_id));
    json_t *root = json_object();
    json_object_set_new(root, "eventType", json_string("Complaint"));
    json_object_set_new(root, "complaint", c);
    json_object_set_new(root, "mail", feedback_event_mail(ctx, address));
    return root;
}

static void feedback_event_store(const struct feedback_event_context *ctx, const char *type,
                                 json_t *root, struct store_message *msg)
{
    char *json = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(root);
    store_message_add_linked_event(msg, type, ctx->message_id, json);
    free(json);
}

static void feedback_event_one_bounce(const struct feedback_event_context *ctx,
                                      const struct dsn_report *report,
                                      const struct dsn_recipient *r, const char *feedback_id,
                                      const char *timestamp, struct store_message *msg,
                                      struct feedback_event_counts *counts)
{
    struct classify_result res;
    classify_recipient(ctx->rules, report, r, &res);
    if (!classify_is_bounce(&res) || r->address == NULL)
        return;
    json_t *root = feedback_event_bounce(ctx, report, r, &res, feedback_id, timestamp);
    feedback_event_store(ctx, "Bounce", root, msg);
    counts->bounces++;
    bool suppress = strcmp(res.ses_type, "Permanent") == 0;
    if (suppress) {
        store_message_add_suppression(msg, r->address, STORE_SUPPRESS_BOUNCE);
        counts->suppressed++;
    }
    LOG_INFO(ctx->log_id,
             "feedback-event type=Bounce feedback=%s rcpt=%s status=%s bounce_type=%s "
             "bounce_subtype=%s suppressed=%s message=%s",
             feedback_id, r->address, res.status, res.ses_type, res.ses_subtype,
             suppress ? "yes" : "no", ctx->message_id ? ctx->message_id : "-");
}

static void feedback_event_one_complaint(const struct feedback_event_context *ctx,
                                         const struct dsn_report *report, const char *address,
                                         const char *feedback_id, const char *timestamp,
                                         struct store_message *msg,
                                         struct feedback_event_counts *counts)
{
    json_t *root = feedback_event_complaint(ctx, report, address, feedback_id, timestamp);
    feedback_event_store(ctx, "Complaint", root, msg);
    counts->complaints++;
    if (address != NULL) {
        store_message_add_suppression(msg, address, STORE_SUPPRESS_COMPLAINT);
        counts->suppressed++;
    }
    LOG_INFO(ctx->log_id,
             "feedback-event type=Complaint feedback=%s rcpt=%s feedback_type=%s "
             "suppressed=%s message=%s",
             feedback_id, address ? address : "-",
             report->feedback_type ? report->feedback_type : "-", address ? "yes" : "no",
             ctx->message_id ? ctx->message_id : "-");
}

void feedback_event_add(const struct feedback_event_context *ctx, const struct dsn_report *report,
                        struct store_message *msg, struct feedback_event_counts *counts_r)
{
    memset(counts_r, 0, sizeof(*counts_r));
    char timestamp[32];
    feedback_event_timestamp(ctx->now_ms, timestamp);
    size_t n = report->recipient_count;
    if (n > FEEDBACK_MAX_REPORTED_RECIPIENTS) {
        LOG_WARN(ctx->log_id, "feedback-truncated recipients=%zu kept=%d", n,
                 FEEDBACK_MAX_REPORTED_RECIPIENTS);
        n = FEEDBACK_MAX_REPORTED_RECIPIENTS;
    }
    for (size_t i = 0; i < n; i++) {
        char *feedback_id = xasprintf("%s-%zu", ctx->feedback_id, i + 1);
        const struct dsn_recipient *r = &report->recipients[i];
        if (report->kind == DSN_KIND_BOUNCE)
            feedback_event_one_bounce(ctx, report, r, feedback_id, timestamp, msg, counts_r);
        else if (report->kind == DSN_KIND_COMPLAINT)
            feedback_event_one_complaint(ctx, report, r->address, feedback_id, timestamp, msg,
                                         counts_r);
        free(feedback_id);
    }
    if (report->kind == DSN_KIND_COMPLAINT && report->recipient_count == 0) {
        /* An ARF report that names nobody still is a complaint about this sender. */
        char *feedback_id = xasprintf("%s-1", ctx->feedback_id);
        feedback_event_one_complaint(ctx, report, NULL, feedback_id, timestamp, msg, counts_r);
        free(feedback_id);
    }
}
