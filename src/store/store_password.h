/*
 * store_password: SMTP passwords are stored only as a salted, deliberately slow hash:
 *     "pbkdf2-sha256$ITERATIONS$SALT$HASH"
 * PBKDF2-HMAC-SHA256 (OpenSSL PKCS5_PBKDF2_HMAC), SALT = 16 random bytes and HASH = 32 bytes,
 * both in standard base64 without padding (the passlib/Django-like shape, "$"-separated).
 * Verification recomputes with the iterations and salt of the stored string and compares in
 * constant time, so raising STORE_PASSWORD_ITERATIONS later keeps old hashes valid.
 *
 * Cost: STORE_PASSWORD_ITERATIONS = 200,000 takes about 50 ms of one core on the development
 * machine (measured with bench_store: "password verify"); that is why the service runs
 * verification on its reader threads, never on the event loop.
 *
 * Secrets: passwords are never logged; buffers that held them are cleansed (OPENSSL_cleanse).
 */
#ifndef REBOUND_STORE_PASSWORD_H
#define REBOUND_STORE_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define STORE_PASSWORD_ITERATIONS     200000
#define STORE_PASSWORD_MIN_ITERATIONS 1000
#define STORE_PASSWORD_MAX_ITERATIONS 10000000
#define STORE_PASSWORD_SALT_LEN       16
#define STORE_PASSWORD_HASH_LEN       32
/* Generated passwords: 32 characters of base64url (6 random bits each: 192 bits). */
#define STORE_PASSWORD_GENERATED_LEN 32
/* Generated SMTP usernames: "RB" + 18 characters of A-Z2-7 (90 random bits), as SES's AKIA... */
#define STORE_USERNAME_GENERATED_LEN 20
/* Longest password accepted for verification (AUTH PLAIN lines are limited before this). */
#define STORE_PASSWORD_MAX_LEN 1024

/* Hashes with the given salt and iteration count; the result is owned (free()). */
char *store_password_hash_with_salt(const char *password, const unsigned char *salt,
                                    size_t salt_len, unsigned iterations);
/* Hashes with a fresh random salt (RAND_bytes); NULL only if the RNG fails. Owned. */
char *store_password_hash(const char *password, unsigned iterations);
/* True if password matches encoded; false for a mismatch or a malformed encoded string. */
bool store_password_verify(const char *password, const char *encoded);
/* Spends the same time as verifying against a real hash, so that an unknown username does not
 * answer faster than a wrong password. */
void store_password_verify_dummy(const char *password);

/* Fill out[STORE_PASSWORD_GENERATED_LEN + 1] / out[STORE_USERNAME_GENERATED_LEN + 1] from the
 * RNG; false if it fails. */
bool store_password_generate(char *out);
bool store_username_generate(char *out);

#endif
