/*
 * verify_token: the secrets that prove control of an identity. A domain publishes its token in
 * a TXT record at "<record name>.<domain>" (record name configurable, default "_rebound"); an
 * address proves itself by following a one-time link carrying its link token.
 * Randomness is injected (rule 9): the *_format functions take the random bytes; the *_new
 * ones draw them from RAND_bytes.
 */
#ifndef REBOUND_VERIFY_TOKEN_H
#define REBOUND_VERIFY_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define VERIFY_TOKEN_BYTES       16 /* a domain token: 32 hex digits */
#define VERIFY_LINK_TOKEN_BYTES  32 /* a link token: 64 hex digits */
#define VERIFY_DEFAULT_RECORD    "_rebound"
#define VERIFY_LINK_EXPIRY_HOURS 24
/* Longest record-name label accepted in the configuration (RFC 1035 2.3.4). */
#define VERIFY_MAX_RECORD_LABEL 63

/* Lower-case hex of n random bytes; owned. */
char *verify_token_format(const unsigned char *random, size_t n);
/* A fresh token of n random bytes (RAND_bytes); owned, NULL only if the RNG fails. */
char *verify_token_new(size_t n);
/* "<record>.<domain>"; owned. */
char *verify_token_record_name(const char *record, const char *domain);
/* True if `record` is usable as the TXT record label (1-63 of letters, digits, '-', '_');
 * else false with *error_r (owned). A config validator. */
bool verify_token_record_is_valid(const char *record, char **error_r);
/* The verification link: "<base>/v2/rebound/verify/<token>"; owned. Trailing '/' of base is
 * ignored. */
char *verify_token_link(const char *base_url, const char *token);
/* True if s is a link token as issued (64 lower-case hex digits). */
bool verify_token_is_link_token(const char *s);

#endif
