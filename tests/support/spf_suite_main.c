/*
 * spf-suite: runs OpenSPF YAML suites against rebound's evaluator with in-memory DNS.
 * usage: spf-suite FILE.yml...   Prints failures and "N passed, M failed" per file; exits 1 if
 * any test failed or a file could not be loaded.
 */
#include <stdio.h>
#include <string.h>

#include "spf_suite.h"

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fprintf(argc < 2 ? stderr : stdout,
                "usage: spf-suite FILE.yml...\n"
                "Runs each OpenSPF test suite file (YAML) with DNS answered from its zonedata\n"
                "and prints every failing test and 'N passed, M failed'.\n");
        return argc < 2 ? 2 : 0;
    }
    int status = 0;
    long passed = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        long f = spf_suite_run_file(argv[i], argv[i], &passed);
        if (f != 0)
            status = 1;
        if (f > 0)
            failed += f;
    }
    /* The last line is the total over every file, as the acceptance reads it. */
    printf("%ld passed, %ld failed\n", passed, failed);
    return status;
}
