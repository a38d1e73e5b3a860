/*
 * spf_record: selection and parsing of SPF records (RFC 7208 sections 4.5, 4.6, 5, 6, 12).
 * Pure: no DNS. The parser checks the WHOLE record before anything is evaluated, because any
 * syntax error anywhere makes check_host() return permerror (4.6).
 *
 *   record           = version terms *SP
 *   version          = "v=spf1"
 *   terms            = *( 1*SP ( directive / modifier ) )
 *   directive        = [ qualifier ] mechanism
 *   qualifier        = "+" / "-" / "?" / "~"
 *   mechanism        = ( all / include / a / mx / ptr / ip4 / ip6 / exists )
 *   a                = "a"   [ ":" domain-spec ] [ dual-cidr-length ]   (mx alike)
 *   ptr              = "ptr" [ ":" domain-spec ]
 *   include          = "include" ":" domain-spec        (exists alike)
 *   ip4              = "ip4" ":" ip4-network [ ip4-cidr-length ]        (ip6 alike)
 *   modifier         = redirect / explanation / unknown-modifier
 *   unknown-modifier = name "=" macro-string
 *   name             = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
 *   ip4-cidr-length  = "/" ("0" / %x31-39 0*1DIGIT)   ; 0-32
 *   ip6-cidr-length  = "/" ("0" / %x31-39 0*2DIGIT)   ; 0-128
 *   dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]
 *   domain-spec      = macro-string domain-end
 *   domain-end       = ( "." toplabel [ "." ] ) / macro-expand
 *
 * Ownership: a parsed record points into the text it was parsed from (borrowed: the text must
 * outlive it); spf_record_clear() frees the term array.
 */
#ifndef REBOUND_MAIL_SPF_RECORD_H
#define REBOUND_MAIL_SPF_RECORD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

enum spf_mech {
    SPF_MECH_ALL,
    SPF_MECH_INCLUDE,
    SPF_MECH_A,
    SPF_MECH_MX,
    SPF_MECH_PTR,
    SPF_MECH_IP4,
    SPF_MECH_IP6,
    SPF_MECH_EXISTS,
};

/* The qualifier, as the result a match produces. */
enum spf_qualifier {
    SPF_QUAL_PASS,     /* "+" (default) */
    SPF_QUAL_FAIL,     /* "-" */
    SPF_QUAL_SOFTFAIL, /* "~" */
    SPF_QUAL_NEUTRAL,  /* "?" */
};

struct spf_term {
    enum spf_mech mech;
    enum spf_qualifier qualifier;
    const char *text; /* the directive as written (for reports) */
    size_t text_len;
    const char *spec; /* domain-spec; NULL = the current domain (a, mx, ptr) */
    size_t spec_len;
    unsigned cidr4; /* a, mx, ip4: 0-32 (default 32) */
    unsigned cidr6; /* a, mx, ip6: 0-128 (default 128) */
    union {
        struct in_addr ip4;
        struct in6_addr ip6;
    } net;
};

struct spf_record {
    size_t n_terms; /* directives only, in order */
    struct spf_term *terms;
    const char *redirect; /* domain-spec or NULL */
    size_t redirect_len;
    const char *exp; /* domain-spec or NULL */
    size_t exp_len;
};

struct spf_parse_error {
    const char *reason; /* static sentence */
    const char *term;   /* offending term (points into the text) or NULL */
    size_t term_len;
};

/* RFC 7208 4.5: a record is selected if it starts with "v=spf1" followed by SP or its end
 * (the version is compared case-insensitively, as receivers do). */
bool spf_record_is_spf(const char *text, size_t len);
/* Parses a selected record. On error returns false and fills *error (record left empty). */
bool spf_record_parse(const char *text, size_t len, struct spf_record *rec,
                      struct spf_parse_error *error);
void spf_record_clear(struct spf_record *rec);
/* Checks a domain-spec: macro syntax and domain-end. */
bool spf_record_domain_spec_ok(const char *s, size_t len, const char **error_r);

#endif
