/*
 * store_sqlite_verify: identity verification tokens and check results, custom MAIL FROM
 * domains, identity events and API access keys (SQLite backend). Names arrive normalized.
 */
#include <stdlib.h>
#include <string.h>

#include "store_sqlite_int.h"
#include "xalloc.h"

enum store_status store_sqlite_identity_set_token(struct store *stor, const char *name,
                                                  const char *token, int64_t expires_ms,
                                                  char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_IDENTITY_SET_TOKEN, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (token != NULL)
        sqlite3_bind_text(st, 2, token, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, expires_ms);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return store_sqlite_set_error(error_r, STORE_EXISTS, "the token is already in use");
    if (rc != SQLITE_DONE)
        return store_sqlite_fail(s, rc, "setting the identity token", error_r);
    if (sqlite3_changes(s->db) == 0)
        return store_sqlite_set_error(error_r, STORE_NOT_FOUND, "no identity '%s'", name);
    return STORE_OK;
}

enum store_status store_sqlite_identity_by_token(struct store *stor, const char *token,
                                                 struct store_identity *identity_r, char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = STORE_OK;
    memset(identity_r, 0, sizeof(*identity_r));
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_IDENTITY_BY_TOKEN, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        store_sqlite_identity_row(st, identity_r);
    else if (rc == SQLITE_DONE)
        status = store_sqlite_set_error(error_r, STORE_NOT_FOUND, "no identity has this token");
    else
        status = store_sqlite_fail(s, rc, "looking up the token", error_r);
    sqlite3_reset(st);
    return status;
}

/* Runs a prepared statement that must change exactly one row. */
static enum store_status store_sqlite_change_one(struct store_sqlite *s, sqlite3_stmt *st,
                                                 bool mail_from, const char *name, char **error_r)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_sqlite_fail(s, rc, "recording the check", error_r);
    if (sqlite3_changes(s->db) == 0)
        return store_sqlite_set_error(
            error_r, STORE_NOT_FOUND,
            mail_from ? "identity '%s' has no MAIL FROM domain" : "no identity '%s'", name);
    return STORE_OK;
}

static enum store_status store_sqlite_check_update(struct store_sqlite *s, const char *name,
                                                   const struct store_check_record *rec,
                                                   char **error_r)
{
    bool mail_from = rec->target == STORE_CHECK_MAIL_FROM;
    enum store_status status = STORE_OK;
    sqlite3_stmt *st =
        store_sqlite_stmt(s, mail_from ? SQ_MAIL_FROM_CHECK : SQ_IDENTITY_CHECK, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, identity_status_name(rec->status), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, rec->check_ms);
    sqlite3_bind_int(st, 4, rec->succeeded ? 1 : 0);
    if (rec->reason != NULL)
        sqlite3_bind_text(st, 5, rec->reason, -1, SQLITE_STATIC);
    return store_sqlite_change_one(s, st, mail_from, name, error_r);
}

static enum store_status store_sqlite_check_event(struct store_sqlite *s, const char *name,
                                                  const struct store_check_record *rec,
                                                  char **error_r)
{
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_IDENTITY_EVENT_INSERT, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rec->event_type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, rec->event_json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, rec->check_ms);
    return store_sqlite_change_one(s, st, false, name, error_r);
}

enum store_status store_sqlite_verification_record(struct store *stor, const char *name,
                                                   const struct store_check_record *rec,
                                                   char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = store_sqlite_begin(s, error_r);
    if (status != STORE_OK)
        return status;
    status = store_sqlite_check_update(s, name, rec, error_r);
    if (status == STORE_OK && rec->event_type != NULL && rec->event_json != NULL)
        status = store_sqlite_check_event(s, name, rec, error_r);
    if (status == STORE_OK)
        return store_sqlite_commit(s, error_r);
    store_sqlite_rollback(s);
    return status;
}

/* The domain must not be an identity of another account nor another identity's MAIL FROM. */
static enum store_status store_sqlite_mail_from_free(struct store_sqlite *s,
                                                     const struct store_identity *id,
                                                     const char *domain, char **error_r)
{
    enum store_status status = STORE_OK;
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_IDENTITY_OWNER, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), id->account) != 0)
        status = store_sqlite_set_error(error_r, STORE_EXISTS,
                                        "MAIL FROM domain '%s' is an identity of another account",
                                        domain);
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        status = store_sqlite_fail(s, rc, "looking up identities", error_r);
    sqlite3_reset(st);
    if (status != STORE_OK)
        return status;
    st = store_sqlite_stmt(s, SQ_MAIL_FROM_OWNER, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), id->name) != 0) {
        const char *owner = (const char *)sqlite3_column_text(st, 1);
        status = store_sqlite_set_error(
            error_r, STORE_EXISTS, "MAIL FROM domain '%s' is already the MAIL FROM domain of %s",
            domain,
            strcmp(owner, id->account) == 0 ? "another identity of this account"
                                            : "another account's identity");
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        status = store_sqlite_fail(s, rc, "looking up MAIL FROM domains", error_r);
    }
    sqlite3_reset(st);
    return status;
}

static enum store_status store_sqlite_step_done(struct store_sqlite *s, sqlite3_stmt *st,
                                                char **error_r)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK
                             : store_sqlite_fail(s, rc, "setting the MAIL FROM domain", error_r);
}

/* Replaces (or removes, domain NULL) the identity's mail_from row. */
static enum store_status store_sqlite_mail_from_write(struct store_sqlite *s,
                                                      const struct store_identity *id,
                                                      const char *domain,
                                                      enum store_mx_failure behavior,
                                                      int64_t now_ms, char **error_r)
{
    enum store_status status = STORE_OK;
    bool same =
        domain != NULL && id->mail_from.domain != NULL && strcmp(domain, id->mail_from.domain) == 0;
    sqlite3_stmt *st =
        store_sqlite_stmt(s, same ? SQ_MAIL_FROM_BEHAVIOR : SQ_MAIL_FROM_DELETE, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_int64(st, 1, id->id);
    if (same)
        sqlite3_bind_text(st, 2, store_mx_failure_name(behavior), -1, SQLITE_STATIC);
    status = store_sqlite_step_done(s, st, error_r);
    if (status != STORE_OK || same || domain == NULL)
        return status;
    st = store_sqlite_stmt(s, SQ_MAIL_FROM_INSERT, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_int64(st, 1, id->id);
    sqlite3_bind_text(st, 2, domain, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, store_mx_failure_name(behavior), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now_ms);
    return store_sqlite_step_done(s, st, error_r);
}

static enum store_status store_sqlite_mail_from_apply(struct store_sqlite *s, const char *name,
                                                      const char *domain,
                                                      enum store_mx_failure behavior,
                                                      int64_t now_ms, char **error_r)
{
    struct store_identity id;
    enum store_status status = store_sqlite_identity_get(&s->base, name, &id, error_r);
    if (status != STORE_OK)
        return status;
    if (id.kind != IDENTITY_DOMAIN)
        status = store_sqlite_set_error(error_r, STORE_REFUSED,
                                        "'%s' is an email address identity; a custom MAIL FROM "
                                        "domain is set on a domain identity",
                                        name);
    if (status == STORE_OK && domain != NULL)
        status = store_sqlite_mail_from_free(s, &id, domain, error_r);
    if (status == STORE_OK)
        status = store_sqlite_mail_from_write(s, &id, domain, behavior, now_ms, error_r);
    store_identity_clear(&id);
    return status;
}

enum store_status store_sqlite_mail_from_set(struct store *stor, const char *name,
                                             const char *domain, enum store_mx_failure behavior,
                                             int64_t now_ms, char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = store_sqlite_begin(s, error_r);
    if (status != STORE_OK)
        return status;
    status = store_sqlite_mail_from_apply(s, name, domain, behavior, now_ms, error_r);
    if (status == STORE_OK)
        return store_sqlite_commit(s, error_r);
    store_sqlite_rollback(s);
    return status;
}

enum store_status store_sqlite_identity_event_list(struct store *stor, const char *name,
                                                   struct store_event_list *list_r, char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = STORE_OK;
    memset(list_r, 0, sizeof(*list_r));
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_IDENTITY_EVENTS, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
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
        return store_sqlite_fail(s, rc, "listing identity events", error_r);
    }
    return STORE_OK;
}

enum store_status store_sqlite_access_key_create(struct store *stor, const char *account,
                                                 const char *id, const char *secret, int64_t now_ms,
                                                 char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    int64_t account_id = 0;
    enum store_status status = store_sqlite_account_id(s, account, &account_id, error_r);
    if (status != STORE_OK)
        return status;
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_ACCESS_KEY_INSERT, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, account_id);
    sqlite3_bind_text(st, 3, secret, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now_ms);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return store_sqlite_set_error(error_r, STORE_EXISTS, "access key '%s' exists", id);
    return rc == SQLITE_DONE ? STORE_OK
                             : store_sqlite_fail(s, rc, "recording the access key", error_r);
}

enum store_status store_sqlite_access_key_get(struct store *stor, const char *id,
                                              struct store_access_key *key_r, char **error_r)
{
    struct store_sqlite *s = (struct store_sqlite *)stor;
    enum store_status status = STORE_OK;
    memset(key_r, 0, sizeof(*key_r));
    sqlite3_stmt *st = store_sqlite_stmt(s, SQ_ACCESS_KEY_GET, &status, error_r);
    if (st == NULL)
        return status;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        key_r->id = store_sqlite_column_dup(st, 0);
        key_r->account_id = sqlite3_column_int64(st, 1);
        key_r->account = store_sqlite_column_dup(st, 2);
        const unsigned char *astatus = sqlite3_column_text(st, 3);
        key_r->account_status = astatus && strcmp((const char *)astatus, "PAUSED") == 0
                                    ? STORE_ACCOUNT_PAUSED
                                    : STORE_ACCOUNT_ACTIVE;
        key_r->secret = store_sqlite_column_dup(st, 4);
        key_r->created_ms = sqlite3_column_int64(st, 5);
    } else if (rc == SQLITE_DONE) {
        status = store_sqlite_set_error(error_r, STORE_NOT_FOUND, "no access key '%s'", id);
    } else {
        status = store_sqlite_fail(s, rc, "reading the access key", error_r);
    }
    sqlite3_reset(st);
    return status;
}
