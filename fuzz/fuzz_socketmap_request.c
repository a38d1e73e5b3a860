/*
 * Fuzz target for src/srsmap/socketmap_request: arbitrary bytes from a socketmap peer.
 * Properties: the parser never reads or writes out of bounds (ASan), always makes progress,
 * keys respect SOCKETMAP_MAX_KEY, and parsing the input whole or one byte at a time yields
 * the same events.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "socketmap_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property violation crashes the run (independent of NDEBUG). */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

static void fuzz_socketmap_run(const char *in, size_t len, size_t chunk, struct buf *log)
{
    struct socketmap_parser p;
    socketmap_parser_init(&p);
    for (size_t off = 0; off < len;) {
        size_t n = len - off < chunk ? len - off : chunk;
        size_t used = 0;
        while (used < n) {
            enum socketmap_event ev;
            struct socketmap_request req;
            size_t got = socketmap_parser_feed(&p, in + off + used, n - used, &ev, &req);
            FUZZ_CHECK(got <= n - used);
            used += got;
            if (ev == SOCKETMAP_INVALID) {
                buf_append_str(log, "I");
                return;
            }
            if (ev == SOCKETMAP_NEED_MORE) {
                FUZZ_CHECK(used == n);
                break;
            }
            FUZZ_CHECK(got > 0);
            if (ev == SOCKETMAP_TOO_BIG) {
                buf_append_str(log, "T");
                continue;
            }
            FUZZ_CHECK(req.key_len <= SOCKETMAP_MAX_KEY && strlen(req.key) == req.key_len);
            FUZZ_CHECK(req.map_len > 0 && memchr(req.map, ' ', req.map_len) == NULL);
            buf_append(log, req.map, req.map_len);
            buf_append_char(log, '/');
            buf_append(log, req.key, req.key_len);
            buf_append_char(log, '|');
        }
        off += n;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf whole = BUF_INIT, trickled = BUF_INIT;
    fuzz_socketmap_run((const char *)data, size, size ? size : 1, &whole);
    fuzz_socketmap_run((const char *)data, size, 1, &trickled);
    FUZZ_CHECK(whole.len == trickled.len &&
               memcmp(buf_cstr(&whole), buf_cstr(&trickled), whole.len) == 0);
    buf_free(&whole);
    buf_free(&trickled);
    return 0;
}
