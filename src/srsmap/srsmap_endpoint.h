/*
 * srsmap_endpoint: listening addresses as written in the configuration, and the sockets for
 * them. Accepted forms: "inet:HOST:PORT", "HOST:PORT" (when bare addresses are allowed) and
 * "unix:/PATH" (when unix sockets are allowed). HOST may be a name, an IPv4 address or an
 * IPv6 address in brackets ("[::1]:10001"); PORT is 0..65535 (0 = any free port).
 */
#ifndef REBOUND_SRSMAP_ENDPOINT_H
#define REBOUND_SRSMAP_ENDPOINT_H

#include <stdbool.h>

/* Pending connections the kernel queues per listener. */
#define SRSMAP_LISTEN_BACKLOG 128

struct srsmap_endpoint {
    char *host; /* inet: owned; NULL for unix */
    char *port; /* inet: owned, decimal */
    char *path; /* unix: owned; NULL for inet */
};

enum srsmap_endpoint_forms {
    SRSMAP_ENDPOINT_INET_PREFIXED = 1, /* inet:HOST:PORT */
    SRSMAP_ENDPOINT_INET_BARE = 2,     /* HOST:PORT */
    SRSMAP_ENDPOINT_UNIX = 4,          /* unix:/PATH */
};

/* Parses text in one of the allowed forms (a mask of srsmap_endpoint_forms). On failure
 * returns false with a sentence in *error_r (owned). Release with srsmap_endpoint_clear(). */
bool srsmap_endpoint_parse(const char *text, unsigned forms, struct srsmap_endpoint *ep_r,
                           char **error_r);
void srsmap_endpoint_clear(struct srsmap_endpoint *ep);

/*
 * Creates a non-blocking listening socket (unix sockets: a stale socket file is replaced and
 * the new one made mode 0666, as postsrsd does, so Postfix's unprivileged processes can
 * connect). Returns the fd, with the address actually bound in *bound_r (owned; shows the real
 * port when PORT was 0), or -1 with *error_r (owned).
 */
int srsmap_endpoint_listen(const struct srsmap_endpoint *ep, char **bound_r, char **error_r);

#endif
