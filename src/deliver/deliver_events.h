/*
 * deliver_events: the SES-shaped notification JSON of the scheduler's outcomes (stored now,
 * posted by the webhook role later): Delivery, DeliveryDelay and Bounce, each with the
 * common "mail" object. Pure: times come in, a string goes out.
 *
 *   mail     {timestamp, messageId, source, sendingAccountId, destination[]}
 *   Delivery {timestamp, processingTimeMillis, recipients[], smtpResponse, reportingMTA,
 *             remoteMtaIp}
 *   DeliveryDelay {timestamp, delayType, expirationTime, delayedRecipients[{emailAddress,
 *             status, diagnosticCode}], reportingMTA, remoteMtaIp}
 *   Bounce   {bounceType, bounceSubType, bouncedRecipients[{emailAddress, action, status,
 *             diagnosticCode}], timestamp, feedbackId, reportingMTA, remoteMtaIp}
 * bounceType/bounceSubType come from the enhanced status code and the reply text
 * (classify.h, the same tables that classify bounces coming back).
 */
#ifndef REBOUND_DELIVER_EVENTS_H
#define REBOUND_DELIVER_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum deliver_event_kind { DELIVER_EVENT_DELIVERY, DELIVER_EVENT_DELAY, DELIVER_EVENT_BOUNCE };

struct deliver_event_input {
    enum deliver_event_kind kind;
    /* mail */
    const char *message_id;
    const char *source; /* the original envelope-from */
    int64_t account_id;
    int64_t arrival_ms;
    const char *const *destination; /* every recipient of the message */
    size_t n_destination;
    /* the outcome */
    int64_t now_ms;
    const char *recipient;
    const char *status;   /* enhanced code */
    const char *response; /* the SMTP reply or reason */
    const char *reporting_mta;
    const char *remote_ip; /* or NULL */
    int64_t expiration_ms; /* DeliveryDelay */
    bool expired;          /* Bounce: the lifetime ran out */
};

/* The event's type name ("Delivery", "DeliveryDelay", "Bounce"); static. */
const char *deliver_event_type(enum deliver_event_kind kind);
/* The JSON; owned (free()). */
char *deliver_event_json(const struct deliver_event_input *in);
/* bounceType and bounceSubType for a failed recipient (static strings). */
void deliver_event_bounce_type(const char *status, const char *response, bool expired,
                               const char **type_r, const char **subtype_r);
/* ISO 8601 UTC with milliseconds ("2026-11-28T11:29:36.123Z") into out (>= 25 bytes). */
void deliver_event_time(int64_t ms, char *out, size_t size);

#endif
