#include "srsmap_alias.h"

#include <assert.h>
#include <openssl/evp.h>
#include <string.h>

/* RFC 4648 section 7: 20 digest bytes = 160 bits = exactly 32 five-bit groups. */
static void srsmap_base32hex(const unsigned char *in, size_t len, char *out)
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
    unsigned long long acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[o++] = alphabet[(acc >> bits) & 31];
        }
    }
    if (bits > 0)
        out[o++] = alphabet[(acc << (5 - bits)) & 31];
    out[o] = '\0';
}

void srsmap_alias_for(const char *address, size_t len, char out[SRSMAP_ALIAS_SIZE])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    int ok = EVP_Digest(address, len, digest, &dlen, EVP_sha1(), NULL);
    /* SHA-1 over memory cannot fail short of a broken OpenSSL installation. */
    assert(ok == 1 && dlen == 20);
    (void)ok;
    srsmap_base32hex(digest, dlen, out);
    memcpy(out + 32, SRSMAP_ALIAS_DOMAIN, sizeof(SRSMAP_ALIAS_DOMAIN));
}

bool srsmap_alias_is_alias(const char *address)
{
    const char *at = strchr(address, '@');
    return at != NULL && strcmp(at, SRSMAP_ALIAS_DOMAIN) == 0;
}
