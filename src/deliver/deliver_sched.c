/*
 * deliver_sched: claiming, dispatching and recording on the event loop. A job moves through
 * three lists: WAITING (claimed, its domain's or the global window is full), RUNNING (handed to
 * deliver), RECORDING (outcome sent to the store writer). One claim is outstanding at a time;
 * a claim is made whenever fewer jobs wait than the global window holds, so deliver always has
 * work queued behind the running jobs without the scheduler leasing the whole queue.
 */
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deliver_group.h"
#include "deliver_sched_impl.h"
#include "log.h"
#include "xalloc.h"

static void deliver_sched_list_push(struct deliver_sched *s, struct deliver_sched_job *job,
                                    enum deliver_sched_job_state state)
{
    struct deliver_sched_list *l = &s->lists[state];
    job->state = state;
    job->next = NULL;
    job->prev = l->tail;
    if (l->tail)
        l->tail->next = job;
    else
        l->head = job;
    l->tail = job;
    l->n++;
}

static void deliver_sched_list_remove(struct deliver_sched *s, struct deliver_sched_job *job)
{
    struct deliver_sched_list *l = &s->lists[job->state];
    if (job->prev)
        job->prev->next = job->next;
    else
        l->head = job->next;
    if (job->next)
        job->next->prev = job->prev;
    else
        l->tail = job->prev;
    l->n--;
    job->prev = job->next = NULL;
}

static void deliver_sched_job_free(struct deliver_sched_job *job)
{
    if (--job->m->refs == 0) {
        store_message_free(job->m->msg);
        free(job->m);
    }
    free(job->domain);
    free(job->idx);
    free(job);
}

static size_t deliver_sched_in_flight(const struct deliver_sched *s)
{
    return s->lists[0].n + s->lists[1].n + s->lists[2].n;
}

static void deliver_sched_arm(struct deliver_sched *s, int64_t delay_ms)
{
    if (!s->started)
        return;
    if (delay_ms < 0)
        delay_ms = 0;
    if (delay_ms > s->o.poll_ms)
        delay_ms = s->o.poll_ms;
    struct timeval tv = {(time_t)(delay_ms / 1000), (suseconds_t)(delay_ms % 1000) * 1000};
    evtimer_add(s->timer, &tv);
}

static void deliver_sched_notify_string(unsigned notify, char *out, size_t size)
{
    out[0] = '\0';
    if (notify & STORE_NOTIFY_NEVER) {
        snprintf(out, size, "NEVER");
        return;
    }
    const char *names[] = {"SUCCESS", "FAILURE", "DELAY"};
    const unsigned bits[] = {STORE_NOTIFY_SUCCESS, STORE_NOTIFY_FAILURE, STORE_NOTIFY_DELAY};
    for (size_t i = 0; i < 3; i++) {
        if (notify & bits[i])
            snprintf(out + strlen(out), size - strlen(out), "%s%s", out[0] ? "," : "", names[i]);
    }
}

static void deliver_sched_done(uint64_t job_id, const struct deliver_outcome *o, void *arg);

static void deliver_sched_submit(struct deliver_sched *s, struct deliver_sched_job *job)
{
    const struct store_message *msg = job->m->msg;
    struct deliver_rcpt *rcpts = xcalloc(job->n, sizeof(rcpts[0]));
    char(*notify)[32] = xcalloc(job->n, sizeof(*notify));
    for (size_t i = 0; i < job->n; i++) {
        const struct store_recipient *r = &msg->rcpts[job->idx[i]];
        deliver_sched_notify_string(r->notify, notify[i], sizeof(notify[i]));
        rcpts[i] = (struct deliver_rcpt){r->address, notify[i][0] ? notify[i] : NULL, r->orcpt};
    }
    struct deliver_job dj = {
        .domain = job->domain,
        .return_path = msg->return_path ? msg->return_path : "",
        .envid = msg->id,
        .ret = msg->dsn_ret == STORE_RET_FULL   ? "FULL"
               : msg->dsn_ret == STORE_RET_HDRS ? "HDRS"
                                                : NULL,
        .rcpts = rcpts,
        .n_rcpts = job->n,
        .body = msg->body ? (const char *)msg->body : "",
        .body_len = msg->body_len,
        .log_id = msg->id,
    };
    deliver_sched_list_push(s, job, DELIVER_SCHED_RUNNING);
    job->deliver_id = deliver_submit(s->o.deliver, &dj, deliver_sched_done, job);
    free(rcpts);
    free(notify);
}

/* Starts every waiting job the windows admit, oldest first. */
static void deliver_sched_dispatch(struct deliver_sched *s)
{
    struct deliver_sched_job *job = s->lists[DELIVER_SCHED_WAITING].head;
    while (job != NULL && !deliver_limits_is_full(s->limits)) {
        struct deliver_sched_job *next = job->next;
        if (deliver_limits_acquire(s->limits, job->domain)) {
            deliver_sched_list_remove(s, job);
            deliver_sched_submit(s, job);
        }
        job = next;
    }
}

static void deliver_sched_recorded(store_request_id id, enum store_status status, const char *error,
                                   void *arg)
{
    (void)id;
    struct deliver_sched_job *job = arg;
    struct deliver_sched *s = job->s;
    if (status != STORE_OK) {
        /* The lease runs out and the recipients are tried again: at least once. */
        s->stats.record_failures++;
        LOG_WARN(job->m->msg->id, "record-failed status=%s error=\"%s\"", store_status_name(status),
                 error ? error : "");
    }
    deliver_sched_list_remove(s, job);
    deliver_sched_job_free(job);
    deliver_sched_arm(s, 0);
}

static void deliver_sched_done(uint64_t job_id, const struct deliver_outcome *o, void *arg)
{
    (void)job_id;
    struct deliver_sched_job *job = arg;
    struct deliver_sched *s = job->s;
    deliver_limits_release(s->limits, job->domain);
    deliver_sched_list_remove(s, job);
    job->deliver_id = 0;
    struct store_record *rec = deliver_sched_outcome(s, job, o, clock_now_ms(&s->o.clock));
    deliver_sched_list_push(s, job, DELIVER_SCHED_RECORDING);
    job->record_id = store_service_record(s->o.svc, rec, deliver_sched_recorded, job);
    deliver_sched_dispatch(s);
}

/* Turns one claimed message into waiting jobs, one per domain group; takes msg. */
static void deliver_sched_enqueue(struct deliver_sched *s, struct store_message *msg)
{
    const char **addresses = xcalloc(msg->n_rcpts + 1, sizeof(addresses[0]));
    for (size_t i = 0; i < msg->n_rcpts; i++)
        addresses[i] = msg->rcpts[i].address;
    struct deliver_group *groups;
    size_t per_job = s->o.max_rcpts_per_job ? s->o.max_rcpts_per_job : DELIVER_MAX_RCPTS;
    size_t n = deliver_group_split(addresses, msg->n_rcpts, per_job, &groups);
    struct deliver_sched_msg *m = xcalloc(1, sizeof(*m));
    m->msg = msg;
    m->refs = (unsigned)n;
    for (size_t g = 0; g < n; g++) {
        struct deliver_sched_job *job = xcalloc(1, sizeof(*job));
        job->s = s;
        job->m = m;
        job->domain = xstrdup(groups[g].domain);
        job->idx = groups[g].idx;
        job->n = groups[g].n;
        groups[g].idx = NULL;
        deliver_sched_list_push(s, job, DELIVER_SCHED_WAITING);
    }
    if (n == 0) {
        store_message_free(msg);
        free(m);
    }
    deliver_group_free(groups, n);
    free(addresses);
}

static void deliver_sched_claimed(store_request_id id, enum store_status status,
                                  struct store_claim *claim, const char *error, void *arg)
{
    (void)id;
    struct deliver_sched *s = arg;
    s->claim_id = 0;
    if (status != STORE_OK) {
        LOG_WARN("-", "queue-claim-failed status=%s error=\"%s\"", store_status_name(status),
                 error ? error : "");
        deliver_sched_arm(s, s->o.poll_ms);
        return;
    }
    for (size_t i = 0; i < claim->n; i++) {
        deliver_sched_enqueue(s, claim->msgs[i]);
        claim->msgs[i] = NULL;
    }
    s->stats.claimed += claim->n_rcpts;
    deliver_sched_dispatch(s);
    int64_t now = clock_now_ms(&s->o.clock);
    if (claim->n_rcpts > 0) {
        if (s->lists[DELIVER_SCHED_WAITING].n < s->o.global_limit)
            deliver_sched_arm(s, 0);
    } else if (claim->n_unfinished == 0 && deliver_sched_in_flight(s) == 0 && s->o.idle) {
        deliver_sched_arm(s, s->o.poll_ms);
        s->o.idle(s->o.idle_arg);
    } else {
        deliver_sched_arm(s, claim->next_due_ms > 0 ? claim->next_due_ms - now : s->o.poll_ms);
    }
}

static void deliver_sched_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct deliver_sched *s = arg;
    if (!s->started || s->claim_id != 0 || s->lists[DELIVER_SCHED_WAITING].n >= s->o.global_limit)
        return;
    size_t want = s->o.global_limit * 4;
    if (want > DELIVER_SCHED_MAX_CLAIM)
        want = DELIVER_SCHED_MAX_CLAIM;
    s->claim_id = store_service_claim(s->o.svc, clock_now_ms(&s->o.clock), s->o.lease_ms, want,
                                      deliver_sched_claimed, s);
}

struct deliver_sched *deliver_sched_new(const struct deliver_sched_options *options)
{
    struct deliver_sched *s = xcalloc(1, sizeof(*s));
    s->o = *options;
    s->reporting_mta = xstrdup(options->reporting_mta ? options->reporting_mta : "localhost");
    s->o.reporting_mta = s->reporting_mta;
    s->limits = deliver_limits_new(options->global_limit, options->domain_limit);
    s->timer = evtimer_new(options->base, deliver_sched_tick, s);
    return s;
}

void deliver_sched_start(struct deliver_sched *s)
{
    s->started = true;
    deliver_sched_arm(s, 0);
}

void deliver_sched_stop(struct deliver_sched *s)
{
    s->started = false;
    evtimer_del(s->timer);
    struct deliver_sched_job *job;
    /* Running jobs are abandoned: their leases run out and they are tried again later. */
    while ((job = s->lists[DELIVER_SCHED_RUNNING].head) != NULL) {
        deliver_cancel(s->o.deliver, job->deliver_id);
        deliver_limits_release(s->limits, job->domain);
        deliver_sched_list_remove(s, job);
        deliver_sched_job_free(job);
    }
    while ((job = s->lists[DELIVER_SCHED_WAITING].head) != NULL) {
        deliver_sched_list_remove(s, job);
        deliver_sched_job_free(job);
    }
}

void deliver_sched_free(struct deliver_sched *s)
{
    if (s == NULL)
        return;
    deliver_sched_stop(s);
    if (s->claim_id != 0)
        store_service_cancel(s->o.svc, s->claim_id);
    struct deliver_sched_job *job;
    while ((job = s->lists[DELIVER_SCHED_RECORDING].head) != NULL) {
        store_service_cancel(s->o.svc, job->record_id); /* the write itself still happens */
        deliver_sched_list_remove(s, job);
        deliver_sched_job_free(job);
    }
    event_free(s->timer);
    deliver_limits_free(s->limits);
    free(s->reporting_mta);
    free(s);
}

void deliver_sched_get_stats(const struct deliver_sched *s, struct deliver_sched_stats *stats_r)
{
    *stats_r = s->stats;
}

bool deliver_sched_is_busy(const struct deliver_sched *s)
{
    return deliver_sched_in_flight(s) > 0 || s->claim_id != 0;
}
