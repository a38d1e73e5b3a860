/*
 * Unit tests for the SQLite backend of store.h, against real database files in a temporary
 * directory: migrations, re-open, refusing a newer schema, accounts and credentials, identity
 * uniqueness across accounts, the message commit (body, recipients, event) and its per-message
 * results inside one transaction, and visibility to a fresh connection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"
#include "store_password.h"
#include "store_sqlite.h"
#include "store_sqlite_int.h"
#include "store_testutil.h"

#define T0 1700000000000LL

struct fixture {
    char *dir;
    char *url;
    char *path;
    struct store *st;
};

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof(*f));
    f->dir = store_test_tempdir();
    f->url = store_test_url(f->dir, "rebound.db");
    f->path = xasprintf("%s/rebound.db", f->dir);
    char *error = NULL;
    f->st = store_open(f->url, &error);
    if (f->st == NULL)
        fail_msg("store_open: %s", error);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->st);
    store_test_rmdir(f->dir);
    free(f->dir);
    free(f->url);
    free(f->path);
    free(f);
    return 0;
}

/* Runs one query on a separate raw connection and returns the first column as an integer. */
static long long raw_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_close(db);
}

static int64_t make_account(struct store *st, const char *name, const char *password)
{
    char *hash = store_password_hash(password, STORE_PASSWORD_MIN_ITERATIONS);
    char *user = xasprintf("user-%s", name);
    char *error = NULL;
    enum store_status s = store_account_create(st, name, user, hash, T0, &error);
    if (s != STORE_OK)
        fail_msg("account_create %s: %s", name, error);
    struct store_account a;
    assert_int_equal(store_account_get(st, name, &a, NULL), STORE_OK);
    int64_t id = a.id;
    store_account_clear(&a);
    free(hash);
    free(user);
    return id;
}

static void test_migrations_from_empty(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(raw_int(f->path, "SELECT max(version) FROM schema_version"),
                     store_sqlite_schema_version());
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                      "AND name IN ('accounts', 'credentials', 'identities', "
                                      "'messages', 'recipients', 'events')"),
                     6);
    /* WAL is a property of the file: a plain connection sees it. */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static int connection_pragma(struct store *st, const char *sql)
{
    sqlite3 *db = ((struct store_sqlite *)st)->db;
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int v = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return v;
}

/* Durability and integrity settings are per connection: check the store's own. */
static void test_connection_is_durable(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(connection_pragma(f->st, "PRAGMA synchronous"), 2); /* FULL */
    assert_int_equal(connection_pragma(f->st, "PRAGMA foreign_keys"), 1);
    assert_int_equal(connection_pragma(f->st, "PRAGMA busy_timeout"), STORE_SQLITE_BUSY_TIMEOUT_MS);
}

static void test_reopen_keeps_data_and_version(void **state)
{
    struct fixture *f = *state;
    make_account(f->st, "acme", "pw");
    store_close(f->st);
    char *error = NULL;
    f->st = store_open(f->url, &error);
    assert_non_null(f->st);
    struct store_account a;
    assert_int_equal(store_account_get(f->st, "acme", &a, NULL), STORE_OK);
    assert_string_equal(a.name, "acme");
    assert_int_equal(a.created_ms, T0);
    store_account_clear(&a);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM schema_version"),
                     store_sqlite_schema_version());
}

static void test_refuses_newer_schema(void **state)
{
    struct fixture *f = *state;
    store_close(f->st);
    f->st = NULL;
    raw_exec(f->path, "INSERT INTO schema_version VALUES (999, 0)");
    char *error = NULL;
    struct store *st = store_open(f->url, &error);
    assert_null(st);
    if (strstr(error, "schema is version 999, newer than this rebound knows") == NULL)
        fail_msg("got '%s', want the newer-schema refusal", error);
    free(error);
    /* Nothing was changed by the refused open. */
    assert_int_equal(raw_int(f->path, "SELECT max(version) FROM schema_version"), 999);
}

static void test_bad_url_and_unwritable_path(void **state)
{
    (void)state;
    char *error = NULL;
    assert_null(store_open("postgres://x", &error));
    assert_non_null(strstr(error, "not a store this rebound supports"));
    free(error);
    error = NULL;
    assert_null(store_open("sqlite:/nonexistent-dir/x/rebound.db", &error));
    assert_non_null(strstr(error, "/nonexistent-dir/x/rebound.db"));
    free(error);
}

static void test_accounts_and_credentials(void **state)
{
    struct fixture *f = *state;
    char *hash = store_password_hash("hunter2", STORE_PASSWORD_MIN_ITERATIONS);
    char *error = NULL;
    assert_int_equal(store_account_create(f->st, "acme", "RBUSER1", hash, T0, &error), STORE_OK);
    assert_int_equal(store_account_create(f->st, "acme", "RBUSER2", hash, T0, &error),
                     STORE_EXISTS);
    assert_string_equal(error, "account 'acme' already exists");
    free(error);
    assert_int_equal(store_account_create(f->st, "other", "RBUSER1", hash, T0, &error),
                     STORE_EXISTS);
    assert_string_equal(error, "SMTP username 'RBUSER1' is taken");
    free(error);
    /* The failed create left nothing behind. */
    assert_int_equal(store_account_get(f->st, "other", &(struct store_account){0}, NULL),
                     STORE_NOT_FOUND);
    assert_int_equal(store_account_create(f->st, "-bad", "RBUSER3", hash, T0, &error),
                     STORE_REFUSED);
    assert_non_null(strstr(error, "'-bad' is not a valid account name"));
    free(error);

    struct store_credential c;
    assert_int_equal(store_credential_get(f->st, "RBUSER1", &c, NULL), STORE_OK);
    assert_string_equal(c.account, "acme");
    assert_int_equal(c.account_status, STORE_ACCOUNT_ACTIVE);
    assert_true(store_password_verify("hunter2", c.password_hash));
    assert_false(store_password_verify("hunter3", c.password_hash));
    store_credential_clear(&c);
    assert_int_equal(store_credential_get(f->st, "rbuser1", &c, &error), STORE_NOT_FOUND);
    free(error);

    assert_int_equal(store_account_create(f->st, "beta", "RBUSER4", hash, T0 + 1, NULL), STORE_OK);
    struct store_account_list list;
    assert_int_equal(store_account_list(f->st, &list, NULL), STORE_OK);
    assert_int_equal(list.n, 2);
    assert_string_equal(list.items[0].name, "acme");
    assert_string_equal(list.items[0].username, "RBUSER1");
    assert_string_equal(list.items[1].name, "beta");
    store_account_list_free(&list);
    free(hash);
}

static void test_identity_unique_across_accounts(void **state)
{
    struct fixture *f = *state;
    make_account(f->st, "acme", "a");
    make_account(f->st, "beta", "b");
    char *error = NULL;
    assert_int_equal(store_identity_add(f->st, "Example.COM", "acme", T0, NULL), STORE_OK);
    assert_int_equal(store_identity_add(f->st, "example.com", "beta", T0, &error), STORE_EXISTS);
    assert_string_equal(error, "identity 'example.com' belongs to another account ('acme')");
    free(error);
    assert_int_equal(store_identity_add(f->st, "EXAMPLE.com", "acme", T0, &error), STORE_EXISTS);
    assert_string_equal(error, "account 'acme' already has identity 'example.com'");
    free(error);
    assert_int_equal(store_identity_add(f->st, "x.example", "nobody", T0, &error), STORE_NOT_FOUND);
    assert_string_equal(error, "no account 'nobody'");
    free(error);
    assert_int_equal(store_identity_add(f->st, "not a domain", "acme", T0, &error), STORE_REFUSED);
    assert_non_null(strstr(error, "is not a domain or email address"));
    free(error);
    assert_int_equal(store_identity_add(f->st, "alice@Example.com", "beta", T0, NULL), STORE_OK);

    struct store_identity id;
    assert_int_equal(store_identity_get(f->st, "ALICE@example.com", &id, NULL), STORE_NOT_FOUND);
    assert_int_equal(store_identity_get(f->st, "alice@EXAMPLE.com", &id, NULL), STORE_OK);
    assert_string_equal(id.name, "alice@example.com");
    assert_string_equal(id.account, "beta");
    assert_int_equal(id.kind, IDENTITY_ADDRESS);
    assert_int_equal(id.status, IDENTITY_PENDING);
    assert_false(id.forced);
    store_identity_clear(&id);

    assert_int_equal(
        store_identity_set_status(f->st, "example.com", IDENTITY_SUCCESS, true, T0 + 5, NULL),
        STORE_OK);
    assert_int_equal(store_identity_get(f->st, "example.com", &id, NULL), STORE_OK);
    assert_int_equal(id.status, IDENTITY_SUCCESS);
    assert_true(id.forced);
    assert_int_equal(id.updated_ms, T0 + 5);
    assert_int_equal(id.created_ms, T0);
    store_identity_clear(&id);
    assert_int_equal(
        store_identity_set_status(f->st, "nope.example", IDENTITY_SUCCESS, true, T0, &error),
        STORE_NOT_FOUND);
    free(error);

    struct store_identity_list list;
    assert_int_equal(store_identity_list(f->st, NULL, 0, &list, NULL), STORE_OK);
    assert_int_equal(list.n, 2);
    store_identity_list_free(&list);
    assert_int_equal(store_identity_list(f->st, "acme", 0, &list, NULL), STORE_OK);
    assert_int_equal(list.n, 1);
    assert_string_equal(list.items[0].name, "example.com");
    store_identity_list_free(&list);
    assert_int_equal(store_identity_list(f->st, "ghost", 0, &list, &error), STORE_NOT_FOUND);
    free(error);

    assert_int_equal(store_identity_delete(f->st, "example.com", NULL), STORE_OK);
    assert_int_equal(store_identity_delete(f->st, "example.com", &error), STORE_NOT_FOUND);
    free(error);
    /* Freed names can be taken by another account. */
    assert_int_equal(store_identity_add(f->st, "example.com", "beta", T0, NULL), STORE_OK);
}

static void test_message_round_trip(void **state)
{
    struct fixture *f = *state;
    int64_t acct = make_account(f->st, "acme", "pw");
    struct store_message *m = store_test_message(acct, T0, 7, 3000);
    m->dsn_ret = STORE_RET_HDRS;
    m->dsn_envid = xstrdup("ENV-42");
    m->body[10] = '\0'; /* bodies are bytes, not strings */
    store_message_add_rcpt(m, "two@example.org", STORE_NOTIFY_FAILURE | STORE_NOTIFY_DELAY,
                           "rfc822;Two@Example.org");
    m->event_type = xstrdup("Send");
    m->event_json = xstrdup("{\"eventType\":\"Send\"}");
    enum store_status result;
    char *errors[1];
    assert_int_equal(store_message_commit(f->st, &m, 1, &result, errors), STORE_OK);
    assert_int_equal(result, STORE_OK);
    assert_null(errors[0]);

    struct store_message *got = NULL;
    assert_int_equal(store_message_get(f->st, m->id, &got, NULL), STORE_OK);
    assert_string_equal(got->id, m->id);
    assert_int_equal(got->account_id, acct);
    assert_string_equal(got->identity, "example.com");
    assert_string_equal(got->envelope_from, "sender7@example.com");
    assert_string_equal(got->return_path, m->return_path);
    assert_int_equal(got->arrival_ms, T0);
    assert_int_equal(got->dsn_ret, STORE_RET_HDRS);
    assert_string_equal(got->dsn_envid, "ENV-42");
    assert_int_equal(got->body_len, 3000);
    assert_memory_equal(got->body, m->body, 3000);
    assert_int_equal(got->n_rcpts, 2);
    assert_string_equal(got->rcpts[0].address, "rcpt@example.org");
    assert_int_equal(got->rcpts[0].notify, 0);
    assert_null(got->rcpts[0].orcpt);
    assert_int_equal(got->rcpts[0].state, STORE_RCPT_QUEUED);
    assert_int_equal(got->rcpts[0].next_attempt_ms, T0);
    assert_string_equal(got->rcpts[1].address, "two@example.org");
    assert_int_equal(got->rcpts[1].notify, STORE_NOTIFY_FAILURE | STORE_NOTIFY_DELAY);
    assert_string_equal(got->rcpts[1].orcpt, "rfc822;Two@Example.org");
    store_message_free(got);

    struct store_event_list ev;
    assert_int_equal(store_event_list(f->st, m->id, &ev, NULL), STORE_OK);
    assert_int_equal(ev.n, 1);
    assert_string_equal(ev.items[0].type, "Send");
    assert_string_equal(ev.items[0].json, "{\"eventType\":\"Send\"}");
    assert_int_equal(ev.items[0].time_ms, T0);
    store_event_list_free(&ev);
    store_message_free(m);

    char *error = NULL;
    assert_int_equal(store_message_get(f->st, "000000000000-0000000000000000", &got, &error),
                     STORE_NOT_FOUND);
    free(error);
}

static void test_batch_results_are_per_message(void **state)
{
    struct fixture *f = *state;
    int64_t acct = make_account(f->st, "acme", "pw");
    struct store_message *msgs[6];
    msgs[0] = store_test_message(acct, T0, 1, 100);
    msgs[1] = store_test_message(acct, T0, 1, 100);       /* duplicate id of msgs[0] */
    msgs[2] = store_test_message(acct + 999, T0, 2, 100); /* unknown account */
    msgs[3] = store_test_message(acct, T0, 3, 100);
    free(msgs[3]->rcpts[0].address);
    msgs[3]->rcpts[0].address = NULL; /* NOT NULL fails after the message row went in */
    msgs[4] = store_test_message(acct, T0, 4, 100);
    msgs[5] = store_test_message(acct, T0, 6, 100);
    free(msgs[5]->rcpts[0].address);
    msgs[5]->n_rcpts = 0; /* no recipient */
    enum store_status results[6];
    char *errors[6];
    assert_int_equal(store_message_commit(f->st, msgs, 6, results, errors), STORE_OK);
    assert_int_equal(results[0], STORE_OK);
    assert_int_equal(results[1], STORE_EXISTS);
    assert_non_null(strstr(errors[1], "the message id is taken"));
    assert_int_equal(results[2], STORE_REFUSED);
    assert_non_null(strstr(errors[2], "FOREIGN KEY"));
    assert_int_equal(results[3], STORE_REFUSED);
    assert_int_equal(results[4], STORE_OK);
    assert_int_equal(results[5], STORE_REFUSED);
    assert_non_null(strstr(errors[5], "has no recipient"));
    /* Refused messages left nothing behind: no orphan message row for msgs[3]. */
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM messages"), 2);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM recipients"), 2);
    for (int i = 0; i < 6; i++) {
        free(errors[i]);
        store_message_free(msgs[i]);
    }
}

static void test_committed_message_visible_to_fresh_connection(void **state)
{
    struct fixture *f = *state;
    int64_t acct = make_account(f->st, "acme", "pw");
    struct store_message *m = store_test_message(acct, T0, 99, 1024);
    enum store_status result;
    assert_int_equal(store_message_commit(f->st, &m, 1, &result, NULL), STORE_OK);
    assert_int_equal(result, STORE_OK);
    /* The writer's connection stays open (its WAL not checkpointed): a new one must see it. */
    char *error = NULL;
    struct store *fresh = store_open(f->url, &error);
    assert_non_null(fresh);
    struct store_message *got = NULL;
    assert_int_equal(store_message_get(fresh, m->id, &got, NULL), STORE_OK);
    assert_true(store_test_body_ok(got, 99, 1024));
    store_message_free(got);
    store_close(fresh);
    assert_int_equal(raw_int(f->path, "SELECT size FROM messages"), 1024);
    store_message_free(m);
}

static void test_account_delete_rules(void **state)
{
    struct fixture *f = *state;
    int64_t acct = make_account(f->st, "acme", "pw");
    assert_int_equal(store_identity_add(f->st, "example.com", "acme", T0, NULL), STORE_OK);
    struct store_message *m = store_test_message(acct, T0, 5, 10);
    enum store_status result;
    assert_int_equal(store_message_commit(f->st, &m, 1, &result, NULL), STORE_OK);
    char *error = NULL;
    assert_int_equal(store_account_delete(f->st, "acme", &error), STORE_REFUSED);
    assert_string_equal(error, "account 'acme' still has 1 undelivered recipient(s) in the queue");
    free(error);
    raw_exec(f->path, "UPDATE recipients SET state = 'delivered'");
    assert_int_equal(store_account_delete(f->st, "acme", NULL), STORE_OK);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM identities"), 0);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM credentials"), 0);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM messages"), 0);
    assert_int_equal(store_account_delete(f->st, "acme", &error), STORE_NOT_FOUND);
    assert_string_equal(error, "no account 'acme'");
    free(error);
    store_message_free(m);
}

static void test_message_id_format(void **state)
{
    (void)state;
    static const unsigned char rnd[8] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0xff};
    char id[STORE_MESSAGE_ID_SIZE];
    store_message_id_make(1700000000123LL, rnd, id);
    assert_string_equal(id, "018bcfe5687b-deadbeef000102ff");
    char later[STORE_MESSAGE_ID_SIZE];
    store_message_id_make(1700000000124LL, (const unsigned char *)"\0\0\0\0\0\0\0\0", later);
    assert_true(strcmp(id, later) < 0); /* sorts by arrival time */
    char a[STORE_MESSAGE_ID_SIZE], b[STORE_MESSAGE_ID_SIZE];
    assert_true(store_message_id_new(T0, a));
    assert_true(store_message_id_new(T0, b));
    assert_int_equal(strlen(a), STORE_MESSAGE_ID_LEN);
    assert_string_not_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrations_from_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_is_durable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_keeps_data_and_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_newer_schema, setup, teardown),
        cmocka_unit_test(test_bad_url_and_unwritable_path),
        cmocka_unit_test_setup_teardown(test_accounts_and_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identity_unique_across_accounts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_message_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_results_are_per_message, setup, teardown),
        cmocka_unit_test_setup_teardown(test_committed_message_visible_to_fresh_connection, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_account_delete_rules, setup, teardown),
        cmocka_unit_test(test_message_id_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
