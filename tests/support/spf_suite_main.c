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
    for (int i = 1; i < argc; i++) {
        if (spf_suite_run_file(argv[i], argv[i]) != 0)
            status = 1;
    }
    return status;
}
