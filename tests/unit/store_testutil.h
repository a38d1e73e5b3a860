/* Helpers for the store tests: a private temporary directory per test, removed afterwards. */
#ifndef REBOUND_TESTS_STORE_TESTUTIL_H
#define REBOUND_TESTS_STORE_TESTUTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "xalloc.h"

/* A fresh directory under $TMPDIR (or /tmp); owned: free() after store_test_rmdir(). */
static inline char *store_test_tempdir(void)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = xasprintf("%s/rebound-store-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        abort();
    }
    return dir;
}

/* "sqlite:DIR/NAME"; owned. */
static inline char *store_test_url(const char *dir, const char *name)
{
    return xasprintf("sqlite:%s/%s", dir, name);
}

/* Removes the files in dir (flat), then dir. */
static inline void store_test_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = xasprintf("%s/%s", dir, e->d_name);
            unlink(p);
            free(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* A message with one recipient and a body whose bytes derive from seed (checkable later). */
static inline struct store_message *store_test_message(int64_t account_id, int64_t arrival_ms,
                                                       unsigned seed, size_t body_len)
{
    struct store_message *m = store_message_new();
    unsigned char rnd[8];
    for (int i = 0; i < 8; i++)
        rnd[i] = (unsigned char)(seed >> (8 * (i % 4)));
    rnd[7] ^= 0x5a;
    store_message_id_make(arrival_ms, rnd, m->id);
    m->account_id = account_id;
    m->identity = xstrdup("example.com");
    m->envelope_from = xasprintf("sender%u@example.com", seed);
    m->return_path = xasprintf("SRS0=hash=TT=example.com=sender%u@bounce.example.net", seed);
    m->arrival_ms = arrival_ms;
    m->body = xmalloc(body_len + 1);
    for (size_t i = 0; i < body_len; i++)
        m->body[i] = (unsigned char)((seed * 131 + i * 7) & 0xff);
    m->body_len = body_len;
    store_message_add_rcpt(m, "rcpt@example.org", 0, NULL);
    return m;
}

/* True if m's body is the one store_test_message(.., seed, len) made. */
static inline int store_test_body_ok(const struct store_message *m, unsigned seed, size_t len)
{
    if (m->body_len != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (m->body[i] != (unsigned char)((seed * 131 + i * 7) & 0xff))
            return 0;
    }
    return 1;
}

#endif
