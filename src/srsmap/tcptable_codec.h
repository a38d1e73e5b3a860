/*
 * tcptable_codec: the %-encoding of Postfix's tcp_table protocol (tcp_table(5)) as postsrsd 1.x
 * applies it. Knows nothing about sockets or SRS.
 *
 * Decoding (request keys): "%" HEXDIG HEXDIG is one byte (either hex case); any other "%" is an
 * error; every other byte stands for itself.
 * Encoding (reply values): bytes outside the printable ASCII range 0x21..0x7e, and "%" itself,
 * become "%" followed by two LOWER-case hex digits (postsrsd 1.x: `%c3%bc`).
 */
#ifndef REBOUND_SRSMAP_TCPTABLE_CODEC_H
#define REBOUND_SRSMAP_TCPTABLE_CODEC_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * Decodes len bytes of in into out (which must hold at least len + 1 bytes; the result is never
 * longer than the input) and NUL-terminates it. Returns false on a malformed escape. The
 * decoded length, which may include NUL bytes from "%00", is stored in *out_len_r.
 */
bool tcptable_decode(const char *in, size_t len, char *out, size_t *out_len_r);

/* Appends the encoding of len bytes of in to b. */
void tcptable_encode_append(struct buf *b, const char *in, size_t len);

#endif
