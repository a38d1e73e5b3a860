/* store_sqlite_identity: identities (SQLite backend). Names arrive normalized (store.c). */
#include <stdlib.h>
#include <string.h>

#include "store_sqlite_int.h"
#include "xalloc.h"

/* STORE_EXISTS naming the owner if the identity is already recorded; else STORE_OK. */
static enum store_status store_sqlite_identity_owner(struct store_sqlite *s, const char *name,
                                                     const char *account, char **error_r)
{
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_IDENTITY_OWNER, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *owner = (const char *)sqlite3_column_text(st, 0);
        if (strcmp(owner, account) == 0)
            status = store_sqlite_set_error(
                error_r, STORE_EXISTS, "account '%s' already has identity '%s'", account, name);
        else
            status = store_sqlite_set_error(error_r, STORE_EXISTS,
                                            "identity '%s' belongs to another account ('%s')", name,
                                            owner);
    } else if (rc != SQLITE_DONE) {
        status = store_sqlite_fail(s, rc, "looking up the identity", error_r);
    }
    sqlite3_reset(st);
    return status;
}

static enum store_status store_sqlite_identity_insert(struct store_sqlite *s, const char *name,
                                                      const char *account, int64_t now_ms,
                                                      char **error_r)
{
    int64_t account_id = 0;
    enum store_status status = store_sqlite_account_id(s, account, &account_id, error_r);
    if (status == STORE_OK)
        status = store_sqlite_identity_owner(s, name, account, error_r);
    if (status != STORE_OK)
        return status;
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_IDENTITY_INSERT, &status, error_r);
    if (st == NULL)
        return status;
    enum identity_kind kind = strchr(name, '@') ? IDENTITY_ADDRESS : IDENTITY_DOMAIN;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, identity_kind_name(kind), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, account_id);
    sqlite3_bind_int64(st, 4, now_ms);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK
                             : store_sqlite_fail(s, rc, "recording the identity", error_r);
}

enum store_status store_sqlite_identity_add(struct store *stor, const char *name,
                                            const char *account, int64_t now_ms, char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = store_sqlite_begin(s, error_r);
    if (status != STORE_OK)
        return status;
    status = store_sqlite_identity_insert(s, name, account, now_ms, error_r);
    if (status == STORE_OK)
        return store_sqlite_commit(s, error_r);
    store_sqlite_rollback(s);
    return status;
}

static enum identity_status store_sqlite_status_column(sqlite3_stmt *st, int col)
{
    enum identity_status status = IDENTITY_PENDING;
    const unsigned char *text = sqlite3_column_text(st, col);
    if (text != NULL)
        (void)identity_status_parse((const char *)text, &status);
    return status;
}

/* Columns 14..20: the LEFT JOINed mail_from row (all NULL when none is set). */
static void store_sqlite_mail_from_row(sqlite3_stmt *st, struct store_mail_from *m)
{
    m->domain = store_sqlite_column_dup(st, 14);
    if (m->domain == NULL)
        return;
    const unsigned char *behavior = sqlite3_column_text(st, 15);
    if (behavior == NULL || !store_mx_failure_parse((const char *)behavior, &m->behavior))
        m->behavior = STORE_MX_USE_DEFAULT_VALUE;
    m->status = store_sqlite_status_column(st, 16);
    m->set_ms = sqlite3_column_int64(st, 17);
    m->last_check_ms = sqlite3_column_int64(st, 18);
    m->last_success_ms = sqlite3_column_int64(st, 19);
    m->last_reason = store_sqlite_column_dup(st, 20);
}

void store_sqlite_identity_row(sqlite3_stmt *st, struct store_identity *i)
{
    memset(i, 0, sizeof(*i));
    i->id = sqlite3_column_int64(st, 0);
    i->name = store_sqlite_column_dup(st, 1);
    const unsigned char *kind = sqlite3_column_text(st, 2);
    i->kind =
        kind && strcmp((const char *)kind, "DOMAIN") == 0 ? IDENTITY_DOMAIN : IDENTITY_ADDRESS;
    i->account_id = sqlite3_column_int64(st, 3);
    i->account = store_sqlite_column_dup(st, 4);
    const unsigned char *status = sqlite3_column_text(st, 5);
    if (status == NULL || !identity_status_parse((const char *)status, &i->status))
        i->status = IDENTITY_PENDING;
    i->forced = sqlite3_column_int(st, 6) != 0;
    i->created_ms = sqlite3_column_int64(st, 7);
    i->updated_ms = sqlite3_column_int64(st, 8);
    i->token = store_sqlite_column_dup(st, 9);
    i->token_expires_ms = sqlite3_column_int64(st, 10);
    i->last_check_ms = sqlite3_column_int64(st, 11);
    i->last_success_ms = sqlite3_column_int64(st, 12);
    i->last_reason = store_sqlite_column_dup(st, 13);
    store_sqlite_mail_from_row(st, &i->mail_from);
}

enum store_status store_sqlite_identity_get(struct store *stor, const char *name,
                                            struct store_identity *identity_r, char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = STORE_OK;
    memset(identity_r, 0, sizeof(*identity_r));
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_IDENTITY_GET, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        store_sqlite_identity_row(st, identity_r);
    else if (rc == SQLITE_DONE)
        status = store_sqlite_set_error(error_r, STORE_NOT_FOUND, "no identity '%s'", name);
    else
        status = store_sqlite_fail(s, rc, "reading the identity", error_r);
    sqlite3_reset(st);
    return status;
}

/* Runs a prepared identity SELECT and collects every row. */
static enum store_status store_sqlite_identity_collect(struct store_sqlite *s, sqlite3_stmt *st,
                                                       struct store_identity_list *list_r,
                                                       char **error_r)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        list_r->items = xreallocarray(list_r->items, list_r->n + 1, sizeof(list_r->items[0]));
        store_sqlite_identity_row(st, &list_r->items[list_r->n++]);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        store_identity_list_free(list_r);
        return store_sqlite_fail(s, rc, "listing identities", error_r);
    }
    return STORE_OK;
}

enum store_status store_sqlite_identity_list(struct store *stor, const char *account,
                                             int64_t account_id, struct store_identity_list *list_r,
                                             char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = STORE_OK;
    memset(list_r, 0, sizeof(*list_r));
    if (account != NULL) {
        int64_t id = 0;
        status = store_sqlite_account_id(s, account, &id, error_r);
        if (status != STORE_OK)
            return status;
    }
    enum store_sqlite_stmt_id which = account      ? SQ_IDENTITY_LIST_NAME
                                      : account_id ? SQ_IDENTITY_LIST_ID
                                                   : SQ_IDENTITY_LIST_ALL;
    sqlite3_stmt *st = store_sqlite_stmt(s, which, &status, error_r);
    if (st == NULL)
        return status;
    if (account != NULL)
        sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
    else if (account_id > 0)
        sqlite3_bind_int64(st, 1, account_id);
    return store_sqlite_identity_collect(s, st, list_r, error_r);
}

/* Runs an UPDATE/DELETE on one identity; STORE_NOT_FOUND if no row changed. */
static enum store_status store_sqlite_identity_change(struct store_sqlite *s, sqlite3_stmt *st,
                                                      const char *name, char **error_r)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_sqlite_fail(s, rc, "changing the identity", error_r);
    if (sqlite3_changes(s->db) == 0)
        return store_sqlite_set_error(error_r, STORE_NOT_FOUND, "no identity '%s'", name);
    return STORE_OK;
}

enum store_status store_sqlite_identity_set_status(struct store *stor, const char *name,
                                                   enum identity_status status, bool forced,
                                                   int64_t now_ms, char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status result = STORE_OK;
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_IDENTITY_SET_STATUS, &result, error_r);
    if (st == NULL)
        return result;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, identity_status_name(status), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, forced ? 1 : 0);
    sqlite3_bind_int64(st, 4, now_ms);
    return store_sqlite_identity_change(s, st, name, error_r);
}

enum store_status store_sqlite_identity_delete(struct store *stor, const char *name, char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_IDENTITY_DELETE, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    return store_sqlite_identity_change(s, st, name, error_r);
}
