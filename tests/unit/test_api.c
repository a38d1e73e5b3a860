/*
 * Unit tests for src/api/api_handle: the SES v2 operations over a real SQLite store in a
 * temporary directory, requests signed with SigV4 (sigv4_sign) at a pinned clock. Checks
 * statuses, SES error names and the JSON bodies a client sees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api.h"
#include "store_testutil.h"
#include "verify_token.h"
#include "xalloc.h"

#define NOW_S   1440938160LL /* 2015-08-30T12:36:00Z */
#define AMZ     "20150830T123600Z"
#define SECRET  "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SECRET2 "otherSecretOtherSecretOtherSecretOther00"

struct fx {
    char *dir;
    struct store *st;
    int64_t now_ms;
    struct clock clock;
    struct api_context ctx;
    struct api_response resp;
};

static int setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof(*f));
    f->dir = store_test_tempdir();
    char *url = store_test_url(f->dir, "api.db");
    char *error = NULL;
    f->st = store_open(url, &error);
    free(url);
    assert_non_null(f->st);
    assert_int_equal(store_account_create(f->st, "acme", "u1", "x", 1, &error), STORE_OK);
    assert_int_equal(store_account_create(f->st, "other", "u2", "x", 1, &error), STORE_OK);
    assert_int_equal(store_access_key_create(f->st, "acme", "AKACME", SECRET, 1, &error), STORE_OK);
    assert_int_equal(store_access_key_create(f->st, "other", "AKOTHER", SECRET2, 1, &error),
                     STORE_OK);
    f->now_ms = NOW_S * 1000;
    f->clock = clock_fixed(&f->now_ms);
    f->ctx = (struct api_context){f->st,      &f->clock,          "us-east-1",
                                  "_rebound", 24LL * 3600 * 1000, "http://127.0.0.1:8780"};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    api_response_clear(&f->resp);
    store_close(f->st);
    store_test_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* Signs and serves one request as key/secret; the response lands in f->resp. */
static void call_as(struct fx *f, const char *key, const char *secret, const char *method,
                    const char *path, const char *query, const char *body)
{
    struct sigv4_header h[4] = {{"Host", "127.0.0.1:8780"},
                                {"X-Amz-Date", AMZ},
                                {"Content-Type", "application/json"},
                                {"Authorization", ""}};
    struct api_request req = {method, path, query, h, 3, body, body ? strlen(body) : 0};
    char *signed_headers[] = {"content-type", "host", "x-amz-date"};
    struct sigv4_auth auth = {(char *)key, "20150830", "us-east-1", "ses", signed_headers, 3, NULL};
    struct sigv4_request sreq = {method, path, query, h, 3, body, req.body_len};
    char sig[65];
    char *error = NULL;
    assert_true(sigv4_sign(&sreq, &auth, AMZ, secret, sig, &error));
    char *authz = xasprintf("AWS4-HMAC-SHA256 Credential=%s/20150830/us-east-1/ses/aws4_request, "
                            "SignedHeaders=content-type;host;x-amz-date, Signature=%s",
                            key, sig);
    h[3].value = authz;
    req.n_headers = 4;
    api_response_clear(&f->resp);
    api_handle(&f->ctx, &req, &f->resp);
    free(authz);
}

static void call(struct fx *f, const char *method, const char *path, const char *body)
{
    call_as(f, "AKACME", SECRET, method, path, NULL, body);
}

static void expect(struct fx *f, int status, const char *body_part)
{
    if (f->resp.status != status || strstr(f->resp.body, body_part) == NULL)
        fail_msg("got %d %s, want %d with '%s'", f->resp.status, f->resp.body, status, body_part);
}

static void test_create_get_list_delete(void **state)
{
    struct fx *f = *state;
    call(f, "POST", "/v2/email/identities", "{\"EmailIdentity\":\"Example.COM\",\"Tags\":[]}");
    expect(f, 200, "\"IdentityType\":\"DOMAIN\"");
    expect(f, 200, "\"VerifiedForSendingStatus\":false");
    call(f, "POST", "/v2/email/identities", "{\"EmailIdentity\":\"example.com\"}");
    assert_string_equal(f->resp.body, "{\"__type\":\"AlreadyExistsException\",\"message\":"
                                      "\"account 'acme' already has identity 'example.com'\"}");
    assert_int_equal(f->resp.status, 400);
    assert_string_equal(f->resp.error_type, "AlreadyExistsException");
    call(f, "GET", "/v2/email/identities/example.com", NULL);
    expect(f, 200, "\"VerificationStatus\":\"PENDING\"");
    expect(f, 200, "\"Name\":\"_rebound.example.com\"");
    call(f, "GET", "/v2/email/identities", NULL);
    expect(f, 200,
           "{\"EmailIdentities\":[{\"IdentityType\":\"DOMAIN\",\"IdentityName\":"
           "\"example.com\",\"SendingEnabled\":false,\"VerificationStatus\":\"PENDING\"}]}");
    /* another account sees neither the identity nor its list entry */
    call_as(f, "AKOTHER", SECRET2, "GET", "/v2/email/identities/example.com", NULL, NULL);
    expect(f, 404, "\"__type\":\"NotFoundException\"");
    call_as(f, "AKOTHER", SECRET2, "GET", "/v2/email/identities", NULL, NULL);
    expect(f, 200, "{\"EmailIdentities\":[]}");
    call(f, "DELETE", "/v2/email/identities/example.com", NULL);
    expect(f, 200, "{}");
    call(f, "GET", "/v2/email/identities/example.com", NULL);
    expect(f, 404, "Email identity example.com does not exist.");
}

static void test_list_pages(void **state)
{
    struct fx *f = *state;
    call(f, "POST", "/v2/email/identities", "{\"EmailIdentity\":\"a.example\"}");
    call(f, "POST", "/v2/email/identities", "{\"EmailIdentity\":\"b.example\"}");
    call_as(f, "AKACME", SECRET, "GET", "/v2/email/identities", "PageSize=1", NULL);
    expect(f, 200, "\"NextToken\":\"1\"");
    expect(f, 200, "a.example");
    call_as(f, "AKACME", SECRET, "GET", "/v2/email/identities", "NextToken=1&PageSize=1", NULL);
    expect(f, 200, "b.example");
    assert_null(strstr(f->resp.body, "NextToken"));
}

static void test_mail_from(void **state)
{
    struct fx *f = *state;
    call(f, "POST", "/v2/email/identities", "{\"EmailIdentity\":\"example.com\"}");
    const char *p = "/v2/email/identities/example.com/mail-from";
    call(f, "PUT", p, "{\"MailFromDomain\":\"example.com\"}");
    expect(f, 400, "must be a subdomain of example.com, not the identity itself");
    call(f, "PUT", p, "{\"MailFromDomain\":\"bounce.example.org\"}");
    expect(f, 400, "is not a subdomain of example.com");
    call(f, "PUT", p, "{\"MailFromDomain\":\"b.example.com\",\"BehaviorOnMxFailure\":\"NO\"}");
    expect(f, 400, "BehaviorOnMxFailure must be USE_DEFAULT_VALUE or REJECT_MESSAGE");
    call(f, "PUT", p,
         "{\"MailFromDomain\":\"Bounce.example.com\",\"BehaviorOnMxFailure\":\"REJECT_MESSAGE\"}");
    expect(f, 200, "{}");
    call(f, "GET", "/v2/email/identities/example.com", NULL);
    expect(f, 200,
           "\"MailFromAttributes\":{\"BehaviorOnMxFailure\":\"REJECT_MESSAGE\","
           "\"MailFromDomain\":\"bounce.example.com\",\"MailFromDomainStatus\":"
           "\"PENDING\"}");
    /* another account may not take it, nor have it as an identity under its MAIL FROM */
    call_as(f, "AKOTHER", SECRET2, "POST", "/v2/email/identities", NULL,
            "{\"EmailIdentity\":\"example.net\"}");
    char *error = NULL;
    assert_int_equal(store_identity_add(f->st, "x.example.com", "other", 1, &error), STORE_OK);
    call(f, "PUT", p, "{\"MailFromDomain\":\"x.example.com\"}");
    expect(f, 400, "MAIL FROM domain 'x.example.com' is an identity of another account");
    call(f, "PUT", "/v2/email/identities/example.com/mail-from", "{}");
    expect(f, 200, "{}");
    call(f, "GET", "/v2/email/identities/example.com", NULL);
    expect(f, 200, "\"MailFromAttributes\":{\"BehaviorOnMxFailure\":\"USE_DEFAULT_VALUE\"}");
}

static void test_errors(void **state)
{
    struct fx *f = *state;
    call(f, "POST", "/v2/email/identities", "{\"EmailIdentity\":");
    expect(f, 400,
           "{\"__type\":\"BadRequestException\",\"message\":\"the request body is not "
           "valid JSON");
    call(f, "POST", "/v2/email/identities", "[1]");
    expect(f, 400, "must be a JSON object");
    call(f, "POST", "/v2/email/identities", "{\"EmailIdentity\":7}");
    expect(f, 400, "EmailIdentity must be a string");
    call(f, "POST", "/v2/email/identities", "{\"EmailIdentity\":\"a\",\"EmailIdentity\":\"b\"}");
    expect(f, 400, "duplicate");
    call(f, "POST", "/v2/email/identities", "{\"EmailIdentity\":\"not a domain\"}");
    expect(f, 400, "BadRequestException");
    char *big = xmalloc(API_MAX_BODY + 2);
    memset(big, ' ', API_MAX_BODY + 1);
    big[API_MAX_BODY + 1] = '\0';
    call(f, "POST", "/v2/email/identities", big);
    free(big);
    expect(f, 413, "the request body is too large");
    call(f, "PATCH", "/v2/email/identities", NULL);
    expect(f, 405, "method not allowed");
    call(f, "POST", "/v2/email/outbound-emails", "{}");
    expect(f, 404, "NotFoundException");
}

static void test_authentication(void **state)
{
    struct fx *f = *state;
    struct sigv4_header h[] = {{"Host", "127.0.0.1:8780"}, {"X-Amz-Date", AMZ}};
    struct api_request req = {"GET", "/v2/email/account", NULL, h, 2, NULL, 0};
    api_handle(&f->ctx, &req, &f->resp);
    expect(f, 403, "\"__type\":\"MissingAuthenticationTokenException\"");
    call_as(f, "AKNOBODY", SECRET, "GET", "/v2/email/account", NULL, NULL);
    expect(f, 403, "\"__type\":\"UnrecognizedClientException\"");
    call_as(f, "AKACME", SECRET2, "GET", "/v2/email/account", NULL, NULL);
    expect(f, 403, "\"__type\":\"SignatureDoesNotMatch\"");
    f->now_ms += (SIGV4_MAX_SKEW_S + 1) * 1000LL;
    call(f, "GET", "/v2/email/account", NULL);
    expect(f, 403, "Signature expired");
    f->now_ms = NOW_S * 1000;
    call(f, "GET", "/v2/email/account", NULL);
    expect(f, 200, "\"SendingEnabled\":true");
    expect(f, 200, "\"ReboundAccountName\":\"acme\"");
    struct sigv4_header bad[] = {{"Authorization", "AWS4-HMAC-SHA256 Credential=x"}};
    struct api_request r2 = {"GET", "/v2/email/account", NULL, bad, 1, NULL, 0};
    api_response_clear(&f->resp);
    api_handle(&f->ctx, &r2, &f->resp);
    expect(f, 400, "\"__type\":\"IncompleteSignatureException\"");
}

static void test_verify_link(void **state)
{
    struct fx *f = *state;
    call(f, "POST", "/v2/email/identities", "{\"EmailIdentity\":\"alice@example.org\"}");
    expect(f, 200, "\"IdentityType\":\"EMAIL_ADDRESS\"");
    struct store_identity id;
    char *error = NULL;
    assert_int_equal(store_identity_get(f->st, "alice@example.org", &id, &error), STORE_OK);
    assert_true(verify_token_is_link_token(id.token));
    assert_int_equal(id.token_expires_ms, f->now_ms + 24LL * 3600 * 1000);
    char *path = xasprintf("/v2/rebound/verify/%s", id.token);
    struct api_request req = {"GET", path, NULL, NULL, 0, NULL, 0};
    /* expired one millisecond after its 24 hours */
    f->now_ms = id.token_expires_ms;
    api_response_clear(&f->resp);
    api_handle(&f->ctx, &req, &f->resp);
    expect(f, 410, "has expired");
    f->now_ms = NOW_S * 1000 + 1000;
    api_response_clear(&f->resp);
    api_handle(&f->ctx, &req, &f->resp);
    expect(f, 200, "alice@example.org is verified.");
    api_response_clear(&f->resp);
    api_handle(&f->ctx, &req, &f->resp);
    expect(f, 404, "not valid");
    store_identity_clear(&id);
    assert_int_equal(store_identity_get(f->st, "alice@example.org", &id, &error), STORE_OK);
    assert_int_equal(id.status, IDENTITY_SUCCESS);
    assert_null(id.token);
    store_identity_clear(&id);
    struct store_event_list ev;
    assert_int_equal(store_identity_event_list(f->st, "alice@example.org", &ev, &error), STORE_OK);
    assert_int_equal(ev.n, 1);
    assert_string_equal(ev.items[0].type, "IdentityVerification");
    assert_non_null(strstr(ev.items[0].json, "\"from\":\"PENDING\",\"to\":\"SUCCESS\""));
    store_event_list_free(&ev);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_get_list_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mail_from, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_authentication, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_link, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
