/* verify_link: tokens at add time and the one-time link of address identities; see
 * verify_link.h. */
#include "verify_link.h"

#include <stdlib.h>

#include "verify_event.h"
#include "verify_token.h"
#include "xalloc.h"

enum store_status verify_issue_token(struct store *st, const char *identity, int64_t now_ms,
                                     int64_t link_expiry_ms, char **token_r, char **error_r)
{
    struct store_identity id;
    enum store_status s = store_identity_get(st, identity, &id, error_r);
    if (s != STORE_OK)
        return s;
    bool domain = id.kind == IDENTITY_DOMAIN;
    char *token = verify_token_new(domain ? VERIFY_TOKEN_BYTES : VERIFY_LINK_TOKEN_BYTES);
    if (token == NULL) {
        store_identity_clear(&id);
        *error_r = xstrdup("the random number generator failed");
        return STORE_TEMPFAIL;
    }
    s = store_identity_set_token(st, id.name, token, domain ? 0 : now_ms + link_expiry_ms, error_r);
    store_identity_clear(&id);
    if (s != STORE_OK) {
        free(token);
        return s;
    }
    *token_r = token;
    return STORE_OK;
}

static enum store_status verify_link_apply(struct store *st, const struct store_identity *id,
                                           int64_t now_ms, char **error_r)
{
    char *json = verify_event_json(id->name, STORE_CHECK_IDENTITY, NULL, id->status,
                                   IDENTITY_SUCCESS, NULL, now_ms);
    struct store_check_record rec = {
        STORE_CHECK_IDENTITY, IDENTITY_SUCCESS, true, now_ms, NULL, VERIFY_EVENT_IDENTITY, json};
    enum store_status s = store_verification_record(st, id->name, &rec, error_r);
    free(json);
    if (s == STORE_OK)
        s = store_identity_set_token(st, id->name, NULL, 0, error_r);
    return s;
}

enum store_status verify_link_consume(struct store *st, const char *token, int64_t now_ms,
                                      enum verify_link_status *link_r, char **identity_r,
                                      char **error_r)
{
    *link_r = VERIFY_LINK_UNKNOWN;
    *identity_r = NULL;
    if (!verify_token_is_link_token(token))
        return STORE_OK;
    struct store_identity id;
    char *why = NULL;
    enum store_status s = store_identity_by_token(st, token, &id, &why);
    if (s == STORE_NOT_FOUND) {
        free(why);
        return STORE_OK;
    }
    if (s != STORE_OK) {
        *error_r = why;
        return s;
    }
    *identity_r = xstrdup(id.name);
    if (id.kind != IDENTITY_ADDRESS) {
        s = STORE_OK; /* a domain's TXT token is not a link */
    } else if (now_ms >= id.token_expires_ms) {
        *link_r = VERIFY_LINK_EXPIRED;
    } else {
        s = verify_link_apply(st, &id, now_ms, error_r);
        if (s == STORE_OK)
            *link_r = VERIFY_LINK_OK;
    }
    store_identity_clear(&id);
    return s;
}
