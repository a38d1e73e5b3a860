/* verify_token: token formatting and names; see verify_token.h. */
#include "verify_token.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

char *verify_token_format(const unsigned char *random, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char *out = xmalloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[random[i] >> 4];
        out[2 * i + 1] = hex[random[i] & 15];
    }
    out[2 * n] = '\0';
    return out;
}

char *verify_token_new(size_t n)
{
    unsigned char random[VERIFY_LINK_TOKEN_BYTES];
    if (n > sizeof(random) || RAND_bytes(random, (int)n) != 1)
        return NULL;
    return verify_token_format(random, n);
}

char *verify_token_record_name(const char *record, const char *domain)
{
    return xasprintf("%s.%s", record, domain);
}

bool verify_token_record_is_valid(const char *record, char **error_r)
{
    size_t len = strlen(record);
    bool ok = len > 0 && len <= VERIFY_MAX_RECORD_LABEL;
    for (size_t i = 0; ok && i < len; i++) {
        char c = record[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_';
    }
    if (!ok)
        *error_r = xasprintf("'%s' is not a DNS label (1-%d of letters, digits, '-', '_')", record,
                             VERIFY_MAX_RECORD_LABEL);
    return ok;
}

char *verify_token_link(const char *base_url, const char *token)
{
    size_t len = strlen(base_url);
    while (len > 0 && base_url[len - 1] == '/')
        len--;
    return xasprintf("%.*s/v2/rebound/verify/%s", (int)len, base_url, token);
}

bool verify_token_is_link_token(const char *s)
{
    size_t len = strlen(s);
    if (len != 2 * (size_t)VERIFY_LINK_TOKEN_BYTES)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}
