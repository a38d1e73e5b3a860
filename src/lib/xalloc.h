/*
 * xalloc: the one allocation family. Out of memory is not an environmental error a mail
 * server can recover from in the middle of a protocol exchange, so these abort with a message
 * instead of returning NULL (STYLE.md rule 4). Everything they return is owned by the caller
 * and released with free().
 */
#ifndef REBOUND_LIB_XALLOC_H
#define REBOUND_LIB_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows an array of count elements of size bytes; aborts on multiplication overflow. */
void *xreallocarray(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);
/* Copies at most len bytes of s and terminates the copy; s need not be terminated. */
char *xstrndup(const char *s, size_t len);
/* Like asprintf(3); the result is owned by the caller. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
