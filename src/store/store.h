/*
 * store: rebound's durable state (accounts, credentials, identities, the message queue, events)
 * behind one interface that several backends implement: SQLite (embedded, the default,
 * store_sqlite.c) and, later, PostgreSQL (issue #10). Callers hold a `struct store *` and call
 * the store_* functions below, which dispatch through the backend's vtable.
 *
 * Threads: a struct store is one database connection. Use it from one thread at a time. Every
 * call here BLOCKS on the database (and a commit waits for the disk), so code on the event loop
 * never calls these directly: it goes through store_service.h, which runs them on its own
 * threads. The command-line tools call them directly.
 *
 * Errors (STYLE.md rule 4): every call returns an enum store_status classified at the origin.
 * STORE_TEMPFAIL means "try again later" (busy database, I/O error, disk full) and maps to an
 * SMTP 4xx; everything else is an answer or a permanent refusal. On any status other than
 * STORE_OK, *error_r (when error_r is not NULL) receives a sentence for a person (owned: free()).
 *
 * Time: callers pass the time (milliseconds since the epoch) so tests pin it (rule 9).
 *
 * Ownership: structs a call fills are owned by the caller and released with the matching
 * *_free / *_clear function; arguments are borrowed for the duration of the call unless a
 * comment says the callee takes them.
 */
#ifndef REBOUND_STORE_STORE_H
#define REBOUND_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "identity.h"

/* Longest account name, SMTP username and event type accepted. */
#define STORE_MAX_ACCOUNT_NAME 64
#define STORE_MAX_USERNAME     64
#define STORE_MAX_EVENT_TYPE   32
/* Longest envelope address (RFC 5321 4.5.3.1.3: path 256 octets including the brackets). */
#define STORE_MAX_ADDRESS 254
/* A message id: 12 hex digits of arrival milliseconds, '-', 16 random hex digits; sorts by time. */
#define STORE_MESSAGE_ID_LEN  29
#define STORE_MESSAGE_ID_SIZE (STORE_MESSAGE_ID_LEN + 1)

enum store_status {
    STORE_OK,
    STORE_NOT_FOUND, /* no such account / identity / message / credential */
    STORE_EXISTS,    /* the name is taken (possibly by another account: see the message) */
    STORE_REFUSED,   /* a rule refused it: malformed input, account still has queued mail, ... */
    STORE_TEMPFAIL,  /* database busy, I/O error, disk full: nothing changed, try again later */
    STORE_PERMFAIL,  /* corrupt database, schema newer than this code: needs an operator */
};

/* A short name for logs ("ok", "not-found", ...); static. */
const char *store_status_name(enum store_status status);
static inline bool store_status_is_temporary(enum store_status status)
{
    return status == STORE_TEMPFAIL;
}

enum store_account_status {
    STORE_ACCOUNT_ACTIVE,
    STORE_ACCOUNT_PAUSED, /* set by the reputation issue (#8); sending refused */
};
const char *store_account_status_name(enum store_account_status status);

struct store_account {
    int64_t id;
    char *name;
    enum store_account_status status;
    int64_t created_ms;
    char *username; /* the account's SMTP username; NULL if none */
};

struct store_credential {
    int64_t account_id;
    char *account; /* account name */
    enum store_account_status account_status;
    char *password_hash; /* "pbkdf2-sha256$ITER$SALT$HASH" (store_password.h) */
};

/* SES v2 BehaviorOnMxFailure. */
enum store_mx_failure { STORE_MX_USE_DEFAULT_VALUE, STORE_MX_REJECT_MESSAGE };
/* "USE_DEFAULT_VALUE" / "REJECT_MESSAGE"; static. */
const char *store_mx_failure_name(enum store_mx_failure behavior);
bool store_mx_failure_parse(const char *name, enum store_mx_failure *behavior_r);

/* A custom MAIL FROM domain of a domain identity and its own verification state. */
struct store_mail_from {
    char *domain; /* NULL: none set (the other members are then zero) */
    enum store_mx_failure behavior;
    enum identity_status status;
    int64_t set_ms;          /* when this domain was set: the FAILED deadline counts from here */
    int64_t last_check_ms;   /* 0 = never checked */
    int64_t last_success_ms; /* 0 = never verified */
    char *last_reason;       /* why the last check did not succeed, or NULL */
};

struct store_identity {
    int64_t id;
    char *name; /* normalized (identity_normalize) */
    enum identity_kind kind;
    int64_t account_id;
    char *account; /* owning account's name */
    enum identity_status status;
    bool forced; /* status set by an operator, not by a DNS check */
    int64_t created_ms;
    int64_t updated_ms;
    /* Verification (issue #6): a domain's DNS TXT token, or an address's one-time link token
     * (NULL once consumed or never issued); the link's expiry (0 for domains). */
    char *token;
    int64_t token_expires_ms;
    int64_t last_check_ms;   /* 0 = never checked */
    int64_t last_success_ms; /* 0 = never verified by a check */
    char *last_reason;       /* why the last check did not succeed, or NULL */
    struct store_mail_from mail_from;
};

/* Which verification a check result is about. */
enum store_check_target { STORE_CHECK_IDENTITY, STORE_CHECK_MAIL_FROM };

/* The outcome of one verification check, recorded by store_verification_record(). */
struct store_check_record {
    enum store_check_target target;
    enum identity_status status; /* the new status */
    bool succeeded;              /* the check itself passed: last_success_ms = check_ms */
    int64_t check_ms;
    const char *reason; /* why it did not pass, or NULL */
    /* When not NULL, an event stored in the same transaction (a status transition). */
    const char *event_type;
    const char *event_json;
};

/* An API access key (SigV4). The secret is stored as issued: SigV4 verification needs the
 * secret itself (HMAC), not a hash of it, exactly as AWS keeps it. */
struct store_access_key {
    char *id;
    int64_t account_id;
    char *account;
    enum store_account_status account_status;
    char *secret;
    int64_t created_ms;
};
void store_access_key_clear(struct store_access_key *k);

struct store_identity_list {
    struct store_identity *items;
    size_t n;
};

/* RFC 3461 NOTIFY, a bit set; 0 = the client gave no NOTIFY (delivery agent's default). */
enum store_notify {
    STORE_NOTIFY_NEVER = 1,
    STORE_NOTIFY_SUCCESS = 2,
    STORE_NOTIFY_FAILURE = 4,
    STORE_NOTIFY_DELAY = 8,
};

/* RFC 3461 RET. */
enum store_dsn_ret { STORE_RET_UNSET, STORE_RET_FULL, STORE_RET_HDRS };

enum store_rcpt_state {
    STORE_RCPT_QUEUED,
    STORE_RCPT_DELIVERED,
    STORE_RCPT_DEFERRED,
    STORE_RCPT_BOUNCED,
};
const char *store_rcpt_state_name(enum store_rcpt_state state);

struct store_recipient {
    int64_t id; /* the store's row id once stored (read back, claimed); 0 before */
    char *address;
    unsigned notify; /* enum store_notify bits */
    char *orcpt;     /* RFC 3461 ORCPT as received ("rfc822;bob@example.org"), or NULL */
    enum store_rcpt_state state;
    int attempts;
    int64_t next_attempt_ms;
    char *last_reply; /* or NULL */
};

/*
 * One accepted message with its envelope. The submission role fills one, hands it to
 * store_message_commit() (or store_service_commit(), which takes it), and frees it with
 * store_message_free(). Every pointer member is owned by the struct (malloc'd).
 */
struct store_message {
    char id[STORE_MESSAGE_ID_SIZE];
    int64_t account_id;
    char *identity;      /* the identity that covered the sender */
    char *envelope_from; /* the original MAIL FROM ("" for the null sender) */
    char *return_path;   /* the rewritten envelope-from used for delivery */
    int64_t arrival_ms;
    enum store_dsn_ret dsn_ret;
    char *dsn_envid; /* or NULL */
    unsigned char *body;
    size_t body_len; /* the stored size */
    struct store_recipient *rcpts;
    size_t n_rcpts;
    /* Optional: an event stored in the same transaction (e.g. SES "Send"); both or neither. */
    char *event_type;
    char *event_json;
    /* Optional: more events about OTHER messages (the feedback MX: one Bounce/Complaint per
     * reported recipient, linked to the original message), and suppression-list entries of
     * this message's account, all stored in the same transaction (store_message_add_*). */
    struct store_linked_event *linked_events;
    size_t n_linked_events;
    struct store_suppression *suppressions;
    size_t n_suppressions;
};

/* An event stored with a message but about another one (or none). Owned strings. */
struct store_linked_event {
    char *type;       /* "Bounce", "Complaint" */
    char *message_id; /* the original message it is about, or NULL if not found */
    char *json;
};

/* Why an address is on an account's suppression list (SES SuppressionListReason). */
enum store_suppression_reason { STORE_SUPPRESS_BOUNCE, STORE_SUPPRESS_COMPLAINT };
/* "BOUNCE" or "COMPLAINT"; static. */
const char *store_suppression_reason_name(enum store_suppression_reason reason);

/* One suppression entry; the address is stored lower-cased (the list is case-insensitive).
 * A later entry for the same account and address replaces the reason and time. */
struct store_suppression {
    char *address;
    enum store_suppression_reason reason;
};

struct store_message *store_message_new(void);
/* Writes a fresh id for a message arriving at arrival_ms into id_r: the time in 12 hex digits,
 * '-', then the 8 bytes of `random` in hex (callers pass RAND_bytes output; tests pin it). */
void store_message_id_make(int64_t arrival_ms, const unsigned char random[8],
                           char id_r[STORE_MESSAGE_ID_SIZE]);
/* store_message_id_make with RAND_bytes; false only if the RNG fails. */
bool store_message_id_new(int64_t arrival_ms, char id_r[STORE_MESSAGE_ID_SIZE]);
/* Appends a recipient (copies address and orcpt) in state QUEUED with next attempt = arrival. */
void store_message_add_rcpt(struct store_message *msg, const char *address, unsigned notify,
                            const char *orcpt);
/* Appends a linked event (copies the strings; message_id may be NULL). */
void store_message_add_linked_event(struct store_message *msg, const char *type,
                                    const char *message_id, const char *json);
/* Appends a suppression entry for the message's account (copies the address). */
void store_message_add_suppression(struct store_message *msg, const char *address,
                                   enum store_suppression_reason reason);
void store_message_free(struct store_message *msg);

struct store_event {
    int64_t id;
    char *type;
    char *message_id; /* or NULL */
    char *json;
    int64_t time_ms;
};

struct store_event_list {
    struct store_event *items;
    size_t n;
};

struct store_account_list {
    struct store_account *items;
    size_t n;
};

void store_account_clear(struct store_account *a);
void store_account_list_free(struct store_account_list *list);
void store_credential_clear(struct store_credential *c);
void store_identity_clear(struct store_identity *i);
void store_identity_list_free(struct store_identity_list *list);
void store_event_list_free(struct store_event_list *list);

/*
 * The delivery queue (the scheduler's view, deliver_sched.h).
 *
 * A claim LEASES due recipients: state queued or deferred, next attempt <= now, and no
 * unexpired lease. Leased recipients are invisible to other claims until the lease expires, so
 * a scheduler that dies mid-delivery loses nothing: its recipients become due again when their
 * lease runs out (at least once, never lost), and several schedulers may share one store
 * (issue #10). Recording an outcome clears the lease.
 */
struct store_claim {
    /* Each message carries its body and ONLY its claimed recipients (with their ids). */
    struct store_message **msgs;
    size_t n;
    size_t n_rcpts;      /* recipients claimed */
    size_t n_unfinished; /* recipients queued or deferred in the whole store (incl. claimed) */
    int64_t next_due_ms; /* earliest next attempt (or lease end) of an unclaimed unfinished
                            recipient; 0 if none */
};
void store_claim_clear(struct store_claim *claim);

/* One attempt's result for one recipient; every pointer is owned by the struct. */
struct store_rcpt_outcome {
    int64_t rcpt_id;
    char *message_id;
    int64_t account_id;
    char *address;
    enum store_rcpt_state state; /* the new state */
    int attempts;                /* the new count */
    int64_t next_attempt_ms;
    int64_t time_ms;  /* when the attempt ended */
    char *reply;      /* the reply or reason (becomes last_reply) */
    char *mx_host;    /* or NULL */
    char *mx_ip;      /* or NULL */
    char *event_type; /* an event to store with it, or NULL (then event_json is NULL too) */
    char *event_json;
};

/* What one finished delivery job records, in ONE transaction: the outcomes, and new messages
 * (DSNs) to queue. Owned: store_record_free() frees everything in it. */
struct store_record {
    struct store_rcpt_outcome *items;
    size_t n;
    struct store_message **new_msgs;
    size_t n_new;
};
struct store_record *store_record_new(void);
/* Appends a zeroed outcome and returns it (valid until the next append). */
struct store_rcpt_outcome *store_record_add(struct store_record *rec);
/* Takes msg. */
void store_record_add_message(struct store_record *rec, struct store_message *msg);
void store_record_free(struct store_record *rec);

struct store_attempt {
    char *address;
    int64_t time_ms;
    enum store_rcpt_state state; /* the state the attempt left the recipient in */
    char *reply;
    char *mx_host; /* or NULL */
    char *mx_ip;   /* or NULL */
};
struct store_attempt_list {
    struct store_attempt *items;
    size_t n;
};
void store_attempt_list_free(struct store_attempt_list *list);

struct store_message_summary {
    char id[STORE_MESSAGE_ID_SIZE];
    char *envelope_from;
    int64_t arrival_ms;
    int64_t size;
    size_t n_rcpts, n_delivered, n_bounced; /* the rest are queued or deferred */
};
struct store_message_summary_list {
    struct store_message_summary *items;
    size_t n;
};
void store_message_summary_list_free(struct store_message_summary_list *list);

/* The backend's table of operations; see the store_* wrappers for each contract. */
struct store;
struct store_ops {
    const char *name;
    void (*close)(struct store *st);
    enum store_status (*account_create)(struct store *st, const char *name, const char *username,
                                        const char *password_hash, int64_t now_ms, char **error_r);
    enum store_status (*account_get)(struct store *st, const char *name,
                                     struct store_account *account_r, char **error_r);
    enum store_status (*account_list)(struct store *st, struct store_account_list *list_r,
                                      char **error_r);
    enum store_status (*account_delete)(struct store *st, const char *name, char **error_r);
    enum store_status (*credential_get)(struct store *st, const char *username,
                                        struct store_credential *cred_r, char **error_r);
    enum store_status (*identity_add)(struct store *st, const char *name, const char *account,
                                      int64_t now_ms, char **error_r);
    enum store_status (*identity_get)(struct store *st, const char *name,
                                      struct store_identity *identity_r, char **error_r);
    enum store_status (*identity_list)(struct store *st, const char *account, int64_t account_id,
                                       struct store_identity_list *list_r, char **error_r);
    enum store_status (*identity_set_status)(struct store *st, const char *name,
                                             enum identity_status status, bool forced,
                                             int64_t now_ms, char **error_r);
    enum store_status (*identity_delete)(struct store *st, const char *name, char **error_r);
    enum store_status (*message_commit)(struct store *st, struct store_message *const *msgs,
                                        size_t n, enum store_status *results, char **errors);
    enum store_status (*message_get)(struct store *st, const char *id, struct store_message **msg_r,
                                     char **error_r);
    enum store_status (*event_list)(struct store *st, const char *message_id,
                                    struct store_event_list *list_r, char **error_r);
    enum store_status (*message_find)(struct store *st, int64_t account_id, const char *ref,
                                      char id_r[STORE_MESSAGE_ID_SIZE], char **error_r);
    enum store_status (*identity_set_token)(struct store *st, const char *name, const char *token,
                                            int64_t expires_ms, char **error_r);
    enum store_status (*identity_by_token)(struct store *st, const char *token,
                                           struct store_identity *identity_r, char **error_r);
    enum store_status (*verification_record)(struct store *st, const char *name,
                                             const struct store_check_record *rec, char **error_r);
    enum store_status (*mail_from_set)(struct store *st, const char *name, const char *domain,
                                       enum store_mx_failure behavior, int64_t now_ms,
                                       char **error_r);
    enum store_status (*identity_event_list)(struct store *st, const char *name,
                                             struct store_event_list *list_r, char **error_r);
    enum store_status (*access_key_create)(struct store *st, const char *account, const char *id,
                                           const char *secret, int64_t now_ms, char **error_r);
    enum store_status (*access_key_get)(struct store *st, const char *id,
                                        struct store_access_key *key_r, char **error_r);
    enum store_status (*queue_claim)(struct store *st, int64_t now_ms, int64_t lease_ms,
                                     size_t max_rcpts, struct store_claim *claim_r, char **error_r);
    enum store_status (*queue_record)(struct store *st, const struct store_record *const *recs,
                                      size_t n, char **error_r);
    enum store_status (*attempt_list)(struct store *st, const char *message_id,
                                      struct store_attempt_list *list_r, char **error_r);
    enum store_status (*message_list)(struct store *st, size_t limit,
                                      struct store_message_summary_list *list_r, char **error_r);
};

/* Every backend's connection struct starts with this. */
struct store {
    const struct store_ops *ops;
};

/*
 * Opens the store named by url: "sqlite:PATH" (the file is created if missing). Applies every
 * pending schema migration in one transaction; refuses (STORE_PERMFAIL) a database whose schema
 * is newer than this code. Returns NULL with *error_r (owned) on failure.
 */
struct store *store_open(const char *url, char **error_r);
/* Accepts NULL. */
void store_close(struct store *st);
/* True if url names a backend this build has ("sqlite:PATH"); else *error_r says why. */
bool store_url_is_valid(const char *url, char **error_r);

/* Creates an account with one SMTP credential. STORE_EXISTS if the name or username is taken,
 * STORE_REFUSED if the name is malformed (store_account_name_is_valid). */
enum store_status store_account_create(struct store *st, const char *name, const char *username,
                                       const char *password_hash, int64_t now_ms, char **error_r);
bool store_account_name_is_valid(const char *name);
enum store_status store_account_get(struct store *st, const char *name,
                                    struct store_account *account_r, char **error_r);
/* All accounts, ordered by name. */
enum store_status store_account_list(struct store *st, struct store_account_list *list_r,
                                     char **error_r);
/* Deletes the account, its credentials and identities, and its delivered messages; refuses
 * (STORE_REFUSED) while any of its recipients is still queued or deferred. */
enum store_status store_account_delete(struct store *st, const char *name, char **error_r);

/* The credential for an SMTP username (exact match). STORE_NOT_FOUND if none. */
enum store_status store_credential_get(struct store *st, const char *username,
                                       struct store_credential *cred_r, char **error_r);

/* Records an identity (normalized first: identity_normalize) for an account, status PENDING.
 * STORE_EXISTS if any account already has it (the message names whether it is this one),
 * STORE_NOT_FOUND if the account does not exist, STORE_REFUSED if the name is malformed. */
enum store_status store_identity_add(struct store *st, const char *name, const char *account,
                                     int64_t now_ms, char **error_r);
enum store_status store_identity_get(struct store *st, const char *name,
                                     struct store_identity *identity_r, char **error_r);
/* identity_covering() over a list the store returned: the covering identity (borrowed from
 * list) or NULL if no verified identity of the list covers address. */
const struct store_identity *store_identity_list_covering(const struct store_identity_list *list,
                                                          const char *address);
/* Identities ordered by name: of the account named `account` if not NULL, else of the account
 * with id account_id if it is > 0, else all. An unknown account name is STORE_NOT_FOUND. */
enum store_status store_identity_list(struct store *st, const char *account, int64_t account_id,
                                      struct store_identity_list *list_r, char **error_r);
enum store_status store_identity_set_status(struct store *st, const char *name,
                                            enum identity_status status, bool forced,
                                            int64_t now_ms, char **error_r);
enum store_status store_identity_delete(struct store *st, const char *name, char **error_r);

/*
 * Commits n messages, their recipients and their optional events in ONE transaction (one disk
 * flush), each inside its own savepoint: results[i] says what happened to msgs[i] (STORE_EXISTS
 * for a duplicate id, STORE_REFUSED for a broken reference such as an unknown account), and
 * errors[i] (if errors is not NULL) gets its message (owned, or NULL). When the transaction as a
 * whole fails (busy, I/O, disk full) nothing is stored and every result is STORE_TEMPFAIL.
 * Returns STORE_OK when the COMMIT returned, whatever the individual results. The messages stay
 * the caller's.
 */
enum store_status store_message_commit(struct store *st, struct store_message *const *msgs,
                                       size_t n, enum store_status *results, char **errors);
/* Reads a message with its body and recipients; *msg_r is owned (store_message_free). */
enum store_status store_message_get(struct store *st, const char *id, struct store_message **msg_r,
                                    char **error_r);
/* The account's message that `ref` names: its rebound id, or the ENVID its client gave
 * (dsn_envid); the id wins if both match. STORE_NOT_FOUND if none of that account does. */
enum store_status store_message_find(struct store *st, int64_t account_id, const char *ref,
                                     char id_r[STORE_MESSAGE_ID_SIZE], char **error_r);
/* Events of one message, oldest first. */
enum store_status store_event_list(struct store *st, const char *message_id,
                                   struct store_event_list *list_r, char **error_r);

/* Sets (or with token NULL clears) an identity's verification token and its expiry. A token
 * already used by another identity is STORE_EXISTS. */
enum store_status store_identity_set_token(struct store *st, const char *name, const char *token,
                                           int64_t expires_ms, char **error_r);
/* The identity holding this token (exact match); STORE_NOT_FOUND if none. */
enum store_status store_identity_by_token(struct store *st, const char *token,
                                          struct store_identity *identity_r, char **error_r);
/* Records one check of an identity (or of its MAIL FROM domain) and, if rec->event_type is set,
 * its event (with the identity's name and account), in one transaction. A check of the identity
 * itself replaces an operator's forced status (forced becomes false). A MAIL FROM record for
 * an identity without a MAIL FROM domain is STORE_NOT_FOUND. */
enum store_status store_verification_record(struct store *st, const char *name,
                                            const struct store_check_record *rec, char **error_r);
/*
 * Sets the custom MAIL FROM domain of domain identity `name` (domain NULL or "": removes it).
 * The caller has checked the syntax rules (mailfrom_validate); the store enforces the rules
 * that need the data, each refusal naming its rule: the identity must be a domain identity
 * (STORE_REFUSED), and the domain must not be another account's identity or another identity's
 * MAIL FROM domain (STORE_EXISTS). Setting the same domain again changes only the behavior;
 * a new domain starts PENDING with set_ms = now_ms.
 */
enum store_status store_mail_from_set(struct store *st, const char *name, const char *domain,
                                      enum store_mx_failure behavior, int64_t now_ms,
                                      char **error_r);
/* Events about one identity (verification transitions), oldest first. */
enum store_status store_identity_event_list(struct store *st, const char *name,
                                            struct store_event_list *list_r, char **error_r);
/* Records an access key for an account; STORE_NOT_FOUND for an unknown account. */
enum store_status store_access_key_create(struct store *st, const char *account, const char *id,
                                          const char *secret, int64_t now_ms, char **error_r);
enum store_status store_access_key_get(struct store *st, const char *id,
                                       struct store_access_key *key_r, char **error_r);
/* Leases up to max_rcpts due recipients until now_ms + lease_ms (see struct store_claim). An
 * empty claim is STORE_OK. *claim_r is owned (store_claim_clear). */
enum store_status store_queue_claim(struct store *st, int64_t now_ms, int64_t lease_ms,
                                    size_t max_rcpts, struct store_claim *claim_r, char **error_r);
/* Writes every outcome (state, attempts, next attempt, last reply, lease cleared, one attempts
 * row, the optional event) and commits rec->new_msgs, all in one transaction. A new message
 * refused (duplicate id) fails the whole record with that status. */
enum store_status store_queue_record(struct store *st, const struct store_record *rec,
                                     char **error_r);
/* store_queue_record for n records in ONE transaction (group commit: one fsync); all or
 * nothing. */
enum store_status store_queue_record_many(struct store *st, const struct store_record *const *recs,
                                          size_t n, char **error_r);
/* The attempts of one message, oldest first. */
enum store_status store_attempt_list(struct store *st, const char *message_id,
                                     struct store_attempt_list *list_r, char **error_r);
/* The newest `limit` messages, newest first. */
enum store_status store_message_list(struct store *st, size_t limit,
                                     struct store_message_summary_list *list_r, char **error_r);

#endif
