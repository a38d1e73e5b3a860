/*
 * spf_ptr: the validated-name search of RFC 7208 5.5, used by the "ptr" mechanism and by the
 * %{p} macro (7.3). PTR names of the client's reverse name (at most SPF_MAX_PTR_NAMES) are
 * kept if one of their addresses is the client's. Per 5.5, a DNS error on the PTR lookup
 * means no match, and a DNS error on a name's address lookup skips that name.
 */
#include <stdlib.h>
#include <string.h>

#include "spf_eval.h"
#include "str.h"
#include "xalloc.h"

void spf_ptr_reset(struct spf_ptr_search *s)
{
    for (size_t i = 0; i < s->n_names; i++)
        free(s->names[i]);
    free(s->want);
    free(s->chosen);
    memset(s, 0, sizeof(*s));
}

/* "4.3.2.1.in-addr.arpa" or the 32 reversed nibbles + ".ip6.arpa". */
static char *spf_ptr_reverse_name(const struct spf_query *q)
{
    struct buf b = BUF_INIT;
    if (!q->is_ip6) {
        const unsigned char *a = (const unsigned char *)&q->ip.v4;
        buf_printf(&b, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1], a[0]);
        return buf_steal(&b);
    }
    static const char hex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--) {
        buf_append_char(&b, hex[q->ip.v6.s6_addr[i] & 15]);
        buf_append_char(&b, '.');
        buf_append_char(&b, hex[q->ip.v6.s6_addr[i] >> 4]);
        buf_append_char(&b, '.');
    }
    buf_append_str(&b, "ip6.arpa");
    return buf_steal(&b);
}

/* name equals domain or ends with "." + domain, ignoring case and trailing dots. */
static bool spf_ptr_is_under(const char *name, const char *domain)
{
    size_t n = strlen(name), d = strlen(domain);
    if (n > 0 && name[n - 1] == '.')
        n--;
    if (d > 0 && domain[d - 1] == '.')
        d--;
    if (n < d || !str_equal_nocase_n(name + n - d, d, domain, d))
        return false;
    return n == d || name[n - d - 1] == '.';
}

static void spf_on_ptr(struct spf_check *c, const struct dns_result *r)
{
    struct spf_ptr_search *s = &c->ptr;
    s->phase = 3;
    if (r->status == DNS_NXDOMAIN || r->status == DNS_NODATA) {
        spf_eval_count_void(c);
        return;
    }
    if (r->status != DNS_OK)
        return;
    for (size_t i = 0; i < r->n_rrs && s->n_names < SPF_MAX_PTR_NAMES; i++) {
        const char *target = r->rrs[i].u.target;
        size_t len = target != NULL ? strlen(target) : 0;
        if (len > 0 && target[len - 1] == '.')
            len--;
        if (r->rrs[i].type == DNS_TYPE_PTR && len > 0)
            s->names[s->n_names++] = xstrndup(target, len);
    }
    s->phase = 2;
}

static void spf_on_ptr_addr(struct spf_check *c, const struct dns_result *r)
{
    struct spf_ptr_search *s = &c->ptr;
    size_t i = s->next - 1;
    /* A name without addresses is not a void term (4.6.4 counts terms), just not validated. */
    for (size_t k = 0; r->status == DNS_OK && k < r->n_rrs && !s->valid[i]; k++)
        s->valid[i] = spf_term_addr_match(c->q, &r->rrs[k], 32, 128);
    if (s->valid[i] && s->want != NULL && spf_ptr_is_under(s->names[i], s->want)) {
        s->matched = true;
        s->phase = 3;
    }
}

void spf_ptr_start(struct spf_check *c, const char *want)
{
    struct spf_ptr_search *s = &c->ptr;
    spf_ptr_reset(s);
    s->for_macro = want == NULL;
    s->want = want ? xstrdup(want) : NULL;
    s->phase = 1;
    char *name = spf_ptr_reverse_name(c->q);
    spf_eval_lookup(c, name, DNS_TYPE_PTR, spf_on_ptr);
    free(name);
}

/* 7.3: %{p} is the current domain if validated, else a validated name under it, else any
 * validated name, else "unknown". */
static char *spf_ptr_choose(const struct spf_ptr_search *s, const char *domain)
{
    for (size_t i = 0; i < s->n_names; i++) {
        if (s->valid[i] && str_equal_nocase(s->names[i], domain))
            return xstrdup(domain);
    }
    for (size_t i = 0; i < s->n_names; i++) {
        if (s->valid[i] && spf_ptr_is_under(s->names[i], domain))
            return xstrdup(s->names[i]);
    }
    for (size_t i = 0; i < s->n_names; i++) {
        if (s->valid[i])
            return xstrdup(s->names[i]);
    }
    return xstrdup("unknown");
}

bool spf_ptr_step(struct spf_check *c)
{
    struct spf_ptr_search *s = &c->ptr;
    if (s->phase == 2 && s->next < s->n_names) {
        const char *name = s->names[s->next++];
        spf_eval_lookup(c, name, c->q->is_ip6 ? DNS_TYPE_AAAA : DNS_TYPE_A, spf_on_ptr_addr);
        return false;
    }
    s->phase = 3;
    if (s->for_macro) {
        char *p = spf_ptr_choose(s, c->vars.d);
        s->chosen = p; /* names carry no trailing dot */
    }
    return true;
}
