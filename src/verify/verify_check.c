/* verify_check: the TXT token check and the MX half of the MAIL FROM check. */
#include "verify_check.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "str.h"
#include "verify_check_int.h"
#include "xalloc.h"

void verify_check_finish(struct verify_check *c, enum verify_outcome outcome, const char *reason)
{
    struct verify_check_result r = {outcome, outcome == VERIFY_OUTCOME_PASS ? NULL : reason};
    c->done(&r, c->arg);
}

/* The common non-answers of one lookup; false if the result is DNS_OK (caller goes on). */
static bool verify_check_dns_failed(struct verify_check *c, const struct dns_result *r,
                                    const char *type, const char *name)
{
    char *why = NULL;
    enum verify_outcome o = VERIFY_OUTCOME_WRONG;
    switch (r->status) {
    case DNS_OK:
        return false;
    case DNS_NXDOMAIN:
        why = xasprintf("no %s record at %s (the name does not exist)", type, name);
        break;
    case DNS_NODATA:
        why = xasprintf("no %s record at %s", type, name);
        break;
    case DNS_TEMPFAIL:
        o = VERIFY_OUTCOME_TEMP;
        why = xasprintf("the %s lookup of %s failed temporarily: %s", type, name,
                        r->error ? r->error : "no answer");
        break;
    case DNS_PERMFAIL:
        why = xasprintf("the %s lookup of %s failed: %s", type, name,
                        r->error ? r->error : "unusable answer");
        break;
    }
    verify_check_finish(c, o, why);
    free(why);
    return true;
}

/* The TXT record's strings concatenated (RFC 7208 3.3 does the same for SPF); owned. */
static char *verify_check_txt_join(const struct dns_txt *t)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < t->n_strings; i++)
        buf_append(&b, t->strings[i], t->lengths[i]);
    if (b.data != NULL && strlen(b.data) != b.len) { /* embedded NUL: never a token */
        buf_free(&b);
        return xstrdup("");
    }
    return buf_steal(&b);
}

static void verify_check_txt_answer(const struct dns_result *r, void *arg)
{
    struct verify_check *c = arg;
    c->query_id = 0;
    if (verify_check_dns_failed(c, r, "TXT", c->name))
        return;
    for (size_t i = 0; i < r->n_rrs; i++) {
        if (r->rrs[i].type != DNS_TYPE_TXT)
            continue;
        char *text = verify_check_txt_join(&r->rrs[i].u.txt);
        bool match = strcmp(text, c->token) == 0;
        free(text);
        if (match) {
            verify_check_finish(c, VERIFY_OUTCOME_PASS, NULL);
            return;
        }
    }
    char *why = xasprintf("the TXT record at %s does not hold this identity's token", c->name);
    verify_check_finish(c, VERIFY_OUTCOME_WRONG, why);
    free(why);
}

struct verify_check *verify_check_txt(struct dns_resolver *resolver, const char *record_name,
                                      const char *token, verify_done_fn *done, void *arg)
{
    struct verify_check *c = xcalloc(1, sizeof(*c));
    c->resolver = resolver;
    c->name = xstrdup(record_name);
    c->token = xstrdup(token);
    c->done = done;
    c->arg = arg;
    c->query_id = dns_query(resolver, c->name, DNS_TYPE_TXT, verify_check_txt_answer, c);
    return c;
}

/* Exchange names compare without case and without a trailing dot. */
static bool verify_check_same_host(const char *a, const char *b)
{
    size_t al = strlen(a), bl = strlen(b);
    if (al > 0 && a[al - 1] == '.')
        al--;
    if (bl > 0 && b[bl - 1] == '.')
        bl--;
    return str_equal_nocase_n(a, al, b, bl);
}

static void verify_check_mx_answer(const struct dns_result *r, void *arg)
{
    struct verify_check *c = arg;
    c->query_id = 0;
    if (verify_check_dns_failed(c, r, "MX", c->name))
        return;
    size_t n = 0;
    const struct dns_rr *mx = NULL;
    for (size_t i = 0; i < r->n_rrs; i++) {
        if (r->rrs[i].type == DNS_TYPE_MX) {
            n++;
            mx = &r->rrs[i];
        }
    }
    char *why = NULL;
    if (n != 1)
        why = xasprintf("%s has %zu MX records; exactly one, pointing at %s, is needed", c->name, n,
                        c->feedback_host);
    else if (!verify_check_same_host(mx->u.mx.exchange, c->feedback_host))
        why = xasprintf("the MX record of %s points at %s, not at the feedback host %s", c->name,
                        mx->u.mx.exchange, c->feedback_host);
    if (why != NULL) {
        verify_check_finish(c, VERIFY_OUTCOME_WRONG, why);
        free(why);
        return;
    }
    verify_check_spf_next(c);
}

struct verify_check *verify_check_mail_from(struct dns_resolver *resolver,
                                            const struct verify_mail_from_params *params,
                                            verify_done_fn *done, void *arg)
{
    struct verify_check *c = xcalloc(1, sizeof(*c));
    c->resolver = resolver;
    c->name = xstrdup(params->domain);
    c->feedback_host = xstrdup(params->feedback_host);
    c->n_ips = params->n_ips;
    c->ips = xcalloc(params->n_ips + 1, sizeof(char *));
    for (size_t i = 0; i < params->n_ips; i++)
        c->ips[i] = xstrdup(params->ips[i]);
    c->now = params->now;
    c->done = done;
    c->arg = arg;
    c->query_id = dns_query(resolver, c->name, DNS_TYPE_MX, verify_check_mx_answer, c);
    return c;
}

void verify_check_free(struct verify_check *c)
{
    if (c == NULL)
        return;
    if (c->query_id != 0)
        dns_cancel(c->resolver, c->query_id);
    verify_check_spf_cancel(c);
    free(c->name);
    free(c->token);
    free(c->feedback_host);
    for (size_t i = 0; i < c->n_ips; i++)
        free(c->ips[i]);
    free(c->ips);
    free(c);
}
