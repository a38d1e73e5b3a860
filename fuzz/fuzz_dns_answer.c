/*
 * Fuzz target for src/net/dns_answer.c, the parser of raw DNS responses from the network.
 * Input: one byte choosing the asked type, then the message. Checks the parser's promises:
 * no crash or leak, OK means records of the asked type, failures carry a sentence.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "dns_answer.h"

static const enum dns_rr_type fuzz_types[] = {
    DNS_TYPE_A,   DNS_TYPE_AAAA, DNS_TYPE_MX,    DNS_TYPE_TXT, DNS_TYPE_SPF,
    DNS_TYPE_PTR, DNS_TYPE_NS,   DNS_TYPE_CNAME, DNS_TYPE_SOA,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum dns_rr_type type = fuzz_types[data[0] % (sizeof(fuzz_types) / sizeof(fuzz_types[0]))];
    struct dns_answer a;
    dns_answer_parse(data + 1, size - 1, type, &a);
    const struct dns_result *r = &a.result;
    if (r->status == DNS_OK && r->n_rrs == 0)
        abort();
    for (size_t i = 0; i < r->n_rrs; i++)
        if (r->rrs[i].type != type || r->rrs[i].owner == NULL)
            abort();
    if ((r->status == DNS_TEMPFAIL || r->status == DNS_PERMFAIL) != (r->error != NULL))
        abort();
    if (a.next_name != NULL && r->status != DNS_NODATA)
        abort();
    dns_answer_clear(&a);
    return 0;
}
