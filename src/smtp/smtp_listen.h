/*
 * smtp_listen: the glue between the engine and real sockets. Each configured listener accepts
 * connections (net_listener), wraps them (net_conn: plaintext, STARTTLS or implicit TLS) and
 * runs one smtp_session per connection. Connections over the session limits get
 * "421 4.7.0 ..." and are closed.
 */
#ifndef REBOUND_SMTP_LISTEN_H
#define REBOUND_SMTP_LISTEN_H

#include <event2/event.h>
#include <stdbool.h>

#include "smtp_server.h"

/* Starts listening on lc->address; lc is borrowed for the server's life. Returns false with
 * *error_r (owned) if the address cannot be bound or TLS is needed but not configured. */
bool smtp_server_listen(struct smtp_server *server, struct event_base *base,
                        const struct smtp_listener_config *lc, char **error_r);
/* Closes the listening sockets only; sessions already open go on (graceful shutdown). */
void smtp_server_stop_accepting(struct smtp_server *server);
/* Closes every listener and connection (used by smtp_server_free). */
void smtp_listen_destroy(struct smtp_server *server);

#endif
