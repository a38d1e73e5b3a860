/* api_auth: authenticates an API request by AWS Signature Version 4 against the access keys in
 * the store (store_access_key_get). */
#ifndef REBOUND_API_AUTH_H
#define REBOUND_API_AUTH_H

#include <stdbool.h>

#include "api.h"

/* On success returns true with *key_r filled (owned: store_access_key_clear); else false with
 * resp_r holding the SES error to answer. */
bool api_auth(const struct api_context *ctx, const struct api_request *req,
              struct store_access_key *key_r, struct api_response *resp_r);

#endif
