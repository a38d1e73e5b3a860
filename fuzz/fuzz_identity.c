/*
 * Fuzz target: identity syntax and the coverage policy (identities and sender addresses reach
 * them from the CLI, the HTTP API and SMTP MAIL FROM). Properties checked:
 * - identity_normalize never reads past len (the input is not NUL-terminated here);
 * - a normalized identity normalizes to itself (idempotent) with the same kind;
 * - a verified normalized identity covers itself when it is an address, and covers
 *   "postmaster@<it>" when it is a domain.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *input = malloc(size ? size : 1);
    if (size)
        memcpy(input, data, size);
    enum identity_kind kind;
    char *error = NULL;
    char *norm = identity_normalize(input, size, &kind, &error);
    if (norm == NULL) {
        if (error == NULL)
            abort();
        free(error);
    } else {
        enum identity_kind again_kind;
        char *again = identity_normalize(norm, strlen(norm), &again_kind, &error);
        if (again == NULL || strcmp(again, norm) != 0 || again_kind != kind)
            abort();
        free(again);
        struct identity_entry e = {norm, IDENTITY_SUCCESS};
        char *probe = NULL;
        if (kind == IDENTITY_DOMAIN) {
            probe = malloc(strlen(norm) + sizeof("postmaster@"));
            strcpy(probe, "postmaster@");
            strcat(probe, norm);
        }
        if (identity_covering(&e, 1, probe ? probe : norm) != 0)
            abort();
        free(probe);
        free(norm);
    }
    /* The policy on arbitrary text as a sender address. */
    char *text = malloc(size + 1);
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    struct identity_entry ids[] = {{"example.com", IDENTITY_SUCCESS},
                                   {"alice@example.net", IDENTITY_SUCCESS}};
    (void)identity_covering(ids, 2, text);
    free(text);
    free(input);
    return 0;
}
