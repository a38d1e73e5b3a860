/*
 * dns_zonefile: a line-oriented tokenizer (bare words and quoted character-strings) and one
 * handler per record type. See dns_zonefile.h for the format.
 */
#include "dns_zonefile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "str.h"
#include "xalloc.h"

struct dns_zone_token {
    char *text; /* owned; may contain NUL bytes when quoted with \000 */
    size_t len;
};

struct dns_zone_line {
    struct dns_zone_token tok[DNS_ZONEFILE_MAX_STRINGS + 2];
    size_t n;
};

static void dns_zone_line_clear(struct dns_zone_line *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->tok[i].text);
    l->n = 0;
}

/* Reads one quoted string starting after the opening quote; returns bytes consumed or 0. */
static size_t dns_zone_quoted(const char *s, size_t len, struct buf *out)
{
    size_t i = 0;
    while (i < len && s[i] != '"') {
        if (s[i] != '\\') {
            buf_append_char(out, s[i++]);
            continue;
        }
        if (++i >= len)
            return 0;
        if (i + 2 < len && s[i] >= '0' && s[i] <= '9' && s[i + 1] >= '0' && s[i + 1] <= '9' &&
            s[i + 2] >= '0' && s[i + 2] <= '9') {
            int v = (s[i] - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
            if (v > 255)
                return 0;
            buf_append_char(out, (char)v);
            i += 3;
        } else {
            buf_append_char(out, s[i++]);
        }
    }
    return i < len ? i + 1 : 0;
}

static bool dns_zone_tokenize(const char *s, size_t len, struct dns_zone_line *l,
                              const char **error_r)
{
    size_t i = 0;
    l->n = 0;
    for (;;) {
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
            i++;
        if (i >= len || s[i] == '#')
            return true;
        if (l->n == sizeof(l->tok) / sizeof(l->tok[0])) {
            *error_r = "too many character-strings";
            return false;
        }
        struct buf b = BUF_INIT;
        buf_reserve(&b, 16);
        if (s[i] == '"') {
            size_t used = dns_zone_quoted(s + i + 1, len - i - 1, &b);
            if (used == 0) {
                buf_free(&b);
                *error_r = "unterminated or malformed quoted string";
                return false;
            }
            i += used + 1;
        } else {
            while (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
                buf_append_char(&b, s[i++]);
        }
        l->tok[l->n].len = b.len;
        l->tok[l->n++].text = buf_steal(&b);
    }
}

static bool dns_zone_record(struct dns_memory *zone, struct dns_zone_line *l, const char **error_r)
{
    const char *name = l->tok[0].text, *type = l->tok[1].text;
    size_t nv = l->n - 2;
    struct dns_zone_token *v = &l->tok[2];
    if (strlen(name) != l->tok[0].len || strlen(name) > DNS_MAX_NAME_LEN + 1 || name[0] == '\0') {
        *error_r = "bad owner name";
        return false;
    }
    if (str_equal_nocase(type, "TIMEOUT") && nv == 0) {
        dns_memory_add_timeout(zone, name);
    } else if (str_equal_nocase(type, "EXISTS") && nv == 0) {
        dns_memory_add_name_only(zone, name);
    } else if (str_equal_nocase(type, "A") && nv == 1) {
        if (!dns_memory_add_a(zone, name, v[0].text))
            return *error_r = "bad IPv4 address", false;
    } else if (str_equal_nocase(type, "AAAA") && nv == 1) {
        if (!dns_memory_add_aaaa(zone, name, v[0].text))
            return *error_r = "bad IPv6 address", false;
    } else if (str_equal_nocase(type, "MX") && nv == 2) {
        long long pref;
        if (!str_parse_ll(v[0].text, 0, 65535, &pref))
            return *error_r = "bad MX preference", false;
        dns_memory_add_mx(zone, name, (unsigned)pref, v[1].text);
    } else if ((str_equal_nocase(type, "PTR") || str_equal_nocase(type, "CNAME") ||
                str_equal_nocase(type, "NS")) &&
               nv == 1) {
        enum dns_rr_type t = str_equal_nocase(type, "PTR")     ? DNS_TYPE_PTR
                             : str_equal_nocase(type, "CNAME") ? DNS_TYPE_CNAME
                                                               : DNS_TYPE_NS;
        dns_memory_add_name(zone, name, t, v[0].text);
    } else if ((str_equal_nocase(type, "TXT") || str_equal_nocase(type, "SPF")) && nv >= 1) {
        const char *strings[DNS_ZONEFILE_MAX_STRINGS];
        size_t lengths[DNS_ZONEFILE_MAX_STRINGS];
        if (nv > DNS_ZONEFILE_MAX_STRINGS)
            return *error_r = "too many character-strings", false;
        for (size_t i = 0; i < nv; i++) {
            strings[i] = v[i].text;
            lengths[i] = v[i].len;
        }
        dns_memory_add_txt(zone, name, str_equal_nocase(type, "TXT") ? DNS_TYPE_TXT : DNS_TYPE_SPF,
                           strings, lengths, nv);
    } else {
        *error_r = "unknown type or wrong number of values";
        return false;
    }
    return true;
}

bool dns_zonefile_parse(struct dns_memory *zone, const char *text, size_t len, char **error_r)
{
    struct dns_zone_line *l = xcalloc(1, sizeof(*l));
    size_t pos = 0, lineno = 0;
    bool ok = true;
    while (ok && pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        const char *error = NULL;
        lineno++;
        if (end - pos > DNS_ZONEFILE_MAX_LINE)
            error = "line too long";
        else if (dns_zone_tokenize(text + pos, end - pos, l, &error) && l->n > 0) {
            if (l->n < 2)
                error = "a record needs a name and a type";
            else
                dns_zone_record(zone, l, &error);
        }
        dns_zone_line_clear(l);
        if (error != NULL) {
            *error_r = xasprintf("line %zu: %s", lineno, error);
            ok = false;
        }
        pos = end + 1;
    }
    free(l);
    return ok;
}

bool dns_zonefile_load(struct dns_memory *zone, const char *path, char **error_r)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        *error_r = xasprintf("cannot open %s: %s", path, strerror(errno));
        return false;
    }
    struct buf b = BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(&b, chunk, n);
    bool read_error = ferror(f);
    fclose(f);
    bool ok = false;
    if (read_error) {
        *error_r = xasprintf("cannot read %s", path);
    } else {
        char *error = NULL;
        ok = dns_zonefile_parse(zone, b.data ? b.data : "", b.len, &error);
        if (!ok) {
            *error_r = xasprintf("%s: %s", path, error);
            free(error);
        }
    }
    buf_free(&b);
    return ok;
}
