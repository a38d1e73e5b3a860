/*
 * mailfrom: custom MAIL FROM domains, the pure parts: the syntax rules a domain must meet, the
 * DNS records a tenant publishes, and the return-path decision the submission path makes from
 * the identity's current state. No store, no DNS.
 *
 * Rules checked here (the store checks the ones that need data: not another account's identity,
 * not another identity's MAIL FROM domain, see store_mail_from_set):
 *   - a valid DNS name (identity.h domain syntax: labels of letters, digits, '-', <= 253);
 *   - a proper subdomain of the identity's domain (not the identity itself).
 */
#ifndef REBOUND_VERIFY_MAILFROM_H
#define REBOUND_VERIFY_MAILFROM_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

/* What a refused submission hears (SES's texts). */
#define MAILFROM_SMTP_REJECT "554 5.7.1 Message rejected: Custom MAIL FROM domain is not verified"
#define MAILFROM_API_ERROR   "MailFromDomainNotVerifiedException"
#define MAILFROM_API_MESSAGE "Custom MAIL FROM domain is not verified"
/* TTL written in the published records. */
#define MAILFROM_RECORD_TTL 3600
/* Preference of the MX record rebound asks for. */
#define MAILFROM_MX_PREFERENCE 10

/* Checks `domain` as the MAIL FROM domain of domain identity `identity` (both as typed). On
 * success returns the normalized (lower-case) domain (owned); on refusal NULL with *error_r
 * (owned) naming the rule that failed. */
char *mailfrom_validate(const char *identity, const char *domain, char **error_r);

/* What rebound's SPF record must contain: an include domain, or the sending IPs. */
struct mailfrom_spf_policy {
    const char *include; /* "spf.rebound.example" or NULL */
    char **ips;          /* sending IPs (IPv4 or IPv6 text) used when include is NULL */
    size_t n_ips;
};

/* "v=spf1 include:X ~all" or "v=spf1 ip4:A ip6:B ~all"; owned. */
char *mailfrom_spf_text(const struct mailfrom_spf_policy *policy);
/* The two zone-file lines for the MAIL FROM domain, each ending in '\n'; owned:
 *   bounce.example.com. 3600 IN MX 10 feedback.rebound.example.
 *   bounce.example.com. 3600 IN TXT "v=spf1 ... ~all"                                  */
char *mailfrom_zone_lines(const char *domain, const char *feedback_host,
                          const struct mailfrom_spf_policy *policy);

enum mailfrom_choice {
    MAILFROM_USE_CUSTOM,  /* the MAIL FROM domain is verified: the return path goes there */
    MAILFROM_USE_DEFAULT, /* none set, or not verified and USE_DEFAULT_VALUE */
    MAILFROM_REJECT,      /* not verified and REJECT_MESSAGE: refuse the submission */
};

struct mailfrom_decision {
    enum mailfrom_choice choice;
    const char *domain;      /* the return-path domain (borrowed from the inputs); NULL when
                                rejected */
    const char *smtp_reply;  /* MAILFROM_SMTP_REJECT when rejected, else NULL */
    const char *api_error;   /* MAILFROM_API_ERROR when rejected, else NULL */
    const char *api_message; /* MAILFROM_API_MESSAGE when rejected, else NULL */
};

/* The return-path domain for a message covered by an identity whose MAIL FROM state is mf
 * (mf->domain NULL: none set) given rebound's default bounce domain. Pure; never fails. */
void mailfrom_return_domain(const struct store_mail_from *mf, const char *default_domain,
                            struct mailfrom_decision *decision_r);

#endif
