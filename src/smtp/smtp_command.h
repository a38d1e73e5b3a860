/*
 * smtp_command: the parser of one client command line (RFC 5321 4.1.1, 4.1.2), including the
 * MAIL/RCPT paths and their ESMTP parameters (SIZE RFC 1870, BODY RFC 6152, SMTPUTF8 RFC 6531,
 * RET/ENVID/NOTIFY/ORCPT RFC 3461, AUTH RFC 4954 5).
 *
 * Input is one line WITHOUT its CRLF; the caller (the session) frames lines and enforces the
 * line length limits. The parser is pure: no I/O, no allocation besides the owned strings in the
 * result, no static buffers. On refusal it returns false and fills *error_r with the reply to
 * send (strings are literals).
 *
 * Ownership: every char * in struct smtp_command and its params is owned by the struct and
 * released by smtp_command_clear(), which accepts a zeroed struct. smtp_*_params_move() hands
 * ownership from one struct to another.
 */
#ifndef REBOUND_SMTP_COMMAND_H
#define REBOUND_SMTP_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smtp_reply.h"

/* RFC 5321 4.5.3.1.1 - 4.5.3.1.3. */
#define SMTP_LOCAL_PART_MAX 64
#define SMTP_DOMAIN_MAX     255
#define SMTP_PATH_MAX       256
/* RFC 3461 4.4: ENVID is at most 100 characters (decoded). */
#define SMTP_ENVID_MAX 100
/* RFC 3461 4.2: ORCPT's address is at most 500 characters. */
#define SMTP_ORCPT_MAX 500

enum smtp_verb {
    SMTP_VERB_UNKNOWN,
    SMTP_VERB_EHLO,
    SMTP_VERB_HELO,
    SMTP_VERB_MAIL,
    SMTP_VERB_RCPT,
    SMTP_VERB_DATA,
    SMTP_VERB_RSET,
    SMTP_VERB_NOOP,
    SMTP_VERB_QUIT,
    SMTP_VERB_VRFY,
    SMTP_VERB_EXPN,
    SMTP_VERB_HELP,
    SMTP_VERB_STARTTLS,
    SMTP_VERB_AUTH,
};

enum smtp_body { SMTP_BODY_UNSPECIFIED, SMTP_BODY_7BIT, SMTP_BODY_8BITMIME };
enum smtp_dsn_ret { SMTP_DSN_RET_UNSPECIFIED, SMTP_DSN_RET_FULL, SMTP_DSN_RET_HDRS };

/* RFC 3461 4.1 NOTIFY: NEVER alone, or any of SUCCESS, FAILURE, DELAY. 0 = not given. */
enum smtp_dsn_notify {
    SMTP_DSN_NOTIFY_NEVER = 1 << 0,
    SMTP_DSN_NOTIFY_SUCCESS = 1 << 1,
    SMTP_DSN_NOTIFY_FAILURE = 1 << 2,
    SMTP_DSN_NOTIFY_DELAY = 1 << 3,
};

struct smtp_mail_params {
    bool has_size;
    uint64_t size; /* SIZE=, declared message size in octets */
    enum smtp_body body;
    bool smtputf8;
    enum smtp_dsn_ret ret;
    char *envid; /* ENVID, xtext-decoded; NULL if absent */
    char *auth;  /* AUTH= (RFC 4954 5), xtext-decoded; "" for AUTH=<>; NULL if absent */
};

struct smtp_rcpt_params {
    unsigned notify;  /* enum smtp_dsn_notify bits; 0 if absent */
    char *orcpt_type; /* ORCPT addr-type, e.g. "rfc822"; NULL if absent */
    char *orcpt_addr; /* ORCPT address, xtext-decoded */
};

struct smtp_command {
    enum smtp_verb verb;
    /* EHLO/HELO: the domain or address literal; VRFY/EXPN/HELP/NOOP: the argument or NULL;
     * AUTH: mechanism (upper-cased); UNKNOWN: NULL. */
    char *arg;
    /* AUTH: the initial response as sent (base64 or "="), NULL if absent. */
    char *arg2;
    /* MAIL: reverse-path mailbox ("" for <>); RCPT: forward-path mailbox, source route
     * dropped (RFC 5321 4.1.2: accepted, ignored). Bytes as the client sent them. */
    char *path;
    bool path_is_utf8; /* the path holds non-ASCII (RFC 6531) characters */
    struct smtp_mail_params mail;
    struct smtp_rcpt_params rcpt;
};

/* Parses one command line. On success returns true and fills *cmd_r (zero it first or clear
 * it). On refusal returns false, leaves *cmd_r cleared and sets *error_r. */
bool smtp_command_parse(const char *line, size_t len, struct smtp_command *cmd_r,
                        struct smtp_reply *error_r);
void smtp_command_clear(struct smtp_command *cmd);
const char *smtp_verb_name(enum smtp_verb verb);

/* Path grammar (smtp_path.c). Parses `<...>` at s[0..len) (nothing after it). mailbox_r is
 * owned. Refusal reasons are replies with the given enhanced code for address syntax. */
bool smtp_path_parse(const char *s, size_t len, bool allow_null, char **mailbox_r, bool *utf8_r,
                     const char **why_r);
/* RFC 5321 Domain or address-literal, or a U-label domain if allow_utf8. */
bool smtp_domain_is_valid(const char *s, size_t len, bool allow_utf8);
/* Length of the well-formed UTF-8 sequence at s (1..4), or 0 if it is not one. */
size_t smtp_utf8_sequence_len(const unsigned char *s, size_t len);

/* ESMTP parameters (smtp_params.c). `s` is everything after the path's SP. */
bool smtp_mail_params_parse(const char *s, size_t len, struct smtp_mail_params *params_r,
                            struct smtp_reply *error_r);
bool smtp_rcpt_params_parse(const char *s, size_t len, struct smtp_rcpt_params *params_r,
                            struct smtp_reply *error_r);
void smtp_mail_params_clear(struct smtp_mail_params *p);
void smtp_rcpt_params_clear(struct smtp_rcpt_params *p);
/* RFC 3461 4: xtext decoding; false on a malformed "+XX" or a decoded NUL. Owned result. */
bool smtp_xtext_decode(const char *s, size_t len, char **out_r);

#endif
