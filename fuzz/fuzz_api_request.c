/*
 * Fuzz target: what the HTTP API parses from a client before it trusts anything: the JSON
 * bodies (CreateEmailIdentity, PutEmailIdentityMailFromAttributes) and the SigV4 Authorization
 * header, then the canonical request built from a parsed header with the input as path and
 * query. Properties: no crash or leak; a refusal always carries a reason; an accepted header
 * has 1..SIGV4_MAX_SIGNED_HEADERS signed headers and a 64-digit signature.
 * The input is used unterminated (copied to exactly size bytes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api_json.h"
#include "sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_json(const char *in, size_t size)
{
    char *identity = NULL, *domain = NULL, *error = NULL;
    if (api_json_parse_create(in, size, &identity, &error))
        free(identity);
    else if (error == NULL)
        abort();
    free(error);
    error = NULL;
    enum store_mx_failure behavior;
    if (api_json_parse_mail_from(in, size, &domain, &behavior, &error))
        free(domain);
    else if (error == NULL)
        abort();
    free(error);
}

static void fuzz_sigv4(const char *in, size_t size, char *terminated)
{
    struct sigv4_auth auth;
    char *error = NULL;
    if (!sigv4_parse_authorization(in, size, &auth, &error)) {
        if (error == NULL)
            abort();
        free(error);
        return;
    }
    if (auth.n_signed == 0 || auth.n_signed > SIGV4_MAX_SIGNED_HEADERS ||
        strlen(auth.signature) != 64)
        abort();
    struct sigv4_header h[] = {{"Host", terminated}, {"X-Amz-Date", "20150830T123600Z"}};
    struct sigv4_request req = {"GET", terminated, terminated, h, 2, in, size};
    char *canonical = sigv4_canonical_request(&req, auth.signed_headers, auth.n_signed, &error);
    free(canonical);
    free(error);
    sigv4_auth_clear(&auth);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *input = malloc(size ? size : 1);
    if (size)
        memcpy(input, data, size);
    char *terminated = malloc(size + 1);
    if (size)
        memcpy(terminated, data, size);
    terminated[size] = '\0';
    fuzz_json(input, size);
    fuzz_sigv4(input, size, terminated);
    free(terminated);
    free(input);
    return 0;
}
