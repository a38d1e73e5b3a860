/*
 * Reading recipients out of bounce prose. The report text is the concatenation of the
 * report's own text/plain entities (text/html with tags removed when there is no plain
 * text), never those inside a returned message/rfc822. It is cut at the first line that
 * introduces the returned original ("----- Original message -----", "Below this line is a
 * copy of the message", a Received: header at column 0, ...), because the original's To and
 * Cc would otherwise look like recipients. Addresses of the report's own sender, addressee
 * and mail-system mailboxes are not recipients.
 */
#include "dsn_text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dsn_addr.h"
#include "dsn_build.h"
#include "str.h"
#include "xalloc.h"

/* Longest line (in words) taken as a heading that introduces the returned original. */
#define DSN_TEXT_MAX_HEADING_WORDS 5

/* Phrases that, on a line that looks like a separator or heading, start the returned original. */
static const char *const dsn_text_cut_phrases[] = {
    "original message",
    "copy of the message",
    "copy of your message",
    "message headers follow",
    "returned message",
    "unsent message",
    "undelivered message",
    "original headers",
    "header of the original",
    "headers of the original",
    "rfc822",
    "message follows",
    "content of the original",
    "message text follows",
    "the original message headers",
};

/* Header names that, at column 0, mean the returned original has started. */
static const char *const dsn_text_cut_headers[] = {
    "received:", "return-path:", "dkim-signature:", "x-received:", "authentication-results:",
};

static bool dsn_text_contains_nocase(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++) {
        if (str_equal_nocase_n(s + i, k, needle, k))
            return true;
    }
    return false;
}

static bool dsn_text_is_cut_line(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof(dsn_text_cut_headers) / sizeof(dsn_text_cut_headers[0]); i++) {
        size_t k = strlen(dsn_text_cut_headers[i]);
        if (n >= k && str_equal_nocase_n(s, k, dsn_text_cut_headers[i], k))
            return true;
    }
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '-' || s[i] == '=' || s[i] == '*' || s[i] == '_' ||
                     s[i] == '<' || s[i] == '>'))
        i++;
    bool ruled = i > 0 && (s[0] == '-' || s[0] == '=' || s[0] == '*' || s[0] == '_');
    /* An unruled heading is short: "Message headers follow." but not the prose line
     * "delete your own text from the attached returned message." */
    size_t words = 1;
    for (size_t k = 0; k < n; k++)
        words += s[k] == ' ';
    bool heading = words <= DSN_TEXT_MAX_HEADING_WORDS && !ruled && i == 0 && n > 0 &&
                   (s[n - 1] == ':' || s[n - 1] == '.');
    if (!ruled && !heading)
        return false;
    for (size_t p = 0; p < sizeof(dsn_text_cut_phrases) / sizeof(dsn_text_cut_phrases[0]); p++) {
        if (dsn_text_contains_nocase(s, n, dsn_text_cut_phrases[p]))
            return true;
    }
    return false;
}

/* Length of text before the first cut line. */
static size_t dsn_text_cut(const char *text, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t n = end - pos;
        if (n > 0 && text[end - 1] == '\r')
            n--;
        if (pos > 0 && dsn_text_is_cut_line(text + pos, n))
            return pos;
        pos = end + 1;
    }
    return len;
}

static void dsn_text_append_html(struct buf *b, const char *html, size_t len)
{
    bool in_tag = false;
    for (size_t i = 0; i < len; i++) {
        char c = html[i];
        if (c == '<') {
            in_tag = true;
            if (i + 3 < len && (str_equal_nocase_n(html + i, 3, "<br", 3) ||
                                str_equal_nocase_n(html + i, 3, "<p>", 3) ||
                                str_equal_nocase_n(html + i, 4, "<div", 4) ||
                                str_equal_nocase_n(html + i, 3, "<tr", 3)))
                buf_append_char(b, '\n');
        } else if (c == '>' && in_tag) {
            in_tag = false;
        } else if (!in_tag) {
            buf_append_char(b, c);
        }
    }
}

/* The report's own text: text/plain entities outside any returned message; text/html only
 * when there is no plain text. */
static void dsn_text_gather(const struct mime_message *msg, struct buf *b)
{
    bool has_parts = false;
    for (size_t i = 0; i < msg->count; i++)
        has_parts |= msg->entities[i].body != NULL;
    if (!has_parts && msg->raw_body != NULL) {
        size_t n = msg->raw_body_len < DSN_TEXT_MAX_BYTES ? msg->raw_body_len : DSN_TEXT_MAX_BYTES;
        buf_append(b, msg->raw_body, dsn_text_cut(msg->raw_body, n));
        return;
    }
    for (int pass = 0; pass < 2 && b->len == 0; pass++) {
        size_t skip_deeper_than = (size_t)-1;
        for (size_t i = 0; i < msg->count; i++) {
            const struct mime_entity *e = &msg->entities[i];
            if (e->depth > skip_deeper_than)
                continue;
            skip_deeper_than = (size_t)-1;
            if (strncmp(e->content_type, "message/", 8) == 0 && e->inner_headers.count > 0) {
                skip_deeper_than = e->depth;
                continue;
            }
            if (e->body == NULL || b->len >= DSN_TEXT_MAX_BYTES)
                continue;
            size_t room = DSN_TEXT_MAX_BYTES - b->len;
            size_t n = e->body_len < room ? e->body_len : room;
            if (pass == 0 && strcmp(e->content_type, "text/plain") == 0) {
                buf_append(b, e->body, dsn_text_cut(e->body, n));
                buf_append_char(b, '\n');
            } else if (pass == 1 && strcmp(e->content_type, "text/html") == 0) {
                dsn_text_append_html(b, e->body, n);
                buf_append_char(b, '\n');
            }
        }
    }
}

struct dsn_text_excluded {
    char **items;
    size_t count;
};

static void dsn_text_exclude(struct dsn_text_excluded *x, const char *value)
{
    char *a = dsn_addr_first(value);
    if (a == NULL)
        return;
    x->items = xreallocarray(x->items, x->count + 1, sizeof(char *));
    x->items[x->count++] = a;
}

static bool dsn_text_is_excluded(const struct dsn_text_excluded *x, const char *a, size_t n)
{
    for (size_t i = 0; i < x->count; i++) {
        if (str_equal_nocase_n(x->items[i], strlen(x->items[i]), a, n))
            return true;
    }
    return false;
}

static void dsn_text_excluded_init(const struct mime_message *msg, struct dsn_text_excluded *x)
{
    static const char *const names[] = {"From", "To", "Reply-To", "Return-Path", "Sender"};
    const struct mime_headers *h = &msg->entities[0].headers;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        dsn_text_exclude(x, mime_header_get(h, names[i]));
    for (size_t i = 1; i < msg->count; i++) {
        dsn_text_exclude(x, mime_header_get(&msg->entities[i].inner_headers, "From"));
        dsn_text_exclude(x, mime_header_get(&msg->entities[i].inner_headers, "Return-Path"));
    }
}

static void dsn_text_add_block(struct dsn_text *t, const char *addr, size_t alen, const char *from,
                               size_t n)
{
    for (size_t i = 0; i < t->count; i++) {
        if (str_equal_nocase_n(t->blocks[i].address, strlen(t->blocks[i].address), addr, alen))
            return;
    }
    t->blocks = xreallocarray(t->blocks, t->count + 1, sizeof(*t->blocks));
    struct dsn_text_block *b = &t->blocks[t->count++];
    b->address = xstrndup(addr, alen);
    b->text = xstrndup(from, n < DSN_TEXT_MAX_BLOCK ? n : DSN_TEXT_MAX_BLOCK);
}

/* Start of the line holding text[pos]. */
static size_t dsn_text_line_start(const char *text, size_t pos)
{
    while (pos > 0 && text[pos - 1] != '\n')
        pos--;
    return pos;
}

/* "(generated from a@b)", "(expanded from <a@b>)": the address a recipient was reached
 * through, part of that recipient's block rather than a recipient of its own. */
static bool dsn_text_is_alias_source(const char *before, size_t n)
{
    return dsn_text_contains_nocase(before, n, "generated from") ||
           dsn_text_contains_nocase(before, n, "expanded from");
}

static bool dsn_text_is_listed(char *const *only, size_t n, const char *a, size_t alen)
{
    for (size_t i = 0; i < n; i++) {
        if (str_equal_nocase_n(only[i], strlen(only[i]), a, alen))
            return true;
    }
    return false;
}

static void dsn_text_blocks(struct dsn_text *t, const struct dsn_text_excluded *x,
                            char *const *only, size_t only_count)
{
    const char *text = t->body;
    size_t len = strlen(text), pos = 0, s, e;
    size_t cur_line = 0;
    const char *cur = NULL;
    size_t cur_len = 0;
    while (dsn_addr_scan(text, len, &pos, &s, &e)) {
        if (only != NULL ? !dsn_text_is_listed(only, only_count, text + s, e - s)
                         : dsn_text_is_excluded(x, text + s, e - s))
            continue;
        char *a = xstrndup(text + s, e - s);
        bool system = dsn_addr_is_system(a);
        free(a);
        if (system || (cur != NULL && str_equal_nocase_n(cur, cur_len, text + s, e - s)))
            continue;
        size_t line = dsn_text_line_start(text, s);
        if (cur != NULL && dsn_text_is_alias_source(text + line, s - line))
            continue;
        if (cur != NULL)
            dsn_text_add_block(t, cur, cur_len, text + cur_line,
                               (line > cur_line ? line : s) - cur_line);
        cur = text + s;
        cur_len = e - s;
        cur_line = line;
    }
    if (cur != NULL)
        dsn_text_add_block(t, cur, cur_len, text + cur_line, len - cur_line);
}

struct dsn_text *dsn_text_extract(const struct mime_message *msg, char *const *only,
                                  size_t only_count)
{
    struct dsn_text *t = xcalloc(1, sizeof(*t));
    struct buf b = BUF_INIT;
    if (msg->count > 0)
        dsn_text_gather(msg, &b);
    t->body = buf_steal(&b);
    if (msg->count == 0)
        return t;
    struct dsn_text_excluded x = {NULL, 0};
    dsn_text_excluded_init(msg, &x);
    dsn_text_blocks(t, &x, only, only_count);
    for (size_t i = 0; i < x.count; i++)
        free(x.items[i]);
    free(x.items);
    return t;
}

void dsn_text_free(struct dsn_text *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->count; i++) {
        free(t->blocks[i].address);
        free(t->blocks[i].text);
    }
    free(t->blocks);
    free(t->body);
    free(t);
}

const struct dsn_text_block *dsn_text_find(const struct dsn_text *t, const char *address)
{
    for (size_t i = 0; i < t->count; i++) {
        if (str_equal_nocase(t->blocks[i].address, address))
            return &t->blocks[i];
    }
    return NULL;
}

/* The value of the first `name:` line (name includes the colon) at or after the cut of one
 * text, owned; NULL if there is none. */
static char *dsn_text_header_after_cut(const char *text, size_t len, const char *name)
{
    size_t k = strlen(name);
    size_t pos = dsn_text_cut(text, len);
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        if (end - pos > k && str_equal_nocase_n(text + pos, k, name, k))
            return str_trim(xstrndup(text + pos + k, end - pos - k));
        pos = end + 1;
    }
    return NULL;
}

char *dsn_text_original_header(const struct mime_message *msg, const char *name)
{
    for (size_t i = 1; i < msg->count; i++) {
        const char *v = mime_header_get(&msg->entities[i].inner_headers, name);
        if (v != NULL)
            return xstrdup(v);
    }
    char *field = xasprintf("%s:", name);
    char *found = NULL;
    for (size_t i = 0; i < msg->count && found == NULL; i++) {
        const struct mime_entity *e = &msg->entities[i];
        if (e->body != NULL && strncmp(e->content_type, "text/", 5) == 0 &&
            strcmp(e->content_type, "text/rfc822-headers") != 0)
            found = dsn_text_header_after_cut(e->body, e->body_len, field);
    }
    if (found == NULL && msg->raw_body != NULL)
        found = dsn_text_header_after_cut(msg->raw_body, msg->raw_body_len, field);
    free(field);
    return found;
}

char *dsn_text_original_to(const struct mime_message *msg)
{
    char *to = dsn_text_original_header(msg, "To");
    char *a = dsn_addr_first(to);
    free(to);
    return a;
}
