/*
 * Fuzz target for the SMTP client's parsers of what a remote server sends: replies
 * (src/smtp/smtp_client_reply.c) and EHLO capabilities (smtp_client_ehlo.c). The input is fed
 * twice, whole and in pieces whose sizes come from the first byte, and both runs must agree
 * (the parser's promise that chunking does not matter). Every reply must satisfy the
 * parser's contract: a code 200..599, an enhanced code of the reply's class or none, the text
 * starting with the code.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_client_ehlo.h"
#include "smtp_client_reply.h"

/* Enough to compare the two runs; later replies are only checked, not compared. */
#define FUZZ_MAX_KEPT 64

struct fuzz_run {
    int codes[FUZZ_MAX_KEPT];
    size_t n;
    size_t consumed;
    bool error;
};

static void fuzz_check(const struct smtp_client_reply *r)
{
    if (r->code < 200 || r->code > 599 || r->n_lines == 0 || r->text.len < 3)
        abort();
    if (r->enhanced[0] != '\0' && r->enhanced[0] != r->text.data[0])
        abort();
    struct smtp_client_caps caps;
    smtp_client_ehlo_parse(r, &caps);
    if (!caps.size && caps.size_limit != 0)
        abort();
    (void)smtp_client_reply_last_line(r);
}

static void fuzz_feed(const uint8_t *data, size_t size, size_t step, struct fuzz_run *run)
{
    memset(run, 0, sizeof(*run));
    struct smtp_client_reply_parser p;
    smtp_client_reply_parser_init(&p);
    size_t pos = 0;
    while (pos < size && !run->error) {
        size_t piece = size - pos < step ? size - pos : step;
        size_t off = 0;
        while (off < piece) {
            size_t used = 0;
            enum smtp_client_parse r =
                smtp_client_reply_feed(&p, (const char *)data + pos + off, piece - off, &used);
            if (used > piece - off)
                abort();
            off += used;
            if (r == SMTP_CLIENT_PARSE_ERROR) {
                run->error = true;
                break;
            }
            if (r == SMTP_CLIENT_PARSE_MORE)
                break;
            struct smtp_client_reply reply;
            smtp_client_reply_take(&p, &reply);
            fuzz_check(&reply);
            if (run->n < FUZZ_MAX_KEPT)
                run->codes[run->n] = reply.code;
            run->n++;
            smtp_client_reply_clear(&reply);
        }
        pos += piece;
    }
    smtp_client_reply_parser_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t step = (size_t)(data[0] % 16) + 1;
    struct fuzz_run whole, pieces;
    fuzz_feed(data + 1, size - 1, size, &whole);
    fuzz_feed(data + 1, size - 1, step, &pieces);
    if (whole.n != pieces.n || whole.error != pieces.error)
        abort();
    for (size_t i = 0; i < whole.n && i < FUZZ_MAX_KEPT; i++) {
        if (whole.codes[i] != pieces.codes[i])
            abort();
    }
    return 0;
}
