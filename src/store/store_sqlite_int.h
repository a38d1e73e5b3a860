/*
 * store_sqlite_int: what the store_sqlite*.c files share (and nothing outside them sees): the
 * connection struct, the cached prepared statements, and error classification. sqlite3 objects
 * never leave these files (STYLE.md rule 5).
 */
#ifndef REBOUND_STORE_SQLITE_INT_H
#define REBOUND_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store.h"

enum store_sqlite_stmt_id {
    SQ_BEGIN,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_SAVEPOINT,
    SQ_RELEASE,
    SQ_ROLLBACK_TO,
    SQ_ACCOUNT_INSERT,
    SQ_CREDENTIAL_INSERT,
    SQ_ACCOUNT_GET,
    SQ_ACCOUNT_LIST,
    SQ_ACCOUNT_ID,
    SQ_ACCOUNT_PENDING,
    SQ_ACCOUNT_DELETE,
    SQ_CREDENTIAL_GET,
    SQ_IDENTITY_OWNER,
    SQ_IDENTITY_INSERT,
    SQ_IDENTITY_GET,
    SQ_IDENTITY_LIST_ALL,
    SQ_IDENTITY_LIST_NAME,
    SQ_IDENTITY_LIST_ID,
    SQ_IDENTITY_SET_STATUS,
    SQ_IDENTITY_DELETE,
    SQ_MESSAGE_INSERT,
    SQ_RCPT_INSERT,
    SQ_EVENT_INSERT,
    SQ_MESSAGE_GET,
    SQ_RCPT_LIST,
    SQ_EVENT_LIST,
    SQ_SUPPRESSION_UPSERT,
    SQ_MESSAGE_FIND_ID,
    SQ_MESSAGE_FIND_ENVID,
    SQ_IDENTITY_SET_TOKEN,
    SQ_IDENTITY_BY_TOKEN,
    SQ_IDENTITY_CHECK,
    SQ_MAIL_FROM_CHECK,
    SQ_IDENTITY_EVENT_INSERT,
    SQ_IDENTITY_EVENTS,
    SQ_MAIL_FROM_OWNER,
    SQ_MAIL_FROM_DELETE,
    SQ_MAIL_FROM_INSERT,
    SQ_MAIL_FROM_BEHAVIOR,
    SQ_ACCESS_KEY_INSERT,
    SQ_ACCESS_KEY_GET,
    SQ_N_STMTS
};

struct store_sqlite {
    struct store base;
    sqlite3 *db;
    sqlite3_stmt *stmts[SQ_N_STMTS]; /* prepared on first use, finalized at close */
};

/* The cached statement, reset and unbound, or NULL with *error_r set (TEMPFAIL/PERMFAIL). */
sqlite3_stmt *store_sqlite_stmt(struct store_sqlite *s, enum store_sqlite_stmt_id id,
                                enum store_status *status_r, char **error_r);
/* Classifies an SQLite result code at its origin and writes "<what>: <sqlite message>". */
enum store_status store_sqlite_fail(struct store_sqlite *s, int rc, const char *what,
                                    char **error_r);
/* Runs a statement without results (BEGIN, COMMIT, ...). */
enum store_status store_sqlite_run(struct store_sqlite *s, enum store_sqlite_stmt_id id,
                                   char **error_r);
/* BEGIN IMMEDIATE; and ROLLBACK that never fails loudly (used on error paths). */
enum store_status store_sqlite_begin(struct store_sqlite *s, char **error_r);
enum store_status store_sqlite_commit(struct store_sqlite *s, char **error_r);
void store_sqlite_rollback(struct store_sqlite *s);
/* Sets *error_r (if error_r is not NULL) to a formatted owned message; returns status. */
enum store_status store_sqlite_set_error(char **error_r, enum store_status status, const char *fmt,
                                         ...) __attribute__((format(printf, 3, 4)));
/* Owned copy of a text column, or NULL for SQL NULL. */
char *store_sqlite_column_dup(sqlite3_stmt *st, int col);

/* Looks up an account id by name; STORE_NOT_FOUND ("no account 'NAME'") if there is none. */
enum store_status store_sqlite_account_id(struct store_sqlite *s, const char *name, int64_t *id_r,
                                          char **error_r);

/* Inserts a message's linked events and suppression entries (store_sqlite_feedback.c). */
enum store_status store_sqlite_insert_feedback(struct store_sqlite *s,
                                               const struct store_message *m, char **error_r);
/* Inserts one message, its recipients and optional event inside a savepoint
 * (store_sqlite_message.c); the caller holds the transaction. */
enum store_status store_sqlite_commit_one(struct store_sqlite *s, const struct store_message *m,
                                          char **error_r);
/* Fills m's envelope and body from a SQ_MESSAGE_GET row. */
void store_sqlite_message_row(sqlite3_stmt *st, struct store_message *m);

/* Applies the migrations (store_sqlite_schema.c). */
enum store_status store_sqlite_migrate(struct store_sqlite *s, char **error_r);

/* The backend operations, one file per concern. */
enum store_status store_sqlite_account_create(struct store *st, const char *name,
                                              const char *username, const char *password_hash,
                                              int64_t now_ms, char **error_r);
enum store_status store_sqlite_account_get(struct store *st, const char *name,
                                           struct store_account *account_r, char **error_r);
enum store_status store_sqlite_account_list(struct store *st, struct store_account_list *list_r,
                                            char **error_r);
enum store_status store_sqlite_account_delete(struct store *st, const char *name, char **error_r);
enum store_status store_sqlite_credential_get(struct store *st, const char *username,
                                              struct store_credential *cred_r, char **error_r);
enum store_status store_sqlite_identity_add(struct store *st, const char *name, const char *account,
                                            int64_t now_ms, char **error_r);
enum store_status store_sqlite_identity_get(struct store *st, const char *name,
                                            struct store_identity *identity_r, char **error_r);
enum store_status store_sqlite_identity_list(struct store *st, const char *account,
                                             int64_t account_id, struct store_identity_list *list_r,
                                             char **error_r);
enum store_status store_sqlite_identity_set_status(struct store *st, const char *name,
                                                   enum identity_status status, bool forced,
                                                   int64_t now_ms, char **error_r);
enum store_status store_sqlite_identity_delete(struct store *st, const char *name, char **error_r);
enum store_status store_sqlite_message_commit(struct store *st, struct store_message *const *msgs,
                                              size_t n, enum store_status *results, char **errors);
enum store_status store_sqlite_message_get(struct store *st, const char *id,
                                           struct store_message **msg_r, char **error_r);
enum store_status store_sqlite_message_find(struct store *st, int64_t account_id, const char *ref,
                                            char id_r[STORE_MESSAGE_ID_SIZE], char **error_r);
enum store_status store_sqlite_event_list(struct store *st, const char *message_id,
                                          struct store_event_list *list_r, char **error_r);
/* Fills an identity from a row of SQ_IDENTITY_COLUMNS (store_sqlite_identity.c). */
void store_sqlite_identity_row(sqlite3_stmt *st, struct store_identity *i);
/* Verification, MAIL FROM and access keys (store_sqlite_verify.c). */
enum store_status store_sqlite_identity_set_token(struct store *st, const char *name,
                                                  const char *token, int64_t expires_ms,
                                                  char **error_r);
enum store_status store_sqlite_identity_by_token(struct store *st, const char *token,
                                                 struct store_identity *identity_r, char **error_r);
enum store_status store_sqlite_verification_record(struct store *st, const char *name,
                                                   const struct store_check_record *rec,
                                                   char **error_r);
enum store_status store_sqlite_mail_from_set(struct store *st, const char *name, const char *domain,
                                             enum store_mx_failure behavior, int64_t now_ms,
                                             char **error_r);
enum store_status store_sqlite_identity_event_list(struct store *st, const char *name,
                                                   struct store_event_list *list_r, char **error_r);
enum store_status store_sqlite_access_key_create(struct store *st, const char *account,
                                                 const char *id, const char *secret, int64_t now_ms,
                                                 char **error_r);
enum store_status store_sqlite_access_key_get(struct store *st, const char *id,
                                              struct store_access_key *key_r, char **error_r);
enum store_status store_sqlite_queue_claim(struct store *st, int64_t now_ms, int64_t lease_ms,
                                           size_t max_rcpts, struct store_claim *claim_r,
                                           char **error_r);
enum store_status store_sqlite_queue_record(struct store *st,
                                            const struct store_record *const *recs, size_t n,
                                            char **error_r);
enum store_status store_sqlite_attempt_list(struct store *st, const char *message_id,
                                            struct store_attempt_list *list_r, char **error_r);
enum store_status store_sqlite_message_list(struct store *st, size_t limit,
                                            struct store_message_summary_list *list_r,
                                            char **error_r);

#endif
