/*
 * ESMTP parameters of MAIL and RCPT, RFC 5321 4.1.2:
 *
 *   Mail-parameters  = esmtp-param *(SP esmtp-param)
 *   Rcpt-parameters  = esmtp-param *(SP esmtp-param)
 *   esmtp-param      = esmtp-keyword ["=" esmtp-value]
 *   esmtp-keyword    = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
 *   esmtp-value      = 1*(%d33-60 / %d62-126)      ; RFC 6531: =/ UTF8-non-ascii
 *
 * Known keywords (case-insensitive), each at most once (RFC 3461 4: a repeated DSN
 * parameter is an error, 501):
 *   MAIL: SIZE=1*20DIGIT (RFC 1870), BODY=7BIT/8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531),
 *         RET=FULL/HDRS and ENVID=xtext (RFC 3461 4.3, 4.4), AUTH=xtext / <> (RFC 4954 5)
 *   RCPT: NOTIFY=NEVER / 1#(SUCCESS/FAILURE/DELAY) and ORCPT=addr-type ";" xtext (RFC 3461)
 * Any other keyword is refused with 555 5.5.4 (RFC 5321 4.1.1.11).
 *
 *   xtext  = *( xchar / hexchar )                  (RFC 3461 4)
 *   xchar  = any ASCII CHAR between "!" (33) and "~" (126) inclusive, except "+" and "="
 *   hexchar = "+" 2(%x30-39 / %x41-46)
 */
#include <stdlib.h>
#include <string.h>

#include "smtp_command.h"
#include "str.h"
#include "xalloc.h"

#define SMTP_PARAM_REPLY(r, c, e, t)                                                               \
    do {                                                                                           \
        (r)->code = (c);                                                                           \
        (r)->enhanced = (e);                                                                       \
        (r)->text = (t);                                                                           \
    } while (0)

/* SIZE values beyond this many digits cannot be a real message (RFC 1870 allows 20). */
#define SMTP_SIZE_MAX_DIGITS 20

struct smtp_param {
    const char *key;
    size_t key_len;
    const char *value; /* NULL when there is no "=" */
    size_t value_len;
};

static int smtp_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool smtp_xtext_decode(const char *s, size_t len, char **out_r)
{
    char *out = xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '+') {
            if (len - i < 3)
                goto fail;
            int hi = smtp_hex(s[i + 1]);
            int lo = smtp_hex(s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                goto fail;
            out[n++] = (char)(hi * 16 + lo);
            i += 2;
            continue;
        }
        if (c < 33 || c > 126 || c == '=')
            goto fail;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    *out_r = out;
    return true;
fail:
    free(out);
    *out_r = NULL;
    return false;
}

/* Splits the next parameter off *s; returns false at the end or on a syntax error (*bad_r). */
static bool smtp_param_next(const char **s, const char *end, struct smtp_param *p, bool *bad_r)
{
    const char *q = *s;
    while (q < end && *q == ' ')
        q++;
    if (q == end)
        return false;
    const char *tok_end = memchr(q, ' ', (size_t)(end - q));
    if (tok_end == NULL)
        tok_end = end;
    const char *eq = memchr(q, '=', (size_t)(tok_end - q));
    p->key = q;
    p->key_len = eq ? (size_t)(eq - q) : (size_t)(tok_end - q);
    p->value = eq ? eq + 1 : NULL;
    p->value_len = eq ? (size_t)(tok_end - eq - 1) : 0;
    *s = tok_end;
    /* esmtp-keyword */
    if (p->key_len == 0 ||
        !((p->key[0] >= 'A' && p->key[0] <= 'Z') || (p->key[0] >= 'a' && p->key[0] <= 'z') ||
          (p->key[0] >= '0' && p->key[0] <= '9'))) {
        *bad_r = true;
        return false;
    }
    for (size_t i = 1; i < p->key_len; i++) {
        char c = p->key[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-')) {
            *bad_r = true;
            return false;
        }
    }
    /* esmtp-value: 1*(%d33-60 / %d62-126 / UTF8-non-ascii) */
    if (p->value != NULL) {
        if (p->value_len == 0) {
            *bad_r = true;
            return false;
        }
        for (size_t i = 0; i < p->value_len;) {
            unsigned char c = (unsigned char)p->value[i];
            size_t u = c >= 0x80 ? smtp_utf8_sequence_len((const unsigned char *)p->value + i,
                                                          p->value_len - i)
                                 : 1;
            if (u == 0 || (u == 1 && (c < 33 || c == '=' || c > 126))) {
                *bad_r = true;
                return false;
            }
            i += u;
        }
    }
    return true;
}

static bool smtp_param_is(const struct smtp_param *p, const char *name)
{
    return str_equal_nocase_n(p->key, p->key_len, name, strlen(name));
}

static bool smtp_param_value_is(const struct smtp_param *p, const char *v)
{
    return p->value != NULL && str_equal_nocase_n(p->value, p->value_len, v, strlen(v));
}

static bool smtp_mail_param_size(const struct smtp_param *p, struct smtp_mail_params *m,
                                 struct smtp_reply *e)
{
    if (p->value == NULL || p->value_len > SMTP_SIZE_MAX_DIGITS) {
        SMTP_PARAM_REPLY(e, 501, "5.5.4", "Syntax error in SIZE parameter");
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < p->value_len; i++) {
        char c = p->value[i];
        if (c < '0' || c > '9') {
            SMTP_PARAM_REPLY(e, 501, "5.5.4", "Syntax error in SIZE parameter");
            return false;
        }
        uint64_t d = (uint64_t)(c - '0');
        /* Saturate: anything this large is over every limit anyway. */
        v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
    }
    m->has_size = true;
    m->size = v;
    return true;
}

static bool smtp_mail_param_one(const struct smtp_param *p, struct smtp_mail_params *m,
                                unsigned *seen, struct smtp_reply *e)
{
    static const char *const names[] = {"SIZE", "BODY", "SMTPUTF8", "RET", "ENVID", "AUTH"};
    unsigned idx = 0;
    while (idx < 6 && !smtp_param_is(p, names[idx]))
        idx++;
    if (idx == 6) {
        SMTP_PARAM_REPLY(e, 555, "5.5.4", "MAIL FROM parameter not recognized");
        return false;
    }
    if (*seen & (1u << idx)) {
        SMTP_PARAM_REPLY(e, 501, "5.5.4", "A MAIL FROM parameter is repeated");
        return false;
    }
    *seen |= 1u << idx;
    switch (idx) {
    case 0:
        return smtp_mail_param_size(p, m, e);
    case 1:
        if (smtp_param_value_is(p, "7BIT"))
            m->body = SMTP_BODY_7BIT;
        else if (smtp_param_value_is(p, "8BITMIME"))
            m->body = SMTP_BODY_8BITMIME;
        else {
            SMTP_PARAM_REPLY(e, 501, "5.5.4", "BODY must be 7BIT or 8BITMIME");
            return false;
        }
        return true;
    case 2:
        if (p->value != NULL) {
            SMTP_PARAM_REPLY(e, 501, "5.5.4", "SMTPUTF8 takes no value");
            return false;
        }
        m->smtputf8 = true;
        return true;
    case 3:
        if (smtp_param_value_is(p, "FULL"))
            m->ret = SMTP_DSN_RET_FULL;
        else if (smtp_param_value_is(p, "HDRS"))
            m->ret = SMTP_DSN_RET_HDRS;
        else {
            SMTP_PARAM_REPLY(e, 501, "5.5.4", "RET must be FULL or HDRS");
            return false;
        }
        return true;
    case 4:
        if (p->value == NULL || !smtp_xtext_decode(p->value, p->value_len, &m->envid) ||
            strlen(m->envid) > SMTP_ENVID_MAX) {
            SMTP_PARAM_REPLY(e, 501, "5.5.4", "ENVID must be xtext of at most 100 characters");
            return false;
        }
        return true;
    default:
        if (smtp_param_value_is(p, "<>")) {
            m->auth = xstrdup("");
            return true;
        }
        if (p->value == NULL || !smtp_xtext_decode(p->value, p->value_len, &m->auth)) {
            SMTP_PARAM_REPLY(e, 501, "5.5.4", "AUTH= must be xtext or <>");
            return false;
        }
        return true;
    }
}

bool smtp_mail_params_parse(const char *s, size_t len, struct smtp_mail_params *params_r,
                            struct smtp_reply *error_r)
{
    const char *end = s + len;
    struct smtp_param p;
    bool bad = false;
    unsigned seen = 0;
    while (smtp_param_next(&s, end, &p, &bad)) {
        if (!smtp_mail_param_one(&p, params_r, &seen, error_r))
            return false;
    }
    if (bad) {
        SMTP_PARAM_REPLY(error_r, 501, "5.5.4", "Syntax error in MAIL FROM parameters");
        return false;
    }
    return true;
}

static bool smtp_rcpt_notify(const struct smtp_param *p, struct smtp_rcpt_params *r)
{
    if (p->value == NULL)
        return false;
    const char *v = p->value, *end = p->value + p->value_len;
    unsigned bits = 0;
    while (v <= end) {
        const char *comma = memchr(v, ',', (size_t)(end - v));
        size_t n = comma ? (size_t)(comma - v) : (size_t)(end - v);
        unsigned bit = 0;
        if (str_equal_nocase_n(v, n, "NEVER", 5))
            bit = SMTP_DSN_NOTIFY_NEVER;
        else if (str_equal_nocase_n(v, n, "SUCCESS", 7))
            bit = SMTP_DSN_NOTIFY_SUCCESS;
        else if (str_equal_nocase_n(v, n, "FAILURE", 7))
            bit = SMTP_DSN_NOTIFY_FAILURE;
        else if (str_equal_nocase_n(v, n, "DELAY", 5))
            bit = SMTP_DSN_NOTIFY_DELAY;
        if (bit == 0 || (bits & bit))
            return false;
        bits |= bit;
        if (comma == NULL)
            break;
        v = comma + 1;
    }
    /* RFC 3461 4.1: NEVER must appear alone. */
    if ((bits & SMTP_DSN_NOTIFY_NEVER) && bits != SMTP_DSN_NOTIFY_NEVER)
        return false;
    r->notify = bits;
    return true;
}

static bool smtp_rcpt_orcpt(const struct smtp_param *p, struct smtp_rcpt_params *r)
{
    /* orcpt-parameter = "ORCPT=" original-recipient-address
     * original-recipient-address = addr-type ";" xtext; addr-type = atom */
    if (p->value == NULL)
        return false;
    const char *semi = memchr(p->value, ';', p->value_len);
    if (semi == NULL || semi == p->value)
        return false;
    size_t type_len = (size_t)(semi - p->value);
    for (size_t i = 0; i < type_len; i++) {
        char c = p->value[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-'))
            return false;
    }
    char *addr;
    size_t addr_len = p->value_len - type_len - 1;
    if (addr_len == 0 || !smtp_xtext_decode(semi + 1, addr_len, &addr))
        return false;
    if (strlen(addr) > SMTP_ORCPT_MAX) {
        free(addr);
        return false;
    }
    r->orcpt_type = str_lower(xstrndup(p->value, type_len));
    r->orcpt_addr = addr;
    return true;
}

bool smtp_rcpt_params_parse(const char *s, size_t len, struct smtp_rcpt_params *params_r,
                            struct smtp_reply *error_r)
{
    const char *end = s + len;
    struct smtp_param p;
    bool bad = false;
    while (smtp_param_next(&s, end, &p, &bad)) {
        if (smtp_param_is(&p, "NOTIFY")) {
            if (params_r->notify != 0 || !smtp_rcpt_notify(&p, params_r)) {
                SMTP_PARAM_REPLY(error_r, 501, "5.5.4",
                                 "NOTIFY must be NEVER or a list of SUCCESS, FAILURE, DELAY");
                return false;
            }
        } else if (smtp_param_is(&p, "ORCPT")) {
            if (params_r->orcpt_type != NULL || !smtp_rcpt_orcpt(&p, params_r)) {
                SMTP_PARAM_REPLY(error_r, 501, "5.5.4", "ORCPT must be addr-type;xtext");
                return false;
            }
        } else {
            SMTP_PARAM_REPLY(error_r, 555, "5.5.4", "RCPT TO parameter not recognized");
            return false;
        }
    }
    if (bad) {
        SMTP_PARAM_REPLY(error_r, 501, "5.5.4", "Syntax error in RCPT TO parameters");
        return false;
    }
    return true;
}

void smtp_mail_params_clear(struct smtp_mail_params *p)
{
    free(p->envid);
    free(p->auth);
    memset(p, 0, sizeof(*p));
}

void smtp_rcpt_params_clear(struct smtp_rcpt_params *p)
{
    free(p->orcpt_type);
    free(p->orcpt_addr);
    memset(p, 0, sizeof(*p));
}
