/*
 * spf_check: the check_host() driver (RFC 7208 sections 4 to 6). It owns the frames (one per
 * record being evaluated), fetches and selects records (4.4, 4.5), walks directives through
 * spf_terms.c, follows include (5.2) and redirect= (6.1), and fetches exp= on fail (6.2).
 *
 * Why one query at a time: answers then arrive in a known order, which keeps the void and
 * lookup counts of 4.6.4 exact, and the machine small; SPF records rarely allow parallelism
 * that matters next to the TTL cache in front of the resolver.
 */
#include <stdlib.h>
#include <string.h>

#include "spf_eval.h"
#include "str.h"
#include "xalloc.h"

struct spf_frame *spf_eval_top(struct spf_check *c)
{
    return &c->frames[c->depth - 1];
}

static void spf_frame_clear(struct spf_frame *f)
{
    spf_record_clear(&f->rec);
    free(f->text);
    free(f->domain);
    memset(f, 0, sizeof(*f));
}

void spf_eval_fail(struct spf_check *c, enum spf_result result, const char *problem)
{
    if (c->finished)
        return;
    c->finished = true;
    c->out.result = result;
    free(c->out.problem);
    c->out.problem = xstrdup(problem);
    free(c->out.mechanism);
    c->out.mechanism = NULL;
}

bool spf_eval_count_void(struct spf_check *c)
{
    if (++c->voids > SPF_MAX_VOID_LOOKUPS) {
        spf_eval_fail(c, SPF_RESULT_PERMERROR, "more than 2 void DNS lookups (RFC 7208 4.6.4)");
        return false;
    }
    return true;
}

/* RFC 1035 limits: labels 1..63 octets (one trailing dot allowed), at most 253 in all. */
static bool spf_name_is_queryable(const char *name)
{
    size_t len = strlen(name), label = 0;
    if (len > 0 && name[len - 1] == '.')
        len--;
    if (len == 0 || len > DNS_MAX_NAME_LEN)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (name[i] != '.') {
            if (++label > 63)
                return false;
            continue;
        }
        if (label == 0)
            return false;
        label = 0;
    }
    return label > 0;
}

static void spf_eval_on_dns(const struct dns_result *r, void *arg);
static void spf_eval_run(struct spf_check *c);

void spf_eval_lookup(struct spf_check *c, const char *name, enum dns_rr_type type,
                     spf_answer_fn *fn)
{
    c->on_answer = fn;
    if (!spf_name_is_queryable(name)) {
        struct dns_result nx = {.status = DNS_NXDOMAIN};
        fn(c, &nx);
        return;
    }
    c->query_id = dns_query(c->resolver, name, type, spf_eval_on_dns, c);
}

bool spf_eval_target(struct spf_check *c, const char *spec, size_t len, bool count)
{
    if (spec != NULL && c->p == NULL && spf_macro_uses_p(spec, len)) {
        spf_ptr_start(c, NULL);
        c->p_running = true;
        return false;
    }
    if (count && ++c->lookups > SPF_MAX_DNS_TERMS) {
        spf_eval_fail(c, SPF_RESULT_PERMERROR, "more than 10 DNS-querying terms (RFC 7208 4.6.4)");
        return false;
    }
    buf_reset(&c->target);
    if (spec == NULL) {
        buf_append_str(&c->target, c->vars.d);
        return true;
    }
    const char *error = NULL;
    c->vars.p = c->p;
    if (!spf_macro_expand(spec, len, SPF_MACRO_DOMAIN, &c->vars, &c->target, &error)) {
        spf_eval_fail(c, SPF_RESULT_PERMERROR, error);
        return false;
    }
    return true;
}

static void spf_eval_set_domain(struct spf_check *c)
{
    c->vars.d = spf_eval_top(c)->domain;
}

void spf_eval_push(struct spf_check *c, const char *domain)
{
    if (c->depth == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 4;
        c->frames = xreallocarray(c->frames, c->cap, sizeof(*c->frames));
    }
    struct spf_frame *f = &c->frames[c->depth++];
    memset(f, 0, sizeof(*f));
    f->domain = xstrdup(domain);
    spf_eval_set_domain(c);
}

/* --- record fetch and selection (4.4, 4.5) -------------------------------------------- */

/* A frame found no record: none at the top, permerror for include and redirect (5.2, 6.1). */
static void spf_frame_none(struct spf_check *c);

static char *spf_join_txt(const struct dns_txt *txt, size_t *len_r)
{
    size_t len = 0;
    for (size_t i = 0; i < txt->n_strings; i++)
        len += txt->lengths[i];
    char *s = xmalloc(len + 1), *p = s;
    for (size_t i = 0; i < txt->n_strings; i++) {
        memcpy(p, txt->strings[i], txt->lengths[i]);
        p += txt->lengths[i];
    }
    *p = '\0';
    *len_r = len;
    return s;
}

static bool spf_is_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)s[i] > 0x7e)
            return false;
    }
    return true;
}

/* Finds the single "v=spf1" record among the TXT answers; returns false if it ended. */
static bool spf_select_record(struct spf_check *c, const struct dns_result *r,
                              const struct dns_txt **found_r)
{
    *found_r = NULL;
    for (size_t i = 0; i < r->n_rrs; i++) {
        const struct dns_txt *txt = &r->rrs[i].u.txt;
        if (txt->n_strings == 0)
            continue;
        char head[8];
        size_t n = 0;
        for (size_t s = 0; s < txt->n_strings && n < 7; s++) {
            size_t take = txt->lengths[s] < 7 - n ? txt->lengths[s] : 7 - n;
            memcpy(head + n, txt->strings[s], take);
            n += take;
        }
        if (!spf_record_is_spf(head, n))
            continue;
        if (*found_r != NULL) {
            spf_eval_fail(c, SPF_RESULT_PERMERROR, "more than one SPF record (RFC 7208 4.5)");
            return false;
        }
        *found_r = txt;
    }
    return true;
}

static void spf_on_record(struct spf_check *c, const struct dns_result *r)
{
    struct spf_frame *f = spf_eval_top(c);
    if (r->status == DNS_TEMPFAIL || r->status == DNS_PERMFAIL) {
        spf_eval_fail(c, SPF_RESULT_TEMPERROR, r->error ? r->error : "DNS error");
        return;
    }
    if (r->status != DNS_OK) {
        if (spf_eval_count_void(c))
            spf_frame_none(c);
        return;
    }
    const struct dns_txt *txt;
    if (!spf_select_record(c, r, &txt))
        return;
    if (txt == NULL) {
        spf_frame_none(c);
        return;
    }
    size_t len;
    f->text = spf_join_txt(txt, &len);
    if (!spf_is_ascii(f->text, len)) {
        spf_eval_fail(c, SPF_RESULT_PERMERROR, "non-ASCII characters in the SPF record");
        return;
    }
    struct spf_parse_error error;
    if (!spf_record_parse(f->text, len, &f->rec, &error)) {
        char *problem = error.term
                            ? xasprintf("%s: %.*s", error.reason, (int)error.term_len, error.term)
                            : xstrdup(error.reason);
        spf_eval_fail(c, SPF_RESULT_PERMERROR, problem);
        free(problem);
        return;
    }
    f->fetched = true;
    f->term = 0;
}

/* --- frame results ------------------------------------------------------------------ */

static void spf_final(struct spf_check *c, enum spf_result result, const struct spf_term *t)
{
    c->out.result = result;
    c->out.mechanism = t ? xstrndup(t->text, t->text_len) : NULL;
    if (result == SPF_RESULT_FAIL) {
        c->stage = SPF_STAGE_EXP;
        c->phase = 0;
    } else {
        c->finished = true;
    }
}

static enum spf_result spf_qualifier_result(enum spf_qualifier q)
{
    switch (q) {
    case SPF_QUAL_PASS:
        return SPF_RESULT_PASS;
    case SPF_QUAL_FAIL:
        return SPF_RESULT_FAIL;
    case SPF_QUAL_SOFTFAIL:
        return SPF_RESULT_SOFTFAIL;
    case SPF_QUAL_NEUTRAL:
        return SPF_RESULT_NEUTRAL;
    }
    return SPF_RESULT_NEUTRAL;
}

/* The innermost frame ended with result (pass/fail/softfail/neutral/none). */
static void spf_frame_done(struct spf_check *c, enum spf_result result, const struct spf_term *t)
{
    if (c->depth == 1) {
        spf_final(c, result, t);
        return;
    }
    spf_frame_clear(&c->frames[--c->depth]);
    spf_eval_set_domain(c);
    spf_term_reset(c);
    struct spf_frame *parent = spf_eval_top(c);
    const struct spf_term *include = &parent->rec.terms[parent->term];
    switch (result) {
    case SPF_RESULT_PASS:
        spf_frame_done(c, spf_qualifier_result(include->qualifier), include);
        break;
    case SPF_RESULT_FAIL:
    case SPF_RESULT_SOFTFAIL:
    case SPF_RESULT_NEUTRAL:
        parent->term++;
        break;
    default:
        spf_eval_fail(c, SPF_RESULT_PERMERROR, "include target has no SPF record (RFC 7208 5.2)");
        break;
    }
}

static void spf_frame_none(struct spf_check *c)
{
    struct spf_frame *f = spf_eval_top(c);
    if (f->via_redirect)
        spf_eval_fail(c, SPF_RESULT_PERMERROR, "redirect target has no SPF record (RFC 7208 6.1)");
    else
        spf_frame_done(c, SPF_RESULT_NONE, NULL);
}

/* No directive matched: follow redirect= (6.1) or return neutral (4.7). */
static void spf_frame_end(struct spf_check *c, struct spf_frame *f)
{
    if (f->rec.redirect == NULL) {
        spf_frame_done(c, SPF_RESULT_NEUTRAL, NULL);
        return;
    }
    if (!spf_eval_target(c, f->rec.redirect, f->rec.redirect_len, true))
        return;
    spf_record_clear(&f->rec);
    free(f->text);
    f->text = NULL;
    free(f->domain);
    f->domain = xstrdup(buf_cstr(&c->target));
    spf_eval_set_domain(c);
    f->fetched = false;
    f->via_redirect = true;
}

static void spf_frame_step(struct spf_check *c)
{
    struct spf_frame *f = spf_eval_top(c);
    if (!f->fetched) {
        spf_eval_lookup(c, f->domain, DNS_TYPE_TXT, spf_on_record);
        return;
    }
    if (f->term >= f->rec.n_terms) {
        spf_frame_end(c, f);
        return;
    }
    const struct spf_term *t = &f->rec.terms[f->term];
    switch (spf_term_step(c, t)) {
    case SPF_TERM_AGAIN:
        break;
    case SPF_TERM_NEXT:
        spf_term_reset(c);
        f->term++;
        break;
    case SPF_TERM_MATCH:
        spf_term_reset(c);
        spf_frame_done(c, spf_qualifier_result(t->qualifier), t);
        break;
    }
}

/* --- exp= (6.2) ------------------------------------------------------------------------ */

static void spf_exp_finish(struct spf_check *c, const char *text, size_t len)
{
    struct buf out = BUF_INIT;
    const char *error;
    c->vars.p = c->p;
    if (text == NULL ||
        !spf_macro_expand(text, len, SPF_MACRO_EXPLANATION, &c->vars, &out, &error)) {
        buf_reset(&out);
        const char *dflt = c->q->default_explanation;
        if (!spf_macro_expand(dflt, strlen(dflt), SPF_MACRO_EXPLANATION, &c->vars, &out, &error)) {
            buf_reset(&out);
            buf_append_str(&out, dflt);
        }
    }
    if (out.len > SPF_MAX_EXPLANATION)
        out.data[out.len = SPF_MAX_EXPLANATION] = '\0';
    free(c->out.explanation);
    c->out.explanation = xstrdup(buf_cstr(&out));
    buf_free(&out);
    c->finished = true;
}

static void spf_on_exp(struct spf_check *c, const struct dns_result *r)
{
    /* Any DNS error, no record, several records or bad text: the default (6.2). */
    if (r->status != DNS_OK || r->n_rrs != 1) {
        spf_exp_finish(c, NULL, 0);
        return;
    }
    size_t len;
    char *text = spf_join_txt(&r->rrs[0].u.txt, &len);
    bool ok = spf_is_ascii(text, len) && strlen(text) == len;
    for (size_t i = 0; ok && i < len; i++)
        ok = (unsigned char)text[i] >= 0x20;
    if (!ok) {
        free(text);
        spf_exp_finish(c, NULL, 0);
        return;
    }
    buf_reset(&c->target);
    buf_append(&c->target, text, len);
    free(text);
    c->phase = 2;
}

static void spf_exp_step(struct spf_check *c)
{
    struct spf_frame *f = spf_eval_top(c);
    if (c->phase == 0) {
        if (f->rec.exp == NULL) {
            spf_exp_finish(c, NULL, 0);
            return;
        }
        if (!spf_eval_target(c, f->rec.exp, f->rec.exp_len, false))
            return;
        c->phase = 1;
        spf_eval_lookup(c, buf_cstr(&c->target), DNS_TYPE_TXT, spf_on_exp);
        return;
    }
    /* phase 2: the explanation text is in c->target */
    if (c->p == NULL && spf_macro_uses_p(c->target.data, c->target.len)) {
        spf_ptr_start(c, NULL);
        c->p_running = true;
        return;
    }
    char *text = buf_steal(&c->target);
    spf_exp_finish(c, text, strlen(text));
    free(text);
}

/* --- driver ---------------------------------------------------------------------------- */

static void spf_eval_step(struct spf_check *c)
{
    if (c->p_running) {
        if (spf_ptr_step(c)) {
            c->p_running = false;
            c->p = c->ptr.chosen;
            c->ptr.chosen = NULL;
            spf_ptr_reset(&c->ptr);
        }
        return;
    }
    if (c->stage == SPF_STAGE_EXP)
        spf_exp_step(c);
    else
        spf_frame_step(c);
}

static void spf_eval_run(struct spf_check *c)
{
    while (c->query_id == 0 && !c->finished)
        spf_eval_step(c);
    if (c->finished && c->query_id == 0) {
        c->query_id = UINT64_MAX;  /* nothing may run it again */
        c->cb(&c->out, c->cb_arg); /* may free c */
    }
}

static void spf_eval_on_dns(const struct dns_result *r, void *arg)
{
    struct spf_check *c = arg;
    c->query_id = 0;
    c->on_answer(c, r);
    spf_eval_run(c);
}

/* 4.3: a malformed or single-label domain gives none without a query. An address literal
 * ("[192.0.2.1]", a HELO form RFC 5321 allows) is not a domain name at all. */
static bool spf_domain_is_checkable(const char *domain)
{
    return spf_name_is_queryable(domain) && strchr(domain, '.') != NULL &&
           domain[strlen(domain) - 1] != '.' && domain[0] != '[';
}

struct spf_check *spf_check_start(struct dns_resolver *resolver, const struct spf_query *q,
                                  spf_done_fn *cb, void *arg, struct spf_outcome *outcome_r)
{
    if (!spf_domain_is_checkable(q->domain)) {
        memset(outcome_r, 0, sizeof(*outcome_r));
        outcome_r->result = SPF_RESULT_NONE;
        outcome_r->domain = xstrdup(q->domain);
        return NULL;
    }
    struct spf_check *c = xcalloc(1, sizeof(*c));
    c->resolver = resolver;
    c->q = q;
    c->cb = cb;
    c->cb_arg = arg;
    c->vars = (struct spf_macro_vars){.s = q->sender,
                                      .l = q->local,
                                      .o = q->domain,
                                      .i = q->ip_dotted,
                                      .v = q->is_ip6 ? "ip6" : "in-addr",
                                      .h = q->helo,
                                      .c = q->ip_readable,
                                      .r = q->receiver,
                                      .t = q->timestamp};
    c->out.domain = xstrdup(q->domain);
    spf_eval_push(c, q->domain);
    spf_eval_run(c);
    return c;
}

void spf_check_free(struct spf_check *c)
{
    if (c == NULL)
        return;
    if (c->query_id != 0 && c->query_id != UINT64_MAX)
        dns_cancel(c->resolver, c->query_id);
    for (size_t i = 0; i < c->depth; i++)
        spf_frame_clear(&c->frames[i]);
    free(c->frames);
    spf_term_reset(c);
    spf_ptr_reset(&c->ptr);
    buf_free(&c->target);
    free(c->p);
    spf_outcome_clear(&c->out);
    free(c);
}
