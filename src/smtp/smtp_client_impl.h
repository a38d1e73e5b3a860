/*
 * smtp_client_impl: the connection state shared by smtp_client.c (connection, greeting, EHLO,
 * STARTTLS, timers, teardown) and smtp_client_txn.c (MAIL/RCPT/DATA). Not for other modules.
 */
#ifndef REBOUND_SMTP_CLIENT_IMPL_H
#define REBOUND_SMTP_CLIENT_IMPL_H

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "smtp_client.h"

enum smtp_client_state {
    SMTP_CLIENT_S_CONNECTING,
    SMTP_CLIENT_S_GREETING,
    SMTP_CLIENT_S_EHLO,
    SMTP_CLIENT_S_HELO,
    SMTP_CLIENT_S_STARTTLS,
    SMTP_CLIENT_S_HANDSHAKE,
    SMTP_CLIENT_S_IDLE,
    SMTP_CLIENT_S_TXN, /* a transaction runs: see txn_state */
    SMTP_CLIENT_S_QUIT,
    SMTP_CLIENT_S_DEAD, /* closed; waiting to be freed */
};

enum smtp_client_txn_state {
    SMTP_CLIENT_T_RSET,
    SMTP_CLIENT_T_ENVELOPE, /* MAIL and RCPT replies outstanding */
    SMTP_CLIENT_T_DATA,     /* waiting for 354 */
    SMTP_CLIENT_T_BODY,     /* body sent, waiting for the final reply */
};

struct smtp_client {
    struct event_base *base;
    struct bufferevent *bev;
    struct event *timer;    /* the reply we wait for (or the connect) must come before it fires */
    struct event *deferred; /* runs callbacks outside the call that started the work */
    SSL_CTX *ssl_ctx;
    enum smtp_client_tls tls;
    char *tls_name, *helo_name, *log_id;
    char peer[64]; /* the address connected to, for messages */
    struct smtp_client_timeouts timeouts;
    enum smtp_client_state state;
    struct smtp_client_reply_parser parser;
    struct smtp_client_caps caps;
    bool is_tls, tried_ehlo_after_tls;
    unsigned transactions;
    int depth;         /* handlers on the stack; free waits for them to unwind */
    bool free_pending; /* smtp_client_free() was called while depth > 0 */

    smtp_client_open_fn *open_cb;
    void *open_arg;

    /* The running transaction. */
    enum smtp_client_txn_state txn_state;
    const struct smtp_client_msg *msg;
    smtp_client_sent_fn *sent_cb;
    void *sent_arg;
    struct smtp_client_result *results; /* one per recipient */
    struct smtp_client_result last;
    size_t replies_due; /* MAIL + RCPT replies not yet read */
    size_t next_rcpt;   /* without PIPELINING: the next RCPT to send */
    size_t rcpt_replied;
    bool mail_ok, mail_replied, stale, body_sent;
    bool envelope_sent; /* MAIL (and RCPTs) written, pipelined behind RSET or not */
    size_t n_accepted;
};

/* smtp_client.c */
void smtp_client_write(struct smtp_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void smtp_client_arm(struct smtp_client *c, int timeout_ms);
/* Closes the connection (state DEAD); the client stays allocated until freed. */
void smtp_client_close(struct smtp_client *c);
/* Schedules smtp_client_txn_deliver through the deferred event. */
void smtp_client_defer(struct smtp_client *c);

/* smtp_client_txn.c */
void smtp_client_txn_reply(struct smtp_client *c, const struct smtp_client_reply *reply);
/* The connection failed during a transaction (timeout, lost, protocol error): finish it. */
void smtp_client_txn_fail(struct smtp_client *c, const struct smtp_client_result *why);
/* Runs the sent callback (from the deferred event or directly from an event handler). */
void smtp_client_txn_finish(struct smtp_client *c);

#endif
