#include "smtp_auth.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static int smtp_b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

bool smtp_auth_base64_decode(const char *s, size_t len, struct buf *out)
{
    if (len % 4 != 0)
        return false;
    for (size_t i = 0; i < len; i += 4) {
        bool last = i + 4 == len;
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)s[i + k];
            if (c == '=' && last && k >= 2) {
                pad++;
                v[k] = 0;
                continue;
            }
            if (pad > 0)
                return false; /* data after '=' */
            v[k] = smtp_b64_value(c);
            if (v[k] < 0)
                return false;
        }
        unsigned triple = (unsigned)(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
        char bytes[3] = {(char)(triple >> 16), (char)(triple >> 8), (char)triple};
        /* RFC 4648 3.5: the bits dropped by padding must be zero (canonical encoding). */
        if ((pad == 1 && (triple & 0xff) != 0) || (pad == 2 && (triple & 0xffff) != 0))
            return false;
        buf_append(out, bytes, (size_t)(3 - pad));
    }
    return true;
}

/* Decodes s into a buffer; "=" is the empty response (RFC 4954 4). */
static bool smtp_auth_response_decode(const char *s, size_t len, struct buf *out)
{
    if (len == 1 && s[0] == '=')
        return true;
    return smtp_auth_base64_decode(s, len, out);
}

static void smtp_auth_wipe(struct buf *b)
{
    if (b->data != NULL)
        OPENSSL_cleanse(b->data, b->cap);
    buf_free(b);
}

bool smtp_auth_plain_decode(const char *s, size_t len, struct smtp_auth_credentials *creds_r)
{
    memset(creds_r, 0, sizeof(*creds_r));
    struct buf raw = BUF_INIT;
    bool ok = false;
    if (!smtp_auth_response_decode(s, len, &raw) || raw.len == 0)
        goto done;
    const char *p = raw.data, *end = raw.data + raw.len;
    const char *nul1 = memchr(p, '\0', raw.len);
    if (nul1 == NULL)
        goto done;
    const char *nul2 = memchr(nul1 + 1, '\0', (size_t)(end - nul1 - 1));
    if (nul2 == NULL)
        goto done;
    size_t zlen = (size_t)(nul1 - p), ulen = (size_t)(nul2 - nul1 - 1);
    size_t plen = (size_t)(end - nul2 - 1);
    if (ulen == 0 || plen == 0 || zlen > SMTP_AUTH_FIELD_MAX || ulen > SMTP_AUTH_FIELD_MAX ||
        plen > SMTP_AUTH_FIELD_MAX || memchr(nul2 + 1, '\0', plen) != NULL)
        goto done;
    creds_r->authzid = xstrndup(p, zlen);
    creds_r->username = xstrndup(nul1 + 1, ulen);
    creds_r->password = xstrndup(nul2 + 1, plen);
    ok = true;
done:
    smtp_auth_wipe(&raw);
    return ok;
}

bool smtp_auth_login_decode(const char *s, size_t len, char **value_r)
{
    *value_r = NULL;
    struct buf raw = BUF_INIT;
    bool ok = smtp_auth_response_decode(s, len, &raw) && raw.len > 0 &&
              raw.len <= SMTP_AUTH_FIELD_MAX && memchr(raw.data, '\0', raw.len) == NULL;
    if (ok)
        *value_r = xstrndup(raw.data, raw.len);
    smtp_auth_wipe(&raw);
    return ok;
}

static void smtp_auth_free_secret(char *s)
{
    if (s != NULL) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

void smtp_auth_credentials_clear(struct smtp_auth_credentials *creds)
{
    free(creds->authzid);
    free(creds->username);
    smtp_auth_free_secret(creds->password);
    memset(creds, 0, sizeof(*creds));
}
