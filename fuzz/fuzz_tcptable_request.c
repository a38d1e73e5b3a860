/*
 * Fuzz target for src/srsmap/tcptable_request and tcptable_codec: arbitrary bytes from a
 * tcp_table peer. Properties: no out-of-bounds access (ASan), progress, keys below the line
 * limit, whole and byte-at-a-time parsing agree, and every key survives encode + decode.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tcptable_codec.h"
#include "tcptable_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property violation crashes the run (independent of NDEBUG). */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

static void fuzz_tcptable_key(const struct tcptable_request *req, struct buf *log)
{
    FUZZ_CHECK(req->key_len > 0 || req->key[0] == '\0');
    FUZZ_CHECK(req->key_len < TCPTABLE_MAX_LINE && strlen(req->key) == req->key_len);
    struct buf enc = BUF_INIT;
    tcptable_encode_append(&enc, req->key, req->key_len);
    char *dec = malloc(enc.len + 1);
    size_t dlen = 0;
    FUZZ_CHECK(tcptable_decode(buf_cstr(&enc), enc.len, dec, &dlen));
    FUZZ_CHECK(dlen == req->key_len && memcmp(dec, req->key, dlen) == 0);
    free(dec);
    buf_free(&enc);
    buf_append(log, req->key, req->key_len);
    buf_append_char(log, '|');
}

static void fuzz_tcptable_run(const char *in, size_t len, size_t chunk, struct buf *log)
{
    struct tcptable_parser p;
    tcptable_parser_init(&p);
    for (size_t off = 0; off < len;) {
        size_t n = len - off < chunk ? len - off : chunk;
        size_t used = 0;
        while (used < n) {
            enum tcptable_event ev;
            struct tcptable_request req;
            size_t got = tcptable_parser_feed(&p, in + off + used, n - used, &ev, &req);
            FUZZ_CHECK(got <= n - used);
            used += got;
            if (ev == TCPTABLE_INVALID) {
                buf_append_str(log, "I");
                return;
            }
            if (ev == TCPTABLE_NEED_MORE) {
                FUZZ_CHECK(used == n);
                break;
            }
            FUZZ_CHECK(got > 0);
            fuzz_tcptable_key(&req, log);
        }
        off += n;
    }
    struct tcptable_request req;
    enum tcptable_event ev = tcptable_parser_finish(&p, &req);
    if (ev == TCPTABLE_REQUEST)
        fuzz_tcptable_key(&req, log);
    else if (ev == TCPTABLE_INVALID)
        buf_append_str(log, "I");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf whole = BUF_INIT, trickled = BUF_INIT;
    fuzz_tcptable_run((const char *)data, size, size ? size : 1, &whole);
    fuzz_tcptable_run((const char *)data, size, 1, &trickled);
    FUZZ_CHECK(whole.len == trickled.len &&
               memcmp(buf_cstr(&whole), buf_cstr(&trickled), whole.len) == 0);
    buf_free(&whole);
    buf_free(&trickled);
    return 0;
}
