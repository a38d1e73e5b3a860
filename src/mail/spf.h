/*
 * spf: check_host() of RFC 7208 over the asynchronous resolver of dns.h.
 *
 * An evaluation is a state machine: spf_check_start() issues the first DNS query and returns;
 * every answer advances the machine from inside the resolver's callback, which issues the next
 * query or finishes. One query is outstanding at a time. The done callback fires exactly once,
 * from a DNS callback (never from inside spf_check_start()), unless spf_check_cancel() comes
 * first. Limits of 4.6.4 are enforced as named constants below; the lookup count and the void
 * count are carried into include= and redirect= evaluation.
 *
 * Inputs are validated by spf_query_init() first (client IP, sender, HELO), so that the CLI and
 * the SMTP server can refuse malformed input before any evaluation.
 */
#ifndef REBOUND_MAIL_SPF_H
#define REBOUND_MAIL_SPF_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "dns.h"

/* RFC 7208 4.6.4 */
#define SPF_MAX_DNS_TERMS    10 /* include, a, mx, ptr, exists, redirect per check_host() */
#define SPF_MAX_VOID_LOOKUPS 2  /* lookups answered NXDOMAIN or NODATA */
#define SPF_MAX_MX_NAMES     10 /* more MX records than this: permerror */
#define SPF_MAX_PTR_NAMES    10 /* PTR names beyond this are not looked at */
/* Longest explanation kept (after expansion); longer texts are cut. */
#define SPF_MAX_EXPLANATION 1024

enum spf_result {
    SPF_RESULT_NONE,
    SPF_RESULT_NEUTRAL,
    SPF_RESULT_PASS,
    SPF_RESULT_FAIL,
    SPF_RESULT_SOFTFAIL,
    SPF_RESULT_TEMPERROR,
    SPF_RESULT_PERMERROR,
};

enum spf_identity {
    SPF_IDENTITY_MAILFROM,
    SPF_IDENTITY_HELO, /* MAIL FROM was empty: postmaster@<helo> is checked (2.4) */
};

struct spf_request {
    const char *client_ip; /* IPv4, IPv6 or IPv4-mapped IPv6 (checked as IPv4, 5 and 4.1) */
    const char *sender;    /* MAIL FROM address; NULL or "" = check the HELO identity */
    const char *helo;      /* HELO/EHLO name; may be NULL when sender is given */
    const char *receiver;  /* this host's name: %{r}, header comments; NULL = "unknown" */
    int64_t now;           /* %{t}, seconds since the epoch (injected clock) */
    /* Explanation used for fail when the record has no usable exp= (a macro-string);
     * NULL = SPF_DEFAULT_EXPLANATION. */
    const char *default_explanation;
};

#define SPF_DEFAULT_EXPLANATION "%{o} does not designate %{c} as permitted sender"

/* The validated inputs and the macro variables derived from them (owned by the struct). */
struct spf_query {
    enum spf_identity identity;
    bool is_ip6;
    union {
        struct in_addr v4;
        struct in6_addr v6;
    } ip;
    char *sender;      /* s: the checked sender (postmaster@helo for the HELO identity) */
    char *local;       /* l */
    char *domain;      /* o: the domain check_host() starts at */
    char *helo;        /* h ("" when none) */
    char *ip_dotted;   /* i */
    char *ip_readable; /* c */
    char *receiver;    /* r */
    char *timestamp;   /* t */
    char *default_explanation;
};

struct spf_outcome {
    enum spf_result result;
    char *explanation; /* fail only (else NULL): exp= text or the default explanation */
    char *mechanism;   /* the directive that matched at the top level, as written; NULL if
                          none matched (default result) or on errors */
    char *problem;     /* temperror/permerror: what went wrong; else NULL */
    char *domain;      /* the domain checked (o) */
};

/* Validates the request into q. On error returns false with *error_r (owned: free()). */
bool spf_query_init(struct spf_query *q, const struct spf_request *req, char **error_r);
void spf_query_clear(struct spf_query *q);

struct spf_check;
typedef void spf_done_fn(const struct spf_outcome *outcome, void *arg);

/* Starts check_host(<ip>, <domain>, <sender>) for q (q and resolver borrowed until done or
 * freed). The outcome passed to cb is borrowed for the callback; copy with spf_outcome_copy().
 * The returned handle is owned by the caller: spf_check_free() it after done (it may be freed
 * from inside cb), or earlier to cancel.
 * Returns NULL when no DNS is needed (4.3: the domain is malformed or not multi-label, so the
 * result is none): *outcome_r then holds the outcome (owned: spf_outcome_clear()) and cb never
 * fires. Otherwise *outcome_r is left untouched. */
struct spf_check *spf_check_start(struct dns_resolver *resolver, const struct spf_query *q,
                                  spf_done_fn *cb, void *arg, struct spf_outcome *outcome_r);
/* Cancels a pending evaluation (its callback will not fire) and frees it. Accepts NULL. */
void spf_check_free(struct spf_check *check);

void spf_outcome_copy(struct spf_outcome *dst, const struct spf_outcome *src);
void spf_outcome_clear(struct spf_outcome *outcome);

/* "pass", "fail", ... (RFC 8601 result keywords). */
const char *spf_result_name(enum spf_result result);
/* "Pass", "Fail", "SoftFail", "TempError", ... (Received-SPF spelling). */
const char *spf_result_title(enum spf_result result);

#endif
