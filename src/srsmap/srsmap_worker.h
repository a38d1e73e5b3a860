/*
 * srsmap_worker: one thread with its own event base serving the connections handed to it
 * (internal to src/srsmap). The accepting thread passes each new socket through a pipe, so no
 * libevent object is ever touched by two threads. A worker owns the connections it serves
 * and closes them when it stops.
 */
#ifndef REBOUND_SRSMAP_WORKER_H
#define REBOUND_SRSMAP_WORKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "srsmap_conn.h"

struct srsmap_worker;

/* Starts a worker thread. conn_count is shared by all workers of a server: the worker
 * decrements it when one of its connections closes. Returns NULL with *error_r (owned). */
struct srsmap_worker *srsmap_worker_start(const struct srsmap_engine *engine,
                                          unsigned keep_alive_seconds, atomic_uint *conn_count,
                                          char **error_r);
/* Hands an accepted, non-blocking socket to the worker (ownership passes on success). */
bool srsmap_worker_give(struct srsmap_worker *w, int fd, uint64_t id, enum srsmap_protocol proto,
                        enum srsmap_direction dir);
/* Stops the thread (closing its connections), joins it and frees the worker. NULL is fine. */
void srsmap_worker_stop(struct srsmap_worker *w);

#endif
