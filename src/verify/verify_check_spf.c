/* verify_check_spf: the SPF half of the MAIL FROM check, through rebound's evaluator (spf.h):
 * check_host(ip, <domain>, postmaster@<domain>) must be `pass` for every sending IP. */
#include <stdlib.h>
#include <string.h>

#include "spf.h"
#include "verify_check_int.h"
#include "xalloc.h"

/* The outcome of one IP's evaluation; true if the check goes on with the next IP. */
static bool verify_check_spf_judge(struct verify_check *c, const struct spf_outcome *o)
{
    const char *ip = c->ips[c->next_ip];
    if (o->result == SPF_RESULT_PASS)
        return true;
    char *why = NULL;
    enum verify_outcome outcome = VERIFY_OUTCOME_WRONG;
    if (o->result == SPF_RESULT_NONE)
        why = xasprintf("no SPF record at %s", c->name);
    else if (o->result == SPF_RESULT_TEMPERROR)
        outcome = VERIFY_OUTCOME_TEMP;
    if (why == NULL)
        why = xasprintf("the SPF record of %s gives %s for sending IP %s, not pass%s%s", c->name,
                        spf_result_name(o->result), ip, o->problem ? ": " : "",
                        o->problem ? o->problem : "");
    verify_check_finish(c, outcome, why);
    free(why);
    return false;
}

static void verify_check_spf_release(struct verify_check *c)
{
    spf_check_free(c->spf);
    c->spf = NULL;
    if (c->spf_query != NULL) {
        spf_query_clear(c->spf_query);
        free(c->spf_query);
        c->spf_query = NULL;
    }
}

void verify_check_spf_cancel(struct verify_check *c)
{
    verify_check_spf_release(c);
}

static void verify_check_spf_done(const struct spf_outcome *o, void *arg)
{
    struct verify_check *c = arg;
    struct spf_outcome copy;
    spf_outcome_copy(&copy, o); /* o belongs to the evaluation released below */
    verify_check_spf_release(c);
    bool go_on = verify_check_spf_judge(c, &copy);
    spf_outcome_clear(&copy);
    if (!go_on)
        return; /* finished: c may be gone */
    c->next_ip++;
    verify_check_spf_next(c);
}

void verify_check_spf_next(struct verify_check *c)
{
    while (c->next_ip < c->n_ips) {
        char *sender = xasprintf("postmaster@%s", c->name);
        struct spf_request req = {.client_ip = c->ips[c->next_ip], .sender = sender, .now = c->now};
        struct spf_query q;
        char *error = NULL;
        if (!spf_query_init(&q, &req, &error)) {
            char *why =
                xasprintf("cannot evaluate SPF for sending IP %s: %s", c->ips[c->next_ip], error);
            free(error);
            free(sender);
            verify_check_finish(c, VERIFY_OUTCOME_WRONG, why);
            free(why);
            return;
        }
        free(sender);
        struct spf_outcome now;
        memset(&now, 0, sizeof(now));
        c->spf_query = xmalloc(sizeof(q));
        memcpy(c->spf_query, &q, sizeof(q));
        c->spf = spf_check_start(c->resolver, c->spf_query, verify_check_spf_done, c, &now);
        if (c->spf != NULL)
            return; /* verify_check_spf_done continues */
        verify_check_spf_release(c);
        bool go_on = verify_check_spf_judge(c, &now);
        spf_outcome_clear(&now);
        if (!go_on)
            return;
        c->next_ip++;
    }
    verify_check_finish(c, VERIFY_OUTCOME_PASS, NULL);
}
