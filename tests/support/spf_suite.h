/*
 * spf_suite: loads OpenSPF test suites (tests/yardsticks/spf/README.md describes the format)
 * into in-memory zones and runs their tests through spf_check. Shared by the cmocka harness
 * (tests/unit/test_spf_suite.c), the `spf-suite` command and bench/bench_spf.c.
 *
 * Driver rules implemented here (README "Rules a driver must implement"): SPF->TXT
 * duplication unless the name has a TXT entry ("TXT: NONE" included); TIMEOUT makes queries
 * for types without records at that name time out; the default explanation is the literal
 * "DEFAULT"; a test passes if the result is one of the listed ones and, when an explanation is
 * listed, the explanation is equal.
 *
 * Ownership: spf_suite_load() returns an owned suite, freed by spf_suite_free().
 */
#ifndef REBOUND_TESTS_SPF_SUITE_H
#define REBOUND_TESTS_SPF_SUITE_H

#include <stdbool.h>
#include <stddef.h>

#include "dns.h"
#include "dns_memory.h"
#include "spf.h"

struct spf_suite_test {
    char *name;
    char *host;
    char *helo;
    char *mailfrom;
    char *results[8]; /* acceptable results, first preferred */
    size_t n_results;
    char *explanation; /* NULL = not judged */
};

/* A zone entry as written, for feeding other implementations (the benchmark's peer). */
struct spf_suite_entry {
    char *name;
    enum dns_rr_type type; /* 0 = the TIMEOUT marker */
    char *data;            /* address, target, MX exchange, or TXT strings joined */
    unsigned preference;   /* MX */
};

struct spf_suite_scenario {
    char *description;
    struct spf_suite_entry *entries;
    size_t n_entries;
    struct spf_suite_test *tests;
    size_t n_tests;
    struct dns_memory *zone; /* owned by resolver */
    struct dns_resolver resolver;
};

struct spf_suite {
    struct spf_suite_scenario *scenarios;
    size_t n_scenarios;
    size_t n_tests;
};

/* Loads a YAML suite file; NULL with *error_r (owned) on failure. */
struct spf_suite *spf_suite_load(const char *path, char **error_r);
void spf_suite_free(struct spf_suite *suite);

/* Runs one test; fills *out (owned: spf_outcome_clear). Returns false if the test's inputs are
 * rejected by spf_query_init (then out->problem says why and result is permerror). */
bool spf_suite_run(struct spf_suite_scenario *sc, const struct spf_suite_test *t,
                   struct spf_outcome *out);
/* Judges an outcome; on failure *why_r (owned) says "got X, want Y". */
bool spf_suite_judge(const struct spf_suite_test *t, const struct spf_outcome *out, char **why_r);

/* Runs every test of the file, prints one line per failure and "N passed, M failed"
 * (prefixed by label) on stdout; returns the number of failures (-1 if the file won't load).
 * If passed_r is not NULL, the number of passed tests is added to *passed_r. */
long spf_suite_run_file(const char *path, const char *label, long *passed_r);

#endif
