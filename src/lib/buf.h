/*
 * buf: a growable byte buffer, always NUL-terminated after its content so that text can be
 * used as a C string. The struct is owned by whoever declares it; buf_free() releases the
 * storage; buf_steal() hands the storage to the caller (free() it) and leaves the buf empty.
 */
#ifndef REBOUND_LIB_BUF_H
#define REBOUND_LIB_BUF_H

#include <stddef.h>

struct buf {
    char *data; /* NULL until the first append; then len + 1 bytes are valid */
    size_t len;
    size_t cap;
};

#define BUF_INIT                                                                                   \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t len);
void buf_append_str(struct buf *b, const char *s);
void buf_append_char(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
/* Returns the content as a C string (never NULL; "" for an empty buf); borrowed. */
const char *buf_cstr(struct buf *b);
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);

#endif
