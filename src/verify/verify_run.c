/* verify_run: see verify_run.h. */
#include "verify_run.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "verify_check.h"
#include "verify_event.h"
#include "verify_state.h"
#include "verify_token.h"
#include "xalloc.h"

/* One pending check. Jobs live in the runner's list; a check's callback finds its job through
 * the pointer it was given, which stays valid until the job is unlinked (after the callback). */
struct verify_job {
    struct verify_runner *runner;
    struct verify_job *next;
    char *identity;
    char *domain; /* the MAIL FROM domain checked, or NULL */
    enum store_check_target target;
    struct verify_history history;
    struct verify_check *check;
    verify_report_fn *done;
    void *arg;
};

struct verify_runner {
    struct store *store;
    struct dns_resolver *resolver;
    const struct verify_settings *settings;
    const struct clock *clock;
    struct verify_job *jobs;
};

struct verify_runner *verify_runner_new(struct store *st, struct dns_resolver *resolver,
                                        const struct verify_settings *settings,
                                        const struct clock *clock)
{
    struct verify_runner *r = xcalloc(1, sizeof(*r));
    r->store = st;
    r->resolver = resolver;
    r->settings = settings;
    r->clock = clock;
    return r;
}

struct store *verify_runner_store(const struct verify_runner *r)
{
    return r->store;
}

static void verify_job_free(struct verify_job *j)
{
    verify_check_free(j->check);
    free(j->identity);
    free(j->domain);
    free(j);
}

void verify_runner_free(struct verify_runner *r)
{
    if (r == NULL)
        return;
    while (r->jobs != NULL) {
        struct verify_job *j = r->jobs;
        r->jobs = j->next;
        verify_job_free(j);
    }
    free(r);
}

bool verify_runner_is_pending(const struct verify_runner *r, const char *identity,
                              enum store_check_target target)
{
    for (const struct verify_job *j = r->jobs; j != NULL; j = j->next)
        if (j->target == target && strcmp(j->identity, identity) == 0)
            return true;
    return false;
}

size_t verify_runner_pending(const struct verify_runner *r)
{
    size_t n = 0;
    for (const struct verify_job *j = r->jobs; j != NULL; j = j->next)
        n++;
    return n;
}

static void verify_runner_unlink(struct verify_runner *r, struct verify_job *job)
{
    for (struct verify_job **p = &r->jobs; *p != NULL; p = &(*p)->next) {
        if (*p == job) {
            *p = job->next;
            return;
        }
    }
}

/* Records the check (and the transition, if any) and reports it. */
static void verify_job_record(struct verify_job *j, const struct verify_check_result *res)
{
    struct verify_runner *r = j->runner;
    int64_t now = clock_now_ms(r->clock);
    enum identity_status to =
        verify_next(&j->history, res->outcome, now, r->settings->fail_after_ms);
    bool changed = to != j->history.status;
    char *json = NULL;
    if (changed)
        json = verify_event_json(j->identity, j->target, j->domain, j->history.status, to,
                                 res->reason, now);
    struct store_check_record rec = {
        .target = j->target,
        .status = to,
        .succeeded = res->outcome == VERIFY_OUTCOME_PASS,
        .check_ms = now,
        .reason = res->reason,
        .event_type = changed ? (j->target == STORE_CHECK_MAIL_FROM ? VERIFY_EVENT_MAIL_FROM
                                                                    : VERIFY_EVENT_IDENTITY)
                              : NULL,
        .event_json = json,
    };
    char *error = NULL;
    enum store_status s = store_verification_record(r->store, j->identity, &rec, &error);
    LOG_INFO(j->identity, "verify target=%s outcome=%s from=%s to=%s store=%s reason=\"%s\"",
             j->target == STORE_CHECK_MAIL_FROM ? "mail-from" : "identity",
             verify_outcome_name(res->outcome), identity_status_name(j->history.status),
             identity_status_name(to), store_status_name(s), res->reason ? res->reason : "");
    struct verify_report rep = {j->identity, j->target, j->history.status, to, res->reason,
                                s,           error};
    j->done(&rep, j->arg);
    free(error);
    free(json);
}

static void verify_job_done(const struct verify_check_result *res, void *arg)
{
    struct verify_job *j = arg;
    verify_runner_unlink(j->runner, j);
    verify_job_record(j, res);
    verify_job_free(j);
}

/* The check to start for an identity, or false with *error_r. */
static bool verify_job_plan(struct verify_runner *r, struct verify_job *j,
                            const struct store_identity *id, char **error_r)
{
    const struct verify_settings *set = r->settings;
    if (j->target == STORE_CHECK_IDENTITY) {
        if (id->kind != IDENTITY_DOMAIN || id->token == NULL) {
            *error_r =
                xasprintf("%s is %s; it is verified by its one-time link, not by DNS", id->name,
                          id->kind == IDENTITY_DOMAIN ? "a domain without a token"
                                                      : "an email address identity");
            return false;
        }
        j->history = (struct verify_history){id->status, id->created_ms, id->last_success_ms};
        char *name = verify_token_record_name(set->record, id->name);
        j->check = verify_check_txt(r->resolver, name, id->token, verify_job_done, j);
        free(name);
        return true;
    }
    if (id->mail_from.domain == NULL) {
        *error_r = xasprintf("%s has no custom MAIL FROM domain", id->name);
        return false;
    }
    if (set->feedback_host == NULL || set->n_ips == 0) {
        *error_r = xasprintf("MAIL FROM checks need mail_from.feedback_host and "
                             "mail_from.sending_ips in the configuration");
        return false;
    }
    const struct store_mail_from *mf = &id->mail_from;
    j->history = (struct verify_history){mf->status, mf->set_ms, mf->last_success_ms};
    j->domain = xstrdup(mf->domain);
    struct verify_mail_from_params p = {mf->domain, set->feedback_host, set->ips, set->n_ips,
                                        clock_now(r->clock)};
    j->check = verify_check_mail_from(r->resolver, &p, verify_job_done, j);
    return true;
}

bool verify_runner_start(struct verify_runner *r, const char *identity,
                         enum store_check_target target, verify_report_fn *done, void *arg,
                         char **error_r)
{
    struct store_identity id;
    if (store_identity_get(r->store, identity, &id, error_r) != STORE_OK)
        return false;
    if (verify_runner_is_pending(r, id.name, target)) {
        *error_r = xasprintf("a check of %s is already running", id.name);
        store_identity_clear(&id);
        return false;
    }
    struct verify_job *j = xcalloc(1, sizeof(*j));
    j->runner = r;
    j->identity = xstrdup(id.name);
    j->target = target;
    j->done = done;
    j->arg = arg;
    bool ok = verify_job_plan(r, j, &id, error_r);
    store_identity_clear(&id);
    if (!ok) {
        verify_job_free(j);
        return false;
    }
    j->next = r->jobs;
    r->jobs = j;
    return true;
}
