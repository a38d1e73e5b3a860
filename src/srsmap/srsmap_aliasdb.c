#include "srsmap_aliasdb.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define SRSMAP_ALIASDB_SCHEME "sqlite:"
/* How long a writer waits for another process's lock before reporting an error. */
#define SRSMAP_ALIASDB_BUSY_MS 200

struct srsmap_aliasdb {
    pthread_mutex_t lock; /* one connection and its statements, used by every worker */
    sqlite3 *handle;
    sqlite3_stmt *get;
    sqlite3_stmt *put;
};

static const char srsmap_aliasdb_schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS kv (k TEXT NOT NULL UNIQUE ON CONFLICT REPLACE,"
    " v TEXT NOT NULL, lt INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS ltidx ON kv (lt);";

static bool srsmap_aliasdb_prepare(struct srsmap_aliasdb *db, int64_t now, char **error_r)
{
    char *err = NULL;
    if (sqlite3_exec(db->handle, srsmap_aliasdb_schema, NULL, NULL, &err) != SQLITE_OK) {
        *error_r = xasprintf("cannot create the alias table: %s", err ? err : "unknown error");
        sqlite3_free(err);
        return false;
    }
    if (sqlite3_prepare_v2(db->handle, "SELECT v FROM kv WHERE k = ?1 AND lt > ?2", -1, &db->get,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->handle, "INSERT INTO kv (k, v, lt) VALUES (?1, ?2, ?3)", -1,
                           &db->put, NULL) != SQLITE_OK) {
        *error_r = xasprintf("cannot prepare statements: %s", sqlite3_errmsg(db->handle));
        return false;
    }
    sqlite3_stmt *expire = NULL;
    if (sqlite3_prepare_v2(db->handle, "DELETE FROM kv WHERE lt <= ?1", -1, &expire, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int64(expire, 1, now);
        sqlite3_step(expire);
    }
    sqlite3_finalize(expire);
    return true;
}

struct srsmap_aliasdb *srsmap_aliasdb_open(const char *uri, int64_t now, char **error_r)
{
    size_t n = strlen(SRSMAP_ALIASDB_SCHEME);
    if (strncmp(uri, SRSMAP_ALIASDB_SCHEME, n) != 0 || uri[n] == '\0') {
        *error_r = xasprintf("'%s' is not sqlite:FILE", uri);
        return NULL;
    }
    struct srsmap_aliasdb *db = xcalloc(1, sizeof(*db));
    pthread_mutex_init(&db->lock, NULL);
    if (sqlite3_open_v2(uri + n, &db->handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        *error_r = xasprintf("cannot open %s: %s", uri + n,
                             db->handle ? sqlite3_errmsg(db->handle) : "out of memory");
        srsmap_aliasdb_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db->handle, SRSMAP_ALIASDB_BUSY_MS);
    if (!srsmap_aliasdb_prepare(db, now, error_r)) {
        char *why = *error_r;
        *error_r = xasprintf("%s: %s", uri + n, why);
        free(why);
        srsmap_aliasdb_close(db);
        return NULL;
    }
    return db;
}

void srsmap_aliasdb_close(struct srsmap_aliasdb *db)
{
    if (db == NULL)
        return;
    sqlite3_finalize(db->get);
    sqlite3_finalize(db->put);
    sqlite3_close(db->handle);
    pthread_mutex_destroy(&db->lock);
    free(db);
}

bool srsmap_aliasdb_put(struct srsmap_aliasdb *db, const char *alias, const char *address,
                        int64_t expires, char **error_r)
{
    pthread_mutex_lock(&db->lock);
    sqlite3_bind_text(db->put, 1, alias, -1, SQLITE_STATIC);
    sqlite3_bind_text(db->put, 2, address, -1, SQLITE_STATIC);
    sqlite3_bind_int64(db->put, 3, expires);
    int rc = sqlite3_step(db->put);
    bool ok = rc == SQLITE_DONE;
    if (!ok)
        *error_r = xasprintf("alias write failed: %s", sqlite3_errmsg(db->handle));
    sqlite3_reset(db->put);
    sqlite3_clear_bindings(db->put);
    pthread_mutex_unlock(&db->lock);
    return ok;
}

enum srsmap_aliasdb_result srsmap_aliasdb_get(struct srsmap_aliasdb *db, const char *alias,
                                              int64_t now, char **address_r, char **error_r)
{
    *address_r = NULL;
    pthread_mutex_lock(&db->lock);
    sqlite3_bind_text(db->get, 1, alias, -1, SQLITE_STATIC);
    sqlite3_bind_int64(db->get, 2, now);
    int rc = sqlite3_step(db->get);
    enum srsmap_aliasdb_result result = SRSMAP_ALIASDB_MISSING;
    if (rc == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(db->get, 0);
        if (v != NULL && v[0] != '\0') {
            *address_r = xstrdup((const char *)v);
            result = SRSMAP_ALIASDB_FOUND;
        }
    } else if (rc != SQLITE_DONE) {
        *error_r = xasprintf("alias read failed: %s", sqlite3_errmsg(db->handle));
        result = SRSMAP_ALIASDB_ERROR;
    }
    sqlite3_reset(db->get);
    sqlite3_clear_bindings(db->get);
    pthread_mutex_unlock(&db->lock);
    return result;
}
