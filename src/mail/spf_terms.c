/*
 * spf_terms: one handler per mechanism (RFC 7208 section 5). Each is re-entered after every
 * answer with c->phase telling where it stands: 0 = start, 1 = query out, 2 = answered.
 */
#include <stdlib.h>
#include <string.h>

#include "spf_eval.h"
#include "xalloc.h"

static bool spf_prefix_match(const unsigned char *a, const unsigned char *b, unsigned bits)
{
    unsigned bytes = bits / 8, rest = bits % 8;
    if (memcmp(a, b, bytes) != 0)
        return false;
    if (rest == 0)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (a[bytes] & mask) == (b[bytes] & mask);
}

bool spf_term_addr_match(const struct spf_query *q, const struct dns_rr *rr, unsigned cidr4,
                         unsigned cidr6)
{
    if (!q->is_ip6 && rr->type == DNS_TYPE_A)
        return spf_prefix_match((const unsigned char *)&q->ip.v4, (const unsigned char *)&rr->u.a,
                                cidr4);
    if (q->is_ip6 && rr->type == DNS_TYPE_AAAA)
        return spf_prefix_match(q->ip.v6.s6_addr, rr->u.aaaa.s6_addr, cidr6);
    return false;
}

void spf_term_reset(struct spf_check *c)
{
    c->phase = 0;
    for (size_t i = 0; i < c->n_names; i++)
        free(c->names[i]);
    free(c->names);
    c->names = NULL;
    c->n_names = c->next = 0;
    c->matched = false;
}

static const struct spf_term *spf_current_term(struct spf_check *c)
{
    struct spf_frame *f = spf_eval_top(c);
    return &f->rec.terms[f->term];
}

static enum dns_rr_type spf_addr_type(const struct spf_check *c)
{
    return c->q->is_ip6 ? DNS_TYPE_AAAA : DNS_TYPE_A;
}

/* Common answer handling: errors end the check (temperror), NXDOMAIN/NODATA count as void.
 * Returns true if r holds records. */
static bool spf_answer_usable(struct spf_check *c, const struct dns_result *r)
{
    c->phase = 2;
    if (r->status == DNS_TEMPFAIL || r->status == DNS_PERMFAIL) {
        spf_eval_fail(c, SPF_RESULT_TEMPERROR, r->error ? r->error : "DNS error");
        return false;
    }
    if (r->status != DNS_OK) {
        spf_eval_count_void(c);
        return false;
    }
    return true;
}

static void spf_on_addr(struct spf_check *c, const struct dns_result *r)
{
    if (!spf_answer_usable(c, r))
        return;
    const struct spf_term *t = spf_current_term(c);
    for (size_t i = 0; i < r->n_rrs && !c->matched; i++)
        c->matched = spf_term_addr_match(c->q, &r->rrs[i], t->cidr4, t->cidr6);
}

static void spf_on_exists(struct spf_check *c, const struct dns_result *r)
{
    if (spf_answer_usable(c, r))
        c->matched = r->n_rrs > 0;
}

/* 5.3 "a" and 5.7 "exists": one lookup on the target. */
static enum spf_term_step spf_term_lookup(struct spf_check *c, const struct spf_term *t,
                                          enum dns_rr_type type, spf_answer_fn *fn)
{
    if (c->phase == 2)
        return c->matched ? SPF_TERM_MATCH : SPF_TERM_NEXT;
    if (!spf_eval_target(c, t->spec, t->spec_len, true))
        return SPF_TERM_AGAIN;
    c->phase = 1;
    spf_eval_lookup(c, buf_cstr(&c->target), type, fn);
    return SPF_TERM_AGAIN;
}

static int spf_mx_cmp(const void *a, const void *b)
{
    const struct dns_rr *x = *(const struct dns_rr *const *)a;
    const struct dns_rr *y = *(const struct dns_rr *const *)b;
    if (x->u.mx.preference != y->u.mx.preference)
        return x->u.mx.preference < y->u.mx.preference ? -1 : 1;
    return x < y ? -1 : x > y;
}

static void spf_on_mx(struct spf_check *c, const struct dns_result *r)
{
    if (!spf_answer_usable(c, r))
        return;
    if (r->n_rrs > SPF_MAX_MX_NAMES) {
        spf_eval_fail(c, SPF_RESULT_PERMERROR, "more than 10 MX records (RFC 7208 4.6.4)");
        return;
    }
    const struct dns_rr *sorted[SPF_MAX_MX_NAMES];
    for (size_t i = 0; i < r->n_rrs; i++)
        sorted[i] = &r->rrs[i];
    qsort(sorted, r->n_rrs, sizeof(sorted[0]), spf_mx_cmp); // NOLINT(bugprone-sizeof-expression)
    c->names = xcalloc(r->n_rrs ? r->n_rrs : 1, sizeof(char *));
    for (size_t i = 0; i < r->n_rrs; i++) {
        const char *x = sorted[i]->u.mx.exchange ? sorted[i]->u.mx.exchange : "";
        c->names[c->n_names++] = xstrdup(x);
    }
    c->phase = 3;
}

/* An exchange's address lookup: errors end the check as for the MX lookup itself, but an
 * exchange without addresses is not a void lookup: 4.6.4 limits void *terms* (an "mx" term
 * whose MX hosts have A records only must not fail for an IPv6 client). */
static void spf_on_mx_addr(struct spf_check *c, const struct dns_result *r)
{
    c->phase = 3;
    if (r->status == DNS_TEMPFAIL || r->status == DNS_PERMFAIL) {
        spf_eval_fail(c, SPF_RESULT_TEMPERROR, r->error ? r->error : "DNS error");
        return;
    }
    const struct spf_term *t = spf_current_term(c);
    for (size_t i = 0; r->status == DNS_OK && i < r->n_rrs && !c->matched; i++)
        c->matched = spf_term_addr_match(c->q, &r->rrs[i], t->cidr4, t->cidr6);
}

/* 5.4 "mx": the MX names in preference order, then each one's addresses. */
static enum spf_term_step spf_term_mx(struct spf_check *c, const struct spf_term *t)
{
    if (c->phase == 2)
        return SPF_TERM_NEXT; /* the MX lookup was void */
    if (c->phase == 3) {
        while (c->next < c->n_names && !c->matched) {
            const char *name = c->names[c->next++];
            if (name[0] == '\0' || strcmp(name, ".") == 0)
                continue; /* null MX (RFC 7505): no address */
            spf_eval_lookup(c, name, spf_addr_type(c), spf_on_mx_addr);
            return SPF_TERM_AGAIN;
        }
        return c->matched ? SPF_TERM_MATCH : SPF_TERM_NEXT;
    }
    if (!spf_eval_target(c, t->spec, t->spec_len, true))
        return SPF_TERM_AGAIN;
    c->phase = 1;
    spf_eval_lookup(c, buf_cstr(&c->target), DNS_TYPE_MX, spf_on_mx);
    return SPF_TERM_AGAIN;
}

/* 5.5 "ptr" (do not use): a validated name equal to or under the target. */
static enum spf_term_step spf_term_ptr(struct spf_check *c, const struct spf_term *t)
{
    if (c->phase == 1) {
        if (!spf_ptr_step(c))
            return SPF_TERM_AGAIN;
        bool matched = c->ptr.matched;
        spf_ptr_reset(&c->ptr);
        return matched ? SPF_TERM_MATCH : SPF_TERM_NEXT;
    }
    if (!spf_eval_target(c, t->spec, t->spec_len, true))
        return SPF_TERM_AGAIN;
    c->phase = 1;
    spf_ptr_start(c, buf_cstr(&c->target));
    return SPF_TERM_AGAIN;
}

/* 5.2 "include": evaluate the target's record in a new frame; spf_check.c maps its result. */
static enum spf_term_step spf_term_include(struct spf_check *c, const struct spf_term *t)
{
    if (!spf_eval_target(c, t->spec, t->spec_len, true))
        return SPF_TERM_AGAIN;
    char *domain = xstrdup(buf_cstr(&c->target));
    spf_eval_push(c, domain);
    free(domain);
    return SPF_TERM_AGAIN;
}

static enum spf_term_step spf_term_ip(struct spf_check *c, const struct spf_term *t)
{
    const struct spf_query *q = c->q;
    bool match;
    if (t->mech == SPF_MECH_IP4)
        match = !q->is_ip6 && spf_prefix_match((const unsigned char *)&q->ip.v4,
                                               (const unsigned char *)&t->net.ip4, t->cidr4);
    else
        match = q->is_ip6 && spf_prefix_match(q->ip.v6.s6_addr, t->net.ip6.s6_addr, t->cidr6);
    return match ? SPF_TERM_MATCH : SPF_TERM_NEXT;
}

enum spf_term_step spf_term_step(struct spf_check *c, const struct spf_term *t)
{
    switch (t->mech) {
    case SPF_MECH_ALL:
        return SPF_TERM_MATCH;
    case SPF_MECH_IP4:
    case SPF_MECH_IP6:
        return spf_term_ip(c, t);
    case SPF_MECH_A:
        return spf_term_lookup(c, t, spf_addr_type(c), spf_on_addr);
    case SPF_MECH_EXISTS:
        return spf_term_lookup(c, t, DNS_TYPE_A, spf_on_exists);
    case SPF_MECH_MX:
        return spf_term_mx(c, t);
    case SPF_MECH_PTR:
        return spf_term_ptr(c, t);
    case SPF_MECH_INCLUDE:
        return spf_term_include(c, t);
    }
    return SPF_TERM_NEXT;
}
