/*
 * Fuzz target: the whole feedback-report path on arbitrary bytes — MIME (GMime adapter),
 * RFC 3464 / ARF / RFC 3834 / plain-text recognition, then classification of every
 * recipient. GMime's process-wide initialisation runs once (the static guard is the fuzz
 * harness's equivalent of main()).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "classify.h"
#include "dsn.h"
#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool initialised = false;
    if (!initialised) {
        mime_global_init();
        initialised = true;
    }
    struct dsn_report *report = dsn_parse((const char *)data, size);
    size_t bounces = 0;
    for (size_t i = 0; i < report->recipient_count; i++) {
        struct classify_result res;
        classify_recipient(NULL, report, &report->recipients[i], &res);
        bounces += classify_is_bounce(&res);
        if (strlen(res.ses_type) == 0)
            __builtin_trap();
    }
    (void)bounces;
    dsn_report_free(report);
    return 0;
}
