/*
 * srsmap_server: rebound's postsrsd-compatible lookup service on one libevent base.
 *
 * SECURITY: every byte a peer sends is untrusted. Requests are parsed incrementally with fixed
 * limits (tcptable_request.h, socketmap_request.h); a connection holds at most
 * SRSMAP_MAX_PENDING_OUTPUT bytes of unsent replies before it stops reading; idle connections
 * are closed after keep_alive seconds; at most connection_limit connections are served at
 * once (more are accepted and closed at once, as postsrsd 2.4 does). Secrets never reach the
 * logs; looked-up addresses are logged only at debug level.
 *
 * Threads: the caller's event base accepts; each connection is then served by one of
 * `workers` threads (round robin), each with its own event base, so lookups use every core as
 * postsrsd's process per connection did. Callbacks never block (the alias database is a local
 * SQLite file in WAL mode; see srsmap_aliasdb.h). The engine is shared read-only.
 */
#ifndef REBOUND_SRSMAP_SERVER_H
#define REBOUND_SRSMAP_SERVER_H

#include <event2/event.h>

#include "srsmap_lookup.h"

/* Most worker threads a server runs. */
#define SRSMAP_MAX_WORKERS 64
/* Replies queued but not yet written before a connection stops reading requests. */
#define SRSMAP_MAX_PENDING_OUTPUT ((size_t)64 * 1024)

struct srsmap_server_config {
    const char *socketmap;   /* "inet:HOST:PORT" or "unix:/PATH", or NULL */
    const char *tcp_forward; /* "HOST:PORT" (tcp_table forward map), or NULL */
    const char *tcp_reverse; /* "HOST:PORT" (tcp_table reverse map), or NULL */
    unsigned keep_alive_seconds;
    unsigned connection_limit;
    unsigned workers; /* threads serving connections, 1..SRSMAP_MAX_WORKERS */
};

struct srsmap_server;

/*
 * Binds every configured endpoint and starts accepting on base. engine and base are borrowed
 * and must outlive the server. Returns NULL with *error_r (owned) if any endpoint fails.
 */
struct srsmap_server *srsmap_server_new(struct event_base *base,
                                        const struct srsmap_server_config *cfg,
                                        const struct srsmap_engine *engine, char **error_r);
/* Closes the listeners (removing unix socket files) and every open connection. */
void srsmap_server_free(struct srsmap_server *server);

#endif
