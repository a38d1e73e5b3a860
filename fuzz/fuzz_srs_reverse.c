/*
 * Fuzz target: the SRS reverse parser (untrusted: any bounce recipient reaches it), and the
 * forward path on the same bytes. Also checks the round-trip property: a plain address with one
 * '@' and no '=' in its domain reverses to itself after forwarding.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "srs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const secrets[] = {"fuzz-secret", "old-secret"};
    struct srs_config cfg;
    srs_config_defaults(&cfg);
    cfg.domain = "srs.example.net";
    cfg.secrets = secrets;
    cfg.n_secrets = 2;
    char *error = NULL;
    struct srs *srs = srs_new(&cfg, &error);
    if (srs == NULL)
        abort();

    char *input = malloc(size + 1);
    memcpy(input, data, size);
    input[size] = '\0';
    const int64_t now = 1710504000;

    char *out = NULL;
    enum srs_status st = srs_reverse(srs, input, now, &out);
    if (srs_status_ok(st) != (out != NULL))
        abort();
    free(out);

    st = srs_forward(srs, input, now, &out);
    const char *at = strchr(input, '@');
    bool plain = at && !strchr(at + 1, '@') && !strchr(at + 1, '=') && strlen(input) == size &&
                 !srs_is_srs_address(input);
    if (st == SRS_OK && plain) {
        char *back = NULL;
        if (srs_reverse(srs, out, now, &back) != SRS_OK || strcmp(back, input) != 0)
            abort();
        free(back);
    }
    free(out);
    free(input);
    srs_free(srs);
    return 0;
}
