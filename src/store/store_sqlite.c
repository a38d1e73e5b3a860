/*
 * store_sqlite: connection setup, the statement cache and error classification for the
 * SQLite backend. Why these pragmas:
 * - journal_mode=WAL: readers (the service's lookup threads, the CLI) never block the writer,
 *   and a commit is one sequential append to the WAL.
 * - synchronous=FULL: in WAL mode NORMAL may lose the last commits on power failure; rule 7
 *   (never 250 before durable) needs the WAL fsync'd at every COMMIT.
 * - foreign_keys=ON: SQLite's default is off; the schema relies on ON DELETE CASCADE and on
 *   refusing a message for an unknown account.
 */
#include "store_sqlite.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_sqlite_int.h"
#include "xalloc.h"

#define SQ_IDENTITY_COLUMNS                                                                        \
    "SELECT i.id, i.name, i.kind, i.account_id, a.name, i.status, i.forced, i.created_ms, "        \
    "i.updated_ms, i.token, i.token_expires_ms, i.last_check_ms, i.last_success_ms, "              \
    "i.last_reason, m.domain, m.behavior, m.status, m.set_ms, m.last_check_ms, "                   \
    "m.last_success_ms, m.last_reason FROM identities i JOIN accounts a ON a.id = i.account_id "   \
    "LEFT JOIN mail_from m ON m.identity_id = i.id "
#define SQ_ACCOUNT_COLUMNS                                                                         \
    "SELECT a.id, a.name, a.status, a.created_ms, (SELECT c.username FROM credentials c "          \
    "WHERE c.account_id = a.id ORDER BY c.created_ms, c.username LIMIT 1) FROM accounts a "

static const char *const store_sqlite_sql[SQ_N_STMTS] = {
    [SQ_BEGIN] = "BEGIN IMMEDIATE",
    [SQ_COMMIT] = "COMMIT",
    [SQ_ROLLBACK] = "ROLLBACK",
    [SQ_SAVEPOINT] = "SAVEPOINT msg",
    [SQ_RELEASE] = "RELEASE msg",
    [SQ_ROLLBACK_TO] = "ROLLBACK TO msg",
    [SQ_ACCOUNT_INSERT] = "INSERT INTO accounts (name, created_ms) VALUES (?1, ?2)",
    [SQ_CREDENTIAL_INSERT] = "INSERT INTO credentials (username, account_id, password_hash, "
                             "created_ms) VALUES (?1, ?2, ?3, ?4)",
    [SQ_ACCOUNT_GET] = SQ_ACCOUNT_COLUMNS "WHERE a.name = ?1",
    [SQ_ACCOUNT_LIST] = SQ_ACCOUNT_COLUMNS "ORDER BY a.name",
    [SQ_ACCOUNT_ID] = "SELECT id FROM accounts WHERE name = ?1",
    [SQ_ACCOUNT_PENDING] = "SELECT count(*) FROM recipients r JOIN messages m ON m.id = "
                           "r.message_id WHERE m.account_id = ?1 AND r.state IN ('queued', "
                           "'deferred')",
    [SQ_ACCOUNT_DELETE] = "DELETE FROM accounts WHERE id = ?1",
    [SQ_CREDENTIAL_GET] = "SELECT a.id, a.name, a.status, c.password_hash FROM credentials c "
                          "JOIN accounts a ON a.id = c.account_id WHERE c.username = ?1",
    [SQ_IDENTITY_OWNER] = "SELECT a.name FROM identities i JOIN accounts a ON a.id = "
                          "i.account_id WHERE i.name = ?1",
    [SQ_IDENTITY_INSERT] = "INSERT INTO identities (name, kind, account_id, created_ms, "
                           "updated_ms) VALUES (?1, ?2, ?3, ?4, ?4)",
    [SQ_IDENTITY_GET] = SQ_IDENTITY_COLUMNS "WHERE i.name = ?1",
    [SQ_IDENTITY_LIST_ALL] = SQ_IDENTITY_COLUMNS "ORDER BY i.name",
    [SQ_IDENTITY_LIST_NAME] = SQ_IDENTITY_COLUMNS "WHERE a.name = ?1 ORDER BY i.name",
    [SQ_IDENTITY_LIST_ID] = SQ_IDENTITY_COLUMNS "WHERE i.account_id = ?1 ORDER BY i.name",
    [SQ_IDENTITY_SET_STATUS] = "UPDATE identities SET status = ?2, forced = ?3, updated_ms = ?4 "
                               "WHERE name = ?1",
    [SQ_IDENTITY_DELETE] = "DELETE FROM identities WHERE name = ?1",
    [SQ_MESSAGE_INSERT] = "INSERT INTO messages (id, account_id, identity, envelope_from, "
                          "return_path, size, arrival_ms, dsn_ret, dsn_envid, body) VALUES "
                          "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [SQ_RCPT_INSERT] = "INSERT INTO recipients (message_id, address, notify, orcpt, state, "
                       "attempts, next_attempt_ms, last_reply) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                       "?7, ?8)",
    [SQ_EVENT_INSERT] = "INSERT INTO events (type, message_id, account_id, payload, time_ms) "
                        "VALUES (?1, ?2, ?3, ?4, ?5)",
    [SQ_MESSAGE_GET] = "SELECT account_id, identity, envelope_from, return_path, arrival_ms, "
                       "dsn_ret, dsn_envid, body FROM messages WHERE id = ?1",
    [SQ_RCPT_LIST] = "SELECT address, notify, orcpt, state, attempts, next_attempt_ms, "
                     "last_reply, id FROM recipients WHERE message_id = ?1 ORDER BY id",
    [SQ_SUPPRESSION_UPSERT] =
        "INSERT INTO suppressions (account_id, address, reason, time_ms) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (account_id, address) DO UPDATE SET reason = excluded.reason, "
        "time_ms = excluded.time_ms",
    /* Two lookups, each on an index (an OR of both would scan the whole queue). */
    [SQ_MESSAGE_FIND_ID] = "SELECT id FROM messages WHERE id = ?2 AND account_id = ?1",
    [SQ_MESSAGE_FIND_ENVID] = "SELECT id FROM messages WHERE account_id = ?1 AND dsn_envid = ?2 "
                              "ORDER BY id LIMIT 1",
    [SQ_EVENT_LIST] = "SELECT id, type, message_id, payload, time_ms FROM events WHERE "
                      "message_id = ?1 ORDER BY id",
    [SQ_IDENTITY_SET_TOKEN] = "UPDATE identities SET token = ?2, token_expires_ms = ?3 "
                              "WHERE name = ?1",
    [SQ_IDENTITY_BY_TOKEN] = SQ_IDENTITY_COLUMNS "WHERE i.token = ?1",
    [SQ_IDENTITY_CHECK] = "UPDATE identities SET status = ?2, forced = 0, last_check_ms = ?3, "
                          "last_success_ms = CASE WHEN ?4 THEN ?3 ELSE last_success_ms END, "
                          "last_reason = ?5, updated_ms = ?3 WHERE name = ?1",
    [SQ_MAIL_FROM_CHECK] = "UPDATE mail_from SET status = ?2, last_check_ms = ?3, "
                           "last_success_ms = CASE WHEN ?4 THEN ?3 ELSE last_success_ms END, "
                           "last_reason = ?5 WHERE identity_id = "
                           "(SELECT id FROM identities WHERE name = ?1)",
    [SQ_IDENTITY_EVENT_INSERT] = "INSERT INTO events (type, account_id, identity, payload, "
                                 "time_ms) SELECT ?2, account_id, name, ?3, ?4 FROM identities "
                                 "WHERE name = ?1",
    [SQ_IDENTITY_EVENTS] = "SELECT id, type, message_id, payload, time_ms FROM events WHERE "
                           "identity = ?1 ORDER BY id",
    [SQ_MAIL_FROM_OWNER] = "SELECT i.name, a.name FROM mail_from m JOIN identities i ON i.id = "
                           "m.identity_id JOIN accounts a ON a.id = i.account_id "
                           "WHERE m.domain = ?1",
    [SQ_MAIL_FROM_DELETE] = "DELETE FROM mail_from WHERE identity_id = ?1",
    [SQ_MAIL_FROM_INSERT] = "INSERT INTO mail_from (identity_id, domain, behavior, set_ms) "
                            "VALUES (?1, ?2, ?3, ?4)",
    [SQ_MAIL_FROM_BEHAVIOR] = "UPDATE mail_from SET behavior = ?2 WHERE identity_id = ?1",
    [SQ_ACCESS_KEY_INSERT] = "INSERT INTO access_keys (id, account_id, secret, created_ms) "
                             "VALUES (?1, ?2, ?3, ?4)",
    [SQ_ACCESS_KEY_GET] = "SELECT k.id, k.account_id, a.name, a.status, k.secret, k.created_ms "
                          "FROM access_keys k JOIN accounts a ON a.id = k.account_id "
                          "WHERE k.id = ?1",
};

static const struct store_ops store_sqlite_ops;

enum store_status store_sqlite_set_error(char **error_r, enum store_status status, const char *fmt,
                                         ...)
{
    if (error_r == NULL)
        return status;
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) {
        fputs("rebound: out of memory\n", stderr);
        abort();
    }
    va_end(ap);
    *error_r = msg;
    return status;
}

enum store_status store_sqlite_fail(struct store_sqlite *s, int rc, const char *what,
                                    char **error_r)
{
    enum store_status status;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_NOMEM:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    case SQLITE_INTERRUPT:
        status = STORE_TEMPFAIL;
        break;
    case SQLITE_CONSTRAINT:
        status = STORE_REFUSED;
        break;
    default:
        status = STORE_PERMFAIL;
        break;
    }
    const char *detail = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    return store_sqlite_set_error(error_r, status, "%s: %s", what, detail);
}

sqlite3_stmt *store_sqlite_stmt(struct store_sqlite *s, enum store_sqlite_stmt_id id,
                                enum store_status *status_r, char **error_r)
{
    sqlite3_stmt *st = s->stmts[id];
    if (st == NULL) {
        int rc = sqlite3_prepare_v3(s->db, store_sqlite_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                    &s->stmts[id], NULL);
        if (rc != SQLITE_OK) {
            *status_r = store_sqlite_fail(s, rc, "preparing a statement", error_r);
            return NULL;
        }
        return s->stmts[id];
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

enum store_status store_sqlite_run(struct store_sqlite *s, enum store_sqlite_stmt_id id,
                                   char **error_r)
{
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_stmt(s, id, &status, error_r);
    if (st == NULL)
        return status;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_sqlite_fail(s, rc, store_sqlite_sql[id], error_r);
    return STORE_OK;
}

enum store_status store_sqlite_begin(struct store_sqlite *s, char **error_r)
{
    return store_sqlite_run(s, SQ_BEGIN, error_r);
}

enum store_status store_sqlite_commit(struct store_sqlite *s, char **error_r)
{
    enum store_status status = store_sqlite_run(s, SQ_COMMIT, error_r);
    if (status != STORE_OK)
        store_sqlite_rollback(s);
    return status;
}

void store_sqlite_rollback(struct store_sqlite *s)
{
    if (!sqlite3_get_autocommit(s->db))
        (void)store_sqlite_run(s, SQ_ROLLBACK, NULL);
}

char *store_sqlite_column_dup(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? xstrdup((const char *)t) : NULL;
}

/* Sets a pragma and checks the value SQLite reports back (journal_mode may silently stay). */
static enum store_status store_sqlite_pragma(struct store_sqlite *s, const char *sql,
                                             const char *want, char **error_r)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_sqlite_fail(s, rc, sql, error_r);
    rc = sqlite3_step(st);
    enum store_status status = STORE_OK;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        status = store_sqlite_fail(s, rc, sql, error_r);
    } else if (want != NULL && (rc != SQLITE_ROW || sqlite3_column_text(st, 0) == NULL ||
                                strcmp((const char *)sqlite3_column_text(st, 0), want) != 0)) {
        status = store_sqlite_set_error(error_r, STORE_PERMFAIL, "%s: the database refused", sql);
    }
    sqlite3_finalize(st);
    return status;
}

static void store_sqlite_close(struct store *st)
{
    struct store_sqlite *s = (struct store_sqlite *)st;
    for (int i = 0; i < SQ_N_STMTS; i++)
        sqlite3_finalize(s->stmts[i]);
    sqlite3_close(s->db);
    free(s);
}

struct store *store_sqlite_open(const char *path, char **error_r)
{
    /* The file holds password hashes: create it private (SQLite would use 0644 & ~umask; its
     * -wal and -shm files copy the database file's mode). An existing file keeps its mode.
     * O_EXCL: an existing file must NOT be opened and closed here: close() drops every POSIX
     * lock this process holds on it, including the SHARED lock of its other connections (the
     * store service opens several), after which another process closing its connection
     * believes it is the last one, checkpoints and deletes the WAL while this process keeps
     * appending commits to the unlinked file. */
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
    struct store_sqlite *s = xcalloc(1, sizeof(*s));
    s->base.ops = &store_sqlite_ops;
    int rc = sqlite3_open_v2(
        path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    enum store_status status = STORE_OK;
    char *why = NULL;
    if (rc != SQLITE_OK) {
        status = store_sqlite_fail(s, rc, "opening the database", &why);
    } else {
        sqlite3_busy_timeout(s->db, STORE_SQLITE_BUSY_TIMEOUT_MS);
        status = store_sqlite_pragma(s, "PRAGMA journal_mode=WAL", "wal", &why);
        if (status == STORE_OK)
            status = store_sqlite_pragma(s, "PRAGMA synchronous=FULL", NULL, &why);
        if (status == STORE_OK)
            status = store_sqlite_pragma(s, "PRAGMA foreign_keys=ON", NULL, &why);
        if (status == STORE_OK)
            status = store_sqlite_migrate(s, &why);
    }
    if (status != STORE_OK) {
        *error_r = xasprintf("store %s: %s", path, why);
        free(why);
        store_sqlite_close(&s->base);
        return NULL;
    }
    return &s->base;
}

static const struct store_ops store_sqlite_ops = {
    .name = "sqlite",
    .close = store_sqlite_close,
    .account_create = store_sqlite_account_create,
    .account_get = store_sqlite_account_get,
    .account_list = store_sqlite_account_list,
    .account_delete = store_sqlite_account_delete,
    .credential_get = store_sqlite_credential_get,
    .identity_add = store_sqlite_identity_add,
    .identity_get = store_sqlite_identity_get,
    .identity_list = store_sqlite_identity_list,
    .identity_set_status = store_sqlite_identity_set_status,
    .identity_delete = store_sqlite_identity_delete,
    .message_commit = store_sqlite_message_commit,
    .message_get = store_sqlite_message_get,
    .event_list = store_sqlite_event_list,
    .message_find = store_sqlite_message_find,
    .identity_set_token = store_sqlite_identity_set_token,
    .identity_by_token = store_sqlite_identity_by_token,
    .verification_record = store_sqlite_verification_record,
    .mail_from_set = store_sqlite_mail_from_set,
    .identity_event_list = store_sqlite_identity_event_list,
    .access_key_create = store_sqlite_access_key_create,
    .access_key_get = store_sqlite_access_key_get,
    .queue_claim = store_sqlite_queue_claim,
    .queue_record = store_sqlite_queue_record,
    .attempt_list = store_sqlite_attempt_list,
    .message_list = store_sqlite_message_list,
};
