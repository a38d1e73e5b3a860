/* Unit tests for what the feedback MX adds to the store: linked events and suppression entries
 * committed with a message (one transaction), and finding a message by id or ENVID. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"
#include "store_sqlite.h"
#include "store_testutil.h"

struct fixture {
    char *dir;
    char *url;
    struct store *st;
    int64_t acme, beta;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->dir = store_test_tempdir();
    f->url = store_test_url(f->dir, "rebound.db");
    char *error = NULL;
    f->st = store_open(f->url, &error);
    if (f->st == NULL)
        fail_msg("store_open: %s", error);
    struct store_account a = {0};
    assert_int_equal(store_account_create(f->st, "acme", "u-acme", "x", 1, &error), STORE_OK);
    assert_int_equal(store_account_create(f->st, "beta", "u-beta", "x", 1, &error), STORE_OK);
    assert_int_equal(store_account_get(f->st, "acme", &a, &error), STORE_OK);
    f->acme = a.id;
    store_account_clear(&a);
    assert_int_equal(store_account_get(f->st, "beta", &a, &error), STORE_OK);
    f->beta = a.id;
    store_account_clear(&a);
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
    free(f);
    return 0;
}

/* One row of a query on the raw file, as "col|col|..."; owned ("" when no row). */
static char *raw_row(const struct fixture *f, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->url + strlen("sqlite:"), &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    char *out = xstrdup("");
    if (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const char *v = (const char *)sqlite3_column_text(st, i);
            char *next = xasprintf("%s%s%s", out, i ? "|" : "", v ? v : "NULL");
            free(out);
            out = next;
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

static void expect_row(const struct fixture *f, const char *sql, const char *want)
{
    char *got = raw_row(f, sql);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got '%s', want '%s'", sql, got, want);
    free(got);
}

static enum store_status commit_one(struct fixture *f, struct store_message *m)
{
    enum store_status result = STORE_TEMPFAIL;
    char *error = NULL;
    assert_int_equal(store_message_commit(f->st, &m, 1, &result, &error), STORE_OK);
    free(error);
    return result;
}

static void test_events_and_suppressions_commit_with_the_message(void **state)
{
    struct fixture *f = *state;
    struct store_message *orig = store_test_message(f->acme, 1000, 1, 10);
    assert_int_equal(commit_one(f, orig), STORE_OK);

    struct store_message *fw = store_test_message(f->acme, 2000, 2, 10);
    store_message_add_linked_event(fw, "Bounce", orig->id, "{\"eventType\":\"Bounce\"}");
    store_message_add_linked_event(fw, "Complaint", NULL, "{\"eventType\":\"Complaint\"}");
    store_message_add_suppression(fw, "Bob@Example.NET", STORE_SUPPRESS_BOUNCE);
    store_message_add_suppression(fw, "bob@example.net", STORE_SUPPRESS_COMPLAINT);
    assert_int_equal(commit_one(f, fw), STORE_OK);

    struct store_event_list events;
    char *error = NULL;
    assert_int_equal(store_event_list(f->st, orig->id, &events, &error), STORE_OK);
    assert_int_equal(events.n, 1);
    assert_string_equal(events.items[0].type, "Bounce");
    assert_string_equal(events.items[0].json, "{\"eventType\":\"Bounce\"}");
    assert_int_equal(events.items[0].time_ms, 2000);
    store_event_list_free(&events);
    /* One entry per address, lower-cased; the later reason wins. */
    char *want = xasprintf("1|%lld|bob@example.net|COMPLAINT|2000", (long long)f->acme);
    expect_row(f, "SELECT count(*), account_id, address, reason, time_ms FROM suppressions", want);
    free(want);
    expect_row(f, "SELECT count(*) FROM events WHERE message_id IS NULL AND type = 'Complaint'",
               "1");
    store_message_free(orig);
    store_message_free(fw);
}

static void test_a_refused_message_stores_no_event_or_suppression(void **state)
{
    struct fixture *f = *state;
    struct store_message *fw = store_test_message(9999, 2000, 3, 10); /* no such account */
    store_message_add_linked_event(fw, "Bounce", NULL, "{}");
    store_message_add_suppression(fw, "x@example.net", STORE_SUPPRESS_BOUNCE);
    assert_int_equal(commit_one(f, fw), STORE_REFUSED);
    expect_row(f, "SELECT count(*) FROM events", "0");
    expect_row(f, "SELECT count(*) FROM suppressions", "0");
    store_message_free(fw);
}

static void test_find_by_id_or_envid_within_the_account(void **state)
{
    struct fixture *f = *state;
    struct store_message *a = store_test_message(f->acme, 1000, 4, 1);
    a->dsn_envid = xstrdup("client-envid-1");
    struct store_message *b = store_test_message(f->beta, 1000, 5, 1);
    b->dsn_envid = xstrdup("client-envid-2");
    assert_int_equal(commit_one(f, a), STORE_OK);
    assert_int_equal(commit_one(f, b), STORE_OK);
    char id[STORE_MESSAGE_ID_SIZE] = "";
    char *error = NULL;
    assert_int_equal(store_message_find(f->st, f->acme, a->id, id, &error), STORE_OK);
    assert_string_equal(id, a->id);
    assert_int_equal(store_message_find(f->st, f->acme, "client-envid-1", id, &error), STORE_OK);
    assert_string_equal(id, a->id);
    /* Another account's message is not found, by id or by ENVID. */
    assert_int_equal(store_message_find(f->st, f->acme, b->id, id, &error), STORE_NOT_FOUND);
    free(error);
    error = NULL;
    assert_int_equal(store_message_find(f->st, f->acme, "client-envid-2", id, &error),
                     STORE_NOT_FOUND);
    free(error);
    store_message_free(a);
    store_message_free(b);
}

/* The ENVID lookup runs for every report: it must use an index, never scan the queue. */
static void test_envid_lookup_uses_an_index(void **state)
{
    struct fixture *f = *state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->url + strlen("sqlite:"), &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "EXPLAIN QUERY PLAN SELECT id FROM messages WHERE "
                                        "account_id = 1 AND dsn_envid = 'x' ORDER BY id LIMIT 1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    char plan[512] = "";
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(st, 3);
        strncat(plan, detail ? detail : "", sizeof(plan) - strlen(plan) - 2);
        strncat(plan, ";", sizeof(plan) - strlen(plan) - 1);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (strstr(plan, "USING INDEX messages_envid") == NULL)
        fail_msg("got plan '%s', want it to use messages_envid", plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_events_and_suppressions_commit_with_the_message, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_refused_message_stores_no_event_or_suppression,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_find_by_id_or_envid_within_the_account, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_envid_lookup_uses_an_index, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
