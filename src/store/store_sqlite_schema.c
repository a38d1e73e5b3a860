/*
 * store_sqlite_schema: the numbered migrations. Migration N (1-based) is store_sqlite_migrations
 * [N - 1]; the database records every applied version in schema_version. At open, all missing
 * migrations run in ONE transaction (BEGIN IMMEDIATE, so two processes opening a fresh file at
 * once serialize and the second sees the first's work). A database whose version is newer than
 * this code is refused: an old binary must not write into a schema it does not know.
 *
 * Rules for adding a migration: append, never edit an applied one; keep each expressible in
 * PostgreSQL too (issue #10): plain types, no SQLite-only syntax beyond INTEGER PRIMARY KEY.
 * Times are milliseconds since the epoch (INTEGER).
 */
#include <stdlib.h>
#include <string.h>

#include "store_sqlite.h"
#include "store_sqlite_int.h"
#include "xalloc.h"

static const char *const store_sqlite_migrations[] = {
    /* 1: accounts, credentials, identities, the message queue, events. */
    "CREATE TABLE accounts ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " status TEXT NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'PAUSED')),"
    " created_ms INTEGER NOT NULL);"
    "CREATE TABLE credentials ("
    " username TEXT PRIMARY KEY,"
    " account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
    " password_hash TEXT NOT NULL,"
    " created_ms INTEGER NOT NULL);"
    "CREATE INDEX credentials_account ON credentials (account_id);"
    "CREATE TABLE identities ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " kind TEXT NOT NULL CHECK (kind IN ('DOMAIN', 'EMAIL_ADDRESS')),"
    " account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
    " status TEXT NOT NULL DEFAULT 'PENDING'"
    "  CHECK (status IN ('PENDING', 'SUCCESS', 'FAILED', 'TEMPORARY_FAILURE')),"
    " forced INTEGER NOT NULL DEFAULT 0,"
    " created_ms INTEGER NOT NULL,"
    " updated_ms INTEGER NOT NULL);"
    "CREATE INDEX identities_account ON identities (account_id);"
    /* body last: reading the envelope columns never walks the body's overflow pages. */
    "CREATE TABLE messages ("
    " id TEXT PRIMARY KEY,"
    " account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
    " identity TEXT NOT NULL,"
    " envelope_from TEXT NOT NULL,"
    " return_path TEXT NOT NULL,"
    " size INTEGER NOT NULL,"
    " arrival_ms INTEGER NOT NULL,"
    " dsn_ret TEXT CHECK (dsn_ret IN ('FULL', 'HDRS')),"
    " dsn_envid TEXT,"
    " body BLOB NOT NULL);"
    "CREATE INDEX messages_account ON messages (account_id);"
    "CREATE TABLE recipients ("
    " id INTEGER PRIMARY KEY,"
    " message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,"
    " address TEXT NOT NULL,"
    " notify INTEGER NOT NULL DEFAULT 0,"
    " orcpt TEXT,"
    " state TEXT NOT NULL DEFAULT 'queued'"
    "  CHECK (state IN ('queued', 'delivered', 'deferred', 'bounced')),"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_attempt_ms INTEGER NOT NULL,"
    " last_reply TEXT);"
    "CREATE INDEX recipients_message ON recipients (message_id);"
    "CREATE INDEX recipients_due ON recipients (state, next_attempt_ms);"
    /* Events outlive what they describe: no foreign keys. */
    "CREATE TABLE events ("
    " id INTEGER PRIMARY KEY,"
    " type TEXT NOT NULL,"
    " message_id TEXT,"
    " account_id INTEGER,"
    " payload TEXT NOT NULL,"
    " time_ms INTEGER NOT NULL);"
    "CREATE INDEX events_message ON events (message_id);",
    /* 2: the per-account suppression list (the feedback MX adds hard bounces and complaints). */
    "CREATE TABLE suppressions ("
    " account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
    " address TEXT NOT NULL,"
    " reason TEXT NOT NULL CHECK (reason IN ('BOUNCE', 'COMPLAINT')),"
    " time_ms INTEGER NOT NULL,"
    " PRIMARY KEY (account_id, address));"
    /* The feedback MX links a report to its message by the client's ENVID. */
    "CREATE INDEX messages_envid ON messages (account_id, dsn_envid);",
    /* 3: identity verification (issue #6): the DNS or link token and the time of each check;
     * custom MAIL FROM domains; events about an identity; API access keys. */
    "ALTER TABLE identities ADD COLUMN token TEXT;"
    "ALTER TABLE identities ADD COLUMN token_expires_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE identities ADD COLUMN last_check_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE identities ADD COLUMN last_success_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE identities ADD COLUMN last_reason TEXT;"
    "CREATE UNIQUE INDEX identities_token ON identities (token);"
    "CREATE TABLE mail_from ("
    " identity_id INTEGER PRIMARY KEY REFERENCES identities (id) ON DELETE CASCADE,"
    " domain TEXT NOT NULL UNIQUE,"
    " behavior TEXT NOT NULL CHECK (behavior IN ('USE_DEFAULT_VALUE', 'REJECT_MESSAGE')),"
    " status TEXT NOT NULL DEFAULT 'PENDING'"
    "  CHECK (status IN ('PENDING', 'SUCCESS', 'FAILED', 'TEMPORARY_FAILURE')),"
    " set_ms INTEGER NOT NULL,"
    " last_check_ms INTEGER NOT NULL DEFAULT 0,"
    " last_success_ms INTEGER NOT NULL DEFAULT 0,"
    " last_reason TEXT);"
    "ALTER TABLE events ADD COLUMN identity TEXT;"
    "CREATE INDEX events_identity ON events (identity);"
    "CREATE TABLE access_keys ("
    " id TEXT PRIMARY KEY,"
    " account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
    " secret TEXT NOT NULL,"
    " created_ms INTEGER NOT NULL);"
    "CREATE INDEX access_keys_account ON access_keys (account_id);",
    /* 4: delivery leases (a claimed recipient is invisible to other claims until its lease
     * ends, so a scheduler that dies loses nothing) and the attempts log. */
    "ALTER TABLE recipients ADD COLUMN lease_until_ms INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE attempts ("
    " id INTEGER PRIMARY KEY,"
    " message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,"
    " address TEXT NOT NULL,"
    " time_ms INTEGER NOT NULL,"
    " state TEXT NOT NULL,"
    " reply TEXT,"
    " mx_host TEXT,"
    " mx_ip TEXT);"
    "CREATE INDEX attempts_message ON attempts (message_id);",
};

#define STORE_SQLITE_N_MIGRATIONS                                                                  \
    ((int)(sizeof(store_sqlite_migrations) / sizeof(store_sqlite_migrations[0])))

int store_sqlite_schema_version(void)
{
    return STORE_SQLITE_N_MIGRATIONS;
}

static enum store_status store_sqlite_exec(struct store_sqlite *s, const char *sql,
                                           const char *what, char **error_r)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? STORE_OK : store_sqlite_fail(s, rc, what, error_r);
}

/* The highest applied version (0 for a new file). */
static enum store_status store_sqlite_current(struct store_sqlite *s, int *version_r,
                                              char **error_r)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "SELECT coalesce(max(version), 0) FROM schema_version", -1,
                                &st, NULL);
    if (rc != SQLITE_OK && strstr(sqlite3_errmsg(s->db), "no such table") != NULL) {
        *version_r = 0;
        return STORE_OK;
    }
    if (rc != SQLITE_OK)
        return store_sqlite_fail(s, rc, "reading the schema version", error_r);
    rc = sqlite3_step(st);
    *version_r = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return store_sqlite_fail(s, rc, "reading the schema version", error_r);
    return STORE_OK;
}

/* Applies migrations [done, N) in order, recording each; done = versions already applied. */
static enum store_status store_sqlite_apply(struct store_sqlite *s, int done, char **error_r)
{
    for (size_t i = done > 0 ? (size_t)done : 0; i < (size_t)STORE_SQLITE_N_MIGRATIONS; i++) {
        char *what = xasprintf("schema migration %zu", i + 1);
        enum store_status status = store_sqlite_exec(s, store_sqlite_migrations[i], what, error_r);
        free(what);
        if (status != STORE_OK)
            return status;
        sqlite3_stmt *st = NULL;
        int rc =
            sqlite3_prepare_v2(s->db,
                               "INSERT INTO schema_version (version, applied_ms) VALUES "
                               "(?1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))",
                               -1, &st, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
            rc = sqlite3_step(st);
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE && rc != SQLITE_OK)
            return store_sqlite_fail(s, rc, "recording the schema version", error_r);
    }
    return STORE_OK;
}

enum store_status store_sqlite_migrate(struct store_sqlite *s, char **error_r)
{
    int version = 0;
    enum store_status status = store_sqlite_current(s, &version, error_r);
    if (status != STORE_OK || version == STORE_SQLITE_N_MIGRATIONS)
        return status;
    status = store_sqlite_begin(s, error_r);
    if (status != STORE_OK)
        return status;
    status = store_sqlite_exec(s,
                               "CREATE TABLE IF NOT EXISTS schema_version ("
                               " version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)",
                               "creating schema_version", error_r);
    if (status == STORE_OK) /* again, under the write lock: another process may have migrated */
        status = store_sqlite_current(s, &version, error_r);
    if (status == STORE_OK && version < 0)
        status = store_sqlite_set_error(error_r, STORE_PERMFAIL,
                                        "the database schema version %d is not valid", version);
    if (status == STORE_OK && version > STORE_SQLITE_N_MIGRATIONS)
        status = store_sqlite_set_error(
            error_r, STORE_PERMFAIL,
            "the database schema is version %d, newer than this rebound knows (%d); "
            "run a newer rebound",
            version, STORE_SQLITE_N_MIGRATIONS);
    if (status == STORE_OK)
        status = store_sqlite_apply(s, version, error_r);
    if (status == STORE_OK)
        return store_sqlite_commit(s, error_r);
    store_sqlite_rollback(s);
    return status;
}
