/*
 * spf_eval: internals of the check_host() state machine, shared by its files and nobody else.
 *   spf_check.c   driver: DNS plumbing, frames (record, include, redirect), result, exp=
 *   spf_terms.c   one handler per mechanism
 *   spf_ptr.c     the validated-name search shared by "ptr" and %{p}
 *
 * The machine is stepped by spf_eval_run(): each step either changes state and asks for
 * another step, issues one DNS query (then the run stops until the answer's callback runs it
 * again), or finishes. Handlers that need an answer register an answer function; it runs in
 * the DNS callback and records what it learnt in the check.
 */
#ifndef REBOUND_MAIL_SPF_EVAL_H
#define REBOUND_MAIL_SPF_EVAL_H

#include "buf.h"
#include "spf.h"
#include "spf_macro.h"
#include "spf_record.h"

struct spf_check;
typedef void spf_answer_fn(struct spf_check *c, const struct dns_result *r);

/* One record under evaluation: the top domain, an include target, or a redirect target
 * (which replaces the frame that named it). */
struct spf_frame {
    char *domain;
    char *text; /* the selected record (owned); rec points into it */
    struct spf_record rec;
    bool fetched;
    bool via_redirect;
    size_t term; /* next directive */
};

/* What a mechanism handler tells the driver. */
enum spf_term_step {
    SPF_TERM_AGAIN, /* state changed (or a query is out): step again when possible */
    SPF_TERM_NEXT,  /* no match: go on with the next directive */
    SPF_TERM_MATCH, /* match: the qualifier is the result */
};

/* The validated-name search (5.5, 7.3 "p"). */
struct spf_ptr_search {
    int phase; /* 0 idle, 1 PTR query out, 2 address lookups, 3 done */
    bool for_macro;
    char *names[SPF_MAX_PTR_NAMES]; /* PTR targets (owned) */
    bool valid[SPF_MAX_PTR_NAMES];  /* target resolves back to the client */
    size_t n_names, next;
    char *want; /* ptr mechanism: the target domain (owned); NULL for %{p} */
    bool matched;
    char *chosen; /* for_macro: the validated name chosen for %{p} */
};

enum spf_stage {
    SPF_STAGE_FRAMES,
    SPF_STAGE_EXP,
};

struct spf_check {
    struct dns_resolver *resolver;
    const struct spf_query *q;
    spf_done_fn *cb;
    void *cb_arg;
    uint64_t query_id; /* outstanding query, 0 = none */
    spf_answer_fn *on_answer;
    bool finished;
    enum spf_stage stage;

    struct spf_frame *frames;
    size_t depth, cap;
    unsigned lookups; /* DNS-querying terms, across includes and redirects */
    unsigned voids;

    /* The directive being evaluated (innermost frame). */
    int phase;
    struct buf target; /* expanded domain-spec */
    char **names;      /* MX exchanges */
    size_t n_names, next;
    bool matched;

    struct spf_ptr_search ptr;
    bool p_running;
    char *p; /* %{p}, once known */

    struct spf_macro_vars vars;
    struct spf_outcome out;
};

/* --- spf_check.c ---------------------------------------------------------------------- */
/* Issues a query whose answer goes to fn; an impossible name is answered NXDOMAIN directly. */
void spf_eval_lookup(struct spf_check *c, const char *name, enum dns_rr_type type,
                     spf_answer_fn *fn);
/* Ends the evaluation with an error result; problem is a static or formatted sentence. */
void spf_eval_fail(struct spf_check *c, enum spf_result result, const char *problem);
/* NXDOMAIN/NODATA bookkeeping (4.6.4); returns false if the evaluation ended. */
bool spf_eval_count_void(struct spf_check *c);
/* Prepares c->target from spec (NULL = current domain): runs the %{p} search first if the
 * spec needs it, counts a DNS term if count is set. Returns false if the caller must step
 * again later (or the evaluation ended). */
bool spf_eval_target(struct spf_check *c, const char *spec, size_t len, bool count);
/* Pushes an include frame for c->target. */
void spf_eval_push(struct spf_check *c, const char *domain);
struct spf_frame *spf_eval_top(struct spf_check *c);

/* --- spf_terms.c ---------------------------------------------------------------------- */
enum spf_term_step spf_term_step(struct spf_check *c, const struct spf_term *t);
/* True if an address record matches the client under the CIDR lengths. */
bool spf_term_addr_match(const struct spf_query *q, const struct dns_rr *rr, unsigned cidr4,
                         unsigned cidr6);
/* Resets the per-directive state. */
void spf_term_reset(struct spf_check *c);

/* --- spf_ptr.c ------------------------------------------------------------------------ */
/* Starts the search: for the ptr mechanism (want = target domain) or for %{p} (want NULL). */
void spf_ptr_start(struct spf_check *c, const char *want);
/* Advances the search; returns true once it is done (c->ptr.matched / c->ptr.chosen). */
bool spf_ptr_step(struct spf_check *c);
void spf_ptr_reset(struct spf_ptr_search *s);

#endif
