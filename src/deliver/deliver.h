/*
 * deliver: the asynchronous outbound agent for one attempt at one domain. The scheduler (later
 * work) calls deliver_submit() with a domain, a return path, that domain's recipients and the
 * message; deliver routes it (deliver_route.h), tries each address in turn (connection refused,
 * timeouts, broken greetings and TLS failures move on to the next address; an opportunistic
 * STARTTLS whose handshake fails is retried once in plain text on the same address), runs one
 * transaction (smtp_client.h) and reports one outcome per recipient. Open connections are kept
 * for the next message to the same destination (deliver_conncache.h) and begin it with RSET.
 *
 * Every outcome is classified at its origin: OK, TEMPORARY (retry later) or PERMANENT (bounce),
 * with an enhanced status code. Retrying TEMPORARY outcomes later is the scheduler's job.
 *
 * TLS policy per domain: tls_default for every domain (MAY, i.e. opportunistic, in
 * production), except the domains listed in verify_domains: those get
 * SMTP_CLIENT_TLS_VERIFY (STARTTLS required, certificate chain checked against the trust
 * store of ssl_ctx and its name against the MX host name) and are never sent in plain text.
 *
 * Async contract: the done callback fires exactly once per submitted job, later, from the
 * event loop, unless deliver_cancel() is called first. It may submit or cancel jobs, not free
 * the deliver. Not thread-safe: one deliver belongs to one event loop.
 */
#ifndef REBOUND_DELIVER_DELIVER_H
#define REBOUND_DELIVER_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include "deliver_route.h"
#include "dns.h"
#include "smtp_client.h"

struct event_base;

/* One transaction carries at most this many recipients; the scheduler splits bigger lists. */
#define DELIVER_MAX_RCPTS SMTP_CLIENT_MAX_RCPTS
/* Messages sent over one connection before it is closed (Postfix:
 * smtp_connection_reuse_count_limit). */
#define DELIVER_DEFAULT_REUSE_LIMIT 100

struct deliver_options {
    struct event_base *base;       /* borrowed; required */
    struct dns_resolver *resolver; /* borrowed; required */
    SSL_CTX *ssl_ctx;              /* borrowed; required unless tls_default is NONE and no
                                      verify_domains */
    const char *helo_name;         /* copied; required */
    struct deliver_route_options route;
    struct smtp_client_timeouts timeouts; /* 0 fields take the RFC defaults */
    enum smtp_client_tls tls_default;
    const char *const *verify_domains; /* copied; compared case-insensitively */
    size_t n_verify_domains;
    size_t cache_max;     /* 0 = DELIVER_CONNCACHE_DEFAULT_MAX */
    int cache_idle_ms;    /* 0 = DELIVER_CONNCACHE_DEFAULT_IDLE_MS */
    unsigned reuse_limit; /* 0 = DELIVER_DEFAULT_REUSE_LIMIT */
};

struct deliver_rcpt {
    const char *address;
    const char *notify; /* DSN NOTIFY or NULL */
    const char *orcpt;  /* DSN ORCPT as received ("rfc822;xtext") or NULL */
};

/* Everything is copied by deliver_submit(). */
struct deliver_job {
    const char *domain;      /* the recipients' domain */
    const char *return_path; /* "" for the null reverse-path */
    const char *envid;       /* DSN ENVID (rebound's message id) or NULL */
    const char *ret;         /* DSN RET: "FULL", "HDRS" or NULL */
    const struct deliver_rcpt *rcpts;
    size_t n_rcpts; /* 1..DELIVER_MAX_RCPTS */
    const char *body;
    size_t body_len;
    const char *log_id; /* message id for the logs; NULL = "-" */
};

struct deliver_outcome {
    size_t n_rcpts;
    const struct smtp_client_result *rcpts; /* in the order submitted */
    const char *mx_host;  /* the MX host of the last address tried; NULL if none was */
    const char *mx_ip;    /* its address; NULL if none was tried */
    const char *response; /* the SMTP response that ended the attempt, or why it failed */
};

/* Everything in outcome is borrowed for the duration of the callback. */
typedef void deliver_done_fn(uint64_t job_id, const struct deliver_outcome *outcome, void *arg);

struct deliver;

struct deliver *deliver_new(const struct deliver_options *options);
/* Cancels every job (no callbacks), QUITs cached connections, frees. Accepts NULL. */
void deliver_free(struct deliver *deliver);

/* Starts a job; returns its id (never 0). */
uint64_t deliver_submit(struct deliver *deliver, const struct deliver_job *job,
                        deliver_done_fn *done, void *arg);
/* The job's callback will not fire; an unfinished transaction is abandoned (the connection is
 * closed, so the server discards it). Unknown ids are ignored. */
void deliver_cancel(struct deliver *deliver, uint64_t job_id);

/* The TLS policy deliver applies to a domain. */
enum smtp_client_tls deliver_tls_policy(const struct deliver *deliver, const char *domain);
/* Jobs running and idle connections kept (for tests and status output). */
size_t deliver_jobs_running(const struct deliver *deliver);
size_t deliver_idle_connections(const struct deliver *deliver);

#endif
