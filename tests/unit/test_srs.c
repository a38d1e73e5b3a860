/*
 * Unit tests for src/mail/srs: every row of both postsrsd vector files that exercises the
 * engine (rows that exercise only a wire protocol or the srsmap service's policies are covered
 * by tests/integration/test_srsmap*.py), plus properties and error paths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "srs.h"
#include "vectors.h"
#include "xalloc.h"

/* %XX decoding as tcp_table and Postfix do it; returns false on a bad escape. */
static bool pct_decode(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; in[i]; i++) {
        if (o + 1 >= cap)
            return false;
        if (in[i] == '%') {
            char hex[3] = {in[i + 1], in[i + 1] ? in[i + 2] : '\0', '\0'};
            char *end = NULL;
            unsigned long v = strtoul(hex, &end, 16);
            if (hex[0] == '\0' || hex[1] == '\0' || *end != '\0')
                return false;
            out[o++] = (char)v;
            i += 2;
        } else {
            out[o++] = in[i];
        }
    }
    out[o] = '\0';
    return true;
}

static char **split_secrets(const char *list, size_t *n_r)
{
    char **secrets = NULL;
    size_t n = 0;
    char *copy = strdup(list), *save = NULL;
    for (char *t = strtok_r(copy, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
        secrets = xreallocarray(secrets, n + 1, sizeof(char *));
        secrets[n++] = strdup(t);
    }
    free(copy);
    *n_r = n;
    return secrets;
}

static struct srs *make_srs(const char *secrets_list, const char *domain, const char *flags,
                            enum srs_alphabet alphabet)
{
    size_t n;
    char **secrets = split_secrets(secrets_list, &n);
    struct srs_config cfg;
    srs_config_defaults(&cfg);
    cfg.domain = domain;
    cfg.secrets = (const char *const *)secrets;
    cfg.n_secrets = n;
    cfg.alphabet = alphabet;
    char *copy = strdup(flags ? flags : "-"), *save = NULL;
    for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        if (strncmp(t, "-a", 2) == 0)
            cfg.separator = t[2];
        else if (strncmp(t, "-n", 2) == 0)
            cfg.hash_length = (unsigned)strtoul(t + 2, NULL, 10);
        else if (strncmp(t, "-N", 2) == 0)
            cfg.hash_min = (unsigned)strtoul(t + 2, NULL, 10);
        else if (strcmp(t, "-A") == 0)
            cfg.always_rewrite = true;
    }
    free(copy);
    char *error = NULL;
    struct srs *srs = srs_new(&cfg, &error);
    if (srs == NULL)
        fail_msg("srs_new: %s", error);
    for (size_t i = 0; i < n; i++)
        free(secrets[i]);
    free(secrets);
    return srs;
}

/* Runs one exchange through the engine and compares with the recorded answer. */
static bool check_exchange(const char *id, struct srs *srs, bool forward, const char *key,
                           int64_t now, bool want_ok, const char *want)
{
    char *result = NULL;
    enum srs_status st =
        forward ? srs_forward(srs, key, now, &result) : srs_reverse(srs, key, now, &result);
    const char *got = srs_status_ok(st) ? result : srs_strerror(st);
    bool ok = srs_status_ok(st) == want_ok && strcmp(got, want) == 0;
    if (!ok)
        print_error("%s: %s %s: got %s \"%s\", want %s \"%s\"\n", id,
                    forward ? "forward" : "reverse", key, srs_status_ok(st) ? "ok" : "error", got,
                    want_ok ? "ok" : "error", want);
    free(result);
    return ok;
}

/* Rows whose answer comes from the tcp_table service, not from the engine. */
static bool v1_row_is_service_policy(const char *value)
{
    return strcmp(value, "Invalid request") == 0 ||
           strcmp(value, "Domain excluded py policy") == 0 ||
           strcmp(value, "Already rewritten") == 0;
}

static void test_postsrsd1_vectors(void **state)
{
    (void)state;
    struct vectors v = {0};
    assert_int_equal(vectors_load("vectors/srs-postsrsd.tsv", &v), 0);
    assert_true(v.n_rows >= 100);
    size_t checked = 0, failed = 0, policy = 0;
    for (size_t r = 0; r < v.n_rows; r++) {
        const char *id = vectors_get(&v, r, "id");
        const char *value = vectors_get(&v, r, "value");
        const char *line = vectors_get(&v, r, "request_line");
        bool want_ok = strcmp(vectors_get(&v, r, "code"), "200") == 0;
        struct srs *srs =
            make_srs(vectors_get(&v, r, "secrets_first_signs"), vectors_get(&v, r, "srs_domain"),
                     vectors_get(&v, r, "extra_flags"), SRS_ALPHABET_BASE64);
        int64_t now = strtoll(vectors_get(&v, r, "clock_unix"), NULL, 10);
        bool forward = strcmp(vectors_get(&v, r, "port"), "forward") == 0;
        char key[2048], want[2048];
        if (v1_row_is_service_policy(value)) {
            policy++;
            /* "Already rewritten" is decided by a successful reverse: check that fact here. */
            if (strcmp(value, "Already rewritten") == 0) {
                assert_true(pct_decode(line + 4, key, sizeof(key)));
                char *orig = NULL;
                if (srs_reverse(srs, key, now, &orig) != SRS_OK) {
                    print_error("%s: %s should reverse\n", id, key);
                    failed++;
                }
                free(orig);
            }
        } else {
            assert_true(strncmp(line, "get ", 4) == 0);
            assert_true(pct_decode(line + 4, key, sizeof(key)));
            assert_true(pct_decode(value, want, sizeof(want)));
            checked++;
            if (!check_exchange(id, srs, forward, key, now, want_ok, want))
                failed++;
        }
        srs_free(srs);
    }
    print_message("postsrsd 1.x vectors: %zu engine rows checked, %zu service-policy rows, "
                  "%zu failed\n",
                  checked, policy, failed);
    assert_int_equal(checked + policy, v.n_rows);
    assert_int_equal(failed, 0);
    vectors_free(&v);
}

/* Engine-level meaning of the postsrsd 2.x socketmap rows. */
static void test_postsrsd2_vectors(void **state)
{
    (void)state;
    struct vectors v = {0};
    assert_int_equal(vectors_load("vectors/srs-postsrsd2-socketmap.tsv", &v), 0);
    size_t checked = 0, failed = 0, service = 0;
    for (size_t r = 0; r < v.n_rows; r++) {
        const char *id = vectors_get(&v, r, "id");
        const char *payload = vectors_get(&v, r, "request_payload");
        const char *status = vectors_get(&v, r, "status");
        const char *value = vectors_get(&v, r, "value");
        const char *domain = vectors_get(&v, r, "srs_domain");
        const char *space = strchr(payload, ' ');
        bool database = strcmp(vectors_get(&v, r, "original_envelope"), "database") == 0;
        bool forward = strncmp(payload, "forward ", 8) == 0;
        bool reverse = strncmp(payload, "reverse ", 8) == 0;
        /* Protocol errors, local-domain policy and database aliases belong to srsmap. */
        if (strcmp(status, "PERM") == 0 || database || (!forward && !reverse) ||
            strcmp(value, "Need not rewrite local domain.") == 0) {
            service++;
            continue;
        }
        const char *key = space + 1;
        struct srs *srs = make_srs(vectors_get(&v, r, "secrets_first_signs"), domain, NULL,
                                   SRS_ALPHABET_BASE64URL);
        int64_t now = strtoll(vectors_get(&v, r, "clock_unix"), NULL, 10);
        bool want_ok = strcmp(status, "OK") == 0;
        const char *want = value;
        /* 2.x says "No domain." where the engine (libsrs2) says there is no '@'. */
        if (strcmp(value, "No domain.") == 0)
            want = srs_strerror(SRS_ENOAT);
        checked++;
        if (!check_exchange(id, srs, forward, key, now, want_ok, want))
            failed++;
        srs_free(srs);
    }
    print_message("postsrsd 2.x vectors: %zu engine rows checked, %zu service rows, %zu failed\n",
                  checked, service, failed);
    assert_true(checked >= 25);
    assert_int_equal(failed, 0);
    vectors_free(&v);
}

static struct srs *default_srs(void)
{
    return make_srs("tops3cr3t", "srs.example.net", NULL, SRS_ALPHABET_BASE64URL);
}

static void test_round_trip_and_stamp(void **state)
{
    (void)state;
    struct srs *srs = default_srs();
    char stamp[3];
    srs_timestamp(1710504000, stamp);
    assert_string_equal(stamp, "KV");
    srs_timestamp(1710547200, stamp); /* next UTC midnight */
    assert_string_equal(stamp, "KW");
    char *fwd = NULL, *back = NULL;
    assert_int_equal(srs_forward(srs, "Alice+x@Example.COM", 1710504000, &fwd), SRS_OK);
    assert_int_equal(srs_reverse(srs, fwd, 1710504000 + 21 * 86400, &back), SRS_OK);
    assert_string_equal(back, "Alice+x@Example.COM");
    free(back);
    assert_int_equal(srs_reverse(srs, fwd, 1710504000 + 22 * 86400, &back),
                     SRS_ETIMESTAMPOUTOFDATE);
    assert_null(back);
    free(fwd);
    srs_free(srs);
}

static void test_unchanged_in_own_domain(void **state)
{
    (void)state;
    struct srs *srs = default_srs();
    char *out = NULL;
    assert_int_equal(srs_forward(srs, "bob@SRS.example.NET", 0, &out), SRS_UNCHANGED);
    assert_string_equal(out, "bob@SRS.example.NET");
    free(out);
    srs_free(srs);
}

static void test_errors_are_distinct(void **state)
{
    (void)state;
    struct srs *srs = default_srs();
    char *out = NULL;
    const int64_t t0 = 1710504000;
    assert_int_equal(srs_reverse(srs, "SRS", t0, &out), SRS_ENOTSRS);
    assert_int_equal(srs_reverse(srs, "SRS0=", t0, &out), SRS_ENOSRS0HASH);
    assert_int_equal(srs_reverse(srs, "SRS1=", t0, &out), SRS_ENOSRS1HASH);
    assert_int_equal(srs_reverse(srs, "SRS0=x=", t0, &out), SRS_ENOSRS0HOST);
    assert_int_equal(srs_forward(srs, "no-at-sign", t0, &out), SRS_ENOAT);
    assert_int_equal(srs_forward(srs, "SRS1=x@hop", t0, &out), SRS_ENOSRS1HOST);
    assert_int_equal(srs_forward(srs, "SRS1=x=hop1@hop", t0, &out), SRS_ENOSRS1USER);
    /* A 1,100-octet address cannot be rewritten within postsrsd's 1,023-octet limit. */
    char big[1101];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    big[1000] = '@';
    assert_int_equal(srs_forward(srs, big, t0, &out), SRS_ETOOLONG);
    memcpy(big, "SRS0=", 5);
    assert_int_equal(srs_reverse(srs, big, t0, &out), SRS_ETOOLONG);
    assert_null(out);
    /* Every status has its own name and a text. */
    for (int a = SRS_OK; a <= SRS_EBADSEPARATOR; a++) {
        assert_non_null(srs_strerror((enum srs_status)a));
        for (int b = a + 1; b <= SRS_EBADSEPARATOR; b++)
            assert_string_not_equal(srs_status_name((enum srs_status)a),
                                    srs_status_name((enum srs_status)b));
    }
    srs_free(srs);
}

static void test_config_refused(void **state)
{
    (void)state;
    const char *secrets[] = {"s"};
    struct srs_config cfg;
    char *error = NULL;
    srs_config_defaults(&cfg);
    cfg.domain = "d.example";
    assert_null(srs_new(&cfg, &error)); /* no secrets */
    assert_string_equal(error, "No secrets in SRS configuration.");
    free(error);
    cfg.secrets = secrets;
    cfg.n_secrets = 1;
    cfg.hash_min = 5;
    assert_null(srs_new(&cfg, &error)); /* min > length */
    assert_non_null(strstr(error, "minimum hash length 5"));
    free(error);
    cfg.hash_min = 4;
    cfg.separator = '#';
    assert_null(srs_new(&cfg, &error));
    assert_string_equal(error, "Invalid separator suggested.");
    free(error);
    cfg.separator = '=';
    cfg.hash_length = 28;
    assert_null(srs_new(&cfg, &error));
    free(error);
    cfg.hash_length = 4;
    cfg.domain = "";
    assert_null(srs_new(&cfg, &error));
    free(error);
}

/* SRS.md section 2: base64url addresses and classic ones both verify under base64url, only the
 * classic ones under base64 (postsrsd 1.x compatibility). */
static void test_alphabet_equivalence(void **state)
{
    (void)state;
    struct srs *url = default_srs();
    struct srs *classic = make_srs("tops3cr3t", "srs.example.net", NULL, SRS_ALPHABET_BASE64);
    char *out = NULL;
    const int64_t t0 = 1710504000;
    assert_int_equal(srs_forward(url, "u31@example.org", t0, &out), SRS_OK);
    assert_string_equal(out, "SRS0=N_gf=KV=example.org=u31@srs.example.net");
    free(out);
    assert_int_equal(srs_reverse(url, "SRS0=N/gf=KV=example.org=u31@x", t0, &out), SRS_OK);
    free(out);
    assert_int_equal(srs_reverse(classic, "SRS0=N_gf=KV=example.org=u31@x", t0, &out),
                     SRS_EHASHINVALID);
    srs_free(url);
    srs_free(classic);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_postsrsd1_vectors),    cmocka_unit_test(test_postsrsd2_vectors),
        cmocka_unit_test(test_round_trip_and_stamp), cmocka_unit_test(test_unchanged_in_own_domain),
        cmocka_unit_test(test_errors_are_distinct),  cmocka_unit_test(test_config_refused),
        cmocka_unit_test(test_alphabet_equivalence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
