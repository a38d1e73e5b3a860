/*
 * api_keys: access key pairs for the API, in AWS's shape: an id "RBAK" + 16 base32 characters
 * (20 in all, like AWS's AKIA...) and a 40-character secret (base64 of 30 random bytes).
 *
 * Trade-off (documented): SigV4 is an HMAC keyed by the secret, so the server must hold the
 * secret itself, not a one-way hash of it, exactly as AWS does; the store therefore keeps
 * secrets in clear, protected by the store file's 0600 mode. A stolen store file lets its
 * thief sign requests; rotate keys (create a new one) if that happens. SMTP passwords, in
 * contrast, are kept only as PBKDF2 hashes.
 */
#ifndef REBOUND_API_KEYS_H
#define REBOUND_API_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#define API_KEY_ID_LEN     20
#define API_KEY_SECRET_LEN 40
#define API_KEY_PREFIX     "RBAK"

/* From caller-supplied random bytes (10 for the id, 30 for the secret): pure, for tests. */
void api_keys_format(const unsigned char id_random[10], const unsigned char secret_random[30],
                     char id_r[API_KEY_ID_LEN + 1], char secret_r[API_KEY_SECRET_LEN + 1]);
/* With RAND_bytes; false only if the RNG fails. */
bool api_keys_generate(char id_r[API_KEY_ID_LEN + 1], char secret_r[API_KEY_SECRET_LEN + 1]);

#endif
