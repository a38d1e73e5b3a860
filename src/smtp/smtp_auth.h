/*
 * smtp_auth: decoding of SASL data for AUTH PLAIN and AUTH LOGIN (RFC 4954, RFC 4616,
 * draft-murchison-sasl-login). Pure functions: no I/O, no static buffers.
 *
 *   base64 (RFC 4648 4): strict; padding required, no whitespace, no data after padding.
 *   RFC 4954 4: an initial response of "=" means an empty response; a client line of "*"
 *   cancels the exchange (checked by the session, not here).
 *   PLAIN (RFC 4616 2): message = [authzid] UTF8NUL authcid UTF8NUL passwd, each part
 *   1*SAFE (no NUL), authzid may be empty, at most 255 octets each.
 *
 * Ownership: strings returned through _r pointers are owned by the caller (free()); on
 * failure nothing is returned. Decoded passwords are wiped by smtp_auth_credentials_clear().
 */
#ifndef REBOUND_SMTP_AUTH_H
#define REBOUND_SMTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* RFC 4954 4: the AUTH command line and each continuation line may be 12288 octets. */
#define SMTP_AUTH_LINE_MAX 12288
/* RFC 4616 2: authzid, authcid and passwd are each at most 255 octets. */
#define SMTP_AUTH_FIELD_MAX 255

/* The 334 challenges of LOGIN: base64("Username:") and base64("Password:"). */
#define SMTP_AUTH_LOGIN_USERNAME_PROMPT "VXNlcm5hbWU6"
#define SMTP_AUTH_LOGIN_PASSWORD_PROMPT "UGFzc3dvcmQ6"

struct smtp_auth_credentials {
    char *authzid; /* "" when absent */
    char *username;
    char *password;
};

/* Appends the decoded bytes of s[0..len) to out; false if s is not strict base64. */
bool smtp_auth_base64_decode(const char *s, size_t len, struct buf *out);
/* Decodes a PLAIN response (base64 text, or "=" for empty). */
bool smtp_auth_plain_decode(const char *s, size_t len, struct smtp_auth_credentials *creds_r);
/* Decodes one LOGIN response (a username or a password) into an owned string. */
bool smtp_auth_login_decode(const char *s, size_t len, char **value_r);
void smtp_auth_credentials_clear(struct smtp_auth_credentials *creds);

#endif
