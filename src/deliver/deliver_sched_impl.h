/*
 * deliver_sched_impl: what deliver_sched.c (claiming and dispatching) and
 * deliver_sched_outcome.c (turning an outcome into a store record) share. Nothing else
 * includes it.
 */
#ifndef REBOUND_DELIVER_SCHED_IMPL_H
#define REBOUND_DELIVER_SCHED_IMPL_H

#include "deliver_limits.h"
#include "deliver_sched.h"

/* A claimed message, shared by its jobs (one per domain group). */
struct deliver_sched_msg {
    struct store_message *msg; /* owned; only the claimed recipients */
    unsigned refs;
};

enum deliver_sched_job_state {
    DELIVER_SCHED_WAITING,
    DELIVER_SCHED_RUNNING,
    DELIVER_SCHED_RECORDING
};

struct deliver_sched_job {
    struct deliver_sched *s;
    struct deliver_sched_msg *m;
    char *domain;
    size_t *idx; /* positions in m->msg->rcpts */
    size_t n;
    enum deliver_sched_job_state state;
    uint64_t deliver_id;        /* RUNNING */
    store_request_id record_id; /* RECORDING */
    struct deliver_sched_job *prev, *next;
};

struct deliver_sched_list {
    struct deliver_sched_job *head, *tail;
    size_t n;
};

struct deliver_sched {
    struct deliver_sched_options o;
    char *reporting_mta;
    struct deliver_limits *limits;
    struct event *timer;
    store_request_id claim_id;
    bool started;
    struct deliver_sched_list lists[3]; /* by enum deliver_sched_job_state */
    struct deliver_sched_stats stats;
};

/* The record (outcomes, events, DSN) of a finished job; owned by the caller. */
struct store_record *deliver_sched_outcome(struct deliver_sched *s,
                                           const struct deliver_sched_job *job,
                                           const struct deliver_outcome *outcome, int64_t now_ms);

#endif
