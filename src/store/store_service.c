/*
 * store_service: requests cross from the loop to worker threads as struct store_req (which
 * holds only the request's own data and its id, never the requester's callback or argument),
 * and come back on a reply queue; an eventfd wakes the loop, which looks the id up in the
 * pending table (store_pending.h) and calls the callback if the requester is still there.
 *
 * Why group commit works without any timer: while the writer waits for one transaction's
 * fsync, new requests pile up in the write queue; the next transaction takes them all. Under
 * load the batch grows by itself; a lone request is committed at once.
 */
#include "store_service.h"

#include <assert.h>
#include <errno.h>
#include <event2/event.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store_password.h"
#include "store_pending.h"
#include "xalloc.h"

enum store_req_kind {
    STORE_REQ_COMMIT,
    STORE_REQ_AUTH,
    STORE_REQ_IDENTITIES,
    STORE_REQ_FIND,
    STORE_REQ_CLAIM,  /* writer thread, alone in its transaction */
    STORE_REQ_RECORD, /* writer thread, alone in its transaction */
};

struct store_req {
    store_request_id id;
    enum store_req_kind kind;
    struct store_req *next;
    /* input */
    struct store_message *msg;          /* COMMIT */
    char *username, *password;          /* AUTH */
    int64_t account_id;                 /* IDENTITIES, FIND */
    char *refs[STORE_SERVICE_MAX_REFS]; /* FIND */
    size_t n_refs;
    int64_t now_ms, lease_ms; /* CLAIM */
    size_t max_rcpts;         /* CLAIM */
    struct store_record *rec; /* RECORD */
    /* output */
    enum store_status status;
    char *error;
    struct store_credential cred;      /* AUTH */
    struct store_identity_list list;   /* IDENTITIES */
    char found[STORE_MESSAGE_ID_SIZE]; /* FIND */
    struct store_claim claim;          /* CLAIM */
};

struct store_queue {
    struct store_req *head, *tail;
    size_t n;
};

struct store_service {
    struct event_base *base;
    struct event *wake_ev;
    int wake_fd;
    struct store_pending pending; /* loop thread only */
    store_request_id next_id;     /* loop thread only */
    unsigned max_batch;

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t write_cond, read_cond;
    struct store_queue writes, reads, replies;
    bool stopping;
    struct store_service_stats stats;

    pthread_t writer;
    bool writer_started;
    struct store *writer_store; /* used only by the writer thread once it runs */
    unsigned n_readers;
    pthread_t readers[STORE_SERVICE_MAX_READERS];
    struct store *reader_stores[STORE_SERVICE_MAX_READERS];
    struct store_service_reader {
        struct store_service *svc;
        struct store *st;
    } reader_args[STORE_SERVICE_MAX_READERS];
};

static void store_queue_push(struct store_queue *q, struct store_req *r)
{
    r->next = NULL;
    if (q->tail)
        q->tail->next = r;
    else
        q->head = r;
    q->tail = r;
    q->n++;
}

static struct store_req *store_queue_pop(struct store_queue *q)
{
    struct store_req *r = q->head;
    if (r != NULL) {
        q->head = r->next;
        if (q->head == NULL)
            q->tail = NULL;
        q->n--;
    }
    return r;
}

static void store_req_free(struct store_req *r)
{
    store_message_free(r->msg);
    free(r->username);
    if (r->password != NULL) {
        OPENSSL_cleanse(r->password, strlen(r->password));
        free(r->password);
    }
    free(r->error);
    store_credential_clear(&r->cred);
    store_identity_list_free(&r->list);
    for (size_t i = 0; i < r->n_refs; i++)
        free(r->refs[i]);
    store_claim_clear(&r->claim);
    store_record_free(r->rec);
    free(r);
}

/* Worker side: hands finished requests to the loop and wakes it. */
static void store_service_reply(struct store_service *svc, struct store_queue *done)
{
    pthread_mutex_lock(&svc->lock);
    bool was_empty = svc->replies.head == NULL;
    struct store_req *r;
    while ((r = store_queue_pop(done)) != NULL)
        store_queue_push(&svc->replies, r);
    pthread_mutex_unlock(&svc->lock);
    if (was_empty) {
        uint64_t one = 1;
        /* EAGAIN means the counter is already non-zero: the loop will wake anyway. */
        while (write(svc->wake_fd, &one, sizeof(one)) < 0 && errno == EINTR)
            ;
    }
}

/* One group commit: every message in batch, one transaction. */
static void store_service_write_batch(struct store_service *svc, struct store_req **batch, size_t n)
{
    struct store_message **msgs = xcalloc(n, sizeof(struct store_message *));
    enum store_status *results = xcalloc(n, sizeof(results[0]));
    char **errors = xcalloc(n, sizeof(errors[0]));
    for (size_t i = 0; i < n; i++)
        msgs[i] = batch[i]->msg;
    enum store_status status = store_message_commit(svc->writer_store, msgs, n, results, errors);
    if (status != STORE_OK)
        LOG_WARN("-", "store-commit-failed status=%s messages=%zu error=\"%s\"",
                 store_status_name(status), n, errors[0] ? errors[0] : "");
    struct store_queue done = {0};
    for (size_t i = 0; i < n; i++) {
        batch[i]->status = results[i];
        batch[i]->error = errors[i];
        store_message_free(batch[i]->msg); /* the body is on disk now (or refused) */
        batch[i]->msg = NULL;
        store_queue_push(&done, batch[i]);
    }
    pthread_mutex_lock(&svc->lock);
    svc->stats.commits += n;
    svc->stats.transactions++;
    if (n > svc->stats.largest_batch)
        svc->stats.largest_batch = n;
    pthread_mutex_unlock(&svc->lock);
    store_service_reply(svc, &done);
    free(msgs);
    free(results);
    free(errors);
}

/* Waits (lock held) until the write queue holds `want` requests, the service stops, or
 * STORE_SERVICE_LINGER_US passed. */
static void store_service_linger(struct store_service *svc, size_t want)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += STORE_SERVICE_LINGER_US * 1000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    while (svc->writes.n < want && !svc->stopping) {
        if (pthread_cond_timedwait(&svc->write_cond, &svc->lock, &deadline) != 0)
            break;
    }
}

/* Queue requests: a claim alone, or a run of records in one transaction (group commit, as
 * for messages: while one fsync runs, the outcomes of other jobs pile up). */
static void store_service_write_queue(struct store_service *svc, struct store_req **reqs, size_t n)
{
    struct store_queue done = {0};
    if (reqs[0]->kind == STORE_REQ_CLAIM) {
        struct store_req *r = reqs[0];
        r->status = store_queue_claim(svc->writer_store, r->now_ms, r->lease_ms, r->max_rcpts,
                                      &r->claim, &r->error);
        store_queue_push(&done, r);
        store_service_reply(svc, &done);
        return;
    }
    const struct store_record **recs = xcalloc(n, sizeof(struct store_record *));
    for (size_t i = 0; i < n; i++)
        recs[i] = reqs[i]->rec;
    char *error = NULL;
    enum store_status status = store_queue_record_many(
        svc->writer_store, (const struct store_record *const *)recs, n, &error);
    for (size_t i = 0; i < n; i++) {
        reqs[i]->status = status;
        reqs[i]->error = error ? xstrdup(error) : NULL;
        store_queue_push(&done, reqs[i]);
    }
    free(error);
    free(recs);
    store_service_reply(svc, &done);
}

static void *store_service_writer(void *arg)
{
    struct store_service *svc = arg;
    struct store_req **batch = xcalloc(svc->max_batch, sizeof(struct store_req *));
    size_t previous = 0;
    for (;;) {
        pthread_mutex_lock(&svc->lock);
        while (svc->writes.head == NULL && !svc->stopping)
            pthread_cond_wait(&svc->write_cond, &svc->lock);
        /* Fewer waiting than last time: the last batch's requesters are probably submitting
         * again right now (their replies just reached the loop). Waiting a moment for them
         * costs far less than the fsync they would otherwise need of their own. */
        if (svc->writes.n < previous && previous <= svc->max_batch)
            store_service_linger(svc, previous);
        size_t n = 0;
        enum store_req_kind kind =
            svc->writes.head != NULL ? svc->writes.head->kind : STORE_REQ_COMMIT;
        size_t most = kind == STORE_REQ_CLAIM ? 1 : svc->max_batch;
        while (n < most && svc->writes.head != NULL && svc->writes.head->kind == kind)
            batch[n++] = store_queue_pop(&svc->writes);
        pthread_mutex_unlock(&svc->lock);
        if (n > 0 && kind != STORE_REQ_COMMIT) {
            store_service_write_queue(svc, batch, n);
            continue;
        }
        if (n == 0) /* stopping, and every queued write is done */
            break;
        store_service_write_batch(svc, batch, n);
        previous = n;
    }
    free(batch);
    return NULL;
}

static void store_service_auth(struct store *st, struct store_req *r)
{
    r->status = store_credential_get(st, r->username, &r->cred, &r->error);
    if (r->status == STORE_NOT_FOUND) {
        store_password_verify_dummy(r->password);
    } else if (r->status == STORE_OK &&
               !store_password_verify(r->password, r->cred.password_hash)) {
        r->status = STORE_NOT_FOUND;
        store_credential_clear(&r->cred);
    }
    if (r->status == STORE_NOT_FOUND) {
        free(r->error);
        r->error = xstrdup("the username or password is wrong");
    }
    OPENSSL_cleanse(r->password, strlen(r->password));
}

/* Reader side of FIND: the first reference that names a message of the account wins. */
static void store_service_find(struct store *st, struct store_req *r)
{
    r->status = STORE_NOT_FOUND;
    for (size_t i = 0; i < r->n_refs && r->status == STORE_NOT_FOUND; i++) {
        free(r->error);
        r->error = NULL;
        r->status = store_message_find(st, r->account_id, r->refs[i], r->found, &r->error);
    }
}

static void *store_service_reader(void *arg)
{
    struct store_service_reader *me = arg;
    struct store_service *svc = me->svc;
    for (;;) {
        pthread_mutex_lock(&svc->lock);
        while (svc->reads.head == NULL && !svc->stopping)
            pthread_cond_wait(&svc->read_cond, &svc->lock);
        struct store_req *r = svc->stopping ? NULL : store_queue_pop(&svc->reads);
        pthread_mutex_unlock(&svc->lock);
        if (r == NULL)
            break;
        if (r->kind == STORE_REQ_AUTH)
            store_service_auth(me->st, r);
        else if (r->kind == STORE_REQ_FIND)
            store_service_find(me->st, r);
        else
            r->status = store_identity_list(me->st, NULL, r->account_id, &r->list, &r->error);
        struct store_queue done = {0};
        store_queue_push(&done, r);
        store_service_reply(svc, &done);
    }
    return NULL;
}

/* Loop side: calls the requester back if it is still waiting. */
static void store_service_deliver(struct store_service *svc, struct store_req *r)
{
    struct store_pending_entry e;
    if (!store_pending_take(&svc->pending, r->id, &e)) {
        svc->stats.dropped++;
        return;
    }
    if (r->kind == STORE_REQ_COMMIT || r->kind == STORE_REQ_RECORD) {
        ((store_commit_cb *)e.cb)(r->id, r->status, r->error, e.arg);
    } else if (r->kind == STORE_REQ_AUTH) {
        struct store_auth_result res = {r->status, r->cred.account_id, r->cred.account,
                                        r->cred.account_status, r->error};
        ((store_auth_cb *)e.cb)(r->id, &res, e.arg);
    } else if (r->kind == STORE_REQ_FIND) {
        ((store_find_cb *)e.cb)(r->id, r->status, r->status == STORE_OK ? r->found : NULL, r->error,
                                e.arg);
    } else if (r->kind == STORE_REQ_CLAIM) {
        ((store_claim_cb *)e.cb)(r->id, r->status, &r->claim, r->error, e.arg);
    } else {
        ((store_identities_cb *)e.cb)(r->id, r->status, &r->list, r->error, e.arg);
    }
}

static void store_service_wake(evutil_socket_t fd, short what, void *arg)
{
    struct store_service *svc = arg;
    uint64_t count;
    while (read(fd, &count, sizeof(count)) < 0 && errno == EINTR)
        ;
    pthread_mutex_lock(&svc->lock);
    struct store_queue replies = svc->replies;
    memset(&svc->replies, 0, sizeof(svc->replies));
    pthread_mutex_unlock(&svc->lock);
    struct store_req *r;
    while ((r = store_queue_pop(&replies)) != NULL) {
        store_service_deliver(svc, r);
        store_req_free(r);
    }
}

static store_request_id store_service_submit(struct store_service *svc, struct store_req *r,
                                             int kind, void (*cb)(void), void *arg)
{
    r->id = ++svc->next_id;
    r->kind = (enum store_req_kind)kind;
    struct store_pending_entry e = {r->id, kind, cb, arg};
    store_pending_put(&svc->pending, &e);
    pthread_mutex_lock(&svc->lock);
    if (kind == STORE_REQ_COMMIT || kind == STORE_REQ_CLAIM || kind == STORE_REQ_RECORD) {
        store_queue_push(&svc->writes, r);
        pthread_cond_signal(&svc->write_cond);
    } else {
        store_queue_push(&svc->reads, r);
        pthread_cond_signal(&svc->read_cond);
    }
    pthread_mutex_unlock(&svc->lock);
    return e.id;
}

store_request_id store_service_commit(struct store_service *svc, struct store_message *msg,
                                      store_commit_cb *cb, void *arg)
{
    struct store_req *r = xcalloc(1, sizeof(*r));
    r->msg = msg;
    return store_service_submit(svc, r, STORE_REQ_COMMIT, (void (*)(void))cb, arg);
}

store_request_id store_service_authenticate(struct store_service *svc, const char *username,
                                            const char *password, store_auth_cb *cb, void *arg)
{
    struct store_req *r = xcalloc(1, sizeof(*r));
    /* Over-long inputs are cut one byte past the limit, so they still fail verification. */
    r->username = xstrndup(username, strnlen(username, STORE_MAX_USERNAME + 1));
    r->password = xstrndup(password, strnlen(password, STORE_PASSWORD_MAX_LEN + 1));
    return store_service_submit(svc, r, STORE_REQ_AUTH, (void (*)(void))cb, arg);
}

store_request_id store_service_identities(struct store_service *svc, int64_t account_id,
                                          store_identities_cb *cb, void *arg)
{
    struct store_req *r = xcalloc(1, sizeof(*r));
    r->account_id = account_id;
    return store_service_submit(svc, r, STORE_REQ_IDENTITIES, (void (*)(void))cb, arg);
}

store_request_id store_service_find_message(struct store_service *svc, int64_t account_id,
                                            const char *const *refs, size_t n, store_find_cb *cb,
                                            void *arg)
{
    assert(n > 0 && n <= STORE_SERVICE_MAX_REFS);
    struct store_req *r = xcalloc(1, sizeof(*r));
    r->account_id = account_id;
    for (size_t i = 0; i < n; i++)
        r->refs[r->n_refs++] = xstrdup(refs[i]);
    return store_service_submit(svc, r, STORE_REQ_FIND, (void (*)(void))cb, arg);
}

store_request_id store_service_claim(struct store_service *svc, int64_t now_ms, int64_t lease_ms,
                                     size_t max_rcpts, store_claim_cb *cb, void *arg)
{
    struct store_req *r = xcalloc(1, sizeof(*r));
    r->now_ms = now_ms;
    r->lease_ms = lease_ms;
    r->max_rcpts = max_rcpts;
    return store_service_submit(svc, r, STORE_REQ_CLAIM, (void (*)(void))cb, arg);
}

store_request_id store_service_record(struct store_service *svc, struct store_record *rec,
                                      store_commit_cb *cb, void *arg)
{
    struct store_req *r = xcalloc(1, sizeof(*r));
    r->rec = rec;
    return store_service_submit(svc, r, STORE_REQ_RECORD, (void (*)(void))cb, arg);
}

bool store_service_cancel(struct store_service *svc, store_request_id id)
{
    struct store_pending_entry e;
    return store_pending_take(&svc->pending, id, &e);
}

void store_service_stats(struct store_service *svc, struct store_service_stats *stats_r)
{
    pthread_mutex_lock(&svc->lock);
    *stats_r = svc->stats;
    pthread_mutex_unlock(&svc->lock);
}

/* Opens every connection before any thread starts, so errors surface here. */
static bool store_service_open_all(struct store_service *svc, const char *url, char **error_r)
{
    svc->writer_store = store_open(url, error_r);
    for (unsigned i = 0; svc->writer_store != NULL && i < svc->n_readers; i++) {
        svc->reader_stores[i] = store_open(url, error_r);
        if (svc->reader_stores[i] == NULL)
            return false;
    }
    return svc->writer_store != NULL;
}

static bool store_service_config_ok(const struct store_service_config *cfg, char **error_r)
{
    if (cfg->readers < 1 || cfg->readers > STORE_SERVICE_MAX_READERS || cfg->max_batch < 1 ||
        cfg->max_batch > STORE_SERVICE_MAX_BATCH) {
        *error_r = xasprintf("store service: readers must be 1-%d and max_batch 1-%d",
                             STORE_SERVICE_MAX_READERS, STORE_SERVICE_MAX_BATCH);
        return false;
    }
    return true;
}

static bool store_service_start(struct store_service *svc, char **error_r)
{
    if (pthread_create(&svc->writer, NULL, store_service_writer, svc) != 0) {
        *error_r = xstrdup("store service: cannot start the writer thread");
        return false;
    }
    svc->writer_started = true;
    for (unsigned i = 0; i < svc->n_readers; i++) {
        svc->reader_args[i].svc = svc;
        svc->reader_args[i].st = svc->reader_stores[i];
        if (pthread_create(&svc->readers[i], NULL, store_service_reader, &svc->reader_args[i]) !=
            0) {
            svc->n_readers = i; /* store_service_free joins the ones that started */
            *error_r = xstrdup("store service: cannot start a reader thread");
            return false;
        }
    }
    return true;
}

struct store_service *store_service_new(struct event_base *base,
                                        const struct store_service_config *cfg, char **error_r)
{
    if (!store_service_config_ok(cfg, error_r))
        return NULL;
    struct store_service *svc = xcalloc(1, sizeof(*svc));
    svc->base = base;
    svc->max_batch = cfg->max_batch;
    svc->n_readers = cfg->readers;
    svc->wake_fd = -1;
    store_pending_init(&svc->pending);
    pthread_mutex_init(&svc->lock, NULL);
    pthread_cond_init(&svc->write_cond, NULL);
    pthread_cond_init(&svc->read_cond, NULL);
    bool ok = store_service_open_all(svc, cfg->url, error_r);
    if (ok) {
        svc->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        svc->wake_ev = svc->wake_fd < 0 ? NULL
                                        : event_new(base, svc->wake_fd, EV_READ | EV_PERSIST,
                                                    store_service_wake, svc);
        ok = svc->wake_ev != NULL && event_add(svc->wake_ev, NULL) == 0;
        if (!ok)
            *error_r =
                xasprintf("store service: cannot set up the wake-up event: %s", strerror(errno));
    }
    if (ok)
        ok = store_service_start(svc, error_r);
    if (!ok) {
        store_service_free(svc);
        return NULL;
    }
    return svc;
}

static void store_queue_free(struct store_queue *q)
{
    struct store_req *r;
    while ((r = store_queue_pop(q)) != NULL)
        store_req_free(r);
}

void store_service_free(struct store_service *svc)
{
    if (svc == NULL)
        return;
    pthread_mutex_lock(&svc->lock);
    svc->stopping = true;
    pthread_cond_broadcast(&svc->write_cond);
    pthread_cond_broadcast(&svc->read_cond);
    pthread_mutex_unlock(&svc->lock);
    if (svc->writer_started)
        pthread_join(svc->writer, NULL);
    for (unsigned i = 0; i < svc->n_readers; i++) {
        if (svc->reader_args[i].svc != NULL)
            pthread_join(svc->readers[i], NULL);
    }
    for (unsigned i = 0; i < STORE_SERVICE_MAX_READERS; i++)
        store_close(svc->reader_stores[i]);
    store_close(svc->writer_store);
    store_queue_free(&svc->writes);
    store_queue_free(&svc->reads);
    store_queue_free(&svc->replies);
    if (svc->wake_ev != NULL)
        event_free(svc->wake_ev);
    if (svc->wake_fd >= 0)
        close(svc->wake_fd);
    store_pending_free(&svc->pending);
    pthread_cond_destroy(&svc->write_cond);
    pthread_cond_destroy(&svc->read_cond);
    pthread_mutex_destroy(&svc->lock);
    free(svc);
}
