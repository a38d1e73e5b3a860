/*
 * smtp_server: the SMTP server engine shared by the submission listener and the feedback MX,
 * and the seam between it and a role (DESIGN.md "Sessions never touch the store directly").
 *
 * The engine speaks the protocol; a role decides. Whenever a decision is needed the engine calls
 * one callback of struct smtp_server_handler with a fresh request id and then waits; the role
 * answers later, from any event-loop callback (or from inside the callback itself), with
 * smtp_server_answer(server, request_id, answer). A session has at most one request
 * outstanding. If the session goes away first (client disconnect, timeout, shutdown) the
 * engine calls handler->cancel(ctx, request_id); a later answer for that id is ignored, so a
 * role never needs to know whether its session still exists.
 *
 * Ordering guarantees: the engine never calls the handler from inside smtp_server_answer();
 * it continues the session later from the event loop. "250" after DATA is sent only when the
 * role's commit answer is SMTP_VERDICT_ACCEPT, which by contract means "durably committed".
 *
 * SECURITY: every byte from the client is untrusted. The engine bounds what a client can make
 * it hold (struct smtp_limits, SMTP_SESSION_*_HIGH_WATER: per session at most one command line
 * or AUTH line, the buffered pipeline, and limits.message_size of body), refuses ambiguous line
 * ends instead of repairing them, forgets everything learned before STARTTLS, never logs AUTH
 * data, and trusts the role's answers (they come from rebound's own code).
 *
 * Ownership: the strings and buffers a callback receives (envelope, paths, the message body)
 * are borrowed until the request is answered or cancelled; copy what must live longer. But
 * struct smtp_message (commit) and struct smtp_session_info are built on the engine's stack
 * and valid only during the callback: a role that answers later must copy the struct itself
 * (the pointers inside it stay valid as above). struct smtp_answer and
 * its strings are borrowed for the duration of smtp_server_answer() only (they are copied).
 */
#ifndef REBOUND_SMTP_SERVER_H
#define REBOUND_SMTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "net_cidr.h"
#include "smtp_auth.h"
#include "smtp_command.h"

/* RFC 5321 4.5.3.1.4: a command line is at most 512 octets including CRLF. */
#define SMTP_COMMAND_LINE_MAX            512
#define SMTP_DEFAULT_MAX_RECIPIENTS      50            /* as SES */
#define SMTP_DEFAULT_MAX_MESSAGE_SIZE    (40ULL << 20) /* 40 MB, as SES */
#define SMTP_DEFAULT_MAX_COMMANDS        10000         /* per session */
#define SMTP_DEFAULT_MAX_SESSIONS        1000
#define SMTP_DEFAULT_MAX_SESSIONS_PER_IP 50  /* as Postfix's connection count limit */
#define SMTP_DEFAULT_TIMEOUT_COMMAND     300 /* RFC 5321 4.5.3.2.7: at least 5 min */
#define SMTP_DEFAULT_TIMEOUT_DATA        300 /* 4.5.3.2.7 applies to data too */

struct smtp_limits {
    size_t command_line;      /* octets per command line including CRLF (>= 512) */
    size_t text_line;         /* octets per DATA line including CRLF (>= 1000) */
    unsigned recipients;      /* RCPTs accepted per message; more get 452 4.5.3 */
    uint64_t message_size;    /* octets; SIZE= above it is refused at MAIL, DATA counted */
    unsigned commands;        /* commands per session; more get 421 4.7.0 and a close */
    unsigned sessions;        /* sessions at once over all listeners; more get 421 4.7.0 */
    unsigned sessions_per_ip; /* sessions at once from one client address */
    unsigned timeout_command; /* seconds waiting for a command line */
    unsigned timeout_data;    /* seconds waiting for the next DATA bytes */
};

void smtp_limits_default(struct smtp_limits *limits);

/* One listening endpoint. Strings and the network list are borrowed for the server's life. */
struct smtp_listener_config {
    const char *name;    /* for logs, e.g. "submission" */
    const char *address; /* "127.0.0.1:587", "[::1]:465", "0.0.0.0:587" */
    bool implicit_tls;   /* 465-style: TLS from the first byte */
    bool auth_plaintext; /* offer AUTH without TLS (default: only after TLS) */
    bool require_auth;   /* MAIL needs AUTH or a trusted network (submission: yes) */
    const struct net_cidr_list *trusted_networks; /* may be NULL */
    const char *trusted_account;                  /* the account a trusted client submits as */
};

/* What a role sees of a session; borrowed for the duration of the callback. */
struct smtp_session_info {
    const char *id;        /* session id, first word of every log line about it */
    const char *listener;  /* listener name */
    const char *client_ip; /* text form of the client address */
    const char *helo;      /* EHLO/HELO argument, NULL before one */
    bool tls;              /* the session is encrypted (implicit TLS or after STARTTLS) */
    const char *account;   /* account from AUTH or from a trusted network; NULL if none */
    int64_t account_id;    /* the role\'s key for it from the AUTH answer; 0 if none */
    bool authenticated;    /* account comes from AUTH (false: from a trusted network) */
};

struct smtp_rcpt {
    char *address; /* forward-path mailbox as sent */
    struct smtp_rcpt_params params;
};

struct smtp_envelope {
    char *mail_from; /* reverse-path mailbox as sent, "" for <> */
    struct smtp_mail_params params;
    struct smtp_rcpt *rcpts; /* accepted recipients, in order */
    size_t n_rcpts;
};

struct smtp_message {
    const struct smtp_envelope *envelope;
    const char *data; /* the engine's Received: header, then the body byte-exact (unstuffed,
                       * CRLF line ends, without the final "."CRLF) */
    size_t size;
};

/* The role. Callbacks other than commit may be NULL: MAIL and RCPT are then accepted, and
 * without auth the AUTH extension is not offered. */
struct smtp_server_handler {
    void *ctx;
    void (*auth)(void *ctx, uint64_t request_id, const struct smtp_session_info *session,
                 const struct smtp_auth_credentials *credentials);
    void (*mail)(void *ctx, uint64_t request_id, const struct smtp_session_info *session,
                 const char *reverse_path, const struct smtp_mail_params *params);
    void (*rcpt)(void *ctx, uint64_t request_id, const struct smtp_session_info *session,
                 const struct smtp_envelope *envelope, const char *forward_path,
                 const struct smtp_rcpt_params *params);
    void (*commit)(void *ctx, uint64_t request_id, const struct smtp_session_info *session,
                   const struct smtp_message *message);
    /* The request's session is gone; do not answer (an answer would be ignored anyway). */
    void (*cancel)(void *ctx, uint64_t request_id);
};

enum smtp_verdict {
    SMTP_VERDICT_ACCEPT,   /* 2xx; for commit: the message is durably committed */
    SMTP_VERDICT_TEMPFAIL, /* 4xx */
    SMTP_VERDICT_PERMFAIL, /* 5xx */
};

struct smtp_answer {
    enum smtp_verdict verdict;
    int code;               /* 0: the engine's default for the verdict and the request */
    const char *enhanced;   /* NULL: default; must match the class of code */
    const char *text;       /* NULL: default; e.g. SES's "Message rejected: ..." */
    const char *account;    /* auth ACCEPT: the account the session acts for (NULL: username) */
    int64_t account_id;     /* auth ACCEPT: the role\'s key for it (e.g. a store row id), handed
                             * back in every later smtp_session_info */
    const char *message_id; /* commit ACCEPT: shown as "250 2.0.0 Ok <message_id>" */
};

struct smtp_server_config {
    const char *hostname; /* greeting and Received: name; borrowed */
    struct smtp_limits limits;
    void *tls_ctx;      /* SSL_CTX * for STARTTLS/implicit TLS (borrowed), or NULL */
    struct clock clock; /* for Received: dates */
};

struct smtp_server;

/* Creates an engine; config strings and handler ctx are borrowed for its life. */
struct smtp_server *smtp_server_new(const struct smtp_server_config *config,
                                    const struct smtp_server_handler *handler);
/* Frees every session (cancelling their requests) and listener. Accepts NULL. */
void smtp_server_free(struct smtp_server *server);
/* Answers request_id; unknown or cancelled ids are ignored. Never re-enters the handler. */
void smtp_server_answer(struct smtp_server *server, uint64_t request_id,
                        const struct smtp_answer *answer);
/* Sessions open now (for tests and the load report). */
unsigned smtp_server_session_count(const struct smtp_server *server);

#endif
