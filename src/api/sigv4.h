/*
 * sigv4: AWS Signature Version 4 (service "ses"), the server side: parses the Authorization
 * header, rebuilds the canonical request from what arrived, and compares signatures.
 * Also SES's SMTP password derivation from the same secret (version byte 0x04), so one access
 * key serves the API and SMTP AUTH.
 *
 * Authorization = "AWS4-HMAC-SHA256" 1*SP "Credential=" AKID "/" DATE "/" REGION "/" SERVICE
 *                 "/aws4_request" "," *SP "SignedHeaders=" h *(";" h) "," *SP "Signature=" 64HEXDIG
 * (the three parameters in any order, each once). Canonical request as AWS documents it for
 * every service but S3: the path URI-encoded a second time (each byte but unreserved and "/"),
 * the query's pairs decoded, re-encoded (RFC 3986 unreserved kept) and sorted, the signed
 * headers lower-cased, values trimmed with inner runs of spaces collapsed, and the hex SHA-256
 * of the body.
 *
 * Pure functions (no clock, no store): the caller supplies the time and the secret. Strings
 * returned are owned (free()).
 */
#ifndef REBOUND_API_SIGV4_H
#define REBOUND_API_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
/* Limits on what a client controls. */
#define SIGV4_MAX_AUTHORIZATION  2048
#define SIGV4_MAX_SIGNED_HEADERS 32
#define SIGV4_MAX_ACCESS_KEY     128
/* Requests signed more than this far from the server's clock are refused (AWS: 15 minutes). */
#define SIGV4_MAX_SKEW_S 900

struct sigv4_auth {
    char *access_key;
    char *date; /* YYYYMMDD */
    char *region;
    char *service;
    char **signed_headers; /* lower case, as listed */
    size_t n_signed;
    char *signature; /* 64 lower-case hex digits */
};

/* Parses an Authorization header value (len bytes). On refusal returns false with *error_r
 * (owned) saying what is malformed. */
bool sigv4_parse_authorization(const char *value, size_t len, struct sigv4_auth *auth_r,
                               char **error_r);
void sigv4_auth_clear(struct sigv4_auth *auth);

struct sigv4_header {
    const char *name; /* any case */
    const char *value;
};

struct sigv4_request {
    const char *method;
    const char *path;  /* as sent (percent-encoded), without the query */
    const char *query; /* as sent, without '?'; NULL or "" if none */
    const struct sigv4_header *headers;
    size_t n_headers;
    const void *body;
    size_t body_len;
};

/* The canonical request; NULL with *error_r if a signed header is missing. */
char *sigv4_canonical_request(const struct sigv4_request *req, char *const *signed_headers,
                              size_t n_signed, char **error_r);
/* Lower-case hex SHA-256 of data into out (65 bytes with the NUL). */
void sigv4_sha256_hex(const void *data, size_t len, char out[65]);
/* The signature (64 hex digits into out, 65 bytes) of a request at amz_date
 * ("YYYYMMDDTHHMMSSZ") with the credential scope of auth and the secret. */
bool sigv4_sign(const struct sigv4_request *req, const struct sigv4_auth *auth,
                const char *amz_date, const char *secret, char out[65], char **error_r);

enum sigv4_verdict {
    SIGV4_OK,
    SIGV4_MALFORMED,     /* missing/invalid date header, bad scope: 400 / 403 */
    SIGV4_EXPIRED,       /* outside SIGV4_MAX_SKEW_S: 403 */
    SIGV4_BAD_SIGNATURE, /* 403 SignatureDoesNotMatch */
};

/* Verifies a parsed request at now_s (seconds since the epoch) against the secret of
 * auth->access_key, for `service` in `region` (NULL: any region). The date is the
 * X-Amz-Date header. *error_r (owned) says why when not SIGV4_OK. */
enum sigv4_verdict sigv4_verify(const struct sigv4_request *req, const struct sigv4_auth *auth,
                                const char *secret, const char *service, const char *region,
                                int64_t now_s, char **error_r);

/* SES SMTP password for a secret access key in a region (AWS "Obtaining Amazon SES SMTP
 * credentials"): base64(0x04 || HMAC chain over "11111111", region, "ses", "aws4_request",
 * "SendRawEmail" keyed first by "AWS4" + secret). Owned. */
char *sigv4_ses_smtp_password(const char *secret, const char *region);

#endif
