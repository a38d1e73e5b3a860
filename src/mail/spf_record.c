/*
 * spf_record: the record parser. Terms are separated by SP only (4.6.1: any other control
 * character inside a term makes it invalid). A directive's optional CIDR suffixes are taken
 * off its end first ("//n" then "/n", with the leading-zero-free grammar of section 12), then
 * the name is split from the argument at the first ":".
 */
#include "spf_record.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "spf_macro.h"
#include "str.h"
#include "xalloc.h"

#define SPF_VERSION     "v=spf1"
#define SPF_VERSION_LEN 6

static bool spf_is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool spf_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool spf_record_is_spf(const char *text, size_t len)
{
    return len >= SPF_VERSION_LEN &&
           str_equal_nocase_n(text, SPF_VERSION_LEN, SPF_VERSION, SPF_VERSION_LEN) &&
           (len == SPF_VERSION_LEN || text[SPF_VERSION_LEN] == ' ');
}

/* toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static bool spf_is_toplabel(const char *s, size_t len)
{
    bool alpha = false, dash = false;
    if (len == 0 || s[0] == '-' || s[len - 1] == '-')
        return false;
    for (size_t i = 0; i < len; i++) {
        if (spf_is_alpha(s[i]))
            alpha = true;
        else if (s[i] == '-')
            dash = true;
        else if (!spf_is_digit(s[i]))
            return false;
    }
    return alpha || dash;
}

/* End offset of the last macro-expand in s, or 0 if none (syntax already checked). */
static size_t spf_last_macro_end(const char *s, size_t len)
{
    size_t end = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] != '%')
            continue;
        if (s[i + 1] == '{') {
            const char *close = memchr(s + i, '}', len - i);
            if (close == NULL)
                return end;
            i = (size_t)(close - s);
            end = i + 1;
        } else {
            i++;
            end = i + 1;
        }
    }
    return end;
}

bool spf_record_domain_spec_ok(const char *s, size_t len, const char **error_r)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x21 || c > 0x7e) {
            *error_r = "invalid character in domain-spec";
            return false;
        }
    }
    if (!spf_macro_check(s, len, SPF_MACRO_DOMAIN, error_r))
        return false;
    size_t macro_end = spf_last_macro_end(s, len);
    if (macro_end == len && len > 0)
        return true;
    size_t end = len;
    if (end > 0 && s[end - 1] == '.')
        end--;
    size_t dot = end;
    while (dot > macro_end && s[dot - 1] != '.')
        dot--;
    if (dot == macro_end || dot == 0 || !spf_is_toplabel(s + dot, end - dot)) {
        *error_r = "domain-spec does not end with a valid top-level label";
        return false;
    }
    return true;
}

/* Takes a "/n" suffix (n without leading zero, at most max_digits digits) off *len. */
static bool spf_take_cidr(const char *s, size_t *len, size_t max_digits, unsigned *value_r)
{
    size_t end = *len, i = end;
    while (i > 0 && spf_is_digit(s[i - 1]) && end - i <= max_digits)
        i--;
    if (i == end || i == 0 || s[i - 1] != '/' || end - i > max_digits)
        return false;
    if (s[i] == '0' && end - i > 1)
        return false;
    unsigned v = 0;
    for (size_t k = i; k < end; k++)
        v = v * 10 + (unsigned)(s[k] - '0');
    *value_r = v;
    *len = i - 1;
    return true;
}

struct spf_mech_name {
    const char *name;
    enum spf_mech mech;
};

static const struct spf_mech_name spf_mech_names[] = {
    {"all", SPF_MECH_ALL}, {"include", SPF_MECH_INCLUDE}, {"a", SPF_MECH_A},
    {"mx", SPF_MECH_MX},   {"ptr", SPF_MECH_PTR},         {"ip4", SPF_MECH_IP4},
    {"ip6", SPF_MECH_IP6}, {"exists", SPF_MECH_EXISTS},
};

static bool spf_mech_lookup(const char *s, size_t len, enum spf_mech *mech_r)
{
    for (size_t i = 0; i < sizeof(spf_mech_names) / sizeof(spf_mech_names[0]); i++) {
        const char *n = spf_mech_names[i].name;
        if (str_equal_nocase_n(s, len, n, strlen(n))) {
            *mech_r = spf_mech_names[i].mech;
            return true;
        }
    }
    return false;
}

static bool spf_parse_ip(struct spf_term *t, const char *arg, size_t len, const char **error_r)
{
    char tmp[INET6_ADDRSTRLEN + 1];
    if (len == 0 || len >= sizeof(tmp)) {
        *error_r = "invalid IP address";
        return false;
    }
    memcpy(tmp, arg, len);
    tmp[len] = '\0';
    int af = t->mech == SPF_MECH_IP4 ? AF_INET : AF_INET6;
    if (inet_pton(af, tmp, &t->net) != 1) {
        *error_r = af == AF_INET ? "invalid ip4 address" : "invalid ip6 address";
        return false;
    }
    return true;
}

/* Checks the CIDR lengths and the argument of a directive whose name is known. */
static bool spf_check_directive(struct spf_term *t, bool has4, bool has6, const char *arg,
                                size_t arg_len, bool has_arg, const char **error_r)
{
    switch (t->mech) {
    case SPF_MECH_ALL:
        if (has_arg || has4 || has6) {
            *error_r = "'all' takes no argument";
            return false;
        }
        return true;
    case SPF_MECH_IP4:
    case SPF_MECH_IP6:
        if (has6 || !has_arg) {
            *error_r = "malformed ip4/ip6 mechanism";
            return false;
        }
        if ((t->mech == SPF_MECH_IP4 && t->cidr4 > 32) || t->cidr4 > 128) {
            *error_r = "CIDR length out of range";
            return false;
        }
        if (t->mech == SPF_MECH_IP6)
            t->cidr6 = has4 ? t->cidr4 : 128;
        return spf_parse_ip(t, arg, arg_len, error_r);
    case SPF_MECH_A:
    case SPF_MECH_MX:
        if (t->cidr4 > 32 || t->cidr6 > 128) {
            *error_r = "CIDR length out of range";
            return false;
        }
        break;
    case SPF_MECH_PTR:
    case SPF_MECH_INCLUDE:
    case SPF_MECH_EXISTS:
        if (has4 || has6) {
            *error_r = "CIDR length not allowed on this mechanism";
            return false;
        }
        if (!has_arg && t->mech != SPF_MECH_PTR) {
            *error_r = "mechanism requires a domain-spec";
            return false;
        }
        break;
    }
    if (!has_arg)
        return true;
    t->spec = arg;
    t->spec_len = arg_len;
    if (arg_len == 0) {
        *error_r = "empty domain-spec";
        return false;
    }
    return spf_record_domain_spec_ok(arg, arg_len, error_r);
}

static bool spf_parse_directive(const char *s, size_t len, struct spf_term *t, const char **error_r)
{
    memset(t, 0, sizeof(*t));
    t->text = s;
    t->text_len = len;
    t->qualifier = SPF_QUAL_PASS;
    if (len > 0 && strchr("+-~?", s[0]) != NULL) {
        t->qualifier = s[0] == '+'   ? SPF_QUAL_PASS
                       : s[0] == '-' ? SPF_QUAL_FAIL
                       : s[0] == '~' ? SPF_QUAL_SOFTFAIL
                                     : SPF_QUAL_NEUTRAL;
        s++;
        len--;
    }
    unsigned c4 = 32, c6 = 128, v;
    bool has4 = false, has6 = false;
    size_t body = len;
    if (spf_take_cidr(s, &body, 3, &v)) {
        if (body > 0 && s[body - 1] == '/') {
            body--;
            c6 = v;
            has6 = true;
            if (spf_take_cidr(s, &body, 2, &v)) {
                c4 = v;
                has4 = true;
            }
        } else {
            c4 = v;
            has4 = true;
        }
    }
    t->cidr4 = c4;
    t->cidr6 = c6;
    const char *colon = memchr(s, ':', body);
    size_t name_len = colon ? (size_t)(colon - s) : body;
    if (!spf_mech_lookup(s, name_len, &t->mech)) {
        *error_r = "unknown mechanism";
        return false;
    }
    const char *arg = colon ? colon + 1 : NULL;
    size_t arg_len = colon ? body - name_len - 1 : 0;
    return spf_check_directive(t, has4, has6, arg, arg_len, colon != NULL, error_r);
}

/* Returns the length of a modifier name followed by "=", or 0 if s is not a modifier. */
static size_t spf_modifier_name_len(const char *s, size_t len)
{
    if (len == 0 || !spf_is_alpha(s[0]))
        return 0;
    for (size_t i = 1; i < len; i++) {
        if (s[i] == '=')
            return i;
        if (!spf_is_alpha(s[i]) && !spf_is_digit(s[i]) && strchr("-_.", s[i]) == NULL)
            return 0;
    }
    return 0;
}

static bool spf_parse_modifier(struct spf_record *rec, const char *s, size_t len, size_t name_len,
                               const char **error_r)
{
    const char *value = s + name_len + 1;
    size_t value_len = len - name_len - 1;
    const char **slot = NULL;
    size_t *slot_len = NULL;
    if (str_equal_nocase_n(s, name_len, "redirect", 8)) {
        slot = &rec->redirect;
        slot_len = &rec->redirect_len;
    } else if (str_equal_nocase_n(s, name_len, "exp", 3)) {
        slot = &rec->exp;
        slot_len = &rec->exp_len;
    }
    if (slot == NULL) /* unknown modifiers are ignored, but must be well-formed (6) */
        return spf_macro_check(value, value_len, SPF_MACRO_DOMAIN, error_r);
    if (*slot != NULL) {
        *error_r = "redirect= and exp= may appear at most once (6)";
        return false;
    }
    if (value_len == 0) {
        *error_r = "empty domain-spec";
        return false;
    }
    *slot = value;
    *slot_len = value_len;
    return spf_record_domain_spec_ok(value, value_len, error_r);
}

bool spf_record_parse(const char *text, size_t len, struct spf_record *rec,
                      struct spf_parse_error *error)
{
    memset(rec, 0, sizeof(*rec));
    memset(error, 0, sizeof(*error));
    if (!spf_record_is_spf(text, len)) {
        error->reason = "not an SPF version 1 record";
        return false;
    }
    size_t max_terms = 0;
    for (size_t i = SPF_VERSION_LEN; i < len; i++)
        max_terms += text[i] != ' ' && text[i - 1] == ' ';
    rec->terms = max_terms ? xcalloc(max_terms, sizeof(*rec->terms)) : NULL;
    size_t pos = SPF_VERSION_LEN;
    while (pos < len) {
        while (pos < len && text[pos] == ' ')
            pos++;
        size_t start = pos;
        while (pos < len && text[pos] != ' ')
            pos++;
        if (pos == start)
            break;
        const char *term = text + start;
        size_t term_len = pos - start;
        size_t name_len = spf_modifier_name_len(term, term_len);
        bool ok = name_len > 0 ? spf_parse_modifier(rec, term, term_len, name_len, &error->reason)
                               : spf_parse_directive(term, term_len, &rec->terms[rec->n_terms++],
                                                     &error->reason);
        if (!ok) {
            error->term = term;
            error->term_len = term_len;
            spf_record_clear(rec);
            return false;
        }
    }
    return true;
}

void spf_record_clear(struct spf_record *rec)
{
    free(rec->terms);
    memset(rec, 0, sizeof(*rec));
}
