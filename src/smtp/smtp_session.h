/*
 * smtp_session: one server-side SMTP session as an explicit state machine, independent of
 * sockets. Its owner (the libevent glue in smtp_listen.c, or a fake in tests and the fuzz
 * target) feeds it client bytes and implements struct smtp_transport for its output.
 *
 * Contract with the owner:
 * - smtp_session_input() takes every byte offered (they are buffered up to a bound; past it the
 *   session asks set_reading(false) until it has caught up).
 * - The session never frees itself. After it calls transport->close() it ignores further input;
 *   the owner frees it (smtp_session_free) once the transport has flushed and closed, or at
 *   once on a transport error.
 * - transport->schedule() asks the owner to call smtp_session_run() later from the event loop
 *   (never from inside schedule()). The session uses it to continue after a role's answer.
 * - The owner calls smtp_session_run() also when the output it had pending has drained.
 */
#ifndef REBOUND_SMTP_SESSION_H
#define REBOUND_SMTP_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "smtp_server.h"

/* Unprocessed client bytes buffered per session before reading pauses. */
#define SMTP_SESSION_INPUT_HIGH_WATER ((size_t)64 * 1024)
/* Reply bytes waiting for the client before command processing pauses. */
#define SMTP_SESSION_OUTPUT_HIGH_WATER ((size_t)64 * 1024)

struct smtp_transport {
    void *ctx;
    void (*write)(void *ctx, const char *data, size_t len);
    size_t (*output_pending)(void *ctx);
    void (*close)(void *ctx); /* flush what was written, then close */
    /* Start the server side of a TLS handshake now (after the 220 was written). False if TLS
     * cannot start; the session then answers 454 and stays in plaintext. */
    bool (*start_tls)(void *ctx);
    void (*set_timeout)(void *ctx, unsigned seconds); /* read idle timeout; 0 = none */
    void (*set_reading)(void *ctx, bool enabled);
    void (*schedule)(void *ctx);
};

struct smtp_session;

/* Creates a session and registers it with the server (counted against its limits by the
 * caller's smtp_server_may_accept()). Strings are copied; transport is copied; lc borrowed. */
struct smtp_session *smtp_session_new(struct smtp_server *server,
                                      const struct smtp_listener_config *lc,
                                      const struct smtp_transport *transport, const char *client_ip,
                                      bool trusted, bool tls_active);
/* Sends the greeting. */
void smtp_session_start(struct smtp_session *s);
void smtp_session_input(struct smtp_session *s, const char *data, size_t len);
void smtp_session_run(struct smtp_session *s);
/* The read timeout fired: 421 4.4.2 and close. */
void smtp_session_timeout(struct smtp_session *s);
bool smtp_session_is_closing(const struct smtp_session *s);
/* Cancels an outstanding request (handler->cancel) and frees. Accepts NULL. */
void smtp_session_free(struct smtp_session *s);
const char *smtp_session_id(const struct smtp_session *s);

/* Whether one more session from client_ip fits the limits; if not, *refusal_r is the 421. */
bool smtp_server_may_accept(const struct smtp_server *server, const char *client_ip,
                            struct smtp_reply *refusal_r);

#endif
