#include "srsmap_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "xalloc.h"

/* One message per accepted socket; fd < 0 asks the worker to stop. Smaller than PIPE_BUF, so
 * every write is atomic. */
struct srsmap_handoff {
    int fd;
    enum srsmap_protocol proto;
    enum srsmap_direction dir;
    uint64_t id;
};

struct srsmap_worker {
    pthread_t thread;
    struct event_base *base;
    struct event *ev_pipe;
    int pipe_r, pipe_w;
    struct srsmap_conn_env env;
    atomic_uint *conn_count;
    struct srsmap_conn *conns; /* touched only by the worker thread */
};

static void srsmap_worker_on_close(void *ctx, struct srsmap_conn *conn)
{
    struct srsmap_worker *w = ctx;
    srsmap_conn_unlink(conn, &w->conns);
    atomic_fetch_sub(w->conn_count, 1);
}

static void srsmap_worker_pipe_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct srsmap_worker *w = arg;
    struct srsmap_handoff msgs[16];
    ssize_t n = read(fd, msgs, sizeof(msgs));
    if (n <= 0)
        return;
    /* Messages are written whole and atomically, so they are read whole. */
    for (size_t i = 0; i < (size_t)n / sizeof(msgs[0]); i++) {
        if (msgs[i].fd < 0) {
            event_base_loopbreak(w->base);
            continue;
        }
        struct srsmap_conn *c =
            srsmap_conn_start(&w->env, msgs[i].fd, msgs[i].id, msgs[i].proto, msgs[i].dir);
        srsmap_conn_link(c, &w->conns);
    }
}

static void *srsmap_worker_main(void *arg)
{
    struct srsmap_worker *w = arg;
    event_base_dispatch(w->base);
    while (w->conns)
        srsmap_conn_close(w->conns);
    return NULL;
}

struct srsmap_worker *srsmap_worker_start(const struct srsmap_engine *engine,
                                          unsigned keep_alive_seconds, atomic_uint *conn_count,
                                          char **error_r)
{
    struct srsmap_worker *w = xcalloc(1, sizeof(*w));
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        *error_r = xasprintf("cannot create a worker pipe: %s", strerror(errno));
        free(w);
        return NULL;
    }
    w->pipe_r = p[0];
    w->pipe_w = p[1];
    /* The accepting thread must never block on a worker that is behind. */
    fcntl(w->pipe_w, F_SETFL, O_NONBLOCK);
    w->conn_count = conn_count;
    w->base = event_base_new();
    w->ev_pipe = w->base
                     ? event_new(w->base, w->pipe_r, EV_READ | EV_PERSIST, srsmap_worker_pipe_cb, w)
                     : NULL;
    w->env =
        (struct srsmap_conn_env){w->base, engine, keep_alive_seconds, srsmap_worker_on_close, w};
    if (w->ev_pipe == NULL || event_add(w->ev_pipe, NULL) < 0 ||
        pthread_create(&w->thread, NULL, srsmap_worker_main, w) != 0) {
        *error_r = xasprintf("cannot start a worker thread");
        if (w->ev_pipe)
            event_free(w->ev_pipe);
        if (w->base)
            event_base_free(w->base);
        close(w->pipe_r);
        close(w->pipe_w);
        free(w);
        return NULL;
    }
    return w;
}

bool srsmap_worker_give(struct srsmap_worker *w, int fd, uint64_t id, enum srsmap_protocol proto,
                        enum srsmap_direction dir)
{
    struct srsmap_handoff m = {fd, proto, dir, id};
    ssize_t n;
    do {
        n = write(w->pipe_w, &m, sizeof(m));
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof(m);
}

void srsmap_worker_stop(struct srsmap_worker *w)
{
    if (w == NULL)
        return;
    struct srsmap_handoff stop = {-1, SRSMAP_PROTO_TCPTABLE, SRSMAP_FORWARD, 0};
    fcntl(w->pipe_w, F_SETFL, 0); /* the stop message must get through */
    if (write(w->pipe_w, &stop, sizeof(stop)) != (ssize_t)sizeof(stop))
        LOG_ERROR("-", "srsmap worker-stop-failed error=\"%s\"", strerror(errno));
    pthread_join(w->thread, NULL);
    event_free(w->ev_pipe);
    event_base_free(w->base);
    close(w->pipe_r);
    close(w->pipe_w);
    free(w);
}
