/*
 * smtp_client: one outbound SMTP connection (RFC 5321) as a state machine on a libevent
 * bufferevent, with STARTTLS (RFC 3207, OpenSSL), PIPELINING (RFC 2920), SIZE (RFC 1870),
 * 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531, for non-ASCII addresses) and DSN (RFC 3461). It knows
 * nothing of routing or queues: the delivery layer (src/deliver) picks the address, hands it
 * messages and keeps idle connections.
 *
 * Life of a connection:
 *   smtp_client_open()  -> connect (connect timeout), 220 greeting, EHLO (HELO when EHLO is
 *                          refused), STARTTLS when offered and allowed, EHLO again;
 *                          then open_cb(client) -- or open_cb(NULL, failure) and it is gone.
 *   smtp_client_send()  -> [RSET when a transaction ran before] MAIL, RCPT... (one batch with
 *                          PIPELINING), DATA, the dot-stuffed body, "."; then sent_cb with one
 *                          outcome per recipient. Repeat while smtp_client_is_usable().
 *   smtp_client_quit()  -> QUIT, and the client frees itself; smtp_client_free() just closes.
 *
 * Outcomes are classified at the origin (STYLE.md rule 4): every result says OK, TEMPORARY or
 * PERMANENT and carries an enhanced status code, the server's (RFC 3463) or one chosen here:
 *   4.4.1 connection refused / connect timeout     4.4.2 timeout or connection lost in session
 *   4.5.0 protocol error (unparseable reply)       4.7.5 TLS handshake or verification failure
 *   4.7.10 TLS required but not offered            5.3.4 message larger than the server's SIZE
 *   5.6.3 8-bit message, server without 8BITMIME   5.6.7 UTF-8 address, server without SMTPUTF8
 *   (replies without an enhanced code: X.0.0 of their class)
 *
 * Timeouts (RFC 5321 section 4.5.3.2) are named, with the RFC's minimums as defaults.
 *
 * Callbacks never fire inside the call that starts the work; they run from the event loop. A
 * callback may free the client (or quit it). Everything a callback receives is borrowed for the
 * duration of the callback. Not thread-safe: one client belongs to one event loop.
 */
#ifndef REBOUND_SMTP_CLIENT_H
#define REBOUND_SMTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "smtp_client_ehlo.h"
#include "smtp_client_reply.h"

struct event_base;
typedef struct ssl_ctx_st SSL_CTX;

/* Not in the RFC; Postfix's smtp_connect_timeout is 30 s. */
#define SMTP_CLIENT_DEFAULT_CONNECT_MS (30 * 1000)
/* RFC 5321 4.5.3.2.1-6 and 4.5.3.2.7 (server side, used here for replies to EHLO/RSET/QUIT). */
#define SMTP_CLIENT_DEFAULT_GREETING_MS   (5 * 60 * 1000)
#define SMTP_CLIENT_DEFAULT_MAIL_MS       (5 * 60 * 1000)
#define SMTP_CLIENT_DEFAULT_RCPT_MS       (5 * 60 * 1000)
#define SMTP_CLIENT_DEFAULT_DATA_INIT_MS  (2 * 60 * 1000)
#define SMTP_CLIENT_DEFAULT_DATA_BLOCK_MS (3 * 60 * 1000)
#define SMTP_CLIENT_DEFAULT_DATA_TERM_MS  (10 * 60 * 1000)
#define SMTP_CLIENT_DEFAULT_COMMAND_MS    (5 * 60 * 1000)
/* Recipients of one transaction; RFC 5321 4.5.3.1.8: servers must take at least 100. */
#define SMTP_CLIENT_MAX_RCPTS 100
/* Longest address or DSN parameter value we put in a command (RFC 5321 4.5.3.1.3 path). */
#define SMTP_CLIENT_MAX_PARAM_LEN 256

struct smtp_client_timeouts {
    int connect_ms, greeting_ms, command_ms; /* command: EHLO, HELO, STARTTLS, RSET, QUIT */
    int mail_ms, rcpt_ms, data_init_ms, data_block_ms, data_term_ms;
};

enum smtp_client_tls {
    SMTP_CLIENT_TLS_NONE,   /* never STARTTLS */
    SMTP_CLIENT_TLS_MAY,    /* STARTTLS when offered, no verification (opportunistic) */
    SMTP_CLIENT_TLS_VERIFY, /* STARTTLS required; certificate chain and name verified */
};

struct smtp_client_options {
    const char *helo_name; /* borrowed for the call; required */
    enum smtp_client_tls tls;
    SSL_CTX *ssl_ctx;     /* borrowed, must outlive the client; required unless TLS_NONE */
    const char *tls_name; /* name for SNI and verification (the MX host); borrowed for the call */
    struct smtp_client_timeouts timeouts; /* 0 fields take the defaults */
    const char *log_id;                   /* borrowed for the call; NULL = "-" */
};

enum smtp_client_status {
    SMTP_CLIENT_OK,
    SMTP_CLIENT_TEMPORARY,
    SMTP_CLIENT_PERMANENT,
};

struct smtp_client_result {
    enum smtp_client_status status;
    int code;                                 /* the reply code; 0 when no reply was involved */
    char enhanced[SMTP_CLIENT_ENHANCED_SIZE]; /* always set */
    char *text;      /* the full reply ("\n" between lines) or a sentence */
    bool tls_failed; /* the STARTTLS handshake failed (opportunistic callers may retry without) */
};

struct smtp_client_rcpt {
    const char *address; /* without angle brackets */
    const char *notify;  /* DSN NOTIFY value ("NEVER", "SUCCESS,FAILURE,DELAY") or NULL */
    const char *orcpt;   /* DSN ORCPT as received ("rfc822;bob+40example.com") or NULL */
};

struct smtp_client_msg {
    const char *return_path; /* "" for the null reverse-path */
    const char *envid;       /* DSN ENVID, plain text (xtext-encoded here) or NULL */
    const char *ret;         /* DSN RET: "FULL", "HDRS" or NULL */
    const struct smtp_client_rcpt *rcpts;
    size_t n_rcpts;   /* 1..SMTP_CLIENT_MAX_RCPTS */
    const char *body; /* the message, headers and body */
    size_t body_len;
};

struct smtp_client_sent {
    size_t n_rcpts;
    const struct smtp_client_result *rcpts; /* in the order given */
    /* The reply that ended the transaction (the final reply after ".", or the failure). */
    const struct smtp_client_result *last;
    /* True when a reused connection was found dead before anything was sent (RSET failed):
     * nothing happened; send again on a new connection. */
    bool stale;
};

struct smtp_client;

typedef void smtp_client_open_fn(struct smtp_client *client,
                                 const struct smtp_client_result *failure, void *arg);
typedef void smtp_client_sent_fn(struct smtp_client *client, const struct smtp_client_sent *sent,
                                 void *arg);

/* Fills timeouts with the RFC defaults. */
void smtp_client_timeouts_default(struct smtp_client_timeouts *t);

/* Starts connecting to addr. Later, open_cb fires once: with the client (owned by the caller
 * from then on) and failure NULL when ready for smtp_client_send(); or with client NULL and a
 * failure (the client is already gone). Returns NULL only for an unusable address (never
 * calls open_cb then). */
struct smtp_client *smtp_client_open(struct event_base *base, const struct sockaddr *addr,
                                     socklen_t addr_len, const struct smtp_client_options *options,
                                     smtp_client_open_fn *open_cb, void *arg);

/* Runs one transaction. Requires smtp_client_is_usable(). msg and everything it points to are
 * borrowed until sent_cb, which fires exactly once. Afterwards the client is idle again, or
 * unusable (free it). */
void smtp_client_send(struct smtp_client *client, const struct smtp_client_msg *msg,
                      smtp_client_sent_fn *sent_cb, void *arg);

/* Open, idle, and the server has not closed or spoken out of turn. */
bool smtp_client_is_usable(const struct smtp_client *client);
/* What the server offered in its last EHLO (all false after HELO); borrowed. */
const struct smtp_client_caps *smtp_client_caps(const struct smtp_client *client);
/* True once STARTTLS completed. */
bool smtp_client_is_tls(const struct smtp_client *client);
/* Transactions started on this connection (the next one begins with RSET when > 0). */
unsigned smtp_client_transactions(const struct smtp_client *client);

/* Sends QUIT (when usable), waits briefly for the reply and frees the client. No callback.
 * Must not be called while a transaction runs. Accepts NULL. */
void smtp_client_quit(struct smtp_client *client);
/* Closes at once; pending callbacks never fire. Accepts NULL; may be called from callbacks. */
void smtp_client_free(struct smtp_client *client);

/* Sets *r (replacing what it held; text is copied). */
void smtp_client_set_result(struct smtp_client_result *r, enum smtp_client_status status, int code,
                            const char *enhanced, const char *text);
/* Classifies a reply: 2xx OK, 5xx PERMANENT, anything else TEMPORARY; enhanced code from the
 * reply or X.0.0 of its class. */
void smtp_client_result_from_reply(struct smtp_client_result *r,
                                   const struct smtp_client_reply *reply);
void smtp_client_result_clear(struct smtp_client_result *result);
void smtp_client_result_copy(struct smtp_client_result *dst, const struct smtp_client_result *src);
const char *smtp_client_status_name(enum smtp_client_status status);

#endif
