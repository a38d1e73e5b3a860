/* api_handlers: routing and the SES v2 operations; see api.h for the paths served. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_auth.h"
#include "api_error.h"
#include "api_json.h"
#include "mailfrom.h"
#include "str.h"
#include "verify_link.h"
#include "verify_token.h"
#include "xalloc.h"

#define API_IDENTITIES "/v2/email/identities"
#define API_ACCOUNT    "/v2/email/account"
#define API_VERIFY     "/v2/rebound/verify/"
#define API_MAIL_FROM  "/mail-from"
#define API_MAX_PATH   2048

void api_response_clear(struct api_response *r)
{
    free(r->body);
    memset(r, 0, sizeof(*r));
}

static void api_ok(struct api_response *resp, char *json)
{
    api_response_clear(resp);
    resp->status = 200;
    resp->body = json;
    resp->content_type = "application/json";
}

static int api_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes one path segment; NULL if it holds a bad escape, %00 or %2F. Owned. */
static char *api_segment(const char *s, size_t len)
{
    char *out = xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            int hi = i + 2 < len ? api_hexval(s[i + 1]) : -1;
            int lo = i + 2 < len ? api_hexval(s[i + 2]) : -1;
            int v = hi * 16 + lo;
            if (hi < 0 || lo < 0 || v == 0 || v == '/') {
                free(out);
                return NULL;
            }
            c = (char)v;
            i += 2;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    return out;
}

/* The identity of the authenticated account named in the path, or false with resp set. */
static bool api_own_identity(const struct api_context *ctx, const struct store_access_key *key,
                             const char *name, struct store_identity *id_r,
                             struct api_response *resp)
{
    char *error = NULL;
    enum store_status s = store_identity_get(ctx->store, name, id_r, &error);
    free(error);
    if (s == STORE_OK && id_r->account_id == key->account_id)
        return true;
    if (s == STORE_OK)
        store_identity_clear(id_r);
    char *msg = xasprintf("Email identity %s does not exist.", name);
    api_error_respond(resp, s == STORE_OK ? API_ERR_NOT_FOUND : api_error_from_store(s), msg);
    free(msg);
    return false;
}

static void api_store_error(struct api_response *resp, enum store_status s, char *error)
{
    api_error_respond(resp, api_error_from_store(s), error ? error : store_status_name(s));
    free(error);
}

static void api_create(const struct api_context *ctx, const struct store_access_key *key,
                       const struct api_request *req, struct api_response *resp)
{
    char *name = NULL, *error = NULL, *token = NULL;
    if (!api_json_parse_create(req->body, req->body_len, &name, &error)) {
        api_error_respond(resp, API_ERR_BAD_REQUEST, error);
        free(error);
        return;
    }
    int64_t now = clock_now_ms(ctx->clock);
    enum store_status s = store_identity_add(ctx->store, name, key->account, now, &error);
    if (s == STORE_OK)
        s = verify_issue_token(ctx->store, name, now, ctx->link_expiry_ms, &token, &error);
    struct store_identity id;
    if (s == STORE_OK)
        s = store_identity_get(ctx->store, name, &id, &error);
    if (s == STORE_OK) {
        api_ok(resp, api_json_created(&id));
        store_identity_clear(&id);
    } else {
        api_store_error(resp, s, error);
    }
    free(token);
    free(name);
}

/* A decimal count in the query value at p (up to '&' or the end); false if malformed. */
static bool api_query_count(const char *p, unsigned long max, unsigned long *v_r)
{
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(p, &end, 10);
    if (errno != 0 || end == p || (*end != '\0' && *end != '&') || v > max)
        return false;
    *v_r = v;
    return true;
}

/* PageSize and NextToken (an index) from the raw query; bad values fall back to defaults. */
static void api_page(const char *query, size_t *from_r, size_t *size_r)
{
    *from_r = 0;
    *size_r = API_MAX_PAGE;
    for (const char *p = query; p != NULL && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
        unsigned long v = 0;
        if (strncmp(p, "PageSize=", 9) == 0 && api_query_count(p + 9, API_MAX_PAGE, &v) && v > 0)
            *size_r = v;
        else if (strncmp(p, "NextToken=", 10) == 0 && api_query_count(p + 10, ULONG_MAX, &v))
            *from_r = v;
    }
}

static void api_list(const struct api_context *ctx, const struct store_access_key *key,
                     const struct api_request *req, struct api_response *resp)
{
    struct store_identity_list list;
    char *error = NULL;
    enum store_status s = store_identity_list(ctx->store, NULL, key->account_id, &list, &error);
    if (s != STORE_OK) {
        api_store_error(resp, s, error);
        return;
    }
    size_t from, size;
    api_page(req->query, &from, &size);
    if (from > list.n)
        from = list.n;
    size_t next = list.n - from > size ? from + size : 0;
    api_ok(resp, api_json_identity_list(&list, from, size, next));
    store_identity_list_free(&list);
}

static void api_get(const struct api_context *ctx, const struct store_access_key *key,
                    const char *name, struct api_response *resp)
{
    struct store_identity id;
    if (!api_own_identity(ctx, key, name, &id, resp))
        return;
    char *record =
        id.kind == IDENTITY_DOMAIN ? verify_token_record_name(ctx->record, id.name) : NULL;
    api_ok(resp, api_json_identity(&id, record));
    free(record);
    store_identity_clear(&id);
}

static void api_delete(const struct api_context *ctx, const struct store_access_key *key,
                       const char *name, struct api_response *resp)
{
    struct store_identity id;
    if (!api_own_identity(ctx, key, name, &id, resp))
        return;
    char *error = NULL;
    enum store_status s = store_identity_delete(ctx->store, id.name, &error);
    if (s == STORE_OK)
        api_ok(resp, api_json_empty());
    else
        api_store_error(resp, s, error);
    store_identity_clear(&id);
}

static void api_mail_from(const struct api_context *ctx, const struct store_access_key *key,
                          const char *name, const struct api_request *req,
                          struct api_response *resp)
{
    char *domain = NULL, *error = NULL;
    enum store_mx_failure behavior;
    if (!api_json_parse_mail_from(req->body, req->body_len, &domain, &behavior, &error)) {
        api_error_respond(resp, API_ERR_BAD_REQUEST, error);
        free(error);
        return;
    }
    struct store_identity id;
    if (!api_own_identity(ctx, key, name, &id, resp)) {
        free(domain);
        return;
    }
    char *norm = domain ? mailfrom_validate(id.name, domain, &error) : NULL;
    if (domain != NULL && norm == NULL) {
        api_error_respond(resp, API_ERR_BAD_REQUEST, error);
        free(error);
    } else {
        enum store_status s = store_mail_from_set(ctx->store, id.name, norm, behavior,
                                                  clock_now_ms(ctx->clock), &error);
        if (s == STORE_OK)
            api_ok(resp, api_json_empty());
        else
            api_error_respond(resp, s == STORE_TEMPFAIL ? API_ERR_TEMPORARY : API_ERR_BAD_REQUEST,
                              error ? error : store_status_name(s));
        if (s != STORE_OK)
            free(error);
    }
    free(norm);
    free(domain);
    store_identity_clear(&id);
}

static void api_account(const struct api_context *ctx, const struct store_access_key *key,
                        struct api_response *resp)
{
    struct store_account a;
    char *error = NULL;
    enum store_status s = store_account_get(ctx->store, key->account, &a, &error);
    if (s != STORE_OK) {
        api_store_error(resp, s, error);
        return;
    }
    api_ok(resp, api_json_account(&a));
    store_account_clear(&a);
}

static void api_verify_link(const struct api_context *ctx, const char *token,
                            struct api_response *resp)
{
    enum verify_link_status link;
    char *identity = NULL, *error = NULL;
    enum store_status s =
        verify_link_consume(ctx->store, token, clock_now_ms(ctx->clock), &link, &identity, &error);
    if (s != STORE_OK) {
        api_store_error(resp, s, error);
    } else if (link == VERIFY_LINK_OK) {
        api_response_clear(resp);
        resp->status = 200;
        resp->content_type = "text/plain; charset=utf-8";
        resp->body = xasprintf("%s is verified.\n", identity);
    } else if (link == VERIFY_LINK_EXPIRED) {
        api_error_respond(resp, API_ERR_NOT_FOUND,
                          "This verification link has expired; ask for a new one.");
        resp->status = 410;
    } else {
        api_error_respond(resp, API_ERR_NOT_FOUND, "This verification link is not valid.");
    }
    free(identity);
}

static bool api_is(const struct api_request *req, const char *method)
{
    return strcmp(req->method, method) == 0;
}

/* Routes /v2/email/identities/{id}[/mail-from]. */
static void api_route_identity(const struct api_context *ctx, const struct store_access_key *key,
                               const struct api_request *req, const char *rest,
                               struct api_response *resp)
{
    const char *slash = strchr(rest, '/');
    size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
    char *name = len > 0 ? api_segment(rest, len) : NULL;
    if (name == NULL) {
        api_error_respond(resp, API_ERR_NOT_FOUND, "no such identity path");
    } else if (slash == NULL && api_is(req, "GET")) {
        api_get(ctx, key, name, resp);
    } else if (slash == NULL && api_is(req, "DELETE")) {
        api_delete(ctx, key, name, resp);
    } else if (slash != NULL && strcmp(slash, API_MAIL_FROM) == 0 && api_is(req, "PUT")) {
        api_mail_from(ctx, key, name, req, resp);
    } else if (slash == NULL || strcmp(slash, API_MAIL_FROM) == 0) {
        api_error_respond(resp, API_ERR_METHOD, "method not allowed on this path");
    } else {
        api_error_respond(resp, API_ERR_NOT_FOUND, "no such path");
    }
    free(name);
}

static void api_route(const struct api_context *ctx, const struct store_access_key *key,
                      const struct api_request *req, struct api_response *resp)
{
    const char *p = req->path;
    size_t n = strlen(API_IDENTITIES);
    if (strcmp(p, API_IDENTITIES) == 0 || strcmp(p, API_IDENTITIES "/") == 0) {
        if (api_is(req, "POST"))
            api_create(ctx, key, req, resp);
        else if (api_is(req, "GET"))
            api_list(ctx, key, req, resp);
        else
            api_error_respond(resp, API_ERR_METHOD, "method not allowed on this path");
    } else if (strncmp(p, API_IDENTITIES "/", n + 1) == 0) {
        api_route_identity(ctx, key, req, p + n + 1, resp);
    } else if (strcmp(p, API_ACCOUNT) == 0 && api_is(req, "GET")) {
        api_account(ctx, key, resp);
    } else {
        api_error_respond(resp, API_ERR_NOT_FOUND, "no such operation in this API");
    }
}

void api_handle(const struct api_context *ctx, const struct api_request *req,
                struct api_response *resp_r)
{
    memset(resp_r, 0, sizeof(*resp_r));
    if (req->path == NULL || strlen(req->path) > API_MAX_PATH) {
        api_error_respond(resp_r, API_ERR_BAD_REQUEST, "the request path is too long");
        return;
    }
    if (req->body_len > API_MAX_BODY) {
        api_error_respond(resp_r, API_ERR_TOO_LARGE, "the request body is too large");
        return;
    }
    size_t vn = strlen(API_VERIFY);
    if (strncmp(req->path, API_VERIFY, vn) == 0 && api_is(req, "GET")) {
        api_verify_link(ctx, req->path + vn, resp_r);
        return;
    }
    struct store_access_key key;
    if (!api_auth(ctx, req, &key, resp_r))
        return;
    api_route(ctx, &key, req, resp_r);
    store_access_key_clear(&key);
}
