/*
 * feedback_event: turns a parsed report into what the store keeps: per reported recipient one
 * event in SES's notification JSON shape, and suppression entries for permanent bounces and
 * complaints (SES: transient bounces and auto-replies are not suppressed).
 *
 *   Bounce     {"eventType":"Bounce","bounce":{bounceType, bounceSubType,
 *               bouncedRecipients:[{emailAddress, action, status, diagnosticCode}],
 *               timestamp, feedbackId, reportingMTA, remoteMtaIp},
 *               "mail":{messageId, source, destination:[recipient], timestamp}}
 *   Complaint  {"eventType":"Complaint","complaint":{complainedRecipients:[{emailAddress}],
 *               complaintFeedbackType, userAgent, arrivalDate, timestamp, feedbackId},
 *               "mail":{...}}
 * Reports of kind AUTOREPLY, DELIVERY and NONE produce no event (they are still forwarded).
 * At most FEEDBACK_MAX_REPORTED_RECIPIENTS recipients of one report are turned into events.
 *
 * Pure apart from logging one line per event. Strings in the context are borrowed.
 */
#ifndef REBOUND_FEEDBACK_EVENT_H
#define REBOUND_FEEDBACK_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "dsn.h"
#include "store.h"

/* Recipients of one report turned into events and suppressions; the rest are logged only. */
#define FEEDBACK_MAX_REPORTED_RECIPIENTS 100

struct feedback_event_context {
    const char *log_id;      /* session id for the log lines */
    const char *feedback_id; /* rebound's id of the forwarded report; events get "<id>-<n>" */
    const char *source;      /* the original envelope-from (the reversed return path) */
    const char *message_id;  /* the original message, or NULL if it was not found */
    const char *remote_ip;   /* the client that delivered the report */
    const char *user_agent;  /* ARF User-Agent, or NULL */
    int64_t now_ms;
    const struct classify_rules *rules; /* operator rules, or NULL */
};

struct feedback_event_counts {
    size_t bounces;
    size_t complaints;
    size_t suppressed;
};

/* Adds the events and suppressions of `report` to msg (the forwarded report's message). */
void feedback_event_add(const struct feedback_event_context *ctx, const struct dsn_report *report,
                        struct store_message *msg, struct feedback_event_counts *counts_r);

/* Formats ms since the epoch as SES does: "2026-11-28T09:48:30.123Z" (out >= 25 bytes). */
void feedback_event_timestamp(int64_t ms, char out[32]);

#endif
