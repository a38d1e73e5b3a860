/* api_auth: see api_auth.h. Never logs the secret or the signature. */
#include "api_auth.h"

#include <stdlib.h>
#include <string.h>

#include "api_error.h"
#include "str.h"
#include "xalloc.h"

#define API_SERVICE "ses"

static const char *api_auth_header(const struct api_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++)
        if (str_equal_nocase(req->headers[i].name, name))
            return req->headers[i].value;
    return NULL;
}

static bool api_auth_check(const struct api_context *ctx, const struct api_request *req,
                           const struct sigv4_auth *auth, struct store_access_key *key_r,
                           struct api_response *resp_r)
{
    char *error = NULL;
    enum store_status s = store_access_key_get(ctx->store, auth->access_key, key_r, &error);
    if (s != STORE_OK) {
        free(error);
        if (s == STORE_NOT_FOUND)
            api_error_respond(resp_r, API_ERR_UNRECOGNIZED,
                              "The security token included in the request is invalid.");
        else
            api_error_respond(resp_r, api_error_from_store(s), "the store is not available");
        return false;
    }
    struct sigv4_request sreq = {req->method,    req->path, req->query,   req->headers,
                                 req->n_headers, req->body, req->body_len};
    enum sigv4_verdict v = sigv4_verify(&sreq, auth, key_r->secret, API_SERVICE, ctx->region,
                                        clock_now(ctx->clock), &error);
    if (v == SIGV4_OK)
        return true;
    enum api_error e = v == SIGV4_EXPIRED         ? API_ERR_EXPIRED
                       : v == SIGV4_BAD_SIGNATURE ? API_ERR_BAD_SIGNATURE
                                                  : API_ERR_INCOMPLETE_SIG;
    api_error_respond(resp_r, e, error);
    free(error);
    store_access_key_clear(key_r);
    return false;
}

bool api_auth(const struct api_context *ctx, const struct api_request *req,
              struct store_access_key *key_r, struct api_response *resp_r)
{
    memset(key_r, 0, sizeof(*key_r));
    const char *value = api_auth_header(req, "authorization");
    if (value == NULL) {
        api_error_respond(resp_r, API_ERR_MISSING_AUTH,
                          "Missing Authentication Token: sign requests with AWS Signature "
                          "Version 4");
        return false;
    }
    struct sigv4_auth auth;
    char *error = NULL;
    if (!sigv4_parse_authorization(value, strlen(value), &auth, &error)) {
        api_error_respond(resp_r, API_ERR_INCOMPLETE_SIG, error);
        free(error);
        return false;
    }
    bool ok = api_auth_check(ctx, req, &auth, key_r, resp_r);
    sigv4_auth_clear(&auth);
    return ok;
}
