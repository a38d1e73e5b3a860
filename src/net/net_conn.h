/*
 * net_conn: one accepted stream connection on a libevent bufferevent, plaintext or TLS
 * (implicit from the first byte, or started later with net_conn_start_tls for STARTTLS).
 * It knows nothing about SMTP.
 *
 * Callbacks (struct net_conn_handler) always fire from the event loop, never from inside a
 * net_conn_* call:
 *   on_read     bytes arrived (already removed from the connection's buffers; borrowed)
 *   on_timeout  nothing was read for the configured seconds (the owner decides what to say)
 *   on_drained  output that had backed up past NET_CONN_OUTPUT_HIGH_WATER drained
 *   on_schedule the owner asked net_conn_schedule()
 *   on_closed   the connection is over (peer closed, error, write timeout, or net_conn_close
 *               finished flushing). The owner must call net_conn_free() in or after it.
 * Ownership: the owner of a net_conn frees it with net_conn_free() (accepts NULL); the socket
 * is closed with it.
 */
#ifndef REBOUND_NET_CONN_H
#define REBOUND_NET_CONN_H

#include <event2/event.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>

#define NET_CONN_OUTPUT_HIGH_WATER ((size_t)64 * 1024)
#define NET_CONN_OUTPUT_LOW_WATER  ((size_t)16 * 1024)

struct net_conn_handler {
    void (*on_read)(void *arg, const char *data, size_t len);
    void (*on_timeout)(void *arg);
    void (*on_drained)(void *arg);
    void (*on_schedule)(void *arg);
    void (*on_closed)(void *arg);
};

struct net_conn;

/* Takes ownership of fd. implicit_tls (borrowed) starts a server handshake at once. */
struct net_conn *net_conn_new(struct event_base *base, evutil_socket_t fd, SSL_CTX *implicit_tls,
                              const struct net_conn_handler *handler, void *arg);
void net_conn_write(struct net_conn *c, const char *data, size_t len);
size_t net_conn_output_pending(const struct net_conn *c);
/* Discards unread input and starts a server TLS handshake over the connection. */
bool net_conn_start_tls(struct net_conn *c, SSL_CTX *ctx);
/* Idle timeout for reading and writing, in seconds; 0 disables it. */
void net_conn_set_timeout(struct net_conn *c, unsigned seconds);
void net_conn_set_reading(struct net_conn *c, bool enabled);
void net_conn_schedule(struct net_conn *c);
/* Flushes what was written, then reports on_closed. Further writes are dropped. */
void net_conn_close(struct net_conn *c);
void net_conn_free(struct net_conn *c);

#endif
