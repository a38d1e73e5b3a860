/* store_sqlite_account: accounts and their SMTP credentials (SQLite backend). */
#include <stdlib.h>
#include <string.h>

#include "store_sqlite_int.h"
#include "xalloc.h"

static enum store_account_status store_sqlite_account_status(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t && strcmp((const char *)t, "PAUSED") == 0 ? STORE_ACCOUNT_PAUSED
                                                       : STORE_ACCOUNT_ACTIVE;
}

/* Inserts the account row then the credential row; the caller holds the transaction. */
static enum store_status store_sqlite_account_insert(struct store_sqlite *s, const char *name,
                                                     const char *username,
                                                     const char *password_hash, int64_t now_ms,
                                                     char **error_r)
{
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_ACCOUNT_INSERT, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now_ms);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_CONSTRAINT)
        return store_sqlite_set_error(error_r, STORE_EXISTS, "account '%s' already exists", name);
    if (rc != SQLITE_DONE)
        return store_sqlite_fail(s, rc, "creating the account", error_r);
    int64_t id = sqlite3_last_insert_rowid(s->db);
    st = store_sqlite_stmt(s, SQ_CREDENTIAL_INSERT, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_text(st, 3, password_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now_ms);
    rc = sqlite3_step(st);
    if (rc == SQLITE_CONSTRAINT)
        return store_sqlite_set_error(error_r, STORE_EXISTS, "SMTP username '%s' is taken",
                                      username);
    if (rc != SQLITE_DONE)
        return store_sqlite_fail(s, rc, "storing the credential", error_r);
    return STORE_OK;
}

enum store_status store_sqlite_account_create(struct store *stor, const char *name,
                                              const char *username, const char *password_hash,
                                              int64_t now_ms, char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = store_sqlite_begin(s, error_r);
    if (status != STORE_OK)
        return status;
    status = store_sqlite_account_insert(s, name, username, password_hash, now_ms, error_r);
    if (status == STORE_OK)
        return store_sqlite_commit(s, error_r);
    store_sqlite_rollback(s);
    return status;
}

static void store_sqlite_account_row(sqlite3_stmt *st, struct store_account *a)
{
    a->id = sqlite3_column_int64(st, 0);
    a->name = store_sqlite_column_dup(st, 1);
    a->status = store_sqlite_account_status(st, 2);
    a->created_ms = sqlite3_column_int64(st, 3);
    a->username = store_sqlite_column_dup(st, 4);
}

enum store_status store_sqlite_account_get(struct store *stor, const char *name,
                                           struct store_account *account_r, char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = STORE_OK;
    memset(account_r, 0, sizeof(*account_r));
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_ACCOUNT_GET, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        store_sqlite_account_row(st, account_r);
    else if (rc == SQLITE_DONE)
        status = store_sqlite_set_error(error_r, STORE_NOT_FOUND, "no account '%s'", name);
    else
        status = store_sqlite_fail(s, rc, "reading the account", error_r);
    sqlite3_reset(st);
    return status;
}

enum store_status store_sqlite_account_list(struct store *stor, struct store_account_list *list_r,
                                            char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = STORE_OK;
    memset(list_r, 0, sizeof(*list_r));
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_ACCOUNT_LIST, &status, error_r);
    if (st == NULL)
        return status;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        list_r->items = xreallocarray(list_r->items, list_r->n + 1, sizeof(list_r->items[0]));
        store_sqlite_account_row(st, &list_r->items[list_r->n++]);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        store_account_list_free(list_r);
        return store_sqlite_fail(s, rc, "listing accounts", error_r);
    }
    return STORE_OK;
}

enum store_status store_sqlite_account_id(struct store_sqlite *s, const char *name, int64_t *id_r,
                                          char **error_r)
{
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_ACCOUNT_ID, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id_r = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        status = store_sqlite_set_error(error_r, STORE_NOT_FOUND, "no account '%s'", name);
    else
        status = store_sqlite_fail(s, rc, "looking up the account", error_r);
    sqlite3_reset(st);
    return status;
}

static enum store_status store_sqlite_account_remove(struct store_sqlite *s, const char *name,
                                                     char **error_r)
{
    int64_t id = 0;
    enum store_status status = store_sqlite_account_id(s, name, &id, error_r);
    if (status != STORE_OK)
        return status;
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_ACCOUNT_PENDING, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    int64_t pending = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return store_sqlite_fail(s, rc, "counting queued mail", error_r);
    if (pending > 0)
        return store_sqlite_set_error(error_r, STORE_REFUSED,
                                      "account '%s' still has %lld undelivered recipient(s) in "
                                      "the queue",
                                      name, (long long)pending);
    st = store_sqlite_stmt(s, SQ_ACCOUNT_DELETE, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sqlite_fail(s, rc, "deleting the account", error_r);
}

enum store_status store_sqlite_account_delete(struct store *stor, const char *name, char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = store_sqlite_begin(s, error_r);
    if (status != STORE_OK)
        return status;
    status = store_sqlite_account_remove(s, name, error_r);
    if (status == STORE_OK)
        return store_sqlite_commit(s, error_r);
    store_sqlite_rollback(s);
    return status;
}

enum store_status store_sqlite_credential_get(struct store *stor, const char *username,
                                              struct store_credential *cred_r, char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = STORE_OK;
    memset(cred_r, 0, sizeof(*cred_r));
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_CREDENTIAL_GET, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        cred_r->account_id = sqlite3_column_int64(st, 0);
        cred_r->account = store_sqlite_column_dup(st, 1);
        cred_r->account_status = store_sqlite_account_status(st, 2);
        cred_r->password_hash = store_sqlite_column_dup(st, 3);
    } else if (rc == SQLITE_DONE) {
        status =
            store_sqlite_set_error(error_r, STORE_NOT_FOUND, "no SMTP username '%s'", username);
    } else {
        status = store_sqlite_fail(s, rc, "reading the credential", error_r);
    }
    sqlite3_reset(st);
    return status;
}
