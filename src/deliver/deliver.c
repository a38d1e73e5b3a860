/*
 * One job: route -> for each address: [cached connection | open] -> transaction -> outcome.
 * Jobs are kept in a list keyed by id; the route lookup and the SMTP client a job waits on are
 * owned by the job and cancelled with it, so their callbacks never see a freed job.
 */
#include "deliver.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliver_conncache.h"
#include "log.h"
#include "str.h"
#include "xalloc.h"

struct deliver_jobrec {
    struct deliver_jobrec *prev, *next;
    struct deliver *deliver;
    uint64_t id;
    deliver_done_fn *done;
    void *arg;
    char *domain, *log_id;
    struct smtp_client_msg msg; /* every pointer in it owned by the job */
    struct smtp_client_rcpt *rcpts;
    enum smtp_client_tls tls;
    struct deliver_route_lookup *lookup;
    struct deliver_route route; /* owned copy */
    size_t next_addr;           /* the address being tried is next_addr - 1 */
    bool plain_retry;           /* this address is being retried without STARTTLS */
    struct smtp_client *conn;
    char *key;
    struct smtp_client_result failure; /* why the last address did not work */
};

struct deliver {
    struct deliver_options options; /* helo_name and verify_domains point at our copies */
    char *helo_name;
    char **verify_domains;
    struct deliver_conncache *cache;
    struct deliver_jobrec *jobs;
    size_t n_jobs;
    uint64_t next_id;
};

static void job_try_next(struct deliver_jobrec *job);

/* ---- jobs ---- */

static void job_free(struct deliver_jobrec *job)
{
    struct deliver *d = job->deliver;
    if (job->prev)
        job->prev->next = job->next;
    else
        d->jobs = job->next;
    if (job->next)
        job->next->prev = job->prev;
    d->n_jobs--;
    deliver_route_cancel(job->lookup);
    smtp_client_free(job->conn);
    for (size_t i = 0; i < job->msg.n_rcpts; i++) {
        free((char *)job->rcpts[i].address);
        free((char *)job->rcpts[i].notify);
        free((char *)job->rcpts[i].orcpt);
    }
    free(job->rcpts);
    free((char *)job->msg.return_path);
    free((char *)job->msg.envid);
    free((char *)job->msg.ret);
    free((char *)job->msg.body);
    for (size_t i = 0; i < job->route.n_hosts; i++)
        free(job->route.hosts[i].name);
    free(job->route.hosts);
    free(job->route.addrs);
    free(job->route.error);
    free(job->key);
    smtp_client_result_clear(&job->failure);
    free(job->domain);
    free(job->log_id);
    free(job);
}

static const struct deliver_route_addr *job_addr(const struct deliver_jobrec *job)
{
    return job->next_addr > 0 ? &job->route.addrs[job->next_addr - 1] : NULL;
}

/* Reports and frees the job. */
static void job_report(struct deliver_jobrec *job, const struct smtp_client_result *rcpts,
                       const char *response)
{
    const struct deliver_route_addr *a = job_addr(job);
    struct deliver_outcome o = {
        .n_rcpts = job->msg.n_rcpts,
        .rcpts = rcpts,
        .mx_host = a ? job->route.hosts[a->host].name : NULL,
        .mx_ip = a ? a->ip : NULL,
        .response = response,
    };
    for (size_t i = 0; i < o.n_rcpts; i++) {
        LOG_INFO(job->log_id, "deliver rcpt=<%s> status=%s enhanced=%s mx=%s ip=%s reply=\"%s\"",
                 job->rcpts[i].address, smtp_client_status_name(rcpts[i].status), rcpts[i].enhanced,
                 o.mx_host ? o.mx_host : "-", o.mx_ip ? o.mx_ip : "-",
                 rcpts[i].text ? rcpts[i].text : "");
    }
    deliver_done_fn *done = job->done;
    void *arg = job->arg;
    uint64_t id = job->id;
    job->done = NULL;
    done(id, &o, arg);
    job_free(job);
}

/* Every recipient gets the same result (routing failed, or no address worked). */
static void job_report_all(struct deliver_jobrec *job, const struct smtp_client_result *r)
{
    struct smtp_client_result *all = xcalloc(job->msg.n_rcpts, sizeof(*all));
    for (size_t i = 0; i < job->msg.n_rcpts; i++)
        all[i] = *r; /* shallow: text is shared and freed once, below */
    char *text = r->text;
    job_report(job, all, text);
    free(all);
}

/* ---- one address ---- */

static void job_sent_cb(struct smtp_client *client, const struct smtp_client_sent *sent, void *arg)
{
    struct deliver_jobrec *job = arg;
    struct deliver *d = job->deliver;
    job->conn = NULL;
    if (sent->stale) { /* a cached connection had died: same address, new connection */
        smtp_client_free(client);
        job->next_addr--;
        job_try_next(job);
        return;
    }
    if (smtp_client_is_usable(client) && smtp_client_transactions(client) < d->options.reuse_limit)
        deliver_conncache_put(d->cache, job->key, client);
    else
        smtp_client_quit(client);
    job_report(job, sent->rcpts, sent->last->text);
}

static void job_send(struct deliver_jobrec *job)
{
    smtp_client_send(job->conn, &job->msg, job_sent_cb, job);
}

static void job_open_cb(struct smtp_client *client, const struct smtp_client_result *failure,
                        void *arg)
{
    struct deliver_jobrec *job = arg;
    if (client != NULL) {
        job->conn = client;
        job_send(job);
        return;
    }
    job->conn = NULL;
    smtp_client_result_copy(&job->failure, failure);
    if (failure->tls_failed && job->tls == SMTP_CLIENT_TLS_MAY && !job->plain_retry) {
        /* Opportunistic TLS must not make delivery worse than plain text (RFC 7435). */
        job->plain_retry = true;
        job->next_addr--;
    } else {
        job->plain_retry = false;
    }
    job_try_next(job);
}

static char *job_cache_key(const struct deliver_jobrec *job, const struct deliver_route_addr *a,
                           enum smtp_client_tls tls)
{
    return xasprintf("%s|%u|%d|%s", a->ip, (unsigned)job->deliver->options.route.port, (int)tls,
                     job->route.hosts[a->host].name);
}

static void job_try_next(struct deliver_jobrec *job)
{
    struct deliver *d = job->deliver;
    if (job->next_addr >= job->route.n_addrs) {
        job_report_all(job, &job->failure);
        return;
    }
    const struct deliver_route_addr *a = &job->route.addrs[job->next_addr++];
    enum smtp_client_tls tls = job->plain_retry ? SMTP_CLIENT_TLS_NONE : job->tls;
    free(job->key);
    job->key = job_cache_key(job, a, tls);
    struct smtp_client *cached = deliver_conncache_take(d->cache, job->key);
    if (cached != NULL) {
        LOG_DEBUG(job->log_id, "deliver reuse mx=%s ip=%s", job->route.hosts[a->host].name, a->ip);
        job->conn = cached;
        job_send(job);
        return;
    }
    LOG_DEBUG(job->log_id, "deliver connect mx=%s ip=%s tls=%d", job->route.hosts[a->host].name,
              a->ip, (int)tls);
    struct smtp_client_options o = {
        .helo_name = d->helo_name,
        .tls = tls,
        .ssl_ctx = d->options.ssl_ctx,
        .tls_name = job->route.hosts[a->host].name,
        .timeouts = d->options.timeouts,
        .log_id = job->log_id,
    };
    job->conn = smtp_client_open(d->options.base, (const struct sockaddr *)&a->sa, a->sa_len, &o,
                                 job_open_cb, job);
    if (job->conn == NULL) {
        smtp_client_set_result(&job->failure, SMTP_CLIENT_TEMPORARY, 0, "4.4.1",
                               "unusable address");
        job_try_next(job);
    }
}

/* ---- routing ---- */

static void job_copy_route(struct deliver_route *dst, const struct deliver_route *src)
{
    dst->status = src->status;
    dst->implicit_mx = src->implicit_mx;
    dst->n_hosts = src->n_hosts;
    dst->hosts = xcalloc(src->n_hosts ? src->n_hosts : 1, sizeof(*dst->hosts));
    for (size_t i = 0; i < src->n_hosts; i++) {
        dst->hosts[i].name = xstrdup(src->hosts[i].name);
        dst->hosts[i].preference = src->hosts[i].preference;
    }
    dst->n_addrs = src->n_addrs;
    dst->addrs = xcalloc(src->n_addrs ? src->n_addrs : 1, sizeof(*dst->addrs));
    if (src->n_addrs > 0)
        memcpy(dst->addrs, src->addrs, src->n_addrs * sizeof(*dst->addrs));
}

static void job_route_cb(const struct deliver_route *route, void *arg)
{
    struct deliver_jobrec *job = arg;
    job->lookup = NULL;
    if (route->status != SMTP_CLIENT_OK) {
        struct smtp_client_result r = {0};
        smtp_client_set_result(&r, route->status, 0, route->enhanced, route->error);
        job_report_all(job, &r);
        smtp_client_result_clear(&r);
        return;
    }
    job_copy_route(&job->route, route);
    smtp_client_set_result(&job->failure, SMTP_CLIENT_TEMPORARY, 0, "4.4.1",
                           "no address of the mail hosts could be tried");
    job_try_next(job);
}

/* ---- the public side ---- */

struct deliver *deliver_new(const struct deliver_options *options)
{
    assert(options->base != NULL && options->resolver != NULL && options->helo_name != NULL);
    struct deliver *d = xcalloc(1, sizeof(*d));
    d->options = *options;
    d->helo_name = xstrdup(options->helo_name);
    d->options.helo_name = d->helo_name;
    d->verify_domains = xcalloc(options->n_verify_domains + 1, sizeof(char *));
    for (size_t i = 0; i < options->n_verify_domains; i++)
        d->verify_domains[i] = xstrdup(options->verify_domains[i]);
    d->options.verify_domains = (const char *const *)d->verify_domains;
    if (d->options.reuse_limit == 0)
        d->options.reuse_limit = DELIVER_DEFAULT_REUSE_LIMIT;
    if (d->options.route.port == 0)
        d->options.route.port = DELIVER_ROUTE_DEFAULT_PORT;
    d->cache = deliver_conncache_new(options->base, options->cache_max, options->cache_idle_ms);
    d->next_id = 1;
    return d;
}

void deliver_free(struct deliver *d)
{
    if (d == NULL)
        return;
    while (d->jobs != NULL)
        job_free(d->jobs);
    deliver_conncache_free(d->cache);
    for (size_t i = 0; i < d->options.n_verify_domains; i++)
        free(d->verify_domains[i]);
    free(d->verify_domains);
    free(d->helo_name);
    free(d);
}

enum smtp_client_tls deliver_tls_policy(const struct deliver *d, const char *domain)
{
    for (size_t i = 0; i < d->options.n_verify_domains; i++) {
        if (str_equal_nocase(d->verify_domains[i], domain))
            return SMTP_CLIENT_TLS_VERIFY;
    }
    return d->options.tls_default;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

uint64_t deliver_submit(struct deliver *d, const struct deliver_job *j, deliver_done_fn *done,
                        void *arg)
{
    assert(j->n_rcpts >= 1 && j->n_rcpts <= DELIVER_MAX_RCPTS);
    struct deliver_jobrec *job = xcalloc(1, sizeof(*job));
    job->deliver = d;
    job->id = d->next_id++;
    job->done = done;
    job->arg = arg;
    job->domain = xstrdup(j->domain);
    job->log_id = xstrdup(j->log_id ? j->log_id : "-");
    job->rcpts = xcalloc(j->n_rcpts, sizeof(*job->rcpts));
    for (size_t i = 0; i < j->n_rcpts; i++) {
        job->rcpts[i].address = xstrdup(j->rcpts[i].address);
        job->rcpts[i].notify = dup_or_null(j->rcpts[i].notify);
        job->rcpts[i].orcpt = dup_or_null(j->rcpts[i].orcpt);
    }
    job->msg.rcpts = job->rcpts;
    job->msg.n_rcpts = j->n_rcpts;
    job->msg.return_path = xstrdup(j->return_path);
    job->msg.envid = dup_or_null(j->envid);
    job->msg.ret = dup_or_null(j->ret);
    char *body = xmalloc(j->body_len + 1);
    memcpy(body, j->body, j->body_len);
    job->msg.body = body;
    job->msg.body_len = j->body_len;
    job->tls = deliver_tls_policy(d, j->domain);
    job->next = d->jobs;
    if (d->jobs)
        d->jobs->prev = job;
    d->jobs = job;
    d->n_jobs++;
    job->lookup = deliver_route_start(d->options.base, d->options.resolver, j->domain,
                                      &d->options.route, job_route_cb, job);
    return job->id;
}

void deliver_cancel(struct deliver *d, uint64_t job_id)
{
    for (struct deliver_jobrec *job = d->jobs; job != NULL; job = job->next) {
        if (job->id == job_id && job->done != NULL) {
            job_free(job);
            return;
        }
    }
}

size_t deliver_jobs_running(const struct deliver *d)
{
    return d->n_jobs;
}

size_t deliver_idle_connections(const struct deliver *d)
{
    return deliver_conncache_size(d->cache);
}
