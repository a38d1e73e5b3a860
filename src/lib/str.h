/*
 * str: small string helpers that know nothing about mail. ASCII only: case folding touches
 * A-Z/a-z and nothing else (bytes >= 0x80 are left alone, as SMTP and SRS require).
 */
#ifndef REBOUND_LIB_STR_H
#define REBOUND_LIB_STR_H

#include <stdbool.h>
#include <stddef.h>

static inline char str_ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static inline char str_ascii_upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

bool str_equal_nocase(const char *a, const char *b);
bool str_equal_nocase_n(const char *a, size_t alen, const char *b, size_t blen);
bool str_has_prefix_nocase(const char *s, const char *prefix);
/* Lower-cases s in place (ASCII only) and returns it. */
char *str_lower(char *s);
/* Removes leading and trailing ASCII whitespace in place; returns s. */
char *str_trim(char *s);
/* Parses a decimal integer in [min, max] that fills the whole string. */
bool str_parse_ll(const char *s, long long min, long long max, long long *value_r);

#endif
