/*
 * Unit tests for src/api/sigv4. Vectors:
 * - get-vanilla, post-vanilla, get-vanilla-query-order-key-case from AWS's published SigV4 test
 *   suite (AKIDEXAMPLE, 20150830T123600Z, us-east-1, service "service"); the same values come
 *   out of botocore's SigV4Auth.
 * - an SES v2 PUT with an encoded path, a query and a JSON body, computed with botocore 1.29's
 *   SigV4Auth (service "ses"): canonical request and signature.
 * - the SES SMTP password of the example secret in us-east-1, computed with the Python code of
 *   AWS's "Obtaining Amazon SES SMTP credentials" page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api_keys.h"
#include "sigv4.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define DATE   "20150830T123600Z"
#define NOW    1440938160 /* 2015-08-30T12:36:00Z */

static struct sigv4_auth parse_ok(const char *value)
{
    struct sigv4_auth a;
    char *error = NULL;
    if (!sigv4_parse_authorization(value, strlen(value), &a, &error))
        fail_msg("parse '%s': got error '%s', want success", value, error);
    return a;
}

static void expect_signature(const char *method, const char *path, const char *query,
                             const char *body, const char *want)
{
    struct sigv4_header h[] = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", DATE}};
    struct sigv4_request req = {method, path, query, h, 2, body, body ? strlen(body) : 0};
    struct sigv4_auth a = parse_ok("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
                                   "service/aws4_request, SignedHeaders=host;x-amz-date, "
                                   "Signature=0000000000000000000000000000000000000000000000000"
                                   "000000000000000");
    char got[65];
    char *error = NULL;
    assert_true(sigv4_sign(&req, &a, DATE, SECRET, got, &error));
    if (strcmp(got, want) != 0)
        fail_msg("%s %s?%s: got %s, want %s", method, path, query ? query : "", got, want);
    sigv4_auth_clear(&a);
}

static void test_aws_suite(void **state)
{
    (void)state;
    expect_signature("GET", "/", NULL, NULL,
                     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    expect_signature("POST", "/", NULL, NULL,
                     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
    expect_signature("GET", "/", "Param2=value2&Param1=value1", NULL,
                     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

#define SES_AUTH                                                                                   \
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ses/aws4_request, "                \
    "SignedHeaders=content-type;host;x-amz-date, "                                                 \
    "Signature=119826f573cf47a13f225cc44cd3db94235b833f5aed2ddaf27229595b1ac6f3"
#define SES_BODY "{\"MailFromDomain\":\"b.example.com\"}"

static struct sigv4_header ses_headers[] = {
    {"Content-Type", "application/json"}, {"Host", "127.0.0.1:8780"}, {"X-Amz-Date", DATE}};

static struct sigv4_request ses_request(const char *body)
{
    struct sigv4_request req = {"PUT",
                                "/v2/email/identities/alice%40example.com/mail-from",
                                "b=2&a=x%20y",
                                ses_headers,
                                3,
                                body,
                                strlen(body)};
    return req;
}

static void test_ses_canonical_request(void **state)
{
    (void)state;
    struct sigv4_auth a = parse_ok(SES_AUTH);
    struct sigv4_request req = ses_request(SES_BODY);
    char *error = NULL;
    char *got = sigv4_canonical_request(&req, a.signed_headers, a.n_signed, &error);
    assert_string_equal(got, "PUT\n"
                             "/v2/email/identities/alice%2540example.com/mail-from\n"
                             "a=x%20y&b=2\n"
                             "content-type:application/json\n"
                             "host:127.0.0.1:8780\n"
                             "x-amz-date:20150830T123600Z\n"
                             "\n"
                             "content-type;host;x-amz-date\n"
                             "abd2bea196ffea99d5264196b932cfd16925330742d658353471462d381d9ce7");
    free(got);
    sigv4_auth_clear(&a);
}

static void test_ses_verify(void **state)
{
    (void)state;
    struct sigv4_auth a = parse_ok(SES_AUTH);
    assert_string_equal(a.access_key, "AKIDEXAMPLE");
    assert_string_equal(a.region, "us-east-1");
    assert_string_equal(a.service, "ses");
    struct sigv4_request req = ses_request(SES_BODY);
    char *error = NULL;
    assert_int_equal(sigv4_verify(&req, &a, SECRET, "ses", "us-east-1", NOW + 60, &error),
                     SIGV4_OK);
    /* one byte of the body changed */
    struct sigv4_request tampered = ses_request("{\"MailFromDomain\":\"c.example.com\"}");
    assert_int_equal(sigv4_verify(&tampered, &a, SECRET, "ses", NULL, NOW, &error),
                     SIGV4_BAD_SIGNATURE);
    assert_non_null(strstr(error, "does not match"));
    free(error);
    error = NULL;
    assert_int_equal(sigv4_verify(&req, &a, "wrong-secret", "ses", NULL, NOW, &error),
                     SIGV4_BAD_SIGNATURE);
    free(error);
    error = NULL;
    assert_int_equal(
        sigv4_verify(&req, &a, SECRET, "ses", NULL, NOW + SIGV4_MAX_SKEW_S + 1, &error),
        SIGV4_EXPIRED);
    free(error);
    error = NULL;
    assert_int_equal(sigv4_verify(&req, &a, SECRET, "ses", "eu-west-1", NOW, &error),
                     SIGV4_MALFORMED);
    free(error);
    sigv4_auth_clear(&a);
}

static void expect_refused(const char *value, const char *why)
{
    struct sigv4_auth a;
    char *error = NULL;
    if (sigv4_parse_authorization(value, strlen(value), &a, &error)) {
        sigv4_auth_clear(&a);
        fail_msg("'%s': got accepted, want refused (%s)", value, why);
    }
    if (strstr(error, why) == NULL)
        fail_msg("'%s': got '%s', want it to mention '%s'", value, error, why);
    free(error);
}

static void test_parse_refusals(void **state)
{
    (void)state;
    expect_refused("", "is not AWS4-HMAC-SHA256");
    expect_refused("AWS4-HMAC-SHA1 Credential=a", "is not AWS4-HMAC-SHA256");
    expect_refused("AWS4-HMAC-SHA256 Credential=AK/2015/us-east-1/ses/aws4_request, "
                   "SignedHeaders=host, Signature=" SIGV4_ALGORITHM,
                   "Credential must be");
    expect_refused("AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/ses/aws4_request/x, "
                   "SignedHeaders=host",
                   "Credential must be");
    expect_refused("AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/ses/aws4_request, "
                   "SignedHeaders=Host;x",
                   "SignedHeaders must be");
    expect_refused("AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/ses/aws4_request, "
                   "SignedHeaders=host;;x",
                   "SignedHeaders must be");
    expect_refused("AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/ses/aws4_request, "
                   "SignedHeaders=host",
                   "needs Credential, SignedHeaders and Signature");
    expect_refused("AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/ses/aws4_request, "
                   "SignedHeaders=host, Signature=abc",
                   "malformed Authorization parameter 'Signature'");
    expect_refused("AWS4-HMAC-SHA256 Credential", "has no '='");
}

static void test_missing_signed_header(void **state)
{
    (void)state;
    struct sigv4_auth a = parse_ok(SES_AUTH);
    struct sigv4_request req = ses_request(SES_BODY);
    req.n_headers = 2; /* no X-Amz-Date */
    char *error = NULL;
    assert_null(sigv4_canonical_request(&req, a.signed_headers, a.n_signed, &error));
    assert_string_equal(error, "signed header 'x-amz-date' is not in the request");
    free(error);
    sigv4_auth_clear(&a);
}

static void test_smtp_password(void **state)
{
    (void)state;
    char *p = sigv4_ses_smtp_password(SECRET, "us-east-1");
    assert_string_equal(p, "BOntiZFm/r+5s3psZ/RpsjB+aSGsj2J0rXdiLuO0cQL7");
    free(p);
}

/* Expected values from Python's base64.b32encode / b64encode of the same bytes. */
static void test_key_format(void **state)
{
    (void)state;
    unsigned char id_random[10], secret_random[30];
    for (int i = 0; i < 10; i++)
        id_random[i] = (unsigned char)i;
    for (int i = 0; i < 30; i++)
        secret_random[i] = (unsigned char)(100 + i);
    char id[API_KEY_ID_LEN + 1], secret[API_KEY_SECRET_LEN + 1];
    api_keys_format(id_random, secret_random, id, secret);
    assert_string_equal(id, "RBAKAAAQEAYEAUDAOCAJ");
    assert_string_equal(secret, "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CB");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aws_suite),
        cmocka_unit_test(test_ses_canonical_request),
        cmocka_unit_test(test_ses_verify),
        cmocka_unit_test(test_parse_refusals),
        cmocka_unit_test(test_missing_signed_header),
        cmocka_unit_test(test_smtp_password),
        cmocka_unit_test(test_key_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
