/* verify_check_int: the check struct shared by verify_check.c (TXT, MX) and
 * verify_check_spf.c (the SPF step). Nothing outside src/verify sees it. */
#ifndef REBOUND_VERIFY_CHECK_INT_H
#define REBOUND_VERIFY_CHECK_INT_H

#include <stdbool.h>

#include "verify_check.h"

struct spf_check;
struct spf_query;

struct verify_check {
    struct dns_resolver *resolver;
    uint64_t query_id; /* pending DNS query, or 0 */
    char *name;        /* TXT: the record name; MAIL FROM: the domain */
    char *token;       /* TXT only */
    char *feedback_host;
    char **ips;
    size_t n_ips;
    size_t next_ip; /* SPF: the IP being checked */
    int64_t now;
    struct spf_check *spf;       /* pending SPF evaluation, or NULL */
    struct spf_query *spf_query; /* its validated inputs (owned), or NULL */
    verify_done_fn *done;
    void *arg;
};

/* Reports the result (reason formatted, may be NULL) to the caller. The check must not be
 * touched afterwards: done may free it. */
void verify_check_finish(struct verify_check *c, enum verify_outcome outcome, const char *reason);
/* Starts (or continues with) the SPF step for c->ips[c->next_ip..]; called from a DNS callback
 * once the MX record is right. Finishes the check when every IP passed or one did not. */
void verify_check_spf_next(struct verify_check *c);
/* Cancels a pending SPF evaluation (verify_check_free). */
void verify_check_spf_cancel(struct verify_check *c);

#endif
