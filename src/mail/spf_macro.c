/*
 * spf_macro: RFC 7208 section 7. One pass over the string; each "%{...}" is parsed by
 * spf_macro_parse_one() and expanded by splitting the value on the delimiters, optionally
 * reversing, keeping the right-most DIGIT parts, and joining them with "." (7.3).
 */
#include "spf_macro.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct spf_macro_one {
    char letter;   /* lower case */
    bool escape;   /* upper-case letter: URL-escape */
    size_t digits; /* 0 = all parts */
    bool reverse;
    char delims[8];  /* NUL-terminated set; "." if none given */
    size_t consumed; /* bytes from '%' through '}' */
};

static bool spf_macro_is_delim(char c)
{
    return c != '\0' && strchr(".-+,/_=", c) != NULL;
}

static bool spf_macro_is_letter(char c)
{
    return c != '\0' && strchr("slodiphcrtv", c) != NULL;
}

/* Parses "%{...}" at s (s[0] == '%', s[1] == '{'). */
static bool spf_macro_parse_one(const char *s, size_t len, enum spf_macro_context ctx,
                                struct spf_macro_one *m, const char **error_r)
{
    size_t i = 2;
    memset(m, 0, sizeof(*m));
    if (i >= len) {
        *error_r = "unterminated macro";
        return false;
    }
    char c = s[i++];
    m->escape = c >= 'A' && c <= 'Z';
    m->letter = m->escape ? (char)(c - 'A' + 'a') : c;
    if (!spf_macro_is_letter(m->letter)) {
        *error_r = "unknown macro letter";
        return false;
    }
    if (ctx == SPF_MACRO_DOMAIN && strchr("crt", m->letter) != NULL) {
        *error_r = "macros c, r and t are allowed only in explanations";
        return false;
    }
    bool any_digit = false;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (m->digits < SPF_MACRO_MAX_PARTS)
            m->digits = m->digits * 10 + (size_t)(s[i] - '0');
        any_digit = true;
        i++;
    }
    if (any_digit && m->digits == 0) {
        *error_r = "macro DIGIT transformer must be nonzero";
        return false;
    }
    if (m->digits > SPF_MACRO_MAX_PARTS)
        m->digits = SPF_MACRO_MAX_PARTS;
    if (i < len && (s[i] == 'r' || s[i] == 'R')) {
        m->reverse = true;
        i++;
    }
    size_t nd = 0;
    while (i < len && spf_macro_is_delim(s[i])) {
        if (strchr(m->delims, s[i]) == NULL && nd < sizeof(m->delims) - 1)
            m->delims[nd++] = s[i];
        i++;
    }
    if (nd == 0)
        m->delims[0] = '.';
    if (i >= len || s[i] != '}') {
        *error_r = "malformed macro";
        return false;
    }
    m->consumed = i + 1;
    return true;
}

/* Walks s; for each macro calls back (or only checks when out == NULL). */
static bool spf_macro_walk(const char *s, size_t len, enum spf_macro_context ctx,
                           const struct spf_macro_vars *vars, struct buf *out,
                           const char **error_r);

bool spf_macro_check(const char *s, size_t len, enum spf_macro_context ctx, const char **error_r)
{
    return spf_macro_walk(s, len, ctx, NULL, NULL, error_r);
}

bool spf_macro_uses_p(const char *s, size_t len)
{
    for (size_t i = 0; i + 2 < len; i++) {
        if (s[i] != '%')
            continue;
        if (s[i + 1] == '{' && (s[i + 2] == 'p' || s[i + 2] == 'P'))
            return true;
        i++; /* skip the escaped character of "%%", "%_", "%-" */
    }
    return false;
}

static const char *spf_macro_value(const struct spf_macro_vars *v, char letter)
{
    switch (letter) {
    case 's':
        return v->s;
    case 'l':
        return v->l;
    case 'o':
        return v->o;
    case 'd':
        return v->d;
    case 'i':
        return v->i;
    case 'p':
        return v->p;
    case 'v':
        return v->v;
    case 'h':
        return v->h;
    case 'c':
        return v->c;
    case 'r':
        return v->r;
    case 't':
        return v->t;
    }
    return NULL;
}

/* RFC 3986 unreserved characters pass; everything else becomes %XX (7.3). */
static void spf_macro_append_escaped(struct buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            buf_append_char(out, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_append(out, e, 3);
        }
    }
}

struct spf_macro_part {
    size_t start, len;
};

static void spf_macro_expand_one(const struct spf_macro_one *m, const char *value, struct buf *out)
{
    size_t vlen = strlen(value);
    size_t n = 1;
    for (size_t i = 0; i < vlen; i++)
        n += strchr(m->delims, value[i]) != NULL;
    struct spf_macro_part stack_parts[64];
    struct spf_macro_part *parts = n <= 64 ? stack_parts : xcalloc(n, sizeof(*parts));
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= vlen; i++) {
        if (i == vlen || strchr(m->delims, value[i]) != NULL) {
            parts[k].start = start;
            parts[k].len = i - start;
            k++;
            start = i + 1;
        }
    }
    n = k; /* the same count; restated for static analysis */
    if (m->reverse) {
        for (size_t a = 0, b = n - 1; a < b; a++, b--) {
            struct spf_macro_part t = parts[a];
            parts[a] = parts[b];
            parts[b] = t;
        }
    }
    size_t first = (m->digits != 0 && m->digits < n) ? n - m->digits : 0;
    struct buf joined = BUF_INIT;
    struct buf *dst = m->escape ? &joined : out;
    for (size_t i = first; i < n; i++) {
        if (i > first)
            buf_append_char(dst, '.');
        buf_append(dst, value + parts[i].start, parts[i].len);
    }
    if (m->escape)
        spf_macro_append_escaped(out, joined.data ? joined.data : "", joined.len);
    buf_free(&joined);
    if (parts != stack_parts)
        free(parts);
}

static bool spf_macro_walk(const char *s, size_t len, enum spf_macro_context ctx,
                           const struct spf_macro_vars *vars, struct buf *out, const char **error_r)
{
    size_t i = 0, lit = 0;
    while (i < len) {
        if (s[i] != '%') {
            i++;
            continue;
        }
        if (out != NULL)
            buf_append(out, s + lit, i - lit);
        if (i + 1 >= len) {
            *error_r = "'%' at end of macro-string";
            return false;
        }
        char next = s[i + 1];
        if (next == '%' || next == '_' || next == '-') {
            if (out != NULL)
                buf_append_str(out, next == '%' ? "%" : next == '_' ? " " : "%20");
            i += 2;
        } else if (next == '{') {
            struct spf_macro_one m;
            if (!spf_macro_parse_one(s + i, len - i, ctx, &m, error_r))
                return false;
            if (out != NULL) {
                const char *value = spf_macro_value(vars, m.letter);
                spf_macro_expand_one(&m, value != NULL ? value : "", out);
            }
            i += m.consumed;
        } else {
            *error_r = "'%' not followed by '{', '%', '_' or '-'";
            return false;
        }
        lit = i;
    }
    if (out != NULL)
        buf_append(out, s + lit, len - lit);
    return true;
}

bool spf_macro_expand(const char *s, size_t len, enum spf_macro_context ctx,
                      const struct spf_macro_vars *vars, struct buf *out, const char **error_r)
{
    buf_reserve(out, len);
    bool ok = spf_macro_walk(s, len, ctx, vars, out, error_r);
    if (ok && ctx == SPF_MACRO_DOMAIN)
        spf_macro_finish_domain(out);
    return ok;
}

void spf_macro_finish_domain(struct buf *out)
{
    if (out->len > 0 && out->data[out->len - 1] == '.')
        out->data[--out->len] = '\0';
    size_t cut = 0;
    while (out->len - cut > SPF_MACRO_MAX_DOMAIN) {
        const char *dot = memchr(out->data + cut, '.', out->len - cut);
        if (dot == NULL)
            break;
        cut = (size_t)(dot - out->data) + 1;
    }
    if (cut > 0) {
        memmove(out->data, out->data + cut, out->len - cut + 1);
        out->len -= cut;
    }
}
