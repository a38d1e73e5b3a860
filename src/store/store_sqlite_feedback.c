/*
 * store_sqlite_feedback: what the feedback MX adds to a message commit (events about other
 * messages, suppression-list entries) and how it finds the original message a report is about
 * (SQLite backend). Runs inside store_sqlite_message_commit's per-message savepoint.
 */
#include <string.h>

#include "store_sqlite_int.h"

static enum store_status store_sqlite_step_done(struct store_sqlite *s, sqlite3_stmt *st,
                                                const char *what, char **error_r)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sqlite_fail(s, rc, what, error_r);
}

static enum store_status store_sqlite_insert_linked(struct store_sqlite *s,
                                                    const struct store_message *m,
                                                    const struct store_linked_event *e,
                                                    char **error_r)
{
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_EVENT_INSERT, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, e->type, -1, SQLITE_STATIC);
    if (e->message_id != NULL)
        sqlite3_bind_text(st, 2, e->message_id, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_int64(st, 3, m->account_id);
    sqlite3_bind_text(st, 4, e->json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, m->arrival_ms);
    return store_sqlite_step_done(s, st, "storing a feedback event", error_r);
}

static enum store_status store_sqlite_upsert_suppression(struct store_sqlite *s,
                                                         const struct store_message *m,
                                                         const struct store_suppression *sup,
                                                         char **error_r)
{
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_SUPPRESSION_UPSERT, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_int64(st, 1, m->account_id);
    sqlite3_bind_text(st, 2, sup->address, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, store_suppression_reason_name(sup->reason), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, m->arrival_ms);
    return store_sqlite_step_done(s, st, "storing a suppression entry", error_r);
}

enum store_status store_sqlite_insert_feedback(struct store_sqlite *s,
                                               const struct store_message *m, char **error_r)
{
    enum store_status status = STORE_OK;
    for (size_t i = 0; status == STORE_OK && i < m->n_linked_events; i++)
        status = store_sqlite_insert_linked(s, m, &m->linked_events[i], error_r);
    for (size_t i = 0; status == STORE_OK && i < m->n_suppressions; i++)
        status = store_sqlite_upsert_suppression(s, m, &m->suppressions[i], error_r);
    return status;
}

/* One lookup: STORE_OK with the id, STORE_NOT_FOUND (no error text), or a failure. */
static enum store_status store_sqlite_find_one(struct store_sqlite *s, enum store_sqlite_stmt_id q,
                                               int64_t account_id, const char *ref,
                                               char id_r[STORE_MESSAGE_ID_SIZE], char **error_r)
{
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_stmt(s, q, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        if (id != NULL && strlen(id) == STORE_MESSAGE_ID_LEN)
            memcpy(id_r, id, STORE_MESSAGE_ID_SIZE);
        else
            status = STORE_NOT_FOUND;
    } else if (rc == SQLITE_DONE) {
        status = STORE_NOT_FOUND;
    } else {
        status = store_sqlite_fail(s, rc, "finding a message", error_r);
    }
    sqlite3_reset(st);
    return status;
}

enum store_status store_sqlite_message_find(struct store *stor, int64_t account_id, const char *ref,
                                            char id_r[STORE_MESSAGE_ID_SIZE], char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = STORE_NOT_FOUND;
    if (strlen(ref) == STORE_MESSAGE_ID_LEN)
        status = store_sqlite_find_one(s, SQ_MESSAGE_FIND_ID, account_id, ref, id_r, error_r);
    if (status == STORE_NOT_FOUND)
        status = store_sqlite_find_one(s, SQ_MESSAGE_FIND_ENVID, account_id, ref, id_r, error_r);
    if (status == STORE_NOT_FOUND)
        return store_sqlite_set_error(error_r, STORE_NOT_FOUND, "no message '%s'", ref);
    return status;
}
