#include "str.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool str_equal_nocase_n(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++) {
        if (str_ascii_lower(a[i]) != str_ascii_lower(b[i]))
            return false;
    }
    return true;
}

bool str_equal_nocase(const char *a, const char *b)
{
    return str_equal_nocase_n(a, strlen(a), b, strlen(b));
}

bool str_has_prefix_nocase(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strlen(s) >= n && str_equal_nocase_n(s, n, prefix, n);
}

char *str_lower(char *s)
{
    for (char *p = s; *p; p++)
        *p = str_ascii_lower(*p);
    return s;
}

static bool str_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

char *str_trim(char *s)
{
    size_t len = strlen(s);
    while (len > 0 && str_is_space(s[len - 1]))
        s[--len] = '\0';
    size_t start = 0;
    while (start < len && str_is_space(s[start]))
        start++;
    if (start > 0)
        memmove(s, s + start, len - start + 1);
    return s;
}

bool str_parse_ll(const char *s, long long min, long long max, long long *value_r)
{
    if (*s == '\0' || str_is_space(*s))
        return false;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return false;
    *value_r = v;
    return true;
}
