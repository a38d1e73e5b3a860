/*
 * tcptable_request: incremental parser for Postfix tcp_table requests (tcp_table(5)) with
 * exactly the acceptance rules of postsrsd 1.10 (Debian 1.10-2), which rebound replaces.
 *
 *   request = *(SP / CR) "get" (SP / CR) *CR key [CR *OCTET] LF
 *   key     = 1*(%-escape / any octet but CR and LF)        (decoded with tcptable_codec)
 *
 * (postsrsd tokenises with strtok(" \r\n") then strtok("\r\n"), so a second space belongs to
 * the key and anything after a CR is ignored.) Everything else - another command, "get"
 * without key, a malformed escape, a line of TCPTABLE_MAX_LINE or more bytes before its LF -
 * is TCPTABLE_INVALID: the server answers "500 Invalid request" and closes the connection.
 * A decoded "%00" ends the key, as it did in postsrsd's C strings.
 *
 * The parser copies what it needs, so input may arrive in pieces of any size (tests feed it one
 * byte at a time). It owns no heap memory; the struct is embedded by its user.
 */
#ifndef REBOUND_SRSMAP_TCPTABLE_REQUEST_H
#define REBOUND_SRSMAP_TCPTABLE_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

/* A request line including its LF must be shorter than this (postsrsd 1.10-2: fgets into 1024
 * bytes, lines that fill 1023 refused; CVE-2021-35525). */
#define TCPTABLE_MAX_LINE 1023

enum tcptable_event {
    TCPTABLE_NEED_MORE, /* all input consumed, no complete line yet */
    TCPTABLE_REQUEST,   /* a request is in *req_r */
    TCPTABLE_INVALID,   /* protocol error: answer "500 Invalid request" and close */
};

struct tcptable_parser {
    size_t have;  /* bytes of the current line in line[] (LF excluded) */
    bool invalid; /* sticky: once a protocol error was seen nothing more is parsed */
    char line[TCPTABLE_MAX_LINE];
    char key[TCPTABLE_MAX_LINE]; /* the decoded key of the last request */
};

struct tcptable_request {
    const char *key; /* decoded, NUL-terminated; borrowed from the parser until the next call */
    size_t key_len;
};

void tcptable_parser_init(struct tcptable_parser *p);

/*
 * Consumes input up to and including the end of the next request line. Returns the number of
 * bytes consumed and sets *event_r; on TCPTABLE_REQUEST, *req_r describes the request. Call
 * again with the rest of the input until it reports TCPTABLE_NEED_MORE.
 */
size_t tcptable_parser_feed(struct tcptable_parser *p, const char *data, size_t len,
                            enum tcptable_event *event_r, struct tcptable_request *req_r);

/* At end of input: a last line without LF is still a request (postsrsd's fgets() returned it).
 * Returns TCPTABLE_NEED_MORE when nothing is pending. */
enum tcptable_event tcptable_parser_finish(struct tcptable_parser *p,
                                           struct tcptable_request *req_r);

#endif
