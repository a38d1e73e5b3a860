/*
 * Paths of MAIL and RCPT, RFC 5321 4.1.2, extended by RFC 6531 3.3 for SMTPUTF8:
 *
 *   Reverse-path   = Path / "<>"
 *   Forward-path   = Path
 *   Path           = "<" [ A-d-l ":" ] Mailbox ">"
 *   A-d-l          = At-domain *( "," At-domain )
 *   At-domain      = "@" Domain
 *   Mailbox        = Local-part "@" ( Domain / address-literal )
 *   Local-part     = Dot-string / Quoted-string
 *   Dot-string     = Atom *("."  Atom)
 *   Atom           = 1*atext                       ; RFC 6531: atext =/ UTF8-non-ascii
 *   Quoted-string  = DQUOTE *QcontentSMTP DQUOTE
 *   QcontentSMTP   = qtextSMTP / quoted-pairSMTP
 *   quoted-pairSMTP = %d92 %d32-126
 *   qtextSMTP      = %d32-33 / %d35-91 / %d93-126   ; RFC 6531: =/ UTF8-non-ascii
 *   Domain         = sub-domain *("." sub-domain)
 *   sub-domain     = Let-dig [Ldh-str]              ; RFC 6531: =/ U-label
 *   Ldh-str        = *( ALPHA / DIGIT / "-" ) Let-dig
 *   address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
 *                     General-address-literal ) "]"
 *   General-address-literal = Standardized-tag ":" 1*dcontent
 *   dcontent       = %d33-90 / %d94-126
 *
 * RFC 5321 4.1.2 also names "<Postmaster>" (no domain) as a valid RCPT; allow_null covers "<>".
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_command.h"
#include "str.h"
#include "xalloc.h"

static bool smtp_is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool smtp_is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* RFC 5322 3.2.3 atext. */
static bool smtp_is_atext(unsigned char c)
{
    return smtp_is_alpha(c) || smtp_is_digit(c) || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

size_t smtp_utf8_sequence_len(const unsigned char *s, size_t len)
{
    /* RFC 3629 4: UTF8-2 / UTF8-3 / UTF8-4 with their exact second-byte ranges. */
    unsigned char c = s[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return c < 0x80 ? 1 : 0;
    }
    if (len < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    }
    return n;
}

/* Advances over one non-ASCII UTF-8 character if allowed; returns its length or 0. */
static size_t smtp_utf8_char(const char *s, size_t len, bool allow_utf8)
{
    if (!allow_utf8 || (unsigned char)s[0] < 0x80)
        return 0;
    return smtp_utf8_sequence_len((const unsigned char *)s, len);
}

static bool smtp_subdomain_is_valid(const char *s, size_t len, bool allow_utf8)
{
    /* 63 characters of at most 4 octets each: a U-label is checked for length later. */
    if (len == 0 || len > (size_t)63 * 4)
        return false;
    bool ascii = true;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        size_t u = smtp_utf8_char(s + i, len - i, allow_utf8);
        if (u > 0) {
            ascii = false;
            i += u;
            continue;
        }
        if (!smtp_is_alpha(c) && !smtp_is_digit(c) && c != '-')
            return false;
        i++;
    }
    if (ascii && len > 63)
        return false;
    return s[0] != '-' && s[len - 1] != '-';
}

static bool smtp_address_literal_is_valid(const char *s, size_t len)
{
    if (len < 3 || s[0] != '[' || s[len - 1] != ']')
        return false;
    char tmp[SMTP_DOMAIN_MAX + 1];
    size_t inner = len - 2;
    if (inner > SMTP_DOMAIN_MAX)
        return false;
    memcpy(tmp, s + 1, inner);
    tmp[inner] = '\0';
    unsigned char addr[16];
    if (inet_pton(AF_INET, tmp, addr) == 1)
        return true;
    if (str_has_prefix_nocase(tmp, "IPv6:"))
        return inet_pton(AF_INET6, tmp + 5, addr) == 1;
    /* General-address-literal: Standardized-tag ":" 1*dcontent */
    const char *colon = strchr(tmp, ':');
    if (colon == NULL || colon == tmp || colon[1] == '\0')
        return false;
    for (const char *p = tmp; p < colon; p++) {
        if (!smtp_is_alpha((unsigned char)*p) && !smtp_is_digit((unsigned char)*p) && *p != '-')
            return false;
    }
    for (const char *p = colon + 1; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 33 || c > 126 || (c >= 91 && c <= 93))
            return false;
    }
    return true;
}

bool smtp_domain_is_valid(const char *s, size_t len, bool allow_utf8)
{
    if (len == 0 || len > SMTP_DOMAIN_MAX)
        return false;
    if (s[0] == '[')
        return smtp_address_literal_is_valid(s, len);
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '.') {
            if (!smtp_subdomain_is_valid(s + start, i - start, allow_utf8))
                return false;
            start = i + 1;
        }
    }
    return true;
}

static bool smtp_dot_string_is_valid(const char *s, size_t len, bool *utf8_r)
{
    bool atom_empty = true;
    for (size_t i = 0; i < len;) {
        size_t u = smtp_utf8_char(s + i, len - i, true);
        if (u > 0) {
            *utf8_r = true;
            atom_empty = false;
            i += u;
        } else if (s[i] == '.') {
            if (atom_empty)
                return false;
            atom_empty = true;
            i++;
        } else if (smtp_is_atext((unsigned char)s[i])) {
            atom_empty = false;
            i++;
        } else {
            return false;
        }
    }
    return !atom_empty;
}

/* Length of the Quoted-string at s (including both quotes), or 0 if malformed. */
static size_t smtp_quoted_string_len(const char *s, size_t len, bool *utf8_r)
{
    if (len < 2 || s[0] != '"')
        return 0;
    for (size_t i = 1; i < len;) {
        unsigned char c = (unsigned char)s[i];
        size_t u = smtp_utf8_char(s + i, len - i, true);
        if (u > 0) {
            *utf8_r = true;
            i += u;
        } else if (c == '"') {
            return i + 1;
        } else if (c == '\\') {
            if (i + 1 >= len || s[i + 1] < 32 || s[i + 1] > 126)
                return 0;
            i += 2;
        } else if (c >= 32 && c <= 126) {
            i++;
        } else {
            return 0;
        }
    }
    return 0;
}

static bool smtp_mailbox_is_valid(const char *s, size_t len, bool *utf8_r, const char **why_r)
{
    size_t local_len;
    if (len > 0 && s[0] == '"') {
        local_len = smtp_quoted_string_len(s, len, utf8_r);
        if (local_len == 0) {
            *why_r = "the quoted local part is malformed";
            return false;
        }
    } else {
        const char *at = memrchr(s, '@', len);
        local_len = at ? (size_t)(at - s) : len;
        if (!smtp_dot_string_is_valid(s, local_len, utf8_r)) {
            *why_r = "the local part is not a valid dot-string";
            return false;
        }
    }
    if (local_len > SMTP_LOCAL_PART_MAX) {
        *why_r = "the local part is longer than 64 octets";
        return false;
    }
    if (local_len >= len || s[local_len] != '@') {
        *why_r = "the address has no @domain";
        return false;
    }
    const char *dom = s + local_len + 1;
    size_t dom_len = len - local_len - 1;
    for (size_t i = 0; i < dom_len; i++) {
        if ((unsigned char)dom[i] >= 0x80)
            *utf8_r = true;
    }
    if (!smtp_domain_is_valid(dom, dom_len, true)) {
        *why_r = "the domain is not a valid domain name or address literal";
        return false;
    }
    return true;
}

/* Skips "@dom,@dom:" (RFC 5321 4.1.2: MUST accept, SHOULD ignore). Returns bytes skipped. */
static size_t smtp_skip_source_route(const char *s, size_t len, bool *bad_r)
{
    if (len == 0 || s[0] != '@')
        return 0;
    const char *colon = memchr(s, ':', len);
    if (colon == NULL) {
        *bad_r = true;
        return 0;
    }
    size_t start = 0, end = (size_t)(colon - s);
    for (size_t i = 0; i <= end; i++) {
        if (i == end || s[i] == ',') {
            if (s[start] != '@' || !smtp_domain_is_valid(s + start + 1, i - start - 1, false))
                *bad_r = true;
            start = i + 1;
        }
    }
    return end + 1;
}

bool smtp_path_parse(const char *s, size_t len, bool allow_null, char **mailbox_r, bool *utf8_r,
                     const char **why_r)
{
    *mailbox_r = NULL;
    *utf8_r = false;
    if (len < 2 || s[0] != '<' || s[len - 1] != '>') {
        *why_r = "the address must be enclosed in <>";
        return false;
    }
    const char *inner = s + 1;
    size_t inner_len = len - 2;
    if (inner_len + 2 > SMTP_PATH_MAX) {
        *why_r = "the path is longer than 256 octets";
        return false;
    }
    if (inner_len == 0) {
        if (!allow_null) {
            *why_r = "an empty address is not allowed here";
            return false;
        }
        *mailbox_r = xstrdup("");
        return true;
    }
    bool bad_route = false;
    size_t skip = smtp_skip_source_route(inner, inner_len, &bad_route);
    if (bad_route) {
        *why_r = "the source route is malformed";
        return false;
    }
    inner += skip;
    inner_len -= skip;
    if (!smtp_mailbox_is_valid(inner, inner_len, utf8_r, why_r))
        return false;
    *mailbox_r = xstrndup(inner, inner_len);
    return true;
}
