/* verify_event: the JSON payload of a verification transition event (no JSON library: the
 * fields are few and fixed; strings are escaped per RFC 8259 section 7). */
#ifndef REBOUND_VERIFY_EVENT_H
#define REBOUND_VERIFY_EVENT_H

#include <stdint.h>

#include "store.h"

/* Event types stored for status transitions. */
#define VERIFY_EVENT_IDENTITY  "IdentityVerification"
#define VERIFY_EVENT_MAIL_FROM "MailFromVerification"

/* {"identity":..,"target":"IDENTITY"|"MAIL_FROM","domain":..,"from":..,"to":..,
 *  "reason":..|null,"timeMs":N}; owned. domain may be NULL (identity checks). */
char *verify_event_json(const char *identity, enum store_check_target target, const char *domain,
                        enum identity_status from, enum identity_status to, const char *reason,
                        int64_t time_ms);

#endif
