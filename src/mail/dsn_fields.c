/*
 * Line-at-a-time state machine: bytes collect into `line` until LF; each complete line either
 * ends a group (blank), continues the pending field (leading WSP) or starts a new field.
 * The pending field is only committed when the next line shows it is complete, which is what
 * makes any split of the input give the same result.
 */
#include "dsn_fields.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "str.h"
#include "xalloc.h"

struct dsn_fields_parser {
    struct dsn_fields *out;
    struct buf line;
    struct dsn_field_group group;
    size_t group_cap;
    size_t out_cap;
    struct buf name;
    struct buf value;
    bool has_pending;
};

struct dsn_fields_parser *dsn_fields_parser_new(void)
{
    struct dsn_fields_parser *p = xcalloc(1, sizeof(*p));
    p->out = xcalloc(1, sizeof(*p->out));
    return p;
}

static void dsn_fields_commit_field(struct dsn_fields_parser *p)
{
    if (!p->has_pending)
        return;
    p->has_pending = false;
    if (p->group.count == DSN_FIELDS_MAX_FIELDS) {
        p->out->truncated = true;
        return;
    }
    if (p->group.count == p->group_cap) {
        p->group_cap = p->group_cap ? p->group_cap * 2 : 8;
        p->group.fields = xreallocarray(p->group.fields, p->group_cap, sizeof(struct dsn_field));
    }
    struct dsn_field *f = &p->group.fields[p->group.count++];
    f->name = buf_steal(&p->name);
    f->value = str_trim(buf_steal(&p->value));
}

static void dsn_fields_commit_group(struct dsn_fields_parser *p)
{
    dsn_fields_commit_field(p);
    if (p->group.count == 0)
        return;
    struct dsn_fields *out = p->out;
    if (out->count == DSN_FIELDS_MAX_GROUPS) {
        out->truncated = true;
        for (size_t i = 0; i < p->group.count; i++) {
            free(p->group.fields[i].name);
            free(p->group.fields[i].value);
        }
        free(p->group.fields);
    } else {
        if (out->count == p->out_cap) {
            p->out_cap = p->out_cap ? p->out_cap * 2 : 4;
            out->groups = xreallocarray(out->groups, p->out_cap, sizeof(*out->groups));
        }
        out->groups[out->count++] = p->group;
    }
    memset(&p->group, 0, sizeof(p->group));
    p->group_cap = 0;
}

static void dsn_fields_append_value(struct dsn_fields_parser *p, const char *s, size_t n)
{
    if (p->value.len + n > DSN_FIELDS_MAX_VALUE) {
        p->out->truncated = true;
        n = DSN_FIELDS_MAX_VALUE - p->value.len;
    }
    buf_append(&p->value, s, n);
}

static bool dsn_fields_is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

static bool dsn_fields_is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!dsn_fields_is_wsp(s[i]) && s[i] != '\r')
            return false;
    }
    return true;
}

/* field-name = 1*ftext, ftext = %d33-57 / %d59-126 (RFC 5322 3.6.8) */
static bool dsn_fields_is_name(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 33 || c > 126 || c == ':')
            return false;
    }
    return true;
}

static void dsn_fields_line(struct dsn_fields_parser *p, const char *s, size_t n)
{
    if (n > 0 && s[n - 1] == '\r')
        n--;
    if (dsn_fields_is_blank(s, n)) {
        dsn_fields_commit_group(p);
        return;
    }
    if (dsn_fields_is_wsp(s[0])) {
        if (p->has_pending) {
            buf_append_char(&p->value, ' ');
            size_t i = 0;
            while (i < n && dsn_fields_is_wsp(s[i]))
                i++;
            dsn_fields_append_value(p, s + i, n - i);
        }
        return;
    }
    dsn_fields_commit_field(p);
    const char *colon = memchr(s, ':', n);
    size_t name_len = colon ? (size_t)(colon - s) : 0;
    while (name_len > 0 && dsn_fields_is_wsp(s[name_len - 1]))
        name_len--;
    if (colon == NULL || !dsn_fields_is_name(s, name_len))
        return;
    p->has_pending = true;
    buf_reset(&p->name);
    buf_reset(&p->value);
    buf_append(&p->name, s, name_len);
    size_t at = (size_t)(colon - s) + 1;
    buf_append(&p->value, "", 0); /* a field with an empty value still owns a string */
    dsn_fields_append_value(p, s + at, n - at);
}

void dsn_fields_parser_feed(struct dsn_fields_parser *p, const char *data, size_t len)
{
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t take = nl ? (size_t)(nl - data) : len;
        size_t room = DSN_FIELDS_MAX_LINE - p->line.len;
        if (take > room)
            p->out->truncated = true;
        buf_append(&p->line, data, take < room ? take : room);
        if (nl == NULL)
            return;
        dsn_fields_line(p, p->line.data ? p->line.data : "", p->line.len);
        buf_reset(&p->line);
        data += take + 1;
        len -= take + 1;
    }
}

struct dsn_fields *dsn_fields_parser_finish(struct dsn_fields_parser *p)
{
    if (p->line.len > 0)
        dsn_fields_line(p, p->line.data, p->line.len);
    dsn_fields_commit_group(p);
    struct dsn_fields *out = p->out;
    buf_free(&p->line);
    buf_free(&p->name);
    buf_free(&p->value);
    free(p);
    return out;
}

struct dsn_fields *dsn_fields_parse(const char *data, size_t len)
{
    struct dsn_fields_parser *p = dsn_fields_parser_new();
    dsn_fields_parser_feed(p, data, len);
    return dsn_fields_parser_finish(p);
}

void dsn_fields_free(struct dsn_fields *f)
{
    if (f == NULL)
        return;
    for (size_t g = 0; g < f->count; g++) {
        for (size_t i = 0; i < f->groups[g].count; i++) {
            free(f->groups[g].fields[i].name);
            free(f->groups[g].fields[i].value);
        }
        free(f->groups[g].fields);
    }
    free(f->groups);
    free(f);
}

const char *dsn_fields_get(const struct dsn_field_group *g, const char *name)
{
    for (size_t i = 0; i < g->count; i++) {
        if (str_equal_nocase(g->fields[i].name, name))
            return g->fields[i].value;
    }
    return NULL;
}
