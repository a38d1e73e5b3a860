/*
 * Fuzz target for src/mail/dsn_write.c, which puts text from the network (SMTP replies, MX host
 * names, the original message) into the DSN it writes. Input: one byte of flags, then the
 * diagnostic, a NUL, the remote MTA name, a NUL, the original message. Checks the writer's
 * promise: the report's fields stay single lines (every LF in the output outside the returned
 * original is part of a CRLF and no field line is longer than the limit plus its name).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsn_write.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fuzz_take(const uint8_t **p, const uint8_t *end, char **owned)
{
    const uint8_t *nul = memchr(*p, 0, (size_t)(end - *p));
    size_t len = nul ? (size_t)(nul - *p) : (size_t)(end - *p);
    *owned = malloc(len + 1);
    memcpy(*owned, *p, len);
    (*owned)[len] = '\0';
    *p += nul ? len + 1 : len;
    return *owned;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t *p = data + 1, *end = data + size;
    char *diag, *mta;
    struct dsn_write_rcpt r = {
        "x@example.org", "rfc822;x+2B@example.org", "failed", "5.0.0", NULL, NULL};
    r.diagnostic = fuzz_take(&p, end, &diag);
    r.remote_mta = fuzz_take(&p, end, &mta);
    struct dsn_write_input in = {
        .reporting_mta = "mta.example.net",
        .to = "a@example.net",
        .message_id = "id@mta.example.net",
        .boundary = "B",
        .envid = (data[0] & 2) ? r.diagnostic : NULL,
        .rcpts = &r,
        .n_rcpts = 1,
        .original = (const char *)p,
        .original_len = (size_t)(end - p),
        .full = data[0] & 1,
    };
    struct buf out = BUF_INIT;
    dsn_write(&in, &out);
    /* Everything before the third part (the returned original) is the writer's own. */
    const char *text = buf_cstr(&out);
    const char *third = strstr(text, "--B\r\nContent-Description: Undelivered");
    if (third == NULL)
        abort();
    for (const char *q = text; q < third; q++) {
        if (*q == '\n' && (q == text || q[-1] != '\r'))
            abort();
        if (*q == '\r' && q[1] != '\n')
            abort();
    }
    buf_free(&out);
    free(diag);
    free(mta);
    return 0;
}
