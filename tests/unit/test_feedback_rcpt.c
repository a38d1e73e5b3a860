/* Unit tests for src/feedback/feedback_rcpt: the feedback MX's RCPT decision, with a real SRS
 * engine (fixed secret and time) and fake identity lists standing in for the store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feedback_rcpt.h"

#define NOW 1795859310 /* 2026-11-28 09:48:30 UTC */
#define DAY 86400

static const char *const served[] = {"mail.example.com"};

struct fixture {
    struct srs *srs;
    struct feedback_rcpt_policy policy;
};

static int setup(void **state)
{
    static const char *const secrets[] = {"unit-secret", "older-secret"};
    struct srs_config cfg;
    srs_config_defaults(&cfg);
    cfg.domain = "bounce.test";
    cfg.secrets = secrets;
    cfg.n_secrets = 2;
    char *error = NULL;
    struct fixture *f = calloc(1, sizeof(*f));
    f->srs = srs_new(&cfg, &error);
    assert_non_null(f->srs);
    f->policy.srs = f->srs;
    f->policy.domains = served;
    f->policy.n_domains = 1;
    f->policy.has_operator = true;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    srs_free(f->srs);
    free(f);
    return 0;
}

/* An SRS0 return path for address minted at `when` in the default domain. */
static char *mint_default(const struct fixture *f, const char *address, int64_t when)
{
    char *out = NULL;
    enum srs_status st = srs_forward(f->srs, address, when, &out);
    if (st != SRS_OK || out == NULL) {
        fail_msg("forward %s: got %s, want ok", address, srs_status_name(st));
        return NULL;
    }
    char *copy = strdup(out); /* a fresh pointer: GCC's dangling-pointer analysis ties the
                               * returned `out` to the local's address it was written through */
    free(out);
    return copy;
}

/* The same, moved into `domain` if not NULL (the hash does not cover the domain). */
static char *mint(const struct fixture *f, const char *address, int64_t when, const char *domain)
{
    char *out = mint_default(f, address, when);
    if (domain == NULL)
        return out;
    size_t local = strcspn(out, "@");
    size_t len = local + strlen(domain) + 2;
    char *moved = malloc(len);
    snprintf(moved, len, "%.*s@%s", (int)local, out, domain);
    free(out);
    return moved;
}

static void expect_refused(const struct fixture *f, const char *address, const char *why)
{
    struct feedback_rcpt_decision d;
    feedback_rcpt_check(&f->policy, address, NOW, &d);
    if (d.kind != FEEDBACK_RCPT_REFUSE || strcmp(d.why, why) != 0)
        fail_msg("%s: got kind %d why %s, want refused (%s)", address, d.kind, d.why ? d.why : "-",
                 why);
    assert_non_null(strstr(d.reason, "No such recipient here"));
    feedback_rcpt_decision_clear(&d);
}

static void test_relay_tricks(void **state)
{
    static const char *const tricks[] = {
        "victim%victim.example@bounce.test",
        "VICTIM%VICTIM.EXAMPLE@BOUNCE.TEST",
        "victim.example!victim@bounce.test",
        "\"victim@victim.example\"@bounce.test",
        "victim@victim.example@bounce.test",
        "@bounce.test:victim@victim.example",
        "@a.example,@bounce.test:victim@victim.example",
        "postmaster@[127.0.0.1]",
        "postmaster@bounce.test.",
        "postmaster@BOUNCE.TEST.",
        "postmaster@.bounce.test",
        "postmaster@bounce..test",
        "post master@bounce.test",
        "postmaster\\@bounce.test",
        "postmaster@bounce.test\r",
        "@bounce.test",
        "postmaster@",
        "",
        "postmaster@bounce.t\xc3\xa9st",
    };
    for (size_t i = 0; i < sizeof(tricks) / sizeof(tricks[0]); i++)
        expect_refused(*state, tricks[i], "relay-syntax");
}

static void test_not_served(void **state)
{
    expect_refused(*state, "victim@victim.example", "not-served");
    expect_refused(*state, "postmaster@other.test", "not-served");
    expect_refused(*state, "postmaster@sub.bounce.test", "not-served");
}

static void test_long_address(void **state)
{
    char address[400];
    memset(address, 'a', sizeof(address));
    strcpy(address + 300, "@bounce.test");
    expect_refused(*state, address, "relay-syntax");
}

static void test_operator_addresses(void **state)
{
    struct fixture *f = *state;
    static const char *const ok[] = {"postmaster@bounce.test", "Abuse@MAIL.example.COM",
                                     "POSTMASTER@mail.example.com", "Postmaster"};
    for (size_t i = 0; i < 4; i++) {
        struct feedback_rcpt_decision d;
        feedback_rcpt_check(&f->policy, ok[i], NOW, &d);
        if (d.kind != FEEDBACK_RCPT_OPERATOR)
            fail_msg("%s: got kind %d (%s), want operator", ok[i], d.kind, d.why ? d.why : "-");
        feedback_rcpt_decision_clear(&d);
    }
    f->policy.has_operator = false;
    expect_refused(f, "postmaster@bounce.test", "no-operator");
    expect_refused(f, "Postmaster", "no-operator");
    f->policy.has_operator = true;
}

static void test_return_path_phase1(void **state)
{
    struct fixture *f = *state;
    char *rp = mint(f, "alice@Example.COM", NOW - DAY, NULL);
    struct feedback_rcpt_decision d;
    feedback_rcpt_check(&f->policy, rp, NOW, &d);
    assert_int_equal(d.kind, FEEDBACK_RCPT_RETURN_PATH);
    assert_string_equal(d.reversed, "alice@example.com");
    assert_string_equal(d.domain, "bounce.test");
    assert_true(d.shared);
    feedback_rcpt_decision_clear(&d);
    free(rp);

    rp = mint(f, "alice@example.com", NOW, "MAIL.example.com");
    feedback_rcpt_check(&f->policy, rp, NOW, &d);
    assert_int_equal(d.kind, FEEDBACK_RCPT_RETURN_PATH);
    assert_string_equal(d.domain, "mail.example.com");
    assert_false(d.shared);
    feedback_rcpt_decision_clear(&d);
    free(rp);
}

static void test_return_path_refusals(void **state)
{
    struct fixture *f = *state;
    char *expired = mint(f, "alice@example.com", NOW - 22 * DAY, NULL);
    expect_refused(f, expired, "expired");
    char *future = mint(f, "alice@example.com", NOW + DAY, NULL);
    expect_refused(f, future, "expired");
    char *forged = mint(f, "alice@example.com", NOW, NULL);
    forged[5] = forged[5] == 'A' ? 'B' : 'A';
    expect_refused(f, forged, "bad-hash");
    char *loop = mint(f, "someone@mail.example.com", NOW, NULL);
    expect_refused(f, loop, "loop");
    char *other = mint(f, "alice@example.com", NOW, "bounce.other.test");
    expect_refused(f, other, "not-served");
    expect_refused(f, "alice@bounce.test", "not-srs0");
    expect_refused(f, "SRS1=abcd=foreign.example==HHHH=TT=example.com=alice@bounce.test",
                   "not-srs0");
    /* SRS.md section 2: the shifted form verifies but reverses to an invalid address. */
    char *shift = mint_default(f, "m.spam@victim.co", NOW);
    const char *tail = strstr(shift, "=victim.co=m.spam@");
    assert_non_null(tail);
    int keep = (int)(strlen(shift) - strlen(tail));
    char shifted[300];
    snprintf(shifted, sizeof(shifted), "%.*s=victim.com=.spam@bounce.test", keep, shift);
    expect_refused(f, shifted, "bad-reversed");
    free(expired);
    free(future);
    free(forged);
    free(loop);
    free(other);
    free(shift);
}

/* A fake store answer: identities (name, account, status). */
static struct store_identity_list fake_ids(void)
{
    static struct store_identity items[] = {
        {.name = "example.com", .account_id = 1, .status = IDENTITY_SUCCESS},
        {.name = "pending.example", .account_id = 2, .status = IDENTITY_PENDING},
        {.name = "victim.co", .account_id = 2, .status = IDENTITY_SUCCESS},
        {.name = "boss@example.com", .account_id = 3, .status = IDENTITY_SUCCESS},
    };
    struct store_identity_list l = {items, sizeof(items) / sizeof(items[0])};
    return l;
}

static void expect_owner(const struct fixture *f, const char *address, const char *domain,
                         int64_t want_account, const char *want_identity)
{
    char *rp = mint(f, address, NOW, domain);
    struct feedback_rcpt_decision d;
    feedback_rcpt_check(&f->policy, rp, NOW, &d);
    assert_int_equal(d.kind, FEEDBACK_RCPT_RETURN_PATH);
    struct store_identity_list ids = fake_ids();
    bool ok = feedback_rcpt_owner(&ids, &d);
    if (want_account == 0) {
        if (ok || d.kind != FEEDBACK_RCPT_REFUSE || strcmp(d.why, "not-verified") != 0)
            fail_msg("%s via %s: got owner %lld, want refused", address, rp,
                     (long long)d.account_id);
    } else if (!ok || d.account_id != want_account || strcmp(d.identity, want_identity) != 0) {
        fail_msg("%s via %s: got %d account %lld identity %s, want %lld %s", address, rp, ok,
                 (long long)d.account_id, d.identity ? d.identity : "-", (long long)want_account,
                 want_identity);
    }
    feedback_rcpt_decision_clear(&d);
    free(rp);
}

static void test_owner_shared_domain(void **state)
{
    expect_owner(*state, "alice@example.com", NULL, 1, "example.com");
    expect_owner(*state, "alice@sub.example.com", NULL, 1, "example.com");
    expect_owner(*state, "boss@example.com", NULL, 3, "boss@example.com");
    expect_owner(*state, "m@victim.co", NULL, 2, "victim.co");
    expect_owner(*state, "carol@pending.example", NULL, 0, NULL);
    expect_owner(*state, "dave@nowhere.example", NULL, 0, NULL);
    /* A syntactically valid field shift lands on an address nobody verified. */
    expect_owner(*state, "m@victim.coa", NULL, 0, NULL);
}

static void test_owner_mail_from_domain(void **state)
{
    /* mail.example.com is covered by account 1's example.com: only account 1 may use it. */
    expect_owner(*state, "alice@example.com", "mail.example.com", 1, "example.com");
    expect_owner(*state, "m@victim.co", "mail.example.com", 0, NULL);
    /* boss@example.com is account 3's, but the domain is account 1's: the domain identity of
     * account 1 covers it too, so the bounce belongs to account 1. */
    expect_owner(*state, "boss@example.com", "mail.example.com", 1, "example.com");
}

static void test_serves(void **state)
{
    struct fixture *f = *state;
    assert_true(feedback_rcpt_serves(&f->policy, "BOUNCE.test"));
    assert_true(feedback_rcpt_serves(&f->policy, "mail.EXAMPLE.com"));
    assert_false(feedback_rcpt_serves(&f->policy, "mail.example.com."));
    assert_false(feedback_rcpt_serves(&f->policy, "example.com"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relay_tricks),
        cmocka_unit_test(test_not_served),
        cmocka_unit_test(test_long_address),
        cmocka_unit_test(test_operator_addresses),
        cmocka_unit_test(test_return_path_phase1),
        cmocka_unit_test(test_return_path_refusals),
        cmocka_unit_test(test_owner_shared_domain),
        cmocka_unit_test(test_owner_mail_from_domain),
        cmocka_unit_test(test_serves),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
