#include "srs_hash.h"

#include <string.h>

#include "str.h"

#define SRS_HASH_BLOCK 64 /* SHA-1 block size: HMAC pads the key to this */
/* Lower-cased input is hashed in chunks of this size to keep the stack small. */
#define SRS_HASH_CHUNK 256

static const char srs_b64_classic[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char srs_b64_url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void srs_hash_key_init(struct srs_hash_key *key, const char *secret, size_t secret_len)
{
    unsigned char block[SRS_HASH_BLOCK];
    unsigned char pad[SRS_HASH_BLOCK];
    memset(block, 0, sizeof(block));
    if (secret_len > SRS_HASH_BLOCK) {
        /* RFC 2104: keys longer than the block are hashed first. */
        SHA1((const unsigned char *)secret, secret_len, block);
    } else {
        memcpy(block, secret, secret_len);
    }
    for (size_t i = 0; i < SRS_HASH_BLOCK; i++)
        pad[i] = block[i] ^ 0x36;
    SHA1_Init(&key->inner);
    SHA1_Update(&key->inner, pad, sizeof(pad));
    for (size_t i = 0; i < SRS_HASH_BLOCK; i++)
        pad[i] = block[i] ^ 0x5c;
    SHA1_Init(&key->outer);
    SHA1_Update(&key->outer, pad, sizeof(pad));
}

static void srs_hash_update_lower(SHA_CTX *ctx, const char *data, size_t len)
{
    unsigned char chunk[SRS_HASH_CHUNK];
    while (len > 0) {
        size_t n = len < sizeof(chunk) ? len : sizeof(chunk);
        for (size_t i = 0; i < n; i++)
            chunk[i] = (unsigned char)str_ascii_lower(data[i]);
        SHA1_Update(ctx, chunk, n);
        data += n;
        len -= n;
    }
}

void srs_hash_compute(const struct srs_hash_key *key, enum srs_alphabet alphabet,
                      const struct srs_field *fields, size_t n_fields, size_t length, char *out)
{
    SHA_CTX ctx = key->inner;
    for (size_t i = 0; i < n_fields; i++)
        srs_hash_update_lower(&ctx, fields[i].data, fields[i].len);
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1_Final(digest, &ctx);
    ctx = key->outer;
    SHA1_Update(&ctx, digest, sizeof(digest));
    SHA1_Final(digest, &ctx);

    /* Base64 of the 20-byte digest is 27 characters before padding; emit `length` of them. */
    const char *alpha = alphabet == SRS_ALPHABET_BASE64 ? srs_b64_classic : srs_b64_url;
    size_t o = 0;
    for (size_t i = 0; i < sizeof(digest) && o < length; i += 3) {
        unsigned v = (unsigned)digest[i] << 16;
        if (i + 1 < sizeof(digest))
            v |= (unsigned)digest[i + 1] << 8;
        if (i + 2 < sizeof(digest))
            v |= digest[i + 2];
        for (int shift = 18; shift >= 0 && o < length; shift -= 6)
            out[o++] = alpha[(v >> shift) & 63];
    }
}

static unsigned char srs_hash_fold(unsigned char c, bool equivalent)
{
    c = (unsigned char)str_ascii_lower((char)c);
    if (equivalent) {
        if (c == '+')
            c = '-';
        else if (c == '/')
            c = '_';
    }
    return c;
}

bool srs_hash_equal(const char *given, const char *computed, size_t n, bool equivalent)
{
    unsigned char diff = 0;
    for (size_t i = 0; i < n; i++) {
        diff |= (unsigned char)(srs_hash_fold((unsigned char)given[i], equivalent) ^
                                srs_hash_fold((unsigned char)computed[i], equivalent));
    }
    return diff == 0;
}
