/*
 * bench_spf: SPF evaluations per second on one core with in-memory DNS, rebound vs libspf2
 * 1.2.10 (through its SPF_dns_zone layer), over the same work: every test of the OpenSPF
 * suites rfc7208-tests.yml and rfc4408-tests.yml (394 checks per round), each against its
 * scenario's zone data. Zones are built before timing; a round runs every test once.
 * Rounds alternate between the sides until each has run BENCH_SPF_SECONDS (default 2). Also prints
 * how many suite tests each side passes, since speed only counts at 100% conformance (issue #3).
 * usage: bench_spf [SUITE_DIR]   (default: tests/yardsticks/spf of the source tree)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spf_peer_libspf2.h"
#include "spf_suite.h"

#ifndef REBOUND_SOURCE_DIR
#define REBOUND_SOURCE_DIR "."
#endif

struct bench_side {
    struct spf_suite *suites[2];
    struct spf_peer **peers[2]; /* libspf2 zone per scenario */
};

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The consumer reads the borrowed outcome in the callback, as an SMTP server would. */
static void bench_done(const struct spf_outcome *outcome, void *arg)
{
    *(enum spf_result *)arg = outcome->result;
}

/* One evaluation the way a caller does it: validate the inputs, start, drive DNS, free. */
static enum spf_result bench_check_rebound(struct spf_suite_scenario *sc,
                                           const struct spf_suite_test *t)
{
    struct spf_request req = {.client_ip = t->host,
                              .sender = t->mailfrom,
                              .helo = t->helo,
                              .now = 1700000000,
                              .default_explanation = "DEFAULT"};
    struct spf_query q;
    char *error = NULL;
    enum spf_result result = SPF_RESULT_PERMERROR;
    if (!spf_query_init(&q, &req, &error)) {
        free(error);
        return result;
    }
    struct spf_outcome immediate;
    struct spf_check *c = spf_check_start(&sc->resolver, &q, bench_done, &result, &immediate);
    if (c == NULL) {
        result = immediate.result;
        spf_outcome_clear(&immediate);
    }
    dns_memory_run(sc->zone);
    spf_check_free(c);
    spf_query_clear(&q);
    return result;
}

static size_t bench_round_rebound(struct spf_suite *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_scenarios; i++) {
        struct spf_suite_scenario *sc = &s->scenarios[i];
        for (size_t t = 0; t < sc->n_tests; t++, n++)
            bench_check_rebound(sc, &sc->tests[t]);
    }
    return n;
}

static size_t bench_round_libspf2(struct spf_suite *s, struct spf_peer **peers)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_scenarios; i++) {
        struct spf_suite_scenario *sc = &s->scenarios[i];
        for (size_t t = 0; t < sc->n_tests; t++, n++)
            spf_peer_check(peers[i], sc->tests[t].host, sc->tests[t].mailfrom, sc->tests[t].helo);
    }
    return n;
}

static struct spf_peer **bench_build_peers(struct spf_suite *s)
{
    struct spf_peer **peers =
        calloc(s->n_scenarios, sizeof(*peers)); // NOLINT(bugprone-sizeof-expression)
    for (size_t i = 0; i < s->n_scenarios; i++) {
        peers[i] = spf_peer_new();
        const struct spf_suite_scenario *sc = &s->scenarios[i];
        for (size_t e = 0; e < sc->n_entries; e++)
            spf_peer_add(peers[i], sc->entries[e].name, (int)sc->entries[e].type,
                         sc->entries[e].data);
    }
    return peers;
}

/* Counts suite tests passed: rebound by the full judge, libspf2 by result only. */
static void bench_score(struct bench_side *b, size_t *rebound_r, size_t *peer_r, size_t *total_r)
{
    *rebound_r = *peer_r = *total_r = 0;
    for (int k = 0; k < 2; k++) {
        struct spf_suite *s = b->suites[k];
        for (size_t i = 0; i < s->n_scenarios; i++) {
            struct spf_suite_scenario *sc = &s->scenarios[i];
            for (size_t t = 0; t < sc->n_tests; t++) {
                const struct spf_suite_test *test = &sc->tests[t];
                struct spf_outcome out;
                char *why = NULL;
                spf_suite_run(sc, test, &out);
                *rebound_r += spf_suite_judge(test, &out, &why);
                free(why);
                spf_outcome_clear(&out);
                const char *got =
                    spf_peer_check(b->peers[k][i], test->host, test->mailfrom, test->helo);
                for (size_t r = 0; r < test->n_results; r++) {
                    if (strcmp(test->results[r], got) == 0) {
                        (*peer_r)++;
                        break;
                    }
                }
                (*total_r)++;
            }
        }
    }
}

/* Alternates one round of each side until each has run `seconds`, so that load from other
 * processes on the machine hits both sides alike; returns both rates. */
static void bench_rates(struct bench_side *b, double seconds, double *rebound_r, double *peer_r)
{
    size_t evals[2] = {0, 0};
    double spent[2] = {0, 0};
    while (spent[0] < seconds || spent[1] < seconds) {
        for (int side = 0; side < 2; side++) {
            double start = bench_now();
            for (int k = 0; k < 2; k++)
                evals[side] += side ? bench_round_libspf2(b->suites[k], b->peers[k])
                                    : bench_round_rebound(b->suites[k]);
            spent[side] += bench_now() - start;
        }
    }
    *rebound_r = (double)evals[0] / spent[0];
    *peer_r = (double)evals[1] / spent[1];
}

static void bench_free(struct bench_side *b)
{
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; b->peers[k] != NULL && i < b->suites[k]->n_scenarios; i++)
            spf_peer_free(b->peers[k][i]);
        free(b->peers[k]);
        spf_suite_free(b->suites[k]);
    }
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : REBOUND_SOURCE_DIR "/tests/yardsticks/spf";
    const char *files[2] = {"rfc7208-tests.yml", "rfc4408-tests.yml"};
    const char *env = getenv("BENCH_SPF_SECONDS");
    double seconds = env != NULL ? strtod(env, NULL) : 2.0;
    struct bench_side b = {0};
    for (int k = 0; k < 2; k++) {
        char path[4096], *error = NULL;
        snprintf(path, sizeof(path), "%s/%s", dir, files[k]);
        b.suites[k] = spf_suite_load(path, &error);
        if (b.suites[k] == NULL) {
            fprintf(stderr, "bench_spf: %s\n", error);
            free(error);
            bench_free(&b);
            return 1;
        }
        b.peers[k] = bench_build_peers(b.suites[k]);
    }
    size_t ok_rebound, ok_peer, total;
    bench_score(&b, &ok_rebound, &ok_peer, &total);
    double rebound, libspf2;
    bench_rates(&b, 0.2, &rebound, &libspf2); /* warm-up */
    bench_rates(&b, seconds, &rebound, &libspf2);
    printf("SPF check_host, one core, in-memory DNS, %zu suite tests per round\n", total);
    printf("  rebound  %10.0f evaluations/s   suite %zu/%zu passed\n", rebound, ok_rebound, total);
    printf("  libspf2  %10.0f evaluations/s   suite %zu/%zu results right\n", libspf2, ok_peer,
           total);
    printf("  ratio rebound/libspf2: %.2fx (goal >= 1.00x at 100%% of the suite)\n",
           rebound / libspf2);
    bench_free(&b);
    return 0;
}
