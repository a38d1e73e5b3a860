/*
 * socketmap_request: incremental parser for Postfix socketmap requests (socketmap(5)) with
 * exactly the acceptance rules of postsrsd 2.x, which rebound replaces.
 *
 *   request  = netstring
 *   netstring = length ":" payload ","        length = *DIGIT, the payload's size in octets
 *   payload  = *SP mapname [SP key]            (postsrsd: strtok_r(payload, " "))
 *
 * Outcomes:
 *   - SOCKETMAP_REQUEST: mapname and key (the key may be empty; it may hold spaces);
 *   - SOCKETMAP_TOO_BIG: the key is longer than SOCKETMAP_MAX_KEY; answer "PERM Too big." and
 *     keep reading (the netstring was well-formed);
 *   - SOCKETMAP_INVALID: not a netstring, a length of SOCKETMAP_MAX_PAYLOAD + 1 or more, no
 *     "," after the payload, or an empty/blank payload; answer "PERM Invalid query." and close.
 *     Detected as early as possible: a non-digit before ":" or an oversized length is refused
 *     before the payload arrives.
 * As in postsrsd's C strings, a NUL byte inside the payload ends the text that is split into
 * mapname and key (the size check still counts the whole payload).
 *
 * Input may arrive in pieces of any size. The parser owns no heap memory.
 */
#ifndef REBOUND_SRSMAP_SOCKETMAP_REQUEST_H
#define REBOUND_SRSMAP_SOCKETMAP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

/* Largest netstring payload accepted (postsrsd 2.x reads into 1024 bytes with a NUL). */
#define SOCKETMAP_MAX_PAYLOAD 1023
/* Largest key (after "forward "/"reverse ") looked up; longer ones get "PERM Too big.". */
#define SOCKETMAP_MAX_KEY 512

enum socketmap_event {
    SOCKETMAP_NEED_MORE,
    SOCKETMAP_REQUEST,
    SOCKETMAP_TOO_BIG,
    SOCKETMAP_INVALID,
};

enum socketmap_state {
    SOCKETMAP_STATE_LENGTH,
    SOCKETMAP_STATE_PAYLOAD,
    SOCKETMAP_STATE_COMMA,
    SOCKETMAP_STATE_INVALID,
};

struct socketmap_parser {
    enum socketmap_state state;
    size_t length; /* announced payload size */
    size_t have;   /* payload bytes received */
    char payload[SOCKETMAP_MAX_PAYLOAD + 1];
};

struct socketmap_request {
    const char *map; /* borrowed from the parser until the next call; not NUL-terminated */
    size_t map_len;
    const char *key; /* NUL-terminated */
    size_t key_len;
};

void socketmap_parser_init(struct socketmap_parser *p);

/*
 * Consumes input up to and including the end of the next netstring (or the byte that made it
 * invalid). Returns the number of bytes consumed and sets *event_r; on SOCKETMAP_REQUEST,
 * *req_r describes the request. Call again with the rest until SOCKETMAP_NEED_MORE.
 */
size_t socketmap_parser_feed(struct socketmap_parser *p, const char *data, size_t len,
                             enum socketmap_event *event_r, struct socketmap_request *req_r);

#endif
