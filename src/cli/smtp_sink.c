#include "smtp_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "xalloc.h"

struct smtp_sink_job {
    uint64_t request_id;
    char *name; /* file name stem */
    struct buf envelope;
    char *data;
    size_t size;
    bool ok;
    struct smtp_sink_job *next;
};

/* What crosses the done pipe: a finished job, owned by whoever reads it. */
struct smtp_sink_token {
    struct smtp_sink_job *job;
};

struct smtp_sink {
    char *dir;
    char *user;
    char *password;
    struct smtp_server *server;
    uint64_t counter;
    pthread_t worker;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct smtp_sink_job *queue, *queue_tail;
    bool stopping;
    int done_pipe[2]; /* worker writes finished job pointers, the loop reads them */
    struct event *done_event;
};

static bool smtp_sink_write_file(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    bool ok = true;
    while (len > 0 && ok) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        if (ok) {
            data += n;
            len -= (size_t)n;
        }
    }
    return close(fd) == 0 && ok;
}

/* Flushes everything written on the sink's file system: one call covers a whole batch of
 * messages (group commit), which is what makes many concurrent sessions cheap. */
static bool smtp_sink_sync(const struct smtp_sink *sink)
{
    int fd = open(sink->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = syncfs(fd) == 0;
    close(fd);
    return ok;
}

static char *smtp_sink_path(const struct smtp_sink *sink, const char *sub,
                            const struct smtp_sink_job *job, const char *ext)
{
    return xasprintf("%s/%s/%s.%s", sink->dir, sub, job->name, ext);
}

static bool smtp_sink_write_tmp(const struct smtp_sink *sink, const struct smtp_sink_job *job)
{
    char *env = smtp_sink_path(sink, "tmp", job, "envelope");
    char *eml = smtp_sink_path(sink, "tmp", job, "eml");
    bool ok = smtp_sink_write_file(env, job->envelope.data, job->envelope.len) &&
              smtp_sink_write_file(eml, job->data, job->size);
    free(env);
    free(eml);
    return ok;
}

static bool smtp_sink_publish(const struct smtp_sink *sink, const struct smtp_sink_job *job)
{
    bool ok = true;
    static const char *const exts[] = {"envelope", "eml"};
    for (int i = 0; i < 2 && ok; i++) {
        char *from = smtp_sink_path(sink, "tmp", job, exts[i]);
        char *to = smtp_sink_path(sink, "new", job, exts[i]);
        ok = rename(from, to) == 0;
        free(from);
        free(to);
    }
    return ok;
}

/* Runs in the worker thread on a whole batch: write tmp/ files, sync, rename into new/, sync
 * again. Files reach new/ only complete and durable; the answers go out after the second sync. */
static void smtp_sink_store_batch(const struct smtp_sink *sink, struct smtp_sink_job *batch)
{
    for (struct smtp_sink_job *j = batch; j != NULL; j = j->next)
        j->ok = smtp_sink_write_tmp(sink, j);
    bool synced = smtp_sink_sync(sink);
    for (struct smtp_sink_job *j = batch; j != NULL; j = j->next)
        j->ok = j->ok && synced && smtp_sink_publish(sink, j);
    synced = smtp_sink_sync(sink);
    for (struct smtp_sink_job *j = batch; j != NULL; j = j->next)
        j->ok = j->ok && synced;
}

static void *smtp_sink_worker(void *arg)
{
    struct smtp_sink *sink = arg;
    for (;;) {
        pthread_mutex_lock(&sink->lock);
        while (sink->queue == NULL && !sink->stopping)
            pthread_cond_wait(&sink->wake, &sink->lock);
        struct smtp_sink_job *batch = sink->queue;
        sink->queue = sink->queue_tail = NULL;
        pthread_mutex_unlock(&sink->lock);
        if (batch == NULL)
            return NULL;
        smtp_sink_store_batch(sink, batch);
        while (batch != NULL) {
            struct smtp_sink_job *job = batch;
            batch = job->next;
            struct smtp_sink_token token = {job};
            ssize_t n;
            do {
                n = write(sink->done_pipe[1], &token, sizeof(token));
            } while (n < 0 && errno == EINTR);
        }
    }
}

static void smtp_sink_job_free(struct smtp_sink_job *job)
{
    free(job->name);
    buf_free(&job->envelope);
    free(job->data);
    free(job);
}

static void smtp_sink_done_cb(evutil_socket_t fd, short what, void *arg)
{
    struct smtp_sink *sink = arg;
    struct smtp_sink_token token;
    while (read(fd, &token, sizeof(token)) == (ssize_t)sizeof(token)) {
        struct smtp_sink_job *job = token.job;
        struct smtp_answer a = {0};
        if (job->ok) {
            a.verdict = SMTP_VERDICT_ACCEPT;
            a.message_id = job->name;
        } else {
            LOG_ERROR("-", "sink store failed id=%s", job->name);
            a.verdict = SMTP_VERDICT_TEMPFAIL;
            a.code = 451;
            a.enhanced = "4.3.0";
            a.text = "Temporary failure: could not store the message, try again later";
        }
        smtp_server_answer(sink->server, job->request_id, &a);
        smtp_sink_job_free(job);
    }
}

static void smtp_sink_auth(void *ctx, uint64_t id, const struct smtp_session_info *session,
                           const struct smtp_auth_credentials *creds)
{
    struct smtp_sink *sink = ctx;
    bool ok = sink->user != NULL && sink->password != NULL &&
              strcmp(creds->username, sink->user) == 0 &&
              strlen(creds->password) == strlen(sink->password) &&
              CRYPTO_memcmp(creds->password, sink->password, strlen(sink->password)) == 0;
    struct smtp_answer a = {.verdict = ok ? SMTP_VERDICT_ACCEPT : SMTP_VERDICT_PERMFAIL};
    smtp_server_answer(sink->server, id, &a);
}

static void smtp_sink_envelope(struct buf *b, const struct smtp_session_info *session,
                               const struct smtp_envelope *env)
{
    const struct smtp_mail_params *p = &env->params;
    buf_printf(b, "mail-from <%s>\n", env->mail_from);
    if (p->has_size)
        buf_printf(b, "param SIZE=%llu\n", (unsigned long long)p->size);
    if (p->body != SMTP_BODY_UNSPECIFIED)
        buf_printf(b, "param BODY=%s\n", p->body == SMTP_BODY_8BITMIME ? "8BITMIME" : "7BIT");
    if (p->smtputf8)
        buf_append_str(b, "param SMTPUTF8\n");
    if (p->ret != SMTP_DSN_RET_UNSPECIFIED)
        buf_printf(b, "param RET=%s\n", p->ret == SMTP_DSN_RET_FULL ? "FULL" : "HDRS");
    if (p->envid != NULL)
        buf_printf(b, "param ENVID=%s\n", p->envid);
    for (size_t i = 0; i < env->n_rcpts; i++) {
        const struct smtp_rcpt *r = &env->rcpts[i];
        buf_printf(b, "rcpt <%s>", r->address);
        if (r->params.notify != 0) {
            static const char *const names[] = {"NEVER", "SUCCESS", "FAILURE", "DELAY"};
            const char *sep = " NOTIFY=";
            for (unsigned k = 0; k < 4; k++) {
                if (r->params.notify & (1u << k)) {
                    buf_printf(b, "%s%s", sep, names[k]);
                    sep = ",";
                }
            }
        }
        if (r->params.orcpt_type != NULL)
            buf_printf(b, " ORCPT=%s;%s", r->params.orcpt_type, r->params.orcpt_addr);
        buf_append_char(b, '\n');
    }
    buf_printf(b, "account %s\nclient %s\ntls %s\n", session->account ? session->account : "-",
               session->client_ip, session->tls ? "yes" : "no");
}

static void smtp_sink_commit(void *ctx, uint64_t id, const struct smtp_session_info *session,
                             const struct smtp_message *msg)
{
    struct smtp_sink *sink = ctx;
    struct smtp_sink_job *job = xcalloc(1, sizeof(*job));
    job->request_id = id;
    job->name = xasprintf("%ld.%llu", (long)getpid(), (unsigned long long)++sink->counter);
    smtp_sink_envelope(&job->envelope, session, msg->envelope);
    job->data = xmalloc(msg->size ? msg->size : 1);
    memcpy(job->data, msg->data, msg->size);
    job->size = msg->size;
    pthread_mutex_lock(&sink->lock);
    if (sink->queue_tail)
        sink->queue_tail->next = job;
    else
        sink->queue = job;
    sink->queue_tail = job;
    pthread_cond_signal(&sink->wake);
    pthread_mutex_unlock(&sink->lock);
}

struct smtp_server_handler smtp_sink_handler(struct smtp_sink *sink)
{
    struct smtp_server_handler h = {
        .ctx = sink, .auth = smtp_sink_auth, .commit = smtp_sink_commit};
    return h;
}

void smtp_sink_set_server(struct smtp_sink *sink, struct smtp_server *server)
{
    sink->server = server;
}

static bool smtp_sink_mkdirs(const char *dir, char **error_r)
{
    const char *subs[] = {"", "/tmp", "/new"};
    for (int i = 0; i < 3; i++) {
        char *path = xasprintf("%s%s", dir, subs[i]);
        bool ok = mkdir(path, 0700) == 0 || errno == EEXIST;
        if (!ok)
            *error_r = xasprintf("cannot create %s: %s", path, strerror(errno));
        free(path);
        if (!ok)
            return false;
    }
    return true;
}

struct smtp_sink *smtp_sink_new(struct event_base *base, const char *dir, const char *user,
                                const char *password, char **error_r)
{
    if (!smtp_sink_mkdirs(dir, error_r))
        return NULL;
    struct smtp_sink *sink = xcalloc(1, sizeof(*sink));
    sink->dir = xstrdup(dir);
    sink->user = user ? xstrdup(user) : NULL;
    sink->password = password ? xstrdup(password) : NULL;
    if (pipe2(sink->done_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        *error_r = xasprintf("cannot create a pipe: %s", strerror(errno));
        free(sink->dir);
        free(sink->user);
        free(sink->password);
        free(sink);
        return NULL;
    }
    /* The worker's end blocks: a full pipe means the loop is behind, and the worker waits. */
    fcntl(sink->done_pipe[1], F_SETFL, 0);
    pthread_mutex_init(&sink->lock, NULL);
    pthread_cond_init(&sink->wake, NULL);
    sink->done_event =
        event_new(base, sink->done_pipe[0], EV_READ | EV_PERSIST, smtp_sink_done_cb, sink);
    event_add(sink->done_event, NULL);
    pthread_create(&sink->worker, NULL, smtp_sink_worker, sink);
    return sink;
}

void smtp_sink_free(struct smtp_sink *sink)
{
    if (sink == NULL)
        return;
    pthread_mutex_lock(&sink->lock);
    sink->stopping = true;
    pthread_cond_signal(&sink->wake);
    pthread_mutex_unlock(&sink->lock);
    pthread_join(sink->worker, NULL);
    event_free(sink->done_event);
    struct smtp_sink_token token;
    while (read(sink->done_pipe[0], &token, sizeof(token)) == (ssize_t)sizeof(token))
        smtp_sink_job_free(token.job);
    close(sink->done_pipe[0]);
    close(sink->done_pipe[1]);
    pthread_mutex_destroy(&sink->lock);
    pthread_cond_destroy(&sink->wake);
    if (sink->password != NULL)
        OPENSSL_cleanse(sink->password, strlen(sink->password));
    free(sink->dir);
    free(sink->user);
    free(sink->password);
    free(sink);
}
