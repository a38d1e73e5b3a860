/*
 * srsmap_conn: one accepted connection of the lookup service (internal to src/srsmap).
 * A connection owns its socket, its two events, its parser and its output buffer; it frees
 * itself when the peer leaves, on a protocol error (after the error reply is written), on
 * idle timeout, or when the server closes it.
 */
#ifndef REBOUND_SRSMAP_CONN_H
#define REBOUND_SRSMAP_CONN_H

#include <event2/event.h>
#include <stdint.h>

#include "srsmap_lookup.h"

/* Bytes read from a socket at once. */
#define SRSMAP_READ_CHUNK 16384

enum srsmap_protocol { SRSMAP_PROTO_SOCKETMAP, SRSMAP_PROTO_TCPTABLE };

struct srsmap_conn;

/* What a connection needs from its server (borrowed). */
struct srsmap_conn_env {
    struct event_base *base;
    const struct srsmap_engine *engine;
    unsigned keep_alive_seconds;
    /* Called once when a connection is gone (after its socket is closed). */
    void (*on_close)(void *ctx, struct srsmap_conn *conn);
    void *ctx;
};

/* Takes ownership of fd (non-blocking) and starts serving it. */
struct srsmap_conn *srsmap_conn_start(const struct srsmap_conn_env *env, int fd, uint64_t id,
                                      enum srsmap_protocol proto, enum srsmap_direction dir);
/* Closes and frees the connection now (server shutdown); calls on_close. */
void srsmap_conn_close(struct srsmap_conn *conn);

/* Intrusive list links for the server's table of open connections. */
struct srsmap_conn *srsmap_conn_next(const struct srsmap_conn *conn);
void srsmap_conn_link(struct srsmap_conn *conn, struct srsmap_conn **head);
void srsmap_conn_unlink(struct srsmap_conn *conn, struct srsmap_conn **head);

#endif
