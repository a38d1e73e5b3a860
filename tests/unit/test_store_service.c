/*
 * Unit tests for src/store/store_service: requests from a libevent loop to the writer and
 * reader threads and back, on real SQLite files. Group commit of concurrent requests (each
 * reply only once the message is visible to another connection), credential checks, identity
 * lookups, cancellation, and shutdown with commits still queued.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/event.h>
#include <sqlite3.h>

#include "store.h"
#include "store_password.h"
#include "store_service.h"
#include "store_testutil.h"

#define T0       1700000000000LL
#define N_COMMIT 64

struct fixture {
    char *dir;
    char *url;
    char *path;
    int64_t account_id;
    struct event_base *base;
    struct store_service *svc;
    /* what the callbacks saw */
    int replies;
    int want_replies;
    int ok;
    int visible; /* commits whose message a fresh connection could read inside the callback */
    store_request_id ids[N_COMMIT + 2];
    bool fired_early;
    struct store_auth_result auth;
    char auth_account[64];
    size_t n_identities;
    bool bob_covered;
    char carol_covered_by[64];
    char first_identity[64];
};

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof(*f));
    f->dir = store_test_tempdir();
    f->url = store_test_url(f->dir, "rebound.db");
    f->path = xasprintf("%s/rebound.db", f->dir);
    char *error = NULL;
    struct store *st = store_open(f->url, &error);
    assert_non_null(st);
    char *hash = store_password_hash("right-password", STORE_PASSWORD_MIN_ITERATIONS);
    assert_int_equal(store_account_create(st, "acme", "RBACME", hash, T0, NULL), STORE_OK);
    assert_int_equal(store_identity_add(st, "example.com", "acme", T0, NULL), STORE_OK);
    assert_int_equal(store_identity_add(st, "bob@example.net", "acme", T0, NULL), STORE_OK);
    struct store_account a;
    assert_int_equal(store_account_get(st, "acme", &a, NULL), STORE_OK);
    f->account_id = a.id;
    store_account_clear(&a);
    free(hash);
    store_close(st);
    f->base = event_base_new();
    struct store_service_config cfg = {f->url, 2, STORE_SERVICE_DEFAULT_BATCH};
    f->svc = store_service_new(f->base, &cfg, &error);
    if (f->svc == NULL)
        fail_msg("store_service_new: %s", error);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_service_free(f->svc);
    event_base_free(f->base);
    store_test_rmdir(f->dir);
    free(f->dir);
    free(f->url);
    free(f->path);
    free(f);
    return 0;
}

/* Reads the message with a brand-new raw connection: proof the commit reached the file. */
static bool visible_elsewhere(const char *path, const char *id)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT length(body) FROM messages WHERE id = ?1", -1, &st, NULL) ==
            SQLITE_OK) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1024;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return found;
}

struct commit_ctx {
    struct fixture *f;
    char id[STORE_MESSAGE_ID_SIZE];
};

static void on_commit(store_request_id id, enum store_status status, const char *error, void *arg)
{
    struct commit_ctx *c = arg;
    struct fixture *f = c->f;
    if (status == STORE_OK) {
        f->ok++;
        assert_null(error);
        if (visible_elsewhere(f->path, c->id))
            f->visible++;
    }
    if (++f->replies == f->want_replies)
        event_base_loopbreak(f->base);
}

static void test_group_commit_of_concurrent_requests(void **state)
{
    struct fixture *f = *state;
    /* Hold the database's write lock so the writer blocks on its first transaction while all
     * requests queue up behind it: the rest must then share one transaction. */
    sqlite3 *locker = NULL;
    assert_int_equal(sqlite3_open(f->path, &locker), SQLITE_OK);
    assert_int_equal(sqlite3_exec(locker, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    struct commit_ctx ctx[N_COMMIT];
    f->want_replies = N_COMMIT;
    for (int i = 0; i < N_COMMIT; i++) {
        struct store_message *m = store_test_message(f->account_id, T0 + i, (unsigned)i, 1024);
        ctx[i].f = f;
        memcpy(ctx[i].id, m->id, STORE_MESSAGE_ID_SIZE);
        f->ids[i] = store_service_commit(f->svc, m, on_commit, &ctx[i]);
        assert_true(f->ids[i] != 0);
        if (i > 0)
            assert_true(f->ids[i] != f->ids[i - 1]);
    }
    assert_int_equal(f->replies, 0); /* never inside the call that made the request */
    assert_int_equal(sqlite3_exec(locker, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(locker);
    event_base_dispatch(f->base);
    assert_int_equal(f->replies, N_COMMIT);
    assert_int_equal(f->ok, N_COMMIT);
    assert_int_equal(f->visible, N_COMMIT);
    struct store_service_stats stats;
    store_service_stats(f->svc, &stats);
    assert_int_equal(stats.commits, N_COMMIT);
    if (stats.transactions > 2 || stats.largest_batch < N_COMMIT / 2)
        fail_msg("got %llu transactions (largest %llu), want <= 2 with one >= %d",
                 (unsigned long long)stats.transactions, (unsigned long long)stats.largest_batch,
                 N_COMMIT / 2);
}

static void on_auth(store_request_id id, const struct store_auth_result *r, void *arg)
{
    struct fixture *f = arg;
    f->auth = *r;
    f->auth.account = NULL;
    f->auth.error = NULL;
    snprintf(f->auth_account, sizeof(f->auth_account), "%s", r->account ? r->account : "");
    f->replies++;
    event_base_loopbreak(f->base);
}

static enum store_status authenticate(struct fixture *f, const char *user, const char *pw)
{
    int before = f->replies;
    store_service_authenticate(f->svc, user, pw, on_auth, f);
    assert_int_equal(f->replies, before);
    event_base_dispatch(f->base);
    assert_int_equal(f->replies, before + 1);
    return f->auth.status;
}

static void test_authenticate(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(authenticate(f, "RBACME", "right-password"), STORE_OK);
    assert_string_equal(f->auth_account, "acme");
    assert_int_equal(f->auth.account_id, f->account_id);
    assert_int_equal(f->auth.account_status, STORE_ACCOUNT_ACTIVE);
    assert_int_equal(authenticate(f, "RBACME", "wrong-password"), STORE_NOT_FOUND);
    assert_string_equal(f->auth_account, "");
    assert_int_equal(authenticate(f, "NOBODY", "right-password"), STORE_NOT_FOUND);
    assert_int_equal(authenticate(f, "rbacme", "right-password"), STORE_NOT_FOUND);
    /* A paused account still authenticates; the submission role refuses its mail. */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE accounts SET status = 'PAUSED'", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(authenticate(f, "RBACME", "right-password"), STORE_OK);
    assert_int_equal(f->auth.account_status, STORE_ACCOUNT_PAUSED);
}

static void on_identities(store_request_id id, enum store_status status,
                          const struct store_identity_list *list, const char *error, void *arg)
{
    struct fixture *f = arg;
    assert_int_equal(status, STORE_OK);
    f->n_identities = list->n;
    /* What the submission role will ask: is this sender covered, and by which identity? */
    const struct store_identity *hit = store_identity_list_covering(list, "bob@example.net");
    f->bob_covered = hit != NULL;
    hit = store_identity_list_covering(list, "carol@EXAMPLE.com");
    snprintf(f->carol_covered_by, sizeof(f->carol_covered_by), "%s", hit ? hit->name : "");
    snprintf(f->first_identity, sizeof(f->first_identity), "%s",
             list->n ? list->items[0].name : "");
    f->replies++;
    event_base_loopbreak(f->base);
}

static void test_identities_lookup(void **state)
{
    struct fixture *f = *state;
    store_service_identities(f->svc, f->account_id, on_identities, f);
    event_base_dispatch(f->base);
    assert_int_equal(f->n_identities, 2);
    assert_string_equal(f->first_identity, "bob@example.net");
    /* Both identities are PENDING: nothing is covered yet. */
    assert_false(f->bob_covered);
    assert_string_equal(f->carol_covered_by, "");
    struct store *st = store_open(f->url, NULL);
    assert_int_equal(store_identity_set_status(st, "example.com", IDENTITY_SUCCESS, true, T0, NULL),
                     STORE_OK);
    store_close(st);
    store_service_identities(f->svc, f->account_id, on_identities, f);
    event_base_dispatch(f->base);
    assert_false(f->bob_covered); /* bob@example.net: its own identity is still PENDING */
    assert_string_equal(f->carol_covered_by, "example.com");
    store_service_identities(f->svc, f->account_id + 100, on_identities, f);
    event_base_dispatch(f->base);
    assert_int_equal(f->n_identities, 0);
}

static void on_commit_must_not_fire(store_request_id id, enum store_status status,
                                    const char *error, void *arg)
{
    fail_msg("a cancelled request's callback fired (id %llu)", (unsigned long long)id);
}

static void test_cancel_drops_the_reply(void **state)
{
    struct fixture *f = *state;
    struct store_message *gone = store_test_message(f->account_id, T0, 1, 1024);
    struct store_message *kept = store_test_message(f->account_id, T0, 2, 1024);
    char gone_id[STORE_MESSAGE_ID_SIZE];
    memcpy(gone_id, gone->id, sizeof(gone_id));
    store_request_id a = store_service_commit(f->svc, gone, on_commit_must_not_fire, NULL);
    struct commit_ctx ctx = {f, ""};
    memcpy(ctx.id, kept->id, sizeof(ctx.id));
    f->want_replies = 1;
    store_service_commit(f->svc, kept, on_commit, &ctx);
    assert_true(store_service_cancel(f->svc, a));
    assert_false(store_service_cancel(f->svc, a));
    event_base_dispatch(f->base);
    assert_int_equal(f->ok, 1);
    struct store_service_stats stats;
    store_service_stats(f->svc, &stats);
    assert_int_equal(stats.dropped, 1);
    /* The writer already had it: cancelling drops the reply, not the commit. */
    assert_true(visible_elsewhere(f->path, gone_id));
}

static void test_free_writes_queued_commits(void **state)
{
    struct fixture *f = *state;
    char ids[10][STORE_MESSAGE_ID_SIZE];
    for (int i = 0; i < 10; i++) {
        struct store_message *m = store_test_message(f->account_id, T0, (unsigned)i + 100, 1024);
        memcpy(ids[i], m->id, STORE_MESSAGE_ID_SIZE);
        store_service_commit(f->svc, m, on_commit_must_not_fire, NULL);
    }
    store_service_free(f->svc);
    f->svc = NULL;
    for (int i = 0; i < 10; i++)
        assert_true(visible_elsewhere(f->path, ids[i]));
}

static void test_bad_config_and_url(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    char *error = NULL;
    struct store_service_config cfg = {"sqlite:/nonexistent-dir/x.db", 1, 1};
    assert_null(store_service_new(base, &cfg, &error));
    assert_non_null(strstr(error, "/nonexistent-dir/x.db"));
    free(error);
    error = NULL;
    struct store_service_config zero = {"sqlite:/tmp/x.db", 0, 1};
    assert_null(store_service_new(base, &zero, &error));
    assert_non_null(strstr(error, "readers must be"));
    free(error);
    event_base_free(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_group_commit_of_concurrent_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_authenticate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identities_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_drops_the_reply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_writes_queued_commits, setup, teardown),
        cmocka_unit_test(test_bad_config_and_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
