/*
 * Crash consistency of the store service: a child process streams commits through the service
 * (16 in flight at a time) and reports each acknowledged commit on a pipe the moment its reply
 * arrives; the parent SIGKILLs the child mid-stream, then reopens the database and checks that
 * every acknowledged message is present with its exact body and recipient, and that the file
 * passes SQLite's integrity check. (SIGKILL keeps the kernel's page cache: this proves that no
 * reply is sent before COMMIT returned; surviving power loss rests on synchronous=FULL.)
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>
#include <sqlite3.h>

#include "store.h"
#include "store_service.h"
#include "store_testutil.h"

#define T0          1700000000000LL
#define IN_FLIGHT   16
#define KILL_AFTER  300 /* acknowledgements read before the kill */
#define MAX_ACKS    100000
#define BODY_LEN(s) (512 + (s) % 3000)

struct child {
    struct store_service *svc;
    int64_t account_id;
    int ack_fd;
    unsigned next_seed;
};

static void child_submit(struct child *c);

static void child_on_commit(store_request_id id, enum store_status status, const char *error,
                            void *arg)
{
    struct child *c = arg;
    (void)error;
    /* The seed travels in the request id's place: ids are sequential from 1 in this child. */
    uint32_t seed = (uint32_t)id;
    if (status == STORE_OK && write(c->ack_fd, &seed, sizeof(seed)) != sizeof(seed))
        _exit(1);
    child_submit(c);
}

static void child_submit(struct child *c)
{
    unsigned seed = ++c->next_seed;
    struct store_message *m =
        store_test_message(c->account_id, T0 + seed, seed, (size_t)BODY_LEN(seed));
    store_request_id id = store_service_commit(c->svc, m, child_on_commit, c);
    if (id != seed) /* the mapping seed == id that child_on_commit relies on */
        _exit(2);
}

static void child_run(const char *url, int64_t account_id, int ack_fd)
{
    alarm(60); /* never outlive a broken parent */
    struct event_base *base = event_base_new();
    struct store_service_config cfg = {url, 1, STORE_SERVICE_DEFAULT_BATCH};
    char *error = NULL;
    struct child c = {store_service_new(base, &cfg, &error), account_id, ack_fd, 0};
    if (c.svc == NULL)
        _exit(3);
    for (int i = 0; i < IN_FLIGHT; i++)
        child_submit(&c);
    event_base_dispatch(base);
    _exit(4);
}

static void check_integrity(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_sigkill_mid_stream_loses_no_acknowledged_commit(void **state)
{
    (void)state;
    char *dir = store_test_tempdir();
    char *url = store_test_url(dir, "rebound.db");
    char *path = xasprintf("%s/rebound.db", dir);
    char *error = NULL;
    struct store *st = store_open(url, &error);
    assert_non_null(st);
    assert_int_equal(store_account_create(st, "acme", "RBACME", "x", T0, NULL), STORE_OK);
    struct store_account a;
    assert_int_equal(store_account_get(st, "acme", &a, NULL), STORE_OK);
    store_close(st);

    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        child_run(url, a.id, fds[1]);
    }
    close(fds[1]);
    uint32_t *acks = xcalloc(MAX_ACKS, sizeof(acks[0]));
    size_t n = 0;
    while (n < MAX_ACKS && read(fds[0], &acks[n], sizeof(acks[0])) == sizeof(acks[0])) {
        if (++n == KILL_AFTER)
            assert_int_equal(kill(pid, SIGKILL), 0);
    }
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
        fail_msg("got child status %#x, want killed by SIGKILL", status);
    assert_true(n >= KILL_AFTER);

    check_integrity(path);
    st = store_open(url, &error);
    assert_non_null(st);
    for (size_t i = 0; i < n; i++) {
        struct store_message *want = store_test_message(a.id, T0 + acks[i], acks[i], 1);
        struct store_message *got = NULL;
        if (store_message_get(st, want->id, &got, &error) != STORE_OK)
            fail_msg("acknowledged message %u (%s) lost: %s", acks[i], want->id, error);
        if (!store_test_body_ok(got, acks[i], (size_t)BODY_LEN(acks[i])))
            fail_msg("acknowledged message %u: body damaged (%zu bytes)", acks[i], got->body_len);
        assert_int_equal(got->n_rcpts, 1);
        assert_string_equal(got->rcpts[0].address, "rcpt@example.org");
        store_message_free(got);
        store_message_free(want);
    }
    printf("# %zu acknowledged commits checked after SIGKILL\n", n);
    store_account_clear(&a);
    store_close(st);
    free(acks);
    store_test_rmdir(dir);
    free(dir);
    free(url);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigkill_mid_stream_loses_no_acknowledged_commit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
