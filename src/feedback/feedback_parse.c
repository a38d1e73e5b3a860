/*
 * One worker thread is enough: a report is parsed in milliseconds and reports are rare next
 * to the mail they answer. Finished jobs come back through a pipe as pointers (the pipe's
 * atomic small writes keep them whole); the loop side reads them and calls back.
 */
#include "feedback_parse.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

struct feedback_parse_job {
    uint64_t id;
    char *data;
    size_t len;
    struct dsn_report *report;
    struct feedback_parse_job *next;
};

/* What crosses the done pipe: a finished job, owned by whoever reads it. */
struct feedback_parse_token {
    struct feedback_parse_job *job;
};

struct feedback_parser {
    feedback_parse_cb *cb;
    void *arg;
    uint64_t next_id; /* loop thread only */
    pthread_t worker;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct feedback_parse_job *head, *tail; /* guarded by lock */
    bool stopping;                          /* guarded by lock */
    int done_pipe[2];
    struct event *done_event;
};

static void feedback_parse_job_free(struct feedback_parse_job *job)
{
    free(job->data);
    dsn_report_free(job->report);
    free(job);
}

static void *feedback_parse_worker(void *arg)
{
    struct feedback_parser *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (p->head == NULL && !p->stopping)
            pthread_cond_wait(&p->wake, &p->lock);
        struct feedback_parse_job *job = p->stopping ? NULL : p->head;
        if (job != NULL) {
            p->head = job->next;
            if (p->head == NULL)
                p->tail = NULL;
        }
        pthread_mutex_unlock(&p->lock);
        if (job == NULL)
            return NULL;
        job->report = dsn_parse(job->data, job->len);
        struct feedback_parse_token token = {job};
        ssize_t n;
        do {
            n = write(p->done_pipe[1], &token, sizeof(token));
        } while (n < 0 && errno == EINTR);
    }
}

static void feedback_parse_done(evutil_socket_t fd, short what, void *arg)
{
    struct feedback_parser *p = arg;
    struct feedback_parse_token token;
    while (read(fd, &token, sizeof(token)) == (ssize_t)sizeof(token)) {
        struct feedback_parse_job *job = token.job;
        struct dsn_report *report = job->report;
        job->report = NULL;
        uint64_t id = job->id;
        feedback_parse_job_free(job);
        p->cb(id, report, p->arg);
    }
}

struct feedback_parser *feedback_parser_new(struct event_base *base, feedback_parse_cb *cb,
                                            void *arg)
{
    struct feedback_parser *p = xcalloc(1, sizeof(*p));
    p->cb = cb;
    p->arg = arg;
    if (pipe2(p->done_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        free(p);
        return NULL;
    }
    fcntl(p->done_pipe[1], F_SETFL, 0); /* the worker waits when the loop is behind */
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    p->done_event = event_new(base, p->done_pipe[0], EV_READ | EV_PERSIST, feedback_parse_done, p);
    event_add(p->done_event, NULL);
    if (pthread_create(&p->worker, NULL, feedback_parse_worker, p) != 0) {
        event_free(p->done_event);
        close(p->done_pipe[0]);
        close(p->done_pipe[1]);
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->wake);
        free(p);
        return NULL;
    }
    return p;
}

uint64_t feedback_parser_submit(struct feedback_parser *p, const char *data, size_t len)
{
    struct feedback_parse_job *job = xcalloc(1, sizeof(*job));
    uint64_t id = ++p->next_id;
    job->id = id;
    job->data = xmalloc(len + 1);
    memcpy(job->data, data, len);
    job->len = len;
    pthread_mutex_lock(&p->lock);
    if (p->tail != NULL)
        p->tail->next = job;
    else
        p->head = job;
    p->tail = job;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    return id;
}

void feedback_parser_free(struct feedback_parser *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->worker, NULL);
    event_free(p->done_event);
    struct feedback_parse_token token;
    while (read(p->done_pipe[0], &token, sizeof(token)) == (ssize_t)sizeof(token))
        feedback_parse_job_free(token.job);
    struct feedback_parse_job *job;
    while ((job = p->head) != NULL) {
        p->head = job->next;
        feedback_parse_job_free(job);
    }
    close(p->done_pipe[0]);
    close(p->done_pipe[1]);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->wake);
    free(p);
}
