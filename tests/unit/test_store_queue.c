/* Unit tests for the delivery queue of the SQLite store (store_sqlite_queue.c): claims lease
 * due recipients, an expired lease makes them due again (restart safety), records write
 * state, attempts, events and new messages together. A real SQLite file per test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "store_testutil.h"

#define T0 1795863600000LL

struct fixture {
    char *dir;
    struct store *st;
    int64_t account;
};

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof(*f));
    f->dir = store_test_tempdir();
    char *url = store_test_url(f->dir, "q.db");
    char *error = NULL;
    f->st = store_open(url, &error);
    free(url);
    assert_non_null(f->st);
    assert_int_equal(store_account_create(f->st, "acme", "U1", "x", T0, &error), STORE_OK);
    struct store_account a;
    assert_int_equal(store_account_get(f->st, "acme", &a, &error), STORE_OK);
    f->account = a.id;
    store_account_clear(&a);
    /* message 1: two recipients due at T0; message 2: one recipient due at T0 + 5000 */
    struct store_message *m1 = store_test_message(f->account, T0, 1, 100);
    store_message_add_rcpt(m1, "second@example.net", 0, "rfc822;second@example.net");
    struct store_message *m2 = store_test_message(f->account, T0 + 5000, 2, 50);
    struct store_message *msgs[] = {m1, m2};
    enum store_status results[2];
    assert_int_equal(store_message_commit(f->st, msgs, 2, results, NULL), STORE_OK);
    assert_int_equal(results[0], STORE_OK);
    assert_int_equal(results[1], STORE_OK);
    store_message_free(m1);
    store_message_free(m2);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->st);
    store_test_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static void claim(struct fixture *f, int64_t now, int64_t lease, struct store_claim *c)
{
    char *error = NULL;
    enum store_status s = store_queue_claim(f->st, now, lease, 100, c, &error);
    if (s != STORE_OK)
        fail_msg("claim: got %s (%s), want ok", store_status_name(s), error);
}

static void test_claim_leases_only_due_recipients(void **state)
{
    struct fixture *f = *state;
    struct store_claim c;
    claim(f, T0, 1000, &c);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.n_rcpts, 2);
    assert_int_equal(c.msgs[0]->n_rcpts, 2);
    assert_true(store_test_body_ok(c.msgs[0], 1, 100));
    assert_string_equal(c.msgs[0]->rcpts[1].address, "second@example.net");
    assert_string_equal(c.msgs[0]->rcpts[1].orcpt, "rfc822;second@example.net");
    assert_true(c.msgs[0]->rcpts[0].id > 0);
    assert_int_equal(c.n_unfinished, 3);
    assert_int_equal(c.next_due_ms, T0 + 5000);
    store_claim_clear(&c);
    /* leased: a second claim at the same time gets nothing */
    claim(f, T0 + 999, 1000, &c);
    assert_int_equal(c.n_rcpts, 0);
    store_claim_clear(&c);
}

static void test_expired_lease_makes_recipients_due_again(void **state)
{
    struct fixture *f = *state;
    struct store_claim c;
    claim(f, T0, 1000, &c);
    assert_int_equal(c.n_rcpts, 2);
    store_claim_clear(&c);
    /* the claimer died without recording: after the lease all three are due */
    claim(f, T0 + 6000, 1000, &c);
    assert_int_equal(c.n_rcpts, 3);
    assert_int_equal(c.n, 2);
    store_claim_clear(&c);
}

static void test_record_writes_state_attempt_event_and_new_message(void **state)
{
    struct fixture *f = *state;
    struct store_claim c;
    claim(f, T0, 1000, &c);
    const struct store_message *m = c.msgs[0];
    struct store_record *rec = store_record_new();
    struct store_rcpt_outcome *o = store_record_add(rec);
    o->rcpt_id = m->rcpts[0].id;
    o->message_id = xstrdup(m->id);
    o->account_id = f->account;
    o->address = xstrdup(m->rcpts[0].address);
    o->state = STORE_RCPT_DELIVERED;
    o->attempts = 1;
    o->next_attempt_ms = T0 + 10;
    o->time_ms = T0 + 10;
    o->reply = xstrdup("250 ok");
    o->mx_host = xstrdup("mx.example.org");
    o->mx_ip = xstrdup("192.0.2.1");
    o->event_type = xstrdup("Delivery");
    o->event_json = xstrdup("{\"eventType\":\"Delivery\"}");
    o = store_record_add(rec);
    o->rcpt_id = m->rcpts[1].id;
    o->message_id = xstrdup(m->id);
    o->address = xstrdup(m->rcpts[1].address);
    o->state = STORE_RCPT_DEFERRED;
    o->attempts = 1;
    o->next_attempt_ms = T0 + 60000;
    o->time_ms = T0 + 10;
    o->reply = xstrdup("451 later");
    struct store_message *dsn = store_test_message(f->account, T0 + 10, 3, 10);
    store_record_add_message(rec, dsn);
    char dsn_id[STORE_MESSAGE_ID_SIZE];
    memcpy(dsn_id, dsn->id, sizeof(dsn_id));
    char *error = NULL;
    assert_int_equal(store_queue_record(f->st, rec, &error), STORE_OK);
    store_record_free(rec);
    char msg_id[STORE_MESSAGE_ID_SIZE];
    memcpy(msg_id, m->id, sizeof(msg_id));
    store_claim_clear(&c);

    struct store_message *back = NULL;
    assert_int_equal(store_message_get(f->st, msg_id, &back, &error), STORE_OK);
    assert_int_equal(back->rcpts[0].state, STORE_RCPT_DELIVERED);
    assert_int_equal(back->rcpts[1].state, STORE_RCPT_DEFERRED);
    assert_int_equal(back->rcpts[1].next_attempt_ms, T0 + 60000);
    assert_string_equal(back->rcpts[1].last_reply, "451 later");
    store_message_free(back);
    struct store_attempt_list attempts;
    assert_int_equal(store_attempt_list(f->st, msg_id, &attempts, &error), STORE_OK);
    assert_int_equal(attempts.n, 2);
    assert_string_equal(attempts.items[0].mx_ip, "192.0.2.1");
    assert_int_equal(attempts.items[0].state, STORE_RCPT_DELIVERED);
    store_attempt_list_free(&attempts);
    struct store_event_list events;
    assert_int_equal(store_event_list(f->st, msg_id, &events, &error), STORE_OK);
    assert_int_equal(events.n, 1);
    assert_string_equal(events.items[0].type, "Delivery");
    store_event_list_free(&events);
    /* the lease is cleared: message 2 and the new message are due at T0 + 5000, the
     * deferred recipient not before T0 + 60000 */
    claim(f, T0 + 5000, 1000, &c);
    assert_int_equal(c.n_rcpts, 2);
    assert_int_equal(c.n_unfinished, 3);
    bool saw_dsn = false;
    for (size_t i = 0; i < c.n; i++)
        saw_dsn = saw_dsn || strcmp(c.msgs[i]->id, dsn_id) == 0;
    assert_true(saw_dsn);
    store_claim_clear(&c);
    struct store_message_summary_list list;
    assert_int_equal(store_message_list(f->st, 10, &list, &error), STORE_OK);
    assert_int_equal(list.n, 3);
    store_message_summary_list_free(&list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_claim_leases_only_due_recipients, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_lease_makes_recipients_due_again, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_record_writes_state_attempt_event_and_new_message,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
