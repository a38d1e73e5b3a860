/*
 * srs_hash: the SRS MAC (HMAC-SHA1 over ASCII-lower-cased fields concatenated without
 * delimiters, base64-encoded, truncated) and its comparison rules. Internal to srs.c.
 *
 * Each secret's HMAC key schedule (the SHA-1 states after the ipad and opad blocks) is computed
 * once in srs_hash_key_init(), so a MAC costs two SHA-1 compressions for a typical address
 * instead of four plus OpenSSL's per-call setup.
 */
#ifndef REBOUND_MAIL_SRS_HASH_H
#define REBOUND_MAIL_SRS_HASH_H

/* The low-level SHA-1 API is deprecated in OpenSSL 3 but is the only one whose state can be
 * copied by value, which is what makes precomputed HMAC keys cheap. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#include <stdbool.h>
#include <stddef.h>

#include "srs.h"

struct srs_hash_key {
    SHA_CTX inner; /* SHA-1 state after (key ^ ipad) */
    SHA_CTX outer; /* SHA-1 state after (key ^ opad) */
};

/* A field of the MAC input: bytes and length (not necessarily NUL-terminated). */
struct srs_field {
    const char *data;
    size_t len;
};

void srs_hash_key_init(struct srs_hash_key *key, const char *secret, size_t secret_len);
/* Writes the first `length` (<= SRS_MAX_HASH_LENGTH) base64 characters of the MAC of the
 * concatenated, lower-cased fields into out (not terminated). */
void srs_hash_compute(const struct srs_hash_key *key, enum srs_alphabet alphabet,
                      const struct srs_field *fields, size_t n_fields, size_t length, char *out);
/* Compares a given hash with a computed one over n characters: ASCII case-insensitively, and
 * when `equivalent` also '+'=='-' and '/'=='_' (postsrsd >= 2.2.6). Constant time in n. */
bool srs_hash_equal(const char *given, const char *computed, size_t n, bool equivalent);

#endif
