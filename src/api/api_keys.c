/* api_keys: see api_keys.h. */
#include "api_keys.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

void api_keys_format(const unsigned char id_random[10], const unsigned char secret_random[30],
                     char id_r[API_KEY_ID_LEN + 1], char secret_r[API_KEY_SECRET_LEN + 1])
{
    static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    memcpy(id_r, API_KEY_PREFIX, 4);
    /* 10 bytes = 80 bits = 16 base32 characters */
    unsigned bits = 0, acc = 0;
    size_t n = 4;
    for (size_t i = 0; i < 10; i++) {
        acc = (acc << 8) | id_random[i];
        bits += 8;
        while (bits >= 5) {
            id_r[n++] = b32[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    id_r[n] = '\0';
    EVP_EncodeBlock((unsigned char *)secret_r, secret_random, 30);
}

bool api_keys_generate(char id_r[API_KEY_ID_LEN + 1], char secret_r[API_KEY_SECRET_LEN + 1])
{
    unsigned char r[40];
    if (RAND_bytes(r, sizeof(r)) != 1)
        return false;
    api_keys_format(r, r + 10, id_r, secret_r);
    OPENSSL_cleanse(r, sizeof(r));
    return true;
}
