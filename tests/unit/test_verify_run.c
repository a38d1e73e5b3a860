/*
 * Unit tests for src/verify checks, runner and scheduler: the in-memory DNS zone (dns_memory)
 * answers, a real SQLite store in a temporary directory records, and the clock is pinned.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <event2/event.h>

#include "dns_memory.h"
#include "store_testutil.h"
#include "verify_check.h"
#include "verify_link.h"
#include "verify_run.h"
#include "verify_sched.h"

#define MF       "bounce.example.test"
#define FEEDBACK "fb.rebound.test"
#define HOUR_MS  (3600LL * 1000)
#define T0       1700000000000LL

static char *ips[] = {"192.0.2.10", "192.0.2.11"};

struct outcome {
    bool done;
    enum verify_outcome o;
    char *reason;
};

static void on_done(const struct verify_check_result *r, void *arg)
{
    struct outcome *out = arg;
    out->done = true;
    out->o = r->outcome;
    out->reason = r->reason ? xstrdup(r->reason) : NULL;
}

static void txt(struct dns_memory *z, const char *name, const char *text)
{
    size_t len = strlen(text);
    dns_memory_add_txt(z, name, DNS_TYPE_TXT, &text, &len, 1);
}

/* Runs the MAIL FROM check over zone z and compares outcome and reason. */
static void expect_mail_from(struct dns_memory *z, enum verify_outcome want, const char *reason)
{
    struct dns_resolver res;
    dns_memory_resolver(z, &res);
    struct verify_mail_from_params p = {MF, FEEDBACK, ips, 2, T0 / 1000};
    struct outcome out = {0};
    struct verify_check *c = verify_check_mail_from(&res, &p, on_done, &out);
    assert_false(out.done); /* never from inside the start call */
    dns_memory_run(z);
    assert_true(out.done);
    if (out.o != want || (reason == NULL) != (out.reason == NULL) ||
        (reason && strcmp(reason, out.reason) != 0))
        fail_msg("got %s (%s), want %s (%s)", verify_outcome_name(out.o),
                 out.reason ? out.reason : "-", verify_outcome_name(want), reason ? reason : "-");
    free(out.reason);
    verify_check_free(c);
    dns_resolver_destroy(&res);
}

static void test_mail_from_check(void **state)
{
    (void)state;
    struct dns_memory *z = dns_memory_new();
    expect_mail_from(z, VERIFY_OUTCOME_WRONG, "no MX record at " MF " (the name does not exist)");
    z = dns_memory_new();
    dns_memory_add_mx(z, MF, 10, FEEDBACK);
    dns_memory_add_mx(z, MF, 20, "mx2.example.test");
    expect_mail_from(z, VERIFY_OUTCOME_WRONG,
                     MF " has 2 MX records; exactly one, pointing at " FEEDBACK ", is needed");
    z = dns_memory_new();
    dns_memory_add_mx(z, MF, 10, "mx.other.test");
    expect_mail_from(z, VERIFY_OUTCOME_WRONG,
                     "the MX record of " MF " points at mx.other.test, not at the feedback host "
                     "fb.rebound.test");
    z = dns_memory_new();
    dns_memory_add_mx(z, MF, 10, "FB.Rebound.Test.");
    expect_mail_from(z, VERIFY_OUTCOME_WRONG, "no SPF record at " MF);
    z = dns_memory_new();
    dns_memory_add_mx(z, MF, 10, FEEDBACK);
    txt(z, MF, "v=spf1 ip4:192.0.2.10 -all");
    expect_mail_from(z, VERIFY_OUTCOME_WRONG,
                     "the SPF record of " MF " gives fail for sending IP 192.0.2.11, not pass");
    z = dns_memory_new();
    dns_memory_add_mx(z, MF, 10, FEEDBACK);
    txt(z, MF, "v=spf1 include:spf.rebound.test ~all");
    txt(z, "spf.rebound.test", "v=spf1 ip4:192.0.2.0/24 -all");
    expect_mail_from(z, VERIFY_OUTCOME_PASS, NULL);
    z = dns_memory_new();
    dns_memory_add_timeout(z, MF);
    expect_mail_from(z, VERIFY_OUTCOME_TEMP,
                     "the MX lookup of " MF " failed temporarily: query timed out");
    z = dns_memory_new();
    dns_memory_add_mx(z, MF, 10, FEEDBACK);
    txt(z, MF, "v=spf1 include:gone.test ~all");
    dns_memory_add_timeout(z, "gone.test");
    struct dns_resolver res;
    dns_memory_resolver(z, &res);
    struct verify_mail_from_params p = {MF, FEEDBACK, ips, 2, T0 / 1000};
    struct outcome out = {0};
    struct verify_check *c = verify_check_mail_from(&res, &p, on_done, &out);
    dns_memory_run(z);
    assert_int_equal(out.o, VERIFY_OUTCOME_TEMP); /* SPF temperror */
    free(out.reason);
    verify_check_free(c);
    dns_resolver_destroy(&res);
}

static void test_check_cancel(void **state)
{
    (void)state;
    struct dns_memory *z = dns_memory_new();
    dns_memory_add_mx(z, MF, 10, FEEDBACK);
    struct dns_resolver res;
    dns_memory_resolver(z, &res);
    struct verify_mail_from_params p = {MF, FEEDBACK, ips, 2, T0 / 1000};
    struct outcome out = {0};
    struct verify_check *c = verify_check_mail_from(&res, &p, on_done, &out);
    dns_memory_step(z); /* MX answered: the SPF evaluation is pending */
    verify_check_free(c);
    dns_memory_run(z);
    assert_false(out.done);
    dns_resolver_destroy(&res);
}

struct fx {
    char *dir;
    struct store *st;
    struct dns_memory *zone;
    struct dns_resolver res;
    int64_t now;
    struct clock clock;
    struct verify_settings set;
    struct verify_runner *runner;
    struct event_base *base;
    struct verify_sched *sched;
};

static int setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof(*f));
    f->dir = store_test_tempdir();
    char *url = store_test_url(f->dir, "v.db");
    char *error = NULL;
    f->st = store_open(url, &error);
    free(url);
    assert_non_null(f->st);
    assert_int_equal(store_account_create(f->st, "acme", "u", "x", T0, &error), STORE_OK);
    f->zone = dns_memory_new();
    dns_memory_resolver(f->zone, &f->res);
    f->now = T0;
    f->clock = clock_fixed(&f->now);
    f->set = (struct verify_settings){"_rebound", 72 * HOUR_MS, FEEDBACK, ips, 2};
    f->runner = verify_runner_new(f->st, &f->res, &f->set, &f->clock);
    f->base = event_base_new();
    f->sched = verify_sched_new(f->base, f->runner, &f->clock, HOUR_MS, VERIFY_SCHED_TICK_MS);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    verify_sched_free(f->sched);
    event_base_free(f->base);
    verify_runner_free(f->runner);
    dns_resolver_destroy(&f->res);
    store_close(f->st);
    store_test_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* Adds a domain identity with its token; returns the token (owned). */
static char *add(struct fx *f, const char *name)
{
    char *error = NULL, *token = NULL;
    assert_int_equal(store_identity_add(f->st, name, "acme", f->now, &error), STORE_OK);
    assert_int_equal(verify_issue_token(f->st, name, f->now, HOUR_MS, &token, &error), STORE_OK);
    return token;
}

static enum identity_status status_of(struct fx *f, const char *name, bool mail_from)
{
    struct store_identity id;
    char *error = NULL;
    assert_int_equal(store_identity_get(f->st, name, &id, &error), STORE_OK);
    enum identity_status s = mail_from ? id.mail_from.status : id.status;
    store_identity_clear(&id);
    return s;
}

static void test_scheduler(void **state)
{
    struct fx *f = *state;
    char *tok = add(f, "example.test");
    char *rec = xasprintf("_rebound.example.test");
    txt(f->zone, rec, tok);
    free(rec);
    free(tok);
    free(add(f, "never.test"));
    free(add(f, "forced.test"));
    char *error = NULL;
    assert_int_equal(
        store_identity_set_status(f->st, "forced.test", IDENTITY_SUCCESS, true, f->now, &error),
        STORE_OK);
    assert_int_equal(
        store_mail_from_set(f->st, "example.test", MF, STORE_MX_REJECT_MESSAGE, f->now, &error),
        STORE_OK);
    dns_memory_add_mx(f->zone, MF, 10, FEEDBACK);
    txt(f->zone, MF, "v=spf1 ip4:192.0.2.10 ip4:192.0.2.11 ~all");
    /* example.test, never.test and the MAIL FROM domain are due; forced.test is not */
    assert_int_equal(verify_sched_tick(f->sched), 3);
    assert_int_equal(verify_runner_pending(f->runner), 3);
    assert_int_equal(verify_sched_tick(f->sched), 0); /* already pending */
    dns_memory_run(f->zone);
    assert_int_equal(verify_runner_pending(f->runner), 0);
    assert_int_equal(status_of(f, "example.test", false), IDENTITY_SUCCESS);
    assert_int_equal(status_of(f, "example.test", true), IDENTITY_SUCCESS);
    assert_int_equal(status_of(f, "never.test", false), IDENTITY_PENDING);
    /* checked at T0: nothing is due again until an interval has passed */
    f->now += HOUR_MS - 1;
    assert_int_equal(verify_sched_tick(f->sched), 0);
    f->now = T0 + 72 * HOUR_MS;
    assert_int_equal(verify_sched_tick(f->sched), 3);
    dns_memory_run(f->zone);
    assert_int_equal(status_of(f, "never.test", false), IDENTITY_FAILED);
    assert_int_equal(status_of(f, "example.test", false), IDENTITY_SUCCESS);
    /* FAILED is no longer scheduled */
    f->now += 2 * HOUR_MS;
    assert_int_equal(verify_sched_tick(f->sched), 2);
    dns_memory_run(f->zone);
    struct store_event_list ev;
    assert_int_equal(store_identity_event_list(f->st, "never.test", &ev, &error), STORE_OK);
    assert_int_equal(ev.n, 1);
    assert_non_null(strstr(ev.items[0].json, "\"from\":\"PENDING\",\"to\":\"FAILED\",\"reason\":"
                                             "\"no TXT record at _rebound.never.test (the name "
                                             "does not exist)\""));
    store_event_list_free(&ev);
}

static void test_runner_refusals(void **state)
{
    struct fx *f = *state;
    char *error = NULL;
    assert_int_equal(store_identity_add(f->st, "a@example.test", "acme", f->now, &error), STORE_OK);
    free(add(f, "example.test"));
    struct outcome out = {0};
    assert_false(
        verify_runner_start(f->runner, "a@example.test", STORE_CHECK_IDENTITY, NULL, &out, &error));
    assert_non_null(strstr(error, "an email address identity"));
    free(error);
    error = NULL;
    assert_false(
        verify_runner_start(f->runner, "example.test", STORE_CHECK_MAIL_FROM, NULL, &out, &error));
    assert_string_equal(error, "example.test has no custom MAIL FROM domain");
    free(error);
    error = NULL;
    assert_false(
        verify_runner_start(f->runner, "nope.test", STORE_CHECK_IDENTITY, NULL, &out, &error));
    free(error);
}

static void on_report(const struct verify_report *rep, void *arg)
{
    *(enum identity_status *)arg = rep->to;
}

/* An on-demand check replaces the operator's forced status. */
static void test_check_replaces_forced(void **state)
{
    struct fx *f = *state;
    free(add(f, "forced.test"));
    char *error = NULL;
    assert_int_equal(
        store_identity_set_status(f->st, "forced.test", IDENTITY_SUCCESS, true, f->now, &error),
        STORE_OK);
    enum identity_status to = IDENTITY_FAILED;
    assert_true(verify_runner_start(f->runner, "forced.test", STORE_CHECK_IDENTITY, on_report, &to,
                                    &error));
    dns_memory_run(f->zone);
    /* never proven by DNS (no last success): back to PENDING, not TEMPORARY_FAILURE */
    assert_int_equal(to, IDENTITY_PENDING);
    struct store_identity id;
    assert_int_equal(store_identity_get(f->st, "forced.test", &id, &error), STORE_OK);
    assert_false(id.forced);
    assert_int_equal(id.status, IDENTITY_PENDING);
    assert_string_equal(id.last_reason,
                        "no TXT record at _rebound.forced.test (the name does not exist)");
    store_identity_clear(&id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mail_from_check),
        cmocka_unit_test(test_check_cancel),
        cmocka_unit_test_setup_teardown(test_scheduler, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runner_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_replaces_forced, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
