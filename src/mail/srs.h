/*
 * srs: the Sender Rewriting Scheme exactly as Mail::SRS ("Guarded"), libsrs2 and postsrsd
 * write it (../shared/SRS.md is the specification; tests replay every postsrsd vector).
 *
 *   forward  user@host            -> SRS0=HHHH=TT=host=user@srs-domain
 *            SRS0<s>X@fwd          -> SRS1=HHHH=fwd=<s>X@srs-domain     (foreign SRS0, kept)
 *            SRS1<s>h=hop1=rest@x  -> SRS1=HHHH=hop1=rest@srs-domain   (re-signed)
 *   reverse  SRS0 -> user@host;  SRS1 -> SRS0<rest>@first-hop
 *
 * HASH = base64 (classic or url alphabet) of HMAC-SHA1(secret, lower-cased fields
 * concatenated without delimiters), cut to hash_length chars. TT = UTC day number mod 1024 in
 * two base32 characters. The first secret signs; every secret verifies.
 *
 * Hash comparison on reverse: with the classic alphabet exactly as postsrsd 1.x (ASCII
 * case-insensitive); with base64url (the default) as postsrsd >= 2.2.6, which additionally
 * treats '+' as '-' and '/' as '_', so addresses from either generation verify.
 *
 * Pure computation: no I/O, no static buffers, no clock of its own (callers pass `now`, unix
 * seconds). An srs object is immutable after srs_new() and may be shared freely.
 */
#ifndef REBOUND_MAIL_SRS_H
#define REBOUND_MAIL_SRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest rewritten address we produce or accept (postsrsd 1.x: 1024-byte buffer with NUL). */
#define SRS_MAX_ADDRESS_LEN      1023
#define SRS_DEFAULT_HASH_LENGTH  4
#define SRS_MAX_HASH_LENGTH      27 /* base64 of a 20-byte digest, without padding */
#define SRS_DEFAULT_MAX_AGE_DAYS 21
/* A stamp counts days modulo this (two base32 characters). */
#define SRS_STAMP_PERIOD_DAYS 1024

enum srs_alphabet {
    SRS_ALPHABET_BASE64URL, /* A-Z a-z 0-9 - _   (postsrsd >= 2.2.6, default) */
    SRS_ALPHABET_BASE64,    /* A-Z a-z 0-9 + /   (libsrs2, Mail::SRS, postsrsd 1.x) */
};

/* Every outcome has a name; srs_strerror() gives libsrs2's exact text (what postsrsd sends). */
enum srs_status {
    SRS_OK = 0,
    SRS_UNCHANGED,           /* forward: address already in the SRS domain, returned as is */
    SRS_ENOTSRS,             /* "Not an SRS address." */
    SRS_ENOAT,               /* "No at sign in sender address" */
    SRS_ETOOLONG,            /* "Buffer too small." (result longer than SRS_MAX_ADDRESS_LEN) */
    SRS_ENOSRS0HOST,         /* "No host in SRS0 address." */
    SRS_ENOSRS0USER,         /* "No user in SRS0 address." */
    SRS_ENOSRS0HASH,         /* "No hash in SRS0 address." */
    SRS_ENOSRS0STAMP,        /* "No timestamp in SRS0 address." */
    SRS_ENOSRS1HOST,         /* "No host in SRS1 address." */
    SRS_ENOSRS1USER,         /* "No user in SRS1 address." */
    SRS_ENOSRS1HASH,         /* "No hash in SRS1 address." */
    SRS_EBADTIMESTAMPCHAR,   /* "Bad base32 character in timestamp." */
    SRS_EHASHTOOSHORT,       /* "Hash too short in SRS address." */
    SRS_ETIMESTAMPOUTOFDATE, /* "Time stamp out of date." (expired, future, or not 2 chars) */
    SRS_EHASHINVALID,        /* "Hash invalid in SRS address." */
    SRS_ENOSECRETS,          /* "No secrets in SRS configuration." */
    SRS_EBADSEPARATOR,       /* "Invalid separator suggested." */
};

struct srs_config {
    const char *domain;         /* the SRS domain (borrowed during srs_new, copied) */
    const char *const *secrets; /* first signs, all verify; copied */
    size_t n_secrets;
    unsigned hash_length;  /* 1..SRS_MAX_HASH_LENGTH, default 4 */
    unsigned hash_min;     /* minimum accepted on reverse, <= hash_length, default = length */
    unsigned max_age_days; /* default 21; < SRS_STAMP_PERIOD_DAYS */
    char separator;        /* '=', '+' or '-' after the tag; default '=' */
    enum srs_alphabet alphabet;
    bool always_rewrite; /* rewrite even addresses already in the SRS domain (postsrsd -A) */
};

struct srs;

/* Fills defaults (hash_length 4, hash_min = hash_length, max age 21, '=', base64url). */
void srs_config_defaults(struct srs_config *cfg);

/* Validates and copies cfg. On error returns NULL and a sentence in *error_r (owned, free()). */
struct srs *srs_new(const struct srs_config *cfg, char **error_r);
void srs_free(struct srs *srs);

/*
 * Rewrites a sender. On SRS_OK or SRS_UNCHANGED *result_r is an owned string (free()); on any
 * error *result_r is NULL.
 */
enum srs_status srs_forward(const struct srs *srs, const char *address, int64_t now,
                            char **result_r);
/* Undoes a rewrite (checks tag, fields, stamp, then hash). Result as for srs_forward. */
enum srs_status srs_reverse(const struct srs *srs, const char *address, int64_t now,
                            char **result_r);

/* True when address starts with SRS0 or SRS1 (any case) followed by '=', '+' or '-'. */
bool srs_is_srs_address(const char *address);
/* libsrs2's text for a status (static string). */
const char *srs_strerror(enum srs_status status);
/* A stable short name for logs and tests ("bad-hash", "expired", ...). */
const char *srs_status_name(enum srs_status status);
/* True for outcomes that are not errors (SRS_OK, SRS_UNCHANGED). */
bool srs_status_ok(enum srs_status status);
/* The domain this instance rewrites into (borrowed, lives as long as srs). */
const char *srs_domain(const struct srs *srs);

/* The two-character stamp for a time (exposed for tests and tools). */
void srs_timestamp(int64_t now, char out[3]);

#endif
