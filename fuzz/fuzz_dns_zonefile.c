/*
 * Fuzz target: the zone file parser behind `rebound spf --zone` (operator input, but read from
 * a file anyone may hand over). Every input either loads or reports a line-numbered error; a
 * zone that loads answers a query without crashing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns_memory.h"
#include "dns_zonefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_ignore(const struct dns_result *r, void *arg)
{
    (void)r;
    (void)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dns_memory *zone = dns_memory_new();
    char *error = NULL;
    if (!dns_zonefile_parse(zone, (const char *)data, size, &error)) {
        if (error == NULL || strncmp(error, "line ", 5) != 0)
            abort();
        free(error);
    }
    struct dns_resolver r;
    dns_memory_resolver(zone, &r);
    dns_query(&r, "example.com", DNS_TYPE_TXT, fuzz_ignore, NULL);
    dns_query(&r, "a.example", DNS_TYPE_A, fuzz_ignore, NULL);
    dns_memory_run(zone);
    dns_resolver_destroy(&r);
    return 0;
}
