/*
 * spf_header: formatting of Received-SPF and Authentication-Results values (see the header
 * for the grammar). Values are written as dot-atom when they are one, else as quoted-string.
 */
#include "spf_header.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

/* atext of RFC 5322 3.2.3 */
static bool spf_header_is_atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static bool spf_header_is_dot_atom(const char *s)
{
    bool atom = false;
    if (*s == '\0')
        return false;
    for (; *s; s++) {
        if (*s == '.') {
            if (!atom)
                return false;
            atom = false;
        } else if (spf_header_is_atext((unsigned char)*s)) {
            atom = true;
        } else {
            return false;
        }
    }
    return atom;
}

/* Visible ASCII and SP pass; controls and 8-bit bytes become '?' (no header injection). */
static char spf_header_safe(char c)
{
    unsigned char u = (unsigned char)c;
    return (u < 0x20 || u > 0x7e) ? '?' : c;
}

static void spf_header_quoted(struct buf *b, const char *s)
{
    buf_append_char(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_append_char(b, '\\');
        buf_append_char(b, spf_header_safe(*s));
    }
    buf_append_char(b, '"');
}

static void spf_header_value(struct buf *b, const char *s)
{
    if (spf_header_is_dot_atom(s))
        buf_append_str(b, s);
    else
        spf_header_quoted(b, s);
}

/* Comment text: "(", ")" and "\" are quoted-pairs inside a comment (RFC 5322 3.2.2). */
static void spf_header_comment_text(struct buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '(' || *s == ')' || *s == '\\')
            buf_append_char(b, '\\');
        buf_append_char(b, spf_header_safe(*s));
    }
}

/* The identity checked: the MAIL FROM address, or the HELO name. */
static const char *spf_header_identity_value(const struct spf_query *q)
{
    return q->identity == SPF_IDENTITY_HELO ? q->helo : q->sender;
}

static void spf_header_comment(struct buf *b, const struct spf_query *q,
                               const struct spf_outcome *o)
{
    struct buf t = BUF_INIT;
    const char *who = spf_header_identity_value(q), *ip = q->ip_readable;
    buf_printf(&t, "%s: ", q->receiver);
    switch (o->result) {
    case SPF_RESULT_PASS:
        buf_printf(&t, "domain of %s designates %s as permitted sender", who, ip);
        break;
    case SPF_RESULT_FAIL:
        buf_printf(&t, "domain of %s does not designate %s as permitted sender", who, ip);
        break;
    case SPF_RESULT_SOFTFAIL:
        buf_printf(&t, "domain of transitioning %s does not designate %s as permitted sender", who,
                   ip);
        break;
    case SPF_RESULT_NEUTRAL:
        buf_printf(&t, "%s is neither permitted nor denied by domain of %s", ip, who);
        break;
    case SPF_RESULT_NONE:
        buf_printf(&t, "domain of %s does not publish an SPF record", who);
        break;
    case SPF_RESULT_TEMPERROR:
        buf_printf(&t, "temporary error in processing during lookup of %s", who);
        break;
    case SPF_RESULT_PERMERROR:
        buf_printf(&t, "permanent error in processing domain of %s", who);
        break;
    }
    buf_append_str(b, " (");
    spf_header_comment_text(b, buf_cstr(&t));
    buf_append_char(b, ')');
    buf_free(&t);
}

static void spf_header_kv(struct buf *b, const char *key, const char *value)
{
    buf_printf(b, " %s=", key);
    spf_header_value(b, value);
    buf_append_char(b, ';');
}

char *spf_header_received_spf(const struct spf_query *q, const struct spf_outcome *o)
{
    struct buf b = BUF_INIT;
    buf_append_str(&b, spf_result_name(o->result));
    spf_header_comment(&b, q, o);
    spf_header_kv(&b, "client-ip", q->ip_readable);
    if (q->identity == SPF_IDENTITY_MAILFROM)
        spf_header_kv(&b, "envelope-from", q->sender);
    if (q->helo[0] != '\0')
        spf_header_kv(&b, "helo", q->helo);
    spf_header_kv(&b, "receiver", q->receiver);
    if (o->problem != NULL)
        spf_header_kv(&b, "problem", o->problem);
    if (o->mechanism != NULL)
        spf_header_kv(&b, "mechanism", o->mechanism);
    buf_printf(&b, " identity=%s", q->identity == SPF_IDENTITY_HELO ? "helo" : "mailfrom");
    return buf_steal(&b);
}

/* RFC 8601 pvalue: [ [ local-part ] "@" ] domain-name, or a quoted-string. */
static void spf_header_pvalue(struct buf *b, const char *s)
{
    const char *at = strrchr(s, '@');
    bool plain = true;
    if (at != NULL) {
        char *local = xstrndup(s, (size_t)(at - s));
        plain =
            (local[0] == '\0' || spf_header_is_dot_atom(local)) && spf_header_is_dot_atom(at + 1);
        free(local);
    } else {
        plain = spf_header_is_dot_atom(s);
    }
    if (plain)
        buf_append_str(b, s);
    else
        spf_header_quoted(b, s);
}

char *spf_header_authentication_results(const char *authserv_id, const struct spf_query *q,
                                        const struct spf_outcome *o)
{
    struct buf b = BUF_INIT;
    spf_header_value(&b, authserv_id ? authserv_id : q->receiver);
    buf_printf(&b, "; spf=%s", spf_result_name(o->result));
    spf_header_comment(&b, q, o);
    if (q->identity == SPF_IDENTITY_HELO) {
        buf_append_str(&b, " smtp.helo=");
        spf_header_pvalue(&b, q->helo);
    } else {
        buf_append_str(&b, " smtp.mailfrom=");
        spf_header_pvalue(&b, q->sender);
    }
    return buf_steal(&b);
}
