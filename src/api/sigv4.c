/* sigv4: see sigv4.h. The grammar of the Authorization header is quoted there. */
#include "sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "str.h"
#include "xalloc.h"

#define SIGV4_TERMINATOR "aws4_request"

void sigv4_auth_clear(struct sigv4_auth *a)
{
    free(a->access_key);
    free(a->date);
    free(a->region);
    free(a->service);
    for (size_t i = 0; i < a->n_signed; i++)
        free(a->signed_headers[i]);
    free(a->signed_headers);
    free(a->signature);
    memset(a, 0, sizeof(*a));
}

static bool sigv4_is_hex_lower(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static bool sigv4_is_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* AKID/DATE/REGION/SERVICE/aws4_request */
static bool sigv4_parse_credential(const char *v, size_t len, struct sigv4_auth *a, char **error_r)
{
    const char *parts[5];
    size_t lens[5], n = 0;
    const char *p = v, *end = v + len;
    while (n < 5) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        const char *stop = slash ? slash : end;
        parts[n] = p;
        lens[n++] = (size_t)(stop - p);
        if (slash == NULL)
            break;
        p = slash + 1;
    }
    bool ok = n == 5 && p + lens[4] == end && lens[0] > 0 && lens[0] <= SIGV4_MAX_ACCESS_KEY &&
              lens[1] == 8 && sigv4_is_digits(parts[1], 8) && lens[2] > 0 && lens[3] > 0 &&
              lens[4] == strlen(SIGV4_TERMINATOR) &&
              memcmp(parts[4], SIGV4_TERMINATOR, lens[4]) == 0;
    if (!ok) {
        *error_r = xstrdup("Credential must be ACCESS_KEY/YYYYMMDD/REGION/SERVICE/aws4_request");
        return false;
    }
    a->access_key = xstrndup(parts[0], lens[0]);
    a->date = xstrndup(parts[1], lens[1]);
    a->region = xstrndup(parts[2], lens[2]);
    a->service = xstrndup(parts[3], lens[3]);
    return true;
}

static bool sigv4_parse_signed(const char *v, size_t len, struct sigv4_auth *a, char **error_r)
{
    const char *p = v, *end = v + len;
    while (p <= end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *stop = semi ? semi : end;
        bool ok = stop > p && a->n_signed < SIGV4_MAX_SIGNED_HEADERS;
        for (const char *q = p; ok && q < stop; q++)
            ok = (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '-' || *q == '_';
        if (!ok) {
            *error_r = xasprintf("SignedHeaders must be 1-%d lower-case header names separated "
                                 "by ';'",
                                 SIGV4_MAX_SIGNED_HEADERS);
            return false;
        }
        a->signed_headers =
            xreallocarray(a->signed_headers, a->n_signed + 1, sizeof(a->signed_headers[0]));
        a->signed_headers[a->n_signed++] = xstrndup(p, (size_t)(stop - p));
        if (semi == NULL)
            break;
        p = semi + 1;
    }
    return true;
}

/* One "Name=value" parameter. */
static bool sigv4_parse_param(const char *p, size_t len, struct sigv4_auth *a, char **error_r)
{
    const char *eq = memchr(p, '=', len);
    if (eq == NULL) {
        *error_r = xstrdup("an Authorization parameter has no '='");
        return false;
    }
    size_t nlen = (size_t)(eq - p), vlen = len - nlen - 1;
    const char *v = eq + 1;
    if (nlen == 10 && memcmp(p, "Credential", 10) == 0 && a->access_key == NULL)
        return sigv4_parse_credential(v, vlen, a, error_r);
    if (nlen == 13 && memcmp(p, "SignedHeaders", 13) == 0 && a->n_signed == 0)
        return sigv4_parse_signed(v, vlen, a, error_r);
    if (nlen == 9 && memcmp(p, "Signature", 9) == 0 && a->signature == NULL && vlen == 64 &&
        sigv4_is_hex_lower(v, 64)) {
        a->signature = xstrndup(v, vlen);
        return true;
    }
    *error_r = xasprintf("unexpected, repeated or malformed Authorization parameter '%.*s'",
                         (int)(nlen > 32 ? 32 : nlen), p);
    return false;
}

static bool sigv4_parse_params(const char *p, const char *end, struct sigv4_auth *a, char **error_r)
{
    while (p < end) {
        while (p < end && *p == ' ')
            p++;
        if (p == end)
            break;
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        const char *trim = stop;
        while (trim > p && trim[-1] == ' ')
            trim--;
        if (!sigv4_parse_param(p, (size_t)(trim - p), a, error_r))
            return false;
        p = comma ? comma + 1 : end;
    }
    if (a->access_key == NULL || a->n_signed == 0 || a->signature == NULL) {
        *error_r = xstrdup("Authorization needs Credential, SignedHeaders and Signature");
        return false;
    }
    return true;
}

bool sigv4_parse_authorization(const char *value, size_t len, struct sigv4_auth *auth_r,
                               char **error_r)
{
    memset(auth_r, 0, sizeof(*auth_r));
    size_t alen = strlen(SIGV4_ALGORITHM);
    if (len > SIGV4_MAX_AUTHORIZATION) {
        *error_r =
            xasprintf("the Authorization header is longer than %d bytes", SIGV4_MAX_AUTHORIZATION);
        return false;
    }
    if (len <= alen || memcmp(value, SIGV4_ALGORITHM, alen) != 0 || value[alen] != ' ') {
        *error_r = xstrdup("the Authorization header is not " SIGV4_ALGORITHM);
        return false;
    }
    if (memchr(value, '\0', len) != NULL ||
        !sigv4_parse_params(value + alen + 1, value + len, auth_r, error_r)) {
        if (*error_r == NULL)
            *error_r = xstrdup("the Authorization header holds a NUL byte");
        sigv4_auth_clear(auth_r);
        return false;
    }
    return true;
}

/* RFC 3986 unreserved characters stay; every other byte becomes %XX (upper-case hex). */
static void sigv4_uri_encode(struct buf *b, const char *s, size_t len, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
            buf_append_char(b, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_append(b, e, 3);
        }
    }
}

static int sigv4_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s (len bytes); invalid escapes stay literal. Owned, may hold NUL bytes:
 * *len_r is the length. */
static char *sigv4_uri_decode(const char *s, size_t len, size_t *len_r)
{
    char *out = xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int hi = i + 2 < len ? sigv4_hexval(s[i + 1]) : -1;
        int lo = i + 2 < len ? sigv4_hexval(s[i + 2]) : -1;
        if (s[i] == '%' && hi >= 0 && lo >= 0) {
            out[n++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[n++] = s[i];
        }
    }
    out[n] = '\0';
    *len_r = n;
    return out;
}

static int sigv4_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "k=v" pairs decoded, re-encoded, sorted by key then value ('=' sorts below every encoded
 * character, so comparing the joined pairs orders keys first), joined with '&'. */
static void sigv4_canonical_query(struct buf *b, const char *query)
{
    char **pairs = NULL;
    size_t n = 0;
    const char *p = query, *end = query + strlen(query);
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if (stop > p) {
            const char *eq = memchr(p, '=', (size_t)(stop - p));
            const char *kend = eq ? eq : stop;
            struct buf pair = BUF_INIT;
            size_t dl;
            char *k = sigv4_uri_decode(p, (size_t)(kend - p), &dl);
            sigv4_uri_encode(&pair, k, dl, false);
            free(k);
            buf_append_char(&pair, '=');
            char *v = eq ? sigv4_uri_decode(eq + 1, (size_t)(stop - eq - 1), &dl) : xstrdup("");
            sigv4_uri_encode(&pair, v, eq ? dl : 0, false);
            free(v);
            pairs = xreallocarray(pairs, n + 1, sizeof(pairs[0]));
            pairs[n++] = buf_steal(&pair);
        }
        p = amp ? amp + 1 : end;
    }
    if (n > 1)
        qsort(pairs, n, sizeof(pairs[0]), sigv4_cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            buf_append_char(b, '&');
        buf_append_str(b, pairs[i]);
        free(pairs[i]);
    }
    free(pairs);
}

/* Appends the value trimmed, inner runs of spaces and tabs collapsed to one space. */
static void sigv4_header_value(struct buf *b, const char *v)
{
    while (*v == ' ' || *v == '\t')
        v++;
    bool space = false;
    for (; *v; v++) {
        if (*v == ' ' || *v == '\t') {
            space = true;
            continue;
        }
        if (space)
            buf_append_char(b, ' ');
        space = false;
        buf_append_char(b, *v);
    }
}

static bool sigv4_canonical_header(struct buf *b, const struct sigv4_request *req, const char *name,
                                   char **error_r)
{
    bool found = false;
    buf_printf(b, "%s:", name);
    for (size_t i = 0; i < req->n_headers; i++) {
        if (!str_equal_nocase(req->headers[i].name, name))
            continue;
        if (found)
            buf_append_char(b, ',');
        sigv4_header_value(b, req->headers[i].value);
        found = true;
    }
    buf_append_char(b, '\n');
    if (!found)
        *error_r = xasprintf("signed header '%s' is not in the request", name);
    return found;
}

char *sigv4_canonical_request(const struct sigv4_request *req, char *const *signed_headers,
                              size_t n_signed, char **error_r)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s\n", req->method);
    struct buf once = BUF_INIT; /* the path as sent is encoded once more (not S3) */
    const char *path = req->path && req->path[0] ? req->path : "/";
    sigv4_uri_encode(&once, path, strlen(path), true);
    buf_printf(&b, "%s\n", buf_cstr(&once));
    buf_free(&once);
    if (req->query != NULL)
        sigv4_canonical_query(&b, req->query);
    buf_append_char(&b, '\n');
    for (size_t i = 0; i < n_signed; i++) {
        if (!sigv4_canonical_header(&b, req, signed_headers[i], error_r)) {
            buf_free(&b);
            return NULL;
        }
    }
    buf_append_char(&b, '\n');
    for (size_t i = 0; i < n_signed; i++)
        buf_printf(&b, "%s%s", i ? ";" : "", signed_headers[i]);
    char hash[65];
    sigv4_sha256_hex(req->body, req->body_len, hash);
    buf_printf(&b, "\n%s", hash);
    return buf_steal(&b);
}

void sigv4_sha256_hex(const void *data, size_t len, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(data ? data : (const void *)"", len, md);
    for (size_t i = 0; i < SHA256_DIGEST_LENGTH; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

static void sigv4_hmac(const void *key, size_t klen, const char *msg, unsigned char out[32])
{
    unsigned int n = 32;
    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &n);
}

bool sigv4_sign(const struct sigv4_request *req, const struct sigv4_auth *auth,
                const char *amz_date, const char *secret, char out[65], char **error_r)
{
    char *canonical = sigv4_canonical_request(req, auth->signed_headers, auth->n_signed, error_r);
    if (canonical == NULL)
        return false;
    char hash[65];
    sigv4_sha256_hex(canonical, strlen(canonical), hash);
    free(canonical);
    char *sts = xasprintf(SIGV4_ALGORITHM "\n%s\n%s/%s/%s/" SIGV4_TERMINATOR "\n%s", amz_date,
                          auth->date, auth->region, auth->service, hash);
    char *k0 = xasprintf("AWS4%s", secret);
    unsigned char key[32], sig[32];
    sigv4_hmac(k0, strlen(k0), auth->date, key);
    OPENSSL_cleanse(k0, strlen(k0));
    free(k0);
    sigv4_hmac(key, 32, auth->region, key);
    sigv4_hmac(key, 32, auth->service, key);
    sigv4_hmac(key, 32, SIGV4_TERMINATOR, key);
    sigv4_hmac(key, 32, sts, sig);
    OPENSSL_cleanse(key, sizeof(key));
    free(sts);
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < 32; i++) {
        out[2 * i] = hex[sig[i] >> 4];
        out[2 * i + 1] = hex[sig[i] & 15];
    }
    out[64] = '\0';
    return true;
}

/* "YYYYMMDDTHHMMSSZ" to seconds since the epoch; false if malformed. */
static bool sigv4_parse_amz_date(const char *s, int64_t *t_r)
{
    if (strlen(s) != 16 || !sigv4_is_digits(s, 8) || s[8] != 'T' || !sigv4_is_digits(s + 9, 6) ||
        s[15] != 'Z')
        return false;
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    int v[6] = {0};
    const int off[6] = {0, 4, 6, 9, 11, 13}, len[6] = {4, 2, 2, 2, 2, 2};
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < len[i]; j++)
            v[i] = v[i] * 10 + (s[off[i] + j] - '0');
    tm.tm_year = v[0] - 1900;
    tm.tm_mon = v[1] - 1;
    tm.tm_mday = v[2];
    tm.tm_hour = v[3];
    tm.tm_min = v[4];
    tm.tm_sec = v[5];
    if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60)
        return false;
    *t_r = (int64_t)timegm(&tm);
    return true;
}

static const char *sigv4_find_header(const struct sigv4_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++)
        if (str_equal_nocase(req->headers[i].name, name))
            return req->headers[i].value;
    return NULL;
}

enum sigv4_verdict sigv4_verify(const struct sigv4_request *req, const struct sigv4_auth *auth,
                                const char *secret, const char *service, const char *region,
                                int64_t now_s, char **error_r)
{
    const char *date = sigv4_find_header(req, "x-amz-date");
    int64_t t = 0;
    if (date == NULL || !sigv4_parse_amz_date(date, &t) || strncmp(date, auth->date, 8) != 0) {
        *error_r = xstrdup("X-Amz-Date is missing, malformed, or not the credential's date");
        return SIGV4_MALFORMED;
    }
    if (strcmp(auth->service, service) != 0 || (region && strcmp(auth->region, region) != 0)) {
        *error_r = xasprintf("the credential is scoped to %s/%s; this endpoint is %s/%s",
                             auth->region, auth->service, region ? region : auth->region, service);
        return SIGV4_MALFORMED;
    }
    if (t < now_s - SIGV4_MAX_SKEW_S || t > now_s + SIGV4_MAX_SKEW_S) {
        *error_r = xasprintf("Signature expired: %s is more than %d seconds from the server time",
                             date, SIGV4_MAX_SKEW_S);
        return SIGV4_EXPIRED;
    }
    char want[65];
    if (!sigv4_sign(req, auth, date, secret, want, error_r))
        return SIGV4_MALFORMED;
    if (CRYPTO_memcmp(want, auth->signature, 64) != 0) {
        *error_r = xstrdup("The request signature we calculated does not match the signature "
                           "you provided. Check your AWS Secret Access Key and signing method.");
        return SIGV4_BAD_SIGNATURE;
    }
    return SIGV4_OK;
}

char *sigv4_ses_smtp_password(const char *secret, const char *region)
{
    static const char *const chain[] = {NULL, NULL, "ses", SIGV4_TERMINATOR, "SendRawEmail"};
    char *k0 = xasprintf("AWS4%s", secret);
    unsigned char key[32];
    sigv4_hmac(k0, strlen(k0), "11111111", key);
    OPENSSL_cleanse(k0, strlen(k0));
    free(k0);
    sigv4_hmac(key, 32, region, key);
    for (int i = 2; i < 5; i++)
        sigv4_hmac(key, 32, chain[i], key);
    unsigned char raw[33];
    raw[0] = 0x04;
    memcpy(raw + 1, key, 32);
    OPENSSL_cleanse(key, sizeof(key));
    char *out = xmalloc(4 * ((sizeof(raw) + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, raw, (int)sizeof(raw));
    return out;
}
