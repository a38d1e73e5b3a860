/*
 * spf_macro: the macro language of RFC 7208 section 7, used in domain-specs and in explanation
 * strings. Pure functions: no DNS, no allocation except in the caller's buf.
 *
 *   macro-string  = *( macro-expand / macro-literal )
 *   macro-expand  = ( "%{" macro-letter transformers *delimiter "}" )
 *                   / "%%" / "%_" / "%-"
 *   macro-literal = %x21-24 / %x26-7E   ; visible characters except "%"
 *   macro-letter  = "s" / "l" / "o" / "d" / "i" / "p" / "h" / "c" / "r" / "t" / "v"
 *   transformers  = *DIGIT [ "r" ]
 *   delimiter     = "." / "-" / "+" / "," / "/" / "_" / "="
 *
 * Letters are case-insensitive; an upper-case letter URL-escapes the value (7.3). "c", "r" and
 * "t" are allowed only in explanation strings (7.2). In explanations, any byte outside "%"
 * sequences is copied as is (SP included); in domain-specs, literals are checked by the record
 * parser's grammar, not here.
 */
#ifndef REBOUND_MAIL_SPF_MACRO_H
#define REBOUND_MAIL_SPF_MACRO_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Longest domain name produced by expansion; longer results lose labels on the left (7.3). */
#define SPF_MACRO_MAX_DOMAIN 253
/* A DIGIT transformer larger than this is clamped: no name has more labels. */
#define SPF_MACRO_MAX_PARTS 128

enum spf_macro_context {
    SPF_MACRO_DOMAIN,      /* domain-spec: c, r, t refused; trailing dot removed; truncated */
    SPF_MACRO_EXPLANATION, /* explanation string: every letter allowed; text kept as is */
};

/* Values of the macro letters for one evaluation; all borrowed, NUL-terminated. */
struct spf_macro_vars {
    const char *s; /* <sender> */
    const char *l; /* local-part of <sender> */
    const char *o; /* domain of <sender> */
    const char *d; /* <domain>, the current domain */
    const char *i; /* <ip>: dotted quad, or dot-separated nibbles for IPv6 */
    const char *p; /* validated domain name of <ip> ("unknown" if none); NULL = not known yet */
    const char *v; /* "in-addr" or "ip6" */
    const char *h; /* HELO/EHLO domain */
    const char *c; /* SMTP client IP, readable form */
    const char *r; /* receiving domain */
    const char *t; /* current timestamp */
};

/* Checks syntax only. On error returns false and sets *error_r (static text). */
bool spf_macro_check(const char *s, size_t len, enum spf_macro_context ctx, const char **error_r);
/* True if the string contains a %{p} / %{P} expansion (needs the validated-name lookup). */
bool spf_macro_uses_p(const char *s, size_t len);
/* Appends the expansion of s to out. Returns false with *error_r set on a syntax error (out
 * then holds a partial expansion). vars->p must be set if the string uses it. */
bool spf_macro_expand(const char *s, size_t len, enum spf_macro_context ctx,
                      const struct spf_macro_vars *vars, struct buf *out, const char **error_r);
/* Applies the domain rules of 7.3 to a finished expansion in out: removes one trailing dot and
 * drops left-hand labels while the name is longer than SPF_MACRO_MAX_DOMAIN. */
void spf_macro_finish_domain(struct buf *out);

#endif
