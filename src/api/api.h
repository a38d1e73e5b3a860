/*
 * api: rebound's HTTP API, the SES v2 REST paths and JSON shapes so SES code works with only
 * the endpoint changed. This is the transport-free core: a request (method, raw path, raw query,
 * headers, body) goes in, a response (status, headers, JSON body) comes out. api_server.h puts
 * it behind libmicrohttpd; tests and the fuzz target call api_handle() directly.
 *
 * Served (all but the last need AWS Signature Version 4, service "ses", with an access key of
 * `rebound account keys create`):
 *   POST   /v2/email/identities                    CreateEmailIdentity
 *   GET    /v2/email/identities                    ListEmailIdentities
 *   GET    /v2/email/identities/{id}               GetEmailIdentity
 *   DELETE /v2/email/identities/{id}               DeleteEmailIdentity
 *   PUT    /v2/email/identities/{id}/mail-from     PutEmailIdentityMailFromAttributes
 *   GET    /v2/email/account                       GetAccount (minimal)
 *   GET    /v2/rebound/verify/{token}              an address identity's one-time link
 * Not served yet: POST /v2/email/outbound-emails (needs the submission role) and the
 * suppression paths: they answer 404 NotFoundException like any unknown path.
 *
 * Errors: SES error names with their HTTP statuses, as a JSON body {"__type": NAME,
 * "message": TEXT} plus the x-amzn-ErrorType header (what botocore reads).
 *
 * Blocking: api_handle() calls the store (store.h: blocking), so it runs on the HTTP server's
 * own thread, never on an event loop shared with SMTP sessions.
 */
#ifndef REBOUND_API_API_H
#define REBOUND_API_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "sigv4.h"
#include "store.h"

/* Largest request body accepted (SES's own limit for a JSON request is far larger, but no
 * request served here needs more than a few hundred bytes). */
#define API_MAX_BODY    ((size_t)64 * 1024)
#define API_MAX_HEADERS 64
/* Most identities one ListEmailIdentities page returns (SES: PageSize up to 1000). */
#define API_MAX_PAGE 1000

struct api_request {
    const char *method;
    const char *path;  /* raw, percent-encoded, without the query */
    const char *query; /* raw, without '?', or NULL */
    const struct sigv4_header *headers;
    size_t n_headers;
    const char *body;
    size_t body_len;
};

struct api_response {
    int status;
    char *body;               /* owned JSON (or text for the verify link) */
    const char *content_type; /* static */
    const char *error_type;   /* static: the SES error name, or NULL */
};
void api_response_clear(struct api_response *r);

/* What the handlers need; everything borrowed for the life of the API. */
struct api_context {
    struct store *store;
    const struct clock *clock;
    const char *region;        /* SigV4 region accepted ("us-east-1"); NULL = any */
    const char *record;        /* verify.record_name */
    int64_t link_expiry_ms;    /* verify.link_expiry_hours */
    const char *link_base_url; /* verify.link_base_url */
};

/* Serves one request. Never fails: every problem is an error response. */
void api_handle(const struct api_context *ctx, const struct api_request *req,
                struct api_response *resp_r);

#endif
