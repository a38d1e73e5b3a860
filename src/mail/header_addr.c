#include "header_addr.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "str.h"
#include "xalloc.h"

/* The lexical tokens of RFC 5322 3.2 that address syntax is built of. */
enum header_addr_tok {
    HA_END,
    HA_ATOM,    /* 1*atext (also "." runs are separate SPECIALs) */
    HA_QSTRING, /* a quoted-string, quotes included */
    HA_LITERAL, /* a domain-literal, brackets included */
    HA_SPECIAL, /* one of < > : ; , @ . */
    HA_ERROR,
};

struct header_addr_lexer {
    const char *p, *end;
    const char *tok; /* start of the current token */
    size_t tok_len;
    enum header_addr_tok kind;
    const char *why;
};

/* RFC 5322 3.2.3 atext, plus UTF-8 octets (RFC 6532 3.2). */
static bool header_addr_is_atext(unsigned char c)
{
    if (c >= 0x80)
        return true;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static bool header_addr_is_wsp(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skips a comment starting at lx->p ('('), nested up to the limit. */
static bool header_addr_skip_comment(struct header_addr_lexer *lx)
{
    int depth = 0;
    while (lx->p < lx->end) {
        char c = *lx->p++;
        if (c == '\\' && lx->p < lx->end) {
            lx->p++;
        } else if (c == '(') {
            if (++depth > HEADER_ADDR_MAX_COMMENT_DEPTH) {
                lx->why = "comments nested too deeply";
                return false;
            }
        } else if (c == ')' && --depth == 0) {
            return true;
        }
    }
    lx->why = "unterminated comment";
    return false;
}

/* Scans a quoted-string or domain-literal ending at `close`, quoted-pairs allowed. */
static bool header_addr_scan_quoted(struct header_addr_lexer *lx, char close)
{
    lx->p++;
    while (lx->p < lx->end) {
        char c = *lx->p++;
        bool escaped = c == '\\' && lx->p < lx->end;
        if (escaped)
            c = *lx->p++;
        /* A NUL would cut the address short wherever it is used as a C string: the policy
         * would check "x@covered.example" of "\"x@covered.example\0\"@elsewhere". */
        if (c == '\0') {
            lx->why = "a NUL octet in a quoted string or domain literal";
            return false;
        }
        if (escaped)
            continue;
        if (c == close)
            return true;
        if (close == ']' && c == '[')
            break;
    }
    lx->why = close == '"' ? "unterminated quoted string" : "unterminated domain literal";
    return false;
}

/* Advances to the next token, skipping CFWS. */
static enum header_addr_tok header_addr_next(struct header_addr_lexer *lx)
{
    for (;;) {
        while (lx->p < lx->end && header_addr_is_wsp(*lx->p))
            lx->p++;
        if (lx->p < lx->end && *lx->p == '(') {
            if (!header_addr_skip_comment(lx))
                return lx->kind = HA_ERROR;
            continue;
        }
        break;
    }
    lx->tok = lx->p;
    if (lx->p >= lx->end) {
        lx->kind = HA_END;
    } else if (*lx->p == '"' || *lx->p == '[') {
        bool ok = header_addr_scan_quoted(lx, *lx->p == '"' ? '"' : ']');
        lx->kind = !ok ? HA_ERROR : *lx->tok == '"' ? HA_QSTRING : HA_LITERAL;
    } else if (strchr("<>:;,@.", *lx->p) != NULL) {
        lx->p++;
        lx->kind = HA_SPECIAL;
    } else if (header_addr_is_atext((unsigned char)*lx->p)) {
        while (lx->p < lx->end && header_addr_is_atext((unsigned char)*lx->p))
            lx->p++;
        lx->kind = HA_ATOM;
    } else {
        lx->why = "a character that is not allowed in an address field";
        lx->kind = HA_ERROR;
    }
    lx->tok_len = (size_t)(lx->p - lx->tok);
    return lx->kind;
}

static bool header_addr_is(const struct header_addr_lexer *lx, char special)
{
    return lx->kind == HA_SPECIAL && *lx->tok == special;
}

static bool header_addr_fail(struct header_addr_lexer *lx, const char *why)
{
    if (lx->why == NULL)
        lx->why = why;
    return false;
}

/* word *("." word): a dot-atom or obs-local-part; the first token is current. */
static bool header_addr_dotted(struct header_addr_lexer *lx, struct buf *out, bool local)
{
    for (bool first = true;; first = false) {
        bool word = lx->kind == HA_ATOM || (local && lx->kind == HA_QSTRING);
        bool literal = !local && first && lx->kind == HA_LITERAL;
        if (!word && !literal)
            return header_addr_fail(lx, local ? "no local part" : "no domain");
        buf_append(out, lx->tok, lx->tok_len);
        header_addr_next(lx);
        if (literal || !header_addr_is(lx, '.'))
            return lx->kind != HA_ERROR;
        buf_append_char(out, '.');
        header_addr_next(lx);
    }
}

/* addr-spec with the current token as its first; stores the text into the list. */
static bool header_addr_spec(struct header_addr_lexer *lx, struct header_addr_list *list)
{
    struct buf b = BUF_INIT;
    bool ok = header_addr_dotted(lx, &b, true);
    if (ok && !header_addr_is(lx, '@'))
        ok = header_addr_fail(lx, "an address without @domain");
    if (ok) {
        buf_append_char(&b, '@');
        header_addr_next(lx);
        ok = header_addr_dotted(lx, &b, false);
    }
    if (ok && b.len > HEADER_ADDR_MAX_LEN)
        ok = header_addr_fail(lx, "an address longer than 998 octets");
    if (ok && list->n >= HEADER_ADDR_MAX)
        ok = header_addr_fail(lx, "more than 100 addresses");
    if (ok) {
        list->items = xreallocarray(list->items, list->n + 1, sizeof(char *));
        list->items[list->n++] = buf_steal(&b);
    }
    buf_free(&b);
    return ok;
}

/* "<" [obs-route] addr-spec ">" with "<" current. */
static bool header_addr_angle(struct header_addr_lexer *lx, struct header_addr_list *list)
{
    header_addr_next(lx);
    /* obs-route = obs-domain-list ":" ; skip "@a,@b:" */
    if (header_addr_is(lx, '@') || header_addr_is(lx, ',')) {
        while (lx->kind != HA_END && lx->kind != HA_ERROR && !header_addr_is(lx, ':') &&
               !header_addr_is(lx, '>'))
            header_addr_next(lx);
        if (!header_addr_is(lx, ':'))
            return header_addr_fail(lx, "a broken route");
        header_addr_next(lx);
    }
    if (!header_addr_spec(lx, list))
        return false;
    if (!header_addr_is(lx, '>'))
        return header_addr_fail(lx, "no > after the address");
    header_addr_next(lx);
    return true;
}

static bool header_addr_one(struct header_addr_lexer *lx, struct header_addr_list *list,
                            bool in_group);

/* The group-list after the ":" (current), up to and including the ";". */
static bool header_addr_group(struct header_addr_lexer *lx, struct header_addr_list *list)
{
    header_addr_next(lx);
    for (;;) {
        if (header_addr_is(lx, ';')) {
            header_addr_next(lx);
            return true;
        }
        if (lx->kind == HA_END || lx->kind == HA_ERROR)
            return header_addr_fail(lx, "a group without ;");
        if (header_addr_is(lx, ',')) {
            header_addr_next(lx);
            continue;
        }
        if (!header_addr_one(lx, list, true))
            return false;
        if (!header_addr_is(lx, ',') && !header_addr_is(lx, ';') && lx->kind != HA_END)
            return header_addr_fail(lx, "junk after an address in a group");
    }
}

/* One mailbox, or (when groups are allowed) a group; the current token is its first. */
static bool header_addr_one(struct header_addr_lexer *lx, struct header_addr_list *list,
                            bool in_group)
{
    struct header_addr_lexer start = *lx;
    /* phrase (display name) followed by "<" or ":" ? */
    size_t words = 0;
    while (lx->kind == HA_ATOM || lx->kind == HA_QSTRING || header_addr_is(lx, '.')) {
        words++;
        header_addr_next(lx);
    }
    if (header_addr_is(lx, '<'))
        return header_addr_angle(lx, list);
    if (header_addr_is(lx, ':') && words > 0 && !in_group)
        return header_addr_group(lx, list);
    if (lx->kind == HA_ERROR)
        return false;
    *lx = start;
    return header_addr_spec(lx, list);
}

bool header_addr_parse(const char *value, size_t len, struct header_addr_list *list,
                       const char **why_r)
{
    struct header_addr_lexer lx = {.p = value, .end = value + len};
    header_addr_next(&lx);
    bool ok = true;
    while (ok && lx.kind != HA_END) {
        if (header_addr_is(&lx, ',')) { /* obs-addr-list: empty elements */
            header_addr_next(&lx);
            continue;
        }
        ok = header_addr_one(&lx, list, false);
        if (ok && lx.kind != HA_END && !header_addr_is(&lx, ','))
            ok = header_addr_fail(&lx, "junk after an address");
    }
    if (!ok)
        *why_r = lx.why != NULL ? lx.why : "not an address list";
    return ok;
}

/* Length of the line at p (without its line end) and the offset of the next line. */
static size_t header_addr_line(const char *p, const char *end, const char **next_r)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *stop = nl != NULL ? nl : end;
    *next_r = nl != NULL ? nl + 1 : end;
    if (stop > p && stop[-1] == '\r')
        stop--;
    return (size_t)(stop - p);
}

long header_addr_field(const char *data, size_t size, const char *name,
                       struct header_addr_list *list, const char **why_r)
{
    const char *p = data, *end = data + size;
    size_t name_len = strlen(name);
    long found = 0;
    while (p < end) {
        const char *next;
        size_t len = header_addr_line(p, end, &next);
        if (len == 0)
            break; /* the empty line ends the header section */
        bool match =
            len > name_len && p[name_len] == ':' && str_equal_nocase_n(p, name_len, name, name_len);
        /* The field body runs over every continuation line (starting with WSP). */
        const char *body_end = next;
        while (body_end < end && (*body_end == ' ' || *body_end == '\t')) {
            const char *n2;
            header_addr_line(body_end, end, &n2);
            body_end = n2;
        }
        if (match) {
            found++;
            const char *v = p + name_len + 1;
            if (!header_addr_parse(v, (size_t)(body_end - v), list, why_r))
                return -1;
        }
        p = body_end;
    }
    return found;
}

void header_addr_list_free(struct header_addr_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->n = 0;
}
