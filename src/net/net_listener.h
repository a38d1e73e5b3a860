/*
 * net_listener: a listening TCP socket on the libevent loop ("127.0.0.1:587", "[::1]:465",
 * "0.0.0.0:25"). Each accepted socket is handed to the callback, which owns it from then on.
 * Ownership: free with net_listener_free() (accepts NULL); closes the socket.
 */
#ifndef REBOUND_NET_LISTENER_H
#define REBOUND_NET_LISTENER_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Pending connections the kernel queues for us. */
#define NET_LISTEN_BACKLOG 1024

typedef void net_accept_fn(void *arg, evutil_socket_t fd, const struct sockaddr *peer,
                           socklen_t peer_len);

struct net_listener;

/* Parses "host:port" or "[v6]:port" with a numeric host; false if malformed. */
bool net_address_parse(const char *text, struct sockaddr_storage *ss_r, socklen_t *len_r);
/* Writes the numeric address (no port) of sa into out. */
void net_address_format(const struct sockaddr *sa, char *out, size_t out_len);

struct net_listener *net_listener_new(struct event_base *base, const char *address,
                                      net_accept_fn *cb, void *arg, char **error_r);
void net_listener_free(struct net_listener *l);

#endif
