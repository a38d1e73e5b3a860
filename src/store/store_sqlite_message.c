/*
 * store_sqlite_message: the durable message commit (group commit: many messages, one
 * transaction, one fsync) and reading a message back (SQLite backend).
 */
#include <stdlib.h>
#include <string.h>

#include "store_sqlite_int.h"
#include "xalloc.h"

static const char *store_sqlite_ret_name(enum store_dsn_ret ret)
{
    return ret == STORE_RET_FULL ? "FULL" : ret == STORE_RET_HDRS ? "HDRS" : NULL;
}

static void store_sqlite_bind_opt(sqlite3_stmt *st, int col, const char *text)
{
    if (text != NULL)
        sqlite3_bind_text(st, col, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, col);
}

/* Steps an INSERT; classifies a constraint failure on the message row as a duplicate id. */
static enum store_status store_sqlite_step_insert(struct store_sqlite *s, sqlite3_stmt *st,
                                                  const char *what, char **error_r)
{
    int rc = sqlite3_step(st);
    int ext = sqlite3_extended_errcode(s->db);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return STORE_OK;
    if (ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE)
        return store_sqlite_set_error(error_r, STORE_EXISTS, "%s: the message id is taken", what);
    return store_sqlite_fail(s, rc, what, error_r);
}

static enum store_status store_sqlite_insert_message(struct store_sqlite *s,
                                                     const struct store_message *m, char **error_r)
{
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_MESSAGE_INSERT, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, m->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, m->account_id);
    store_sqlite_bind_opt(st, 3, m->identity);
    store_sqlite_bind_opt(st, 4, m->envelope_from);
    store_sqlite_bind_opt(st, 5, m->return_path);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)m->body_len);
    sqlite3_bind_int64(st, 7, m->arrival_ms);
    store_sqlite_bind_opt(st, 8, store_sqlite_ret_name(m->dsn_ret));
    store_sqlite_bind_opt(st, 9, m->dsn_envid);
    if (m->body != NULL)
        sqlite3_bind_blob64(st, 10, m->body, m->body_len, SQLITE_STATIC);
    else
        sqlite3_bind_zeroblob(st, 10, 0);
    return store_sqlite_step_insert(s, st, "storing the message", error_r);
}

static enum store_status store_sqlite_insert_rcpt(struct store_sqlite *s, const char *id,
                                                  const struct store_recipient *r, char **error_r)
{
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_RCPT_INSERT, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    store_sqlite_bind_opt(st, 2, r->address);
    sqlite3_bind_int(st, 3, (int)r->notify);
    store_sqlite_bind_opt(st, 4, r->orcpt);
    sqlite3_bind_text(st, 5, store_rcpt_state_name(r->state), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, r->attempts);
    sqlite3_bind_int64(st, 7, r->next_attempt_ms);
    store_sqlite_bind_opt(st, 8, r->last_reply);
    return store_sqlite_step_insert(s, st, "storing a recipient", error_r);
}

static enum store_status store_sqlite_insert_event(struct store_sqlite *s,
                                                   const struct store_message *m, char **error_r)
{
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_EVENT_INSERT, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, m->event_type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, m->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, m->account_id);
    sqlite3_bind_text(st, 4, m->event_json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, m->arrival_ms);
    return store_sqlite_step_insert(s, st, "storing the event", error_r);
}

/* One message inside its savepoint. STORE_EXISTS/STORE_REFUSED undo only this message;
 * anything else is returned for the caller to abandon the whole transaction. */
enum store_status store_sqlite_commit_one(struct store_sqlite *s, const struct store_message *m,
                                          char **error_r)
{
    if (m->n_rcpts == 0)
        return store_sqlite_set_error(error_r, STORE_REFUSED, "message %s has no recipient", m->id);
    if ((m->event_type == NULL) != (m->event_json == NULL))
        return store_sqlite_set_error(
            error_r, STORE_REFUSED, "message %s: an event needs both a type and a payload", m->id);
    enum store_status status = store_sqlite_run(s, SQ_SAVEPOINT, error_r);
    if (status != STORE_OK)
        return status;
    status = store_sqlite_insert_message(s, m, error_r);
    for (size_t i = 0; status == STORE_OK && i < m->n_rcpts; i++)
        status = store_sqlite_insert_rcpt(s, m->id, &m->rcpts[i], error_r);
    if (status == STORE_OK && m->event_type != NULL)
        status = store_sqlite_insert_event(s, m, error_r);
    if (status == STORE_OK)
        status = store_sqlite_insert_feedback(s, m, error_r);
    if (status == STORE_EXISTS || status == STORE_REFUSED)
        (void)store_sqlite_run(s, SQ_ROLLBACK_TO, NULL);
    if (status == STORE_OK || status == STORE_EXISTS || status == STORE_REFUSED) {
        enum store_status released = store_sqlite_run(s, SQ_RELEASE, NULL);
        if (released != STORE_OK)
            return store_sqlite_set_error(error_r, released, "releasing a savepoint failed");
    }
    return status;
}

/* Marks every message with status and a copy of reason. */
static void store_sqlite_fail_all(size_t n, enum store_status *results, char **errors,
                                  enum store_status status, const char *reason)
{
    for (size_t i = 0; i < n; i++) {
        results[i] = status;
        if (errors != NULL) {
            free(errors[i]);
            errors[i] = xstrdup(reason);
        }
    }
}

enum store_status store_sqlite_message_commit(struct store *stor, struct store_message *const *msgs,
                                              size_t n, enum store_status *results, char **errors)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    char *why = NULL;
    if (errors != NULL)
        memset(errors, 0, n * sizeof(errors[0]));
    enum store_status status = store_sqlite_begin(s, &why);
    for (size_t i = 0; status == STORE_OK && i < n; i++) {
        char *one = NULL;
        results[i] = store_sqlite_commit_one(s, msgs[i], &one);
        if (results[i] == STORE_EXISTS || results[i] == STORE_REFUSED || results[i] == STORE_OK) {
            if (errors != NULL)
                errors[i] = one;
            else
                free(one);
        } else {
            status = results[i];
            why = one;
        }
    }
    if (status == STORE_OK)
        status = store_sqlite_commit(s, &why);
    else
        store_sqlite_rollback(s);
    if (status != STORE_OK) {
        /* Nothing of this transaction is stored; every message gets the same answer. */
        enum store_status each = status == STORE_PERMFAIL ? STORE_PERMFAIL : STORE_TEMPFAIL;
        store_sqlite_fail_all(n, results, errors, each, why ? why : "the commit failed");
    }
    free(why);
    return status;
}

static enum store_status store_sqlite_read_rcpts(struct store_sqlite *s, struct store_message *m,
                                                 char **error_r)
{
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_RCPT_LIST, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, m->id, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *address = (const char *)sqlite3_column_text(st, 0);
        store_message_add_rcpt(m, address ? address : "", (unsigned)sqlite3_column_int(st, 1),
                               (const char *)sqlite3_column_text(st, 2));
        struct store_recipient *r = &m->rcpts[m->n_rcpts - 1];
        const char *state = (const char *)sqlite3_column_text(st, 3);
        for (int k = STORE_RCPT_QUEUED; state && k <= STORE_RCPT_BOUNCED; k++) {
            if (strcmp(state, store_rcpt_state_name((enum store_rcpt_state)k)) == 0)
                r->state = (enum store_rcpt_state)k;
        }
        r->attempts = sqlite3_column_int(st, 4);
        r->next_attempt_ms = sqlite3_column_int64(st, 5);
        r->last_reply = store_sqlite_column_dup(st, 6);
        r->id = sqlite3_column_int64(st, 7);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sqlite_fail(s, rc, "reading recipients", error_r);
}

void store_sqlite_message_row(sqlite3_stmt *st, struct store_message *m)
{
    m->account_id = sqlite3_column_int64(st, 0);
    m->identity = store_sqlite_column_dup(st, 1);
    m->envelope_from = store_sqlite_column_dup(st, 2);
    m->return_path = store_sqlite_column_dup(st, 3);
    m->arrival_ms = sqlite3_column_int64(st, 4);
    const char *ret = (const char *)sqlite3_column_text(st, 5);
    m->dsn_ret = ret == NULL                ? STORE_RET_UNSET
                 : strcmp(ret, "FULL") == 0 ? STORE_RET_FULL
                                            : STORE_RET_HDRS;
    m->dsn_envid = store_sqlite_column_dup(st, 6);
    size_t len = (size_t)sqlite3_column_bytes(st, 7);
    m->body = xmalloc(len + 1);
    if (len > 0)
        memcpy(m->body, sqlite3_column_blob(st, 7), len);
    m->body[len] = '\0';
    m->body_len = len;
}

enum store_status store_sqlite_message_get(struct store *stor, const char *id,
                                           struct store_message **msg_r, char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = STORE_OK;
    *msg_r = NULL;
    if (strlen(id) != STORE_MESSAGE_ID_LEN)
        return store_sqlite_set_error(error_r, STORE_NOT_FOUND, "no message '%s'", id);
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_MESSAGE_GET, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    struct store_message *m = NULL;
    if (rc == SQLITE_ROW) {
        m = store_message_new();
        memcpy(m->id, id, STORE_MESSAGE_ID_SIZE);
        store_sqlite_message_row(st, m);
    } else if (rc == SQLITE_DONE) {
        status = store_sqlite_set_error(error_r, STORE_NOT_FOUND, "no message '%s'", id);
    } else {
        status = store_sqlite_fail(s, rc, "reading the message", error_r);
    }
    sqlite3_reset(st);
    if (m != NULL)
        status = store_sqlite_read_rcpts(s, m, error_r);
    if (status != STORE_OK) {
        store_message_free(m);
        return status;
    }
    *msg_r = m;
    return STORE_OK;
}

enum store_status store_sqlite_event_list(struct store *stor, const char *message_id,
                                          struct store_event_list *list_r, char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = STORE_OK;
    memset(list_r, 0, sizeof(*list_r));
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_EVENT_LIST, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        list_r->items = xreallocarray(list_r->items, list_r->n + 1, sizeof(list_r->items[0]));
        struct store_event *e = &list_r->items[list_r->n++];
        e->id = sqlite3_column_int64(st, 0);
        e->type = store_sqlite_column_dup(st, 1);
        e->message_id = store_sqlite_column_dup(st, 2);
        e->json = store_sqlite_column_dup(st, 3);
        e->time_ms = sqlite3_column_int64(st, 4);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        store_event_list_free(list_r);
        return store_sqlite_fail(s, rc, "listing events", error_r);
    }
    return STORE_OK;
}
