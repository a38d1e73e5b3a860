/*
 * feedback_rcpt: the feedback MX's RCPT decision, i.e. which forward-paths this server accepts
 * mail for. Pure functions (no store, no I/O, the time passed in), so every rule is unit-tested.
 *
 * Accepted, and nothing else (ISSUE 7, no backscatter, not a relay):
 *   postmaster@D, abuse@D    D a served bounce domain; handed to the operator's address
 *   SRS0=HASH=TT=host=user@D D served, hash valid for one of the secrets, stamp not older than
 *                            the max age, the reversed user@host a plain address outside the
 *                            served domains, and (phase 2, feedback_rcpt_owner) covered by a
 *                            verified identity of the account owning D
 * Every refusal carries a sentence for the client; the engine sends it as 550 5.1.1.
 *
 * Syntax refused before anything else (the classic relay tricks): more or fewer than one '@'
 * (user@host@D), '%' (user%host@D), '!' (bang paths), quotes ("user@host"@D), brackets
 * (address literals), ':' and ',' (source routes), backslash, space, control and non-ASCII
 * bytes, empty labels and a trailing dot in the domain (D.), more than STORE_MAX_ADDRESS
 * octets. Domain names compare case-insensitively (RFC 5321 2.4); "postmaster" and "abuse"
 * too (RFC 5321 4.5.1).
 *
 * The default bounce domain (srs.domain) is shared by every account: its owner is the account
 * whose verified identity covers the reversed address. Any other served domain D is owned by
 * the account with a verified identity covering D itself (a MAIL FROM domain is a subdomain of
 * a verified domain, as in SES); the reversed address must be covered by that account.
 *
 * Ownership: struct feedback_rcpt_policy is borrowed (its strings live as long as it does);
 * a decision's strings are owned (feedback_rcpt_decision_clear).
 */
#ifndef REBOUND_FEEDBACK_RCPT_H
#define REBOUND_FEEDBACK_RCPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srs.h"
#include "store.h"

struct feedback_rcpt_policy {
    const struct srs *srs;      /* verifies and reverses; srs_domain() is the default domain */
    const char *const *domains; /* other served bounce domains, lower case, no trailing dot */
    size_t n_domains;
    bool has_operator; /* postmaster@/abuse@ are accepted only with an operator address */
};

enum feedback_rcpt_kind {
    FEEDBACK_RCPT_REFUSE,      /* 550 5.1.1 with `reason` */
    FEEDBACK_RCPT_OPERATOR,    /* postmaster@ or abuse@ a served domain */
    FEEDBACK_RCPT_RETURN_PATH, /* a valid SRS0 return path; phase 2 finds the owner */
};

struct feedback_rcpt_decision {
    enum feedback_rcpt_kind kind;
    const char *reason; /* REFUSE: a sentence for the client (static) */
    const char *why;    /* REFUSE: a short name for logs ("relay-syntax", "bad-hash", ...) */
    char *domain;       /* the served bounce domain, lower case (owned), or NULL */
    bool shared;        /* the domain is the default bounce domain */
    char *reversed;     /* RETURN_PATH: the original envelope-from (owned) */
    /* After feedback_rcpt_owner() accepted: */
    int64_t account_id;
    char *identity; /* the covering verified identity (owned) */
};

/* Phase 1: everything that needs no store. `now` is unix seconds (for the SRS stamp). */
void feedback_rcpt_check(const struct feedback_rcpt_policy *policy, const char *address,
                         int64_t now, struct feedback_rcpt_decision *d);
/* Phase 2 for RETURN_PATH: given every identity of every account, finds the owner. Returns
 * true and fills account_id/identity, or false after turning d into a REFUSE. */
bool feedback_rcpt_owner(const struct store_identity_list *ids, struct feedback_rcpt_decision *d);
void feedback_rcpt_decision_clear(struct feedback_rcpt_decision *d);

/* True when domain (any case, no trailing dot) is a served bounce domain. */
bool feedback_rcpt_serves(const struct feedback_rcpt_policy *policy, const char *domain);

#endif
