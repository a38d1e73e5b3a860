/*
 * store_sqlite_queue: the delivery queue on SQLite: leasing due recipients (claim), recording
 * attempt outcomes with their events and new DSN messages in one transaction, and reading a
 * message's attempts and the message list back for `rebound message`.
 *
 * These statements are prepared per call (not cached): a claim or record does a few dozen row
 * operations, so preparing is a small share of it, and the statement cache stays the hot
 * submission path's.
 */
#include <stdlib.h>
#include <string.h>

#include "store_sqlite_int.h"
#include "xalloc.h"

static sqlite3_stmt *store_sqlite_q_prepare(struct store_sqlite *s, const char *sql,
                                            enum store_status *status_r, char **error_r)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        *status_r = store_sqlite_fail(s, rc, "preparing a queue statement", error_r);
        return NULL;
    }
    return st;
}

static void store_sqlite_q_bind_opt(sqlite3_stmt *st, int col, const char *text)
{
    if (text != NULL)
        sqlite3_bind_text(st, col, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, col);
}

static enum store_rcpt_state store_sqlite_q_state(const char *name)
{
    for (int k = STORE_RCPT_QUEUED; name != NULL && k <= STORE_RCPT_BOUNCED; k++) {
        if (strcmp(name, store_rcpt_state_name((enum store_rcpt_state)k)) == 0)
            return (enum store_rcpt_state)k;
    }
    return STORE_RCPT_QUEUED;
}

struct store_sqlite_q_pick {
    int64_t id;
    char *message_id;
};

/* The due, unleased recipients (at most max), oldest due first. */
static enum store_status store_sqlite_q_pick(struct store_sqlite *s, int64_t now_ms, size_t max,
                                             struct store_sqlite_q_pick **picks_r, size_t *n_r,
                                             char **error_r)
{
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_q_prepare(
        s,
        "SELECT id, message_id FROM recipients WHERE state IN ('queued', 'deferred') AND "
        "next_attempt_ms <= ?1 AND lease_until_ms <= ?1 ORDER BY next_attempt_ms, id LIMIT ?2",
        &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_int64(st, 1, now_ms);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *picks_r = xreallocarray(*picks_r, *n_r + 1, sizeof(**picks_r));
        (*picks_r)[*n_r].id = sqlite3_column_int64(st, 0);
        (*picks_r)[(*n_r)++].message_id = store_sqlite_column_dup(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK
                             : store_sqlite_fail(s, rc, "picking due recipients", error_r);
}

static enum store_status store_sqlite_q_lease(struct store_sqlite *s,
                                              const struct store_sqlite_q_pick *picks, size_t n,
                                              int64_t until_ms, char **error_r)
{
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_q_prepare(
        s, "UPDATE recipients SET lease_until_ms = ?2 WHERE id = ?1", &status, error_r);
    for (size_t i = 0; st != NULL && status == STORE_OK && i < n; i++) {
        sqlite3_bind_int64(st, 1, picks[i].id);
        sqlite3_bind_int64(st, 2, until_ms);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            status = store_sqlite_fail(s, rc, "leasing a recipient", error_r);
    }
    sqlite3_finalize(st);
    return status;
}

/* Reads the message row (with body) of id into a new message without recipients. */
static enum store_status store_sqlite_q_message(struct store_sqlite *s, const char *id,
                                                struct store_message **msg_r, char **error_r)
{
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_MESSAGE_GET, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *msg_r = store_message_new();
        memcpy((*msg_r)->id, id, STORE_MESSAGE_ID_SIZE);
        store_sqlite_message_row(st, *msg_r);
    } else {
        status = store_sqlite_fail(s, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc,
                                   "reading a claimed message", error_r);
    }
    sqlite3_reset(st);
    return status;
}

static enum store_status store_sqlite_q_rcpt(struct store_sqlite *s, sqlite3_stmt *st, int64_t id,
                                             struct store_message *m, char **error_r)
{
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *address = (const char *)sqlite3_column_text(st, 0);
        store_message_add_rcpt(m, address ? address : "", (unsigned)sqlite3_column_int(st, 1),
                               (const char *)sqlite3_column_text(st, 2));
        struct store_recipient *r = &m->rcpts[m->n_rcpts - 1];
        r->id = id;
        r->state = store_sqlite_q_state((const char *)sqlite3_column_text(st, 3));
        r->attempts = sqlite3_column_int(st, 4);
        r->next_attempt_ms = sqlite3_column_int64(st, 5);
        r->last_reply = store_sqlite_column_dup(st, 6);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? STORE_OK : store_sqlite_fail(s, rc, "reading a recipient", error_r);
}

/* Builds claim_r->msgs from the picks: one message per distinct id, in first-pick order. */
static enum store_status store_sqlite_q_load(struct store_sqlite *s,
                                             const struct store_sqlite_q_pick *picks, size_t n,
                                             struct store_claim *claim_r, char **error_r)
{
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_q_prepare(
        s,
        "SELECT address, notify, orcpt, state, attempts, next_attempt_ms, last_reply "
        "FROM recipients WHERE id = ?1",
        &status, error_r);
    for (size_t i = 0; st != NULL && status == STORE_OK && i < n; i++) {
        struct store_message *m = NULL;
        for (size_t k = 0; k < claim_r->n && m == NULL; k++) {
            if (strcmp(claim_r->msgs[k]->id, picks[i].message_id) == 0)
                m = claim_r->msgs[k];
        }
        if (m == NULL) {
            status = store_sqlite_q_message(s, picks[i].message_id, &m, error_r);
            if (status != STORE_OK || m == NULL)
                break;
            claim_r->msgs =
                xreallocarray(claim_r->msgs, claim_r->n + 1, sizeof(struct store_message *));
            claim_r->msgs[claim_r->n++] = m;
        }
        status = store_sqlite_q_rcpt(s, st, picks[i].id, m, error_r);
        claim_r->n_rcpts++;
    }
    sqlite3_finalize(st);
    return status;
}

/* How many recipients are unfinished, and when the next unleased one falls due. */
static enum store_status store_sqlite_q_stats(struct store_sqlite *s, int64_t now_ms,
                                              struct store_claim *claim_r, char **error_r)
{
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_q_prepare(
        s,
        "SELECT count(*), min(CASE WHEN lease_until_ms > ?1 THEN NULL "
        "WHEN lease_until_ms > next_attempt_ms THEN lease_until_ms ELSE next_attempt_ms END) "
        "FROM recipients WHERE state IN ('queued', 'deferred')",
        &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_int64(st, 1, now_ms);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        claim_r->n_unfinished = (size_t)sqlite3_column_int64(st, 0);
        claim_r->next_due_ms = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? STORE_OK : store_sqlite_fail(s, rc, "counting the queue", error_r);
}

enum store_status store_sqlite_queue_claim(struct store *stor, int64_t now_ms, int64_t lease_ms,
                                           size_t max_rcpts, struct store_claim *claim_r,
                                           char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    struct store_sqlite_q_pick *picks = NULL;
    size_t n = 0;
    enum store_status status = store_sqlite_begin(s, error_r);
    if (status != STORE_OK)
        return status;
    status = store_sqlite_q_pick(s, now_ms, max_rcpts, &picks, &n, error_r);
    if (status == STORE_OK)
        status = store_sqlite_q_lease(s, picks, n, now_ms + lease_ms, error_r);
    if (status == STORE_OK)
        status = store_sqlite_q_load(s, picks, n, claim_r, error_r);
    if (status == STORE_OK)
        status = store_sqlite_q_stats(s, now_ms, claim_r, error_r);
    if (status == STORE_OK)
        status = store_sqlite_commit(s, error_r);
    else
        store_sqlite_rollback(s);
    for (size_t i = 0; i < n; i++)
        free(picks[i].message_id);
    free(picks);
    if (status != STORE_OK)
        store_claim_clear(claim_r);
    return status;
}

static enum store_status store_sqlite_q_step(struct store_sqlite *s, sqlite3_stmt *st,
                                             const char *what, char **error_r)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sqlite_fail(s, rc, what, error_r);
}

static enum store_status store_sqlite_q_outcome(struct store_sqlite *s, sqlite3_stmt *const st[3],
                                                const struct store_rcpt_outcome *o, char **error_r)
{
    const char *state = store_rcpt_state_name(o->state);
    sqlite3_bind_int64(st[0], 1, o->rcpt_id);
    sqlite3_bind_text(st[0], 2, state, -1, SQLITE_STATIC);
    sqlite3_bind_int(st[0], 3, o->attempts);
    sqlite3_bind_int64(st[0], 4, o->next_attempt_ms);
    store_sqlite_q_bind_opt(st[0], 5, o->reply);
    enum store_status status = store_sqlite_q_step(s, st[0], "updating a recipient", error_r);
    if (status != STORE_OK)
        return status;
    sqlite3_bind_text(st[1], 1, o->message_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st[1], 2, o->address, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st[1], 3, o->time_ms);
    sqlite3_bind_text(st[1], 4, state, -1, SQLITE_STATIC);
    store_sqlite_q_bind_opt(st[1], 5, o->reply);
    store_sqlite_q_bind_opt(st[1], 6, o->mx_host);
    store_sqlite_q_bind_opt(st[1], 7, o->mx_ip);
    status = store_sqlite_q_step(s, st[1], "recording an attempt", error_r);
    if (status != STORE_OK || o->event_type == NULL)
        return status;
    sqlite3_bind_text(st[2], 1, o->event_type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st[2], 2, o->message_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st[2], 3, o->account_id);
    sqlite3_bind_text(st[2], 4, o->event_json ? o->event_json : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st[2], 5, o->time_ms);
    return store_sqlite_q_step(s, st[2], "storing an event", error_r);
}

static const char *const store_sqlite_q_record_sql[3] = {
    "UPDATE recipients SET state = ?2, attempts = ?3, next_attempt_ms = ?4, last_reply = ?5, "
    "lease_until_ms = 0 WHERE id = ?1",
    "INSERT INTO attempts (message_id, address, time_ms, state, reply, mx_host, mx_ip) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    "INSERT INTO events (type, message_id, account_id, payload, time_ms) "
    "VALUES (?1, ?2, ?3, ?4, ?5)",
};

enum store_status store_sqlite_queue_record(struct store *stor,
                                            const struct store_record *const *recs, size_t n,
                                            char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    sqlite3_stmt *st[3] = {NULL, NULL, NULL};
    enum store_status status = store_sqlite_begin(s, error_r);
    if (status != STORE_OK)
        return status;
    for (size_t k = 0; k < 3 && status == STORE_OK; k++)
        st[k] = store_sqlite_q_prepare(s, store_sqlite_q_record_sql[k], &status, error_r);
    for (size_t r = 0; status == STORE_OK && r < n; r++) {
        const struct store_record *rec = recs[r];
        for (size_t i = 0; status == STORE_OK && i < rec->n; i++)
            status = store_sqlite_q_outcome(s, st, &rec->items[i], error_r);
        for (size_t i = 0; status == STORE_OK && i < rec->n_new; i++)
            status = store_sqlite_commit_one(s, rec->new_msgs[i], error_r);
    }
    for (size_t k = 0; k < 3; k++)
        sqlite3_finalize(st[k]);
    if (status == STORE_OK)
        return store_sqlite_commit(s, error_r);
    store_sqlite_rollback(s);
    return status;
}

enum store_status store_sqlite_attempt_list(struct store *stor, const char *message_id,
                                            struct store_attempt_list *list_r, char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_q_prepare(
        s,
        "SELECT address, time_ms, state, reply, mx_host, mx_ip FROM attempts "
        "WHERE message_id = ?1 ORDER BY id",
        &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        list_r->items = xreallocarray(list_r->items, list_r->n + 1, sizeof(list_r->items[0]));
        struct store_attempt *a = &list_r->items[list_r->n++];
        a->address = store_sqlite_column_dup(st, 0);
        a->time_ms = sqlite3_column_int64(st, 1);
        a->state = store_sqlite_q_state((const char *)sqlite3_column_text(st, 2));
        a->reply = store_sqlite_column_dup(st, 3);
        a->mx_host = store_sqlite_column_dup(st, 4);
        a->mx_ip = store_sqlite_column_dup(st, 5);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return STORE_OK;
    store_attempt_list_free(list_r);
    return store_sqlite_fail(s, rc, "listing attempts", error_r);
}

enum store_status store_sqlite_message_list(struct store *stor, size_t limit,
                                            struct store_message_summary_list *list_r,
                                            char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_q_prepare(
        s,
        "SELECT m.id, m.envelope_from, m.arrival_ms, m.size, count(r.id), "
        "sum(r.state = 'delivered'), sum(r.state = 'bounced') FROM messages m "
        "JOIN recipients r ON r.message_id = m.id GROUP BY m.id ORDER BY m.id DESC LIMIT ?1",
        &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        list_r->items = xreallocarray(list_r->items, list_r->n + 1, sizeof(list_r->items[0]));
        struct store_message_summary *m = &list_r->items[list_r->n++];
        memset(m, 0, sizeof(*m));
        const char *id = (const char *)sqlite3_column_text(st, 0);
        if (id != NULL)
            strncpy(m->id, id, STORE_MESSAGE_ID_LEN);
        m->envelope_from = store_sqlite_column_dup(st, 1);
        m->arrival_ms = sqlite3_column_int64(st, 2);
        m->size = sqlite3_column_int64(st, 3);
        m->n_rcpts = (size_t)sqlite3_column_int64(st, 4);
        m->n_delivered = (size_t)sqlite3_column_int64(st, 5);
        m->n_bounced = (size_t)sqlite3_column_int64(st, 6);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return STORE_OK;
    store_message_summary_list_free(list_r);
    return store_sqlite_fail(s, rc, "listing messages", error_r);
}
