/*
 * Address scanning. An address is recognised around an '@': the local part extends left over
 * RFC 5322 atext and dots, the domain right over letters, digits, '-' and '.', and must hold
 * a dot (or be a bracketed literal). Quotes and dots at either end are trimmed because
 * bounce texts wrap addresses in them ('a@b', a@b.).
 */
#include "dsn_addr.h"

#include <stdlib.h>
#include <string.h>

#include "str.h"
#include "xalloc.h"

static bool dsn_addr_is_atext(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-.", c) != NULL;
}

static bool dsn_addr_is_domain_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
}

/* Bytes scanned left of an '@' for a local part (RFC 5321 allows 64; quoted-free SRS and
 * VERP local parts run longer in practice). */
#define DSN_ADDR_MAX_LOCAL_SCAN ((size_t)128)

/* Bounds of a plausible address around the '@' at text[at], or false. */
static bool dsn_addr_around(const char *text, size_t len, size_t at, size_t *start_r, size_t *end_r)
{
    size_t s = at;
    while (s > 0 && dsn_addr_is_atext((unsigned char)text[s - 1]) &&
           at - s < DSN_ADDR_MAX_LOCAL_SCAN)
        s--;
    while (s < at && (text[s] == '.' || text[s] == '\'' || text[s] == '`' || text[s] == '='))
        s++;
    size_t e = at + 1;
    bool dot = false;
    if (e < len && text[e] == '[') {
        while (e < len && text[e] != ']' && e - at < 64)
            e++;
        if (e == len || text[e] != ']')
            return false;
        e++;
        dot = true;
    } else {
        while (e < len && dsn_addr_is_domain_char((unsigned char)text[e]))
            e++;
        while (e > at + 1 && (text[e - 1] == '.' || text[e - 1] == '-'))
            e--;
        for (size_t i = at + 1; i < e; i++)
            dot |= text[i] == '.';
    }
    if (s == at || !dot || e - s > DSN_ADDR_MAX_LEN)
        return false;
    *start_r = s;
    *end_r = e;
    return true;
}

bool dsn_addr_scan(const char *text, size_t len, size_t *pos, size_t *start_r, size_t *end_r)
{
    size_t i = *pos;
    while (i < len) {
        const char *at = memchr(text + i, '@', len - i);
        if (at == NULL)
            break;
        size_t a = (size_t)(at - text);
        if (dsn_addr_around(text, len, a, start_r, end_r)) {
            *pos = *end_r;
            return true;
        }
        i = a + 1;
    }
    *pos = len;
    return false;
}

char *dsn_addr_first(const char *value)
{
    if (value == NULL)
        return NULL;
    size_t pos = 0, s, e;
    if (!dsn_addr_scan(value, strlen(value), &pos, &s, &e))
        return NULL;
    return xstrndup(value + s, e - s);
}

bool dsn_addr_is_system(const char *address)
{
    static const char *const locals[] = {
        "mailer-daemon@", "postmaster@", "mail-daemon@", "maildaemon@", "mailerdaemon@",
        "no-reply@",      "noreply@",    "root@",        "abuse@",
    };
    for (size_t i = 0; i < sizeof(locals) / sizeof(locals[0]); i++) {
        if (str_has_prefix_nocase(address, locals[i]))
            return true;
    }
    return false;
}
