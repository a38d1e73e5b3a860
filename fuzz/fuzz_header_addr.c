/*
 * Fuzz target: From:/Sender: address lists (header_addr.h) on client message bytes. The input
 * is used twice: as a whole message (header_addr_field, "From") and as one field value
 * (header_addr_parse). Properties checked: no read past the input (it is not NUL-terminated),
 * a refusal always has a reason, every address found has an "@", at most HEADER_ADDR_MAX
 * per field and HEADER_ADDR_MAX_LEN octets each.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "header_addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check(const struct header_addr_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        if (strchr(list->items[i], '@') == NULL || strlen(list->items[i]) > HEADER_ADDR_MAX_LEN)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *input = malloc(size ? size : 1);
    if (size)
        memcpy(input, data, size);
    struct header_addr_list list = {0};
    const char *why = NULL;
    if (!header_addr_parse(input, size, &list, &why) && why == NULL)
        abort();
    if (list.n > HEADER_ADDR_MAX)
        abort();
    fuzz_check(&list);
    header_addr_list_free(&list);
    why = NULL;
    long n = header_addr_field(input, size, "From", &list, &why);
    if (n < 0 && why == NULL)
        abort();
    fuzz_check(&list);
    header_addr_list_free(&list);
    free(input);
    return 0;
}
