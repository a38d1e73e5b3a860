/*
 * identity: what an identity is (a domain or an email address a tenant may send from), its
 * verification states, and the sending policy over them. Pure functions: no store, no I/O.
 *
 * Syntax accepted (checked by identity_normalize):
 *   domain   = label *("." label), at least two labels, <= 253 octets;
 *              label = 1-63 of ALPHA / DIGIT / "-", not starting or ending with "-"
 *   address  = dot-atom "@" domain   (RFC 5322 3.2.3 dot-atom; local part <= 64 octets)
 * Quoted local parts and address literals are not identities. The domain is folded to lower
 * case; the local part is kept as given (RFC 5321 2.4: it may be case-sensitive).
 *
 * Policy (SES semantics): an address is covered by a verified (SUCCESS) identity of the account
 * equal to the address itself, or to its domain, or to a parent domain of it (a verified domain
 * lets its subdomains send). Domains compare case-insensitively, local parts exactly.
 */
#ifndef REBOUND_STORE_IDENTITY_H
#define REBOUND_STORE_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

/* RFC 5321 4.5.3.1: local part 64, domain 255 (253 in text); an address 64 + 1 + 253. */
#define IDENTITY_MAX_LOCAL  64
#define IDENTITY_MAX_DOMAIN 253
#define IDENTITY_MAX_LABEL  63
#define IDENTITY_MAX_LEN    (IDENTITY_MAX_LOCAL + 1 + IDENTITY_MAX_DOMAIN)

enum identity_kind { IDENTITY_DOMAIN, IDENTITY_ADDRESS };

/* SES v2 VerificationStatus names. */
enum identity_status {
    IDENTITY_PENDING,
    IDENTITY_SUCCESS,
    IDENTITY_FAILED,
    IDENTITY_TEMPORARY_FAILURE,
};

/* "PENDING", "SUCCESS", "FAILED", "TEMPORARY_FAILURE"; static. */
const char *identity_status_name(enum identity_status status);
/* Parses one of the names above (exact, upper case). */
bool identity_status_parse(const char *name, enum identity_status *status_r);
/* "DOMAIN" or "EMAIL_ADDRESS" (SES IdentityType); static. */
const char *identity_kind_name(enum identity_kind kind);

/*
 * Checks `input` (len bytes, need not be terminated) against the syntax above. On success
 * returns a normalized copy (owned: free()) and sets *kind_r; on failure returns NULL and sets
 * *error_r to a sentence saying what is wrong (owned: free()).
 */
char *identity_normalize(const char *input, size_t len, enum identity_kind *kind_r, char **error_r);

/* One identity of the sending account, as the policy sees it (borrowed strings, normalized). */
struct identity_entry {
    const char *name;
    enum identity_status status;
};

/*
 * Returns the index in ids[] of the verified identity that covers `address` (the most specific:
 * the address itself, else its domain, else the nearest parent domain), or -1 if none does.
 * `address` is "local@domain" as received (any case in the domain); an address without '@' or
 * with an empty side is never covered.
 */
long identity_covering(const struct identity_entry *ids, size_t n, const char *address);

#endif
