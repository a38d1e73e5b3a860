#include "dns.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

uint64_t dns_query(struct dns_resolver *resolver, const char *name, enum dns_rr_type type,
                   dns_callback_fn *cb, void *arg)
{
    return resolver->ops->query(resolver->impl, name, type, cb, arg);
}

void dns_cancel(struct dns_resolver *resolver, uint64_t query_id)
{
    resolver->ops->cancel(resolver->impl, query_id);
}

void dns_resolver_destroy(struct dns_resolver *resolver)
{
    if (resolver == NULL || resolver->ops == NULL)
        return;
    resolver->ops->destroy(resolver->impl);
    resolver->ops = NULL;
    resolver->impl = NULL;
}

const char *dns_status_name(enum dns_status status)
{
    switch (status) {
    case DNS_OK:
        return "ok";
    case DNS_NXDOMAIN:
        return "nxdomain";
    case DNS_NODATA:
        return "nodata";
    case DNS_TEMPFAIL:
        return "tempfail";
    case DNS_PERMFAIL:
        return "permfail";
    }
    return "unknown";
}

const char *dns_type_name(enum dns_rr_type type)
{
    switch (type) {
    case DNS_TYPE_A:
        return "A";
    case DNS_TYPE_NS:
        return "NS";
    case DNS_TYPE_CNAME:
        return "CNAME";
    case DNS_TYPE_SOA:
        return "SOA";
    case DNS_TYPE_PTR:
        return "PTR";
    case DNS_TYPE_MX:
        return "MX";
    case DNS_TYPE_TXT:
        return "TXT";
    case DNS_TYPE_AAAA:
        return "AAAA";
    case DNS_TYPE_SPF:
        return "SPF";
    }
    return "TYPE?";
}

static void dns_txt_copy(struct dns_txt *dst, const struct dns_txt *src)
{
    dst->n_strings = src->n_strings;
    dst->strings = xcalloc(src->n_strings, sizeof(char *));
    dst->lengths = xcalloc(src->n_strings, sizeof(size_t));
    for (size_t i = 0; i < src->n_strings; i++) {
        dst->lengths[i] = src->lengths[i];
        dst->strings[i] = xmalloc(src->lengths[i] + 1);
        memcpy(dst->strings[i], src->strings[i], src->lengths[i]);
        dst->strings[i][src->lengths[i]] = '\0';
    }
}

void dns_rr_copy(struct dns_rr *dst, const struct dns_rr *src)
{
    *dst = *src;
    dst->owner = src->owner ? xstrdup(src->owner) : NULL;
    switch (src->type) {
    case DNS_TYPE_MX:
        dst->u.mx.exchange = src->u.mx.exchange ? xstrdup(src->u.mx.exchange) : NULL;
        break;
    case DNS_TYPE_PTR:
    case DNS_TYPE_CNAME:
    case DNS_TYPE_NS:
        dst->u.target = src->u.target ? xstrdup(src->u.target) : NULL;
        break;
    case DNS_TYPE_TXT:
    case DNS_TYPE_SPF:
        dns_txt_copy(&dst->u.txt, &src->u.txt);
        break;
    case DNS_TYPE_A:
    case DNS_TYPE_AAAA:
    case DNS_TYPE_SOA:
        break;
    }
}

void dns_rr_clear(struct dns_rr *rr)
{
    free(rr->owner);
    switch (rr->type) {
    case DNS_TYPE_MX:
        free(rr->u.mx.exchange);
        break;
    case DNS_TYPE_PTR:
    case DNS_TYPE_CNAME:
    case DNS_TYPE_NS:
        free(rr->u.target);
        break;
    case DNS_TYPE_TXT:
    case DNS_TYPE_SPF:
        for (size_t i = 0; i < rr->u.txt.n_strings; i++)
            free(rr->u.txt.strings[i]);
        free(rr->u.txt.strings);
        free(rr->u.txt.lengths);
        break;
    case DNS_TYPE_A:
    case DNS_TYPE_AAAA:
    case DNS_TYPE_SOA:
        break;
    }
    memset(rr, 0, sizeof(*rr));
}

void dns_result_copy(struct dns_result *dst, const struct dns_result *src)
{
    *dst = *src;
    dst->error = src->error ? xstrdup(src->error) : NULL;
    dst->rrs = src->n_rrs ? xcalloc(src->n_rrs, sizeof(struct dns_rr)) : NULL;
    for (size_t i = 0; i < src->n_rrs; i++)
        dns_rr_copy(&dst->rrs[i], &src->rrs[i]);
}

void dns_result_clear(struct dns_result *result)
{
    for (size_t i = 0; i < result->n_rrs; i++)
        dns_rr_clear(&result->rrs[i]);
    free(result->rrs);
    free((char *)result->error); /* owned results hold an xstrdup copy (see dns.h) */
    memset(result, 0, sizeof(*result));
}
