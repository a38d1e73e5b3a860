/*
 * The inside of a session, shared by smtp_session.c (input framing, dispatch, state) and the
 * smtp_cmd_*.c files (one handler per command) and smtp_server.c (request table). Not for
 * roles: they see struct smtp_session_info only.
 */
#ifndef REBOUND_SMTP_SESSION_IMPL_H
#define REBOUND_SMTP_SESSION_IMPL_H

#include "buf.h"
#include "idtab.h"
#include "smtp_data.h"
#include "smtp_session.h"

enum smtp_session_state {
    SMTP_STATE_GREETED,    /* greeting sent, no EHLO/HELO yet */
    SMTP_STATE_READY,      /* EHLO/HELO done, no transaction */
    SMTP_STATE_MAIL,       /* MAIL accepted, no recipient yet */
    SMTP_STATE_RCPT,       /* at least one recipient accepted */
    SMTP_STATE_DATA,       /* reading the message body */
    SMTP_STATE_AUTH_PLAIN, /* AUTH PLAIN: waiting for the response line */
    SMTP_STATE_AUTH_USER,  /* AUTH LOGIN: waiting for the username line */
    SMTP_STATE_AUTH_PASS,  /* AUTH LOGIN: waiting for the password line */
    SMTP_STATE_CLOSING,    /* QUIT or a fatal error: output flushing, input ignored */
};

enum smtp_request_kind {
    SMTP_REQUEST_NONE,
    SMTP_REQUEST_AUTH,
    SMTP_REQUEST_MAIL,
    SMTP_REQUEST_RCPT,
    SMTP_REQUEST_COMMIT,
};

/* A role's answer, copied out of struct smtp_answer. */
struct smtp_session_answer {
    bool ready;
    enum smtp_verdict verdict;
    int code;
    char *enhanced;
    char *text;
    char *account;
    int64_t account_id;
    char *message_id;
};

struct smtp_server {
    struct smtp_server_config config;
    struct smtp_server_handler handler;
    struct idtab requests; /* request id -> session */
    uint64_t next_request_id;
    uint64_t next_session_number;
    int64_t started_ms;
    struct smtp_session *sessions; /* all live sessions, doubly linked */
    unsigned n_sessions;
    void *listen; /* smtp_listen.c's state (listeners, event base) or NULL */
};

struct smtp_session {
    struct smtp_server *server;
    const struct smtp_listener_config *lc;
    struct smtp_transport transport;
    struct smtp_session *prev, *next;
    char *id;
    char *client_ip;
    char *helo;
    bool esmtp; /* EHLO (not HELO) */
    bool tls;
    bool trusted; /* client in the listener's trusted networks */
    char *account;
    int64_t account_id;
    bool authenticated;
    enum smtp_session_state state;
    unsigned commands;
    /* input */
    struct buf in;
    size_t in_off;
    bool discarding; /* inside an over-long line: drop bytes up to LF */
    bool reading;
    /* output collected during one run, written in one go (pipelined replies batch) */
    struct buf out;
    /* transaction */
    struct smtp_envelope env;
    char *pending_rcpt;
    struct smtp_rcpt_params pending_rcpt_params;
    struct smtp_data_reader data;
    struct buf body;
    struct smtp_auth_credentials creds; /* AUTH in progress */
    /* request to the role */
    enum smtp_request_kind request;
    uint64_t request_id;
    struct smtp_session_answer answer;
    bool in_run;
};

/* smtp_session.c */
void smtp_session_reply(struct smtp_session *s, int code, const char *enhanced, const char *text);
void smtp_session_reply_r(struct smtp_session *s, const struct smtp_reply *r);
void smtp_session_set_state(struct smtp_session *s, enum smtp_session_state state);
void smtp_session_close(struct smtp_session *s);
void smtp_session_info(const struct smtp_session *s, struct smtp_session_info *info_r);
/* Registers a request; returns its id. The caller then calls the handler. */
uint64_t smtp_session_request(struct smtp_session *s, enum smtp_request_kind kind);
void smtp_session_answer_clear(struct smtp_session_answer *a);
/* Answers text with defaults filled in. */
void smtp_session_reply_answer(struct smtp_session *s, int def_code, const char *def_enhanced,
                               const char *def_text);
void smtp_session_reset_transaction(struct smtp_session *s);

/* One handler per command (smtp_cmd_*.c); each owns nothing of cmd after returning. */
void smtp_cmd_ehlo(struct smtp_session *s, struct smtp_command *cmd);
void smtp_cmd_helo(struct smtp_session *s, struct smtp_command *cmd);
void smtp_cmd_mail(struct smtp_session *s, struct smtp_command *cmd);
void smtp_cmd_rcpt(struct smtp_session *s, struct smtp_command *cmd);
void smtp_cmd_data(struct smtp_session *s, struct smtp_command *cmd);
void smtp_cmd_rset(struct smtp_session *s, struct smtp_command *cmd);
void smtp_cmd_noop(struct smtp_session *s, struct smtp_command *cmd);
void smtp_cmd_quit(struct smtp_session *s, struct smtp_command *cmd);
void smtp_cmd_vrfy(struct smtp_session *s, struct smtp_command *cmd);
void smtp_cmd_expn(struct smtp_session *s, struct smtp_command *cmd);
void smtp_cmd_help(struct smtp_session *s, struct smtp_command *cmd);
void smtp_cmd_starttls(struct smtp_session *s, struct smtp_command *cmd);
void smtp_cmd_auth(struct smtp_session *s, struct smtp_command *cmd);

/* Continuations: a line in an AUTH state, the end of DATA, and the role's answers. */
void smtp_cmd_auth_line(struct smtp_session *s, const char *line, size_t len);
void smtp_cmd_auth_answered(struct smtp_session *s);
void smtp_cmd_mail_answered(struct smtp_session *s);
void smtp_cmd_rcpt_answered(struct smtp_session *s);
void smtp_cmd_data_input(struct smtp_session *s);
void smtp_cmd_data_answered(struct smtp_session *s);
bool smtp_session_auth_offered(const struct smtp_session *s);

#endif
