#include "store_password.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "str.h"
#include "xalloc.h"

#define STORE_PASSWORD_PREFIX "pbkdf2-sha256$"

static const char store_password_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Standard base64 without padding. */
static void store_password_b64_encode(struct buf *out, const unsigned char *in, size_t len)
{
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        size_t chars = len - i >= 3 ? 4 : len - i + 1;
        for (size_t k = 0; k < chars; k++)
            buf_append_char(out, store_password_b64[(v >> (18 - 6 * k)) & 63]);
    }
}

/* Decodes unpadded base64 s[0..len) into out (max cap bytes); returns the length or -1. */
static long store_password_b64_decode(const char *s, size_t len, unsigned char *out, size_t cap)
{
    size_t n = 0;
    unsigned v = 0;
    int bits = 0;
    if (len % 4 == 1)
        return -1;
    for (size_t i = 0; i < len; i++) {
        const char *p = s[i] ? strchr(store_password_b64, s[i]) : NULL;
        if (p == NULL)
            return -1;
        v = (v << 6) | (unsigned)(p - store_password_b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n == cap)
                return -1;
            out[n++] = (unsigned char)(v >> bits);
            v &= (1u << bits) - 1;
        }
    }
    return (long)n;
}

static bool store_password_derive(const char *password, const unsigned char *salt, size_t salt_len,
                                  unsigned iterations, unsigned char *out)
{
    return PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, (int)salt_len, (int)iterations,
                             EVP_sha256(), STORE_PASSWORD_HASH_LEN, out) == 1;
}

char *store_password_hash_with_salt(const char *password, const unsigned char *salt,
                                    size_t salt_len, unsigned iterations)
{
    unsigned char hash[STORE_PASSWORD_HASH_LEN];
    if (!store_password_derive(password, salt, salt_len, iterations, hash))
        return NULL;
    struct buf out = BUF_INIT;
    buf_printf(&out, STORE_PASSWORD_PREFIX "%u$", iterations);
    store_password_b64_encode(&out, salt, salt_len);
    buf_append_char(&out, '$');
    store_password_b64_encode(&out, hash, sizeof(hash));
    OPENSSL_cleanse(hash, sizeof(hash));
    return buf_steal(&out);
}

char *store_password_hash(const char *password, unsigned iterations)
{
    unsigned char salt[STORE_PASSWORD_SALT_LEN];
    if (RAND_bytes(salt, sizeof(salt)) != 1)
        return NULL;
    return store_password_hash_with_salt(password, salt, sizeof(salt), iterations);
}

struct store_password_parsed {
    unsigned iterations;
    unsigned char salt[64];
    size_t salt_len;
    unsigned char hash[STORE_PASSWORD_HASH_LEN];
};

static bool store_password_parse(const char *encoded, struct store_password_parsed *p)
{
    if (strncmp(encoded, STORE_PASSWORD_PREFIX, strlen(STORE_PASSWORD_PREFIX)) != 0)
        return false;
    const char *it = encoded + strlen(STORE_PASSWORD_PREFIX);
    const char *d1 = strchr(it, '$');
    const char *d2 = d1 ? strchr(d1 + 1, '$') : NULL;
    if (d2 == NULL || d1 - it > 10)
        return false;
    char num[11];
    memcpy(num, it, (size_t)(d1 - it));
    num[d1 - it] = '\0';
    long long iterations;
    if (!str_parse_ll(num, STORE_PASSWORD_MIN_ITERATIONS, STORE_PASSWORD_MAX_ITERATIONS,
                      &iterations))
        return false;
    p->iterations = (unsigned)iterations;
    long salt_len =
        store_password_b64_decode(d1 + 1, (size_t)(d2 - d1 - 1), p->salt, sizeof(p->salt));
    long hash_len = store_password_b64_decode(d2 + 1, strlen(d2 + 1), p->hash, sizeof(p->hash));
    if (salt_len <= 0 || hash_len != STORE_PASSWORD_HASH_LEN)
        return false;
    p->salt_len = (size_t)salt_len;
    return true;
}

bool store_password_verify(const char *password, const char *encoded)
{
    struct store_password_parsed p;
    if (strlen(password) > STORE_PASSWORD_MAX_LEN || !store_password_parse(encoded, &p))
        return false;
    unsigned char hash[STORE_PASSWORD_HASH_LEN];
    bool ok = store_password_derive(password, p.salt, p.salt_len, p.iterations, hash) &&
              CRYPTO_memcmp(hash, p.hash, sizeof(hash)) == 0;
    OPENSSL_cleanse(hash, sizeof(hash));
    return ok;
}

void store_password_verify_dummy(const char *password)
{
    static const unsigned char salt[STORE_PASSWORD_SALT_LEN] = {0};
    unsigned char hash[STORE_PASSWORD_HASH_LEN];
    size_t len = strlen(password);
    const char *pw = len > STORE_PASSWORD_MAX_LEN ? "" : password;
    (void)store_password_derive(pw, salt, sizeof(salt), STORE_PASSWORD_ITERATIONS, hash);
    OPENSSL_cleanse(hash, sizeof(hash));
}

bool store_password_generate(char *out)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char raw[STORE_PASSWORD_GENERATED_LEN];
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return false;
    for (size_t i = 0; i < STORE_PASSWORD_GENERATED_LEN; i++)
        out[i] = alphabet[raw[i] & 63];
    out[STORE_PASSWORD_GENERATED_LEN] = '\0';
    OPENSSL_cleanse(raw, sizeof(raw));
    return true;
}

bool store_username_generate(char *out)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    unsigned char raw[STORE_USERNAME_GENERATED_LEN];
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return false;
    out[0] = 'R';
    out[1] = 'B';
    for (size_t i = 2; i < STORE_USERNAME_GENERATED_LEN; i++)
        out[i] = alphabet[raw[i] & 31];
    out[STORE_USERNAME_GENERATED_LEN] = '\0';
    return true;
}
