/*
 * api_server: the HTTP API (api.h) behind libmicrohttpd; the only file that touches it.
 *
 * Threads: the daemon runs ONE internal polling thread; every request is served there, one at
 * a time, so the store connection in the context is used by that thread only, and its blocking
 * calls never stall an event loop (this is why the server is not on a libevent base: the store
 * is synchronous). start returns once the socket listens; stop joins the thread.
 *
 * Limits: request bodies over API_MAX_BODY are drained and answered 413 without being kept;
 * at most API_SERVER_MAX_CONNECTIONS connections, each idle for at most
 * API_SERVER_TIMEOUT_S seconds; headers beyond libmicrohttpd's per-connection memory limit get
 * 431 from the library itself.
 *
 * Ownership: ctx (and what it points to) is borrowed until api_server_stop().
 */
#ifndef REBOUND_API_SERVER_H
#define REBOUND_API_SERVER_H

#include <stdint.h>

#include "api.h"

#define API_SERVER_MAX_CONNECTIONS 256
#define API_SERVER_TIMEOUT_S       30

struct api_server;

/* Listens on listen ("IPv4:PORT"; port 0 = a free one). NULL with *error_r (owned). */
struct api_server *api_server_start(const char *listen, const struct api_context *ctx,
                                    char **error_r);
/* The port actually bound. */
uint16_t api_server_port(const struct api_server *s);
/* Stops accepting, closes connections, joins the thread. Accepts NULL. */
void api_server_stop(struct api_server *s);

#endif
