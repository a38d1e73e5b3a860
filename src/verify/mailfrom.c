/* mailfrom: MAIL FROM rules, records and the return-path decision; see mailfrom.h. */
#include "mailfrom.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "identity.h"
#include "xalloc.h"

/* A normalized domain name, or NULL with *error_r naming the problem. */
static char *mailfrom_domain(const char *what, const char *name, char **error_r)
{
    enum identity_kind kind;
    char *why = NULL;
    char *norm = identity_normalize(name, strlen(name), &kind, &why);
    if (norm != NULL && kind == IDENTITY_DOMAIN)
        return norm;
    *error_r = xasprintf("%s '%s' is not a valid DNS name: %s", what, name,
                         why ? why : "it is an email address");
    free(why);
    free(norm);
    return NULL;
}

char *mailfrom_validate(const char *identity, const char *domain, char **error_r)
{
    char *id = mailfrom_domain("identity", identity, error_r);
    if (id == NULL)
        return NULL;
    char *dom = mailfrom_domain("MAIL FROM domain", domain, error_r);
    if (dom == NULL) {
        free(id);
        return NULL;
    }
    size_t il = strlen(id), dl = strlen(dom);
    if (dl == il && strcmp(dom, id) == 0) {
        *error_r = xasprintf("MAIL FROM domain '%s' must be a subdomain of %s, not the identity "
                             "itself",
                             dom, id);
    } else if (dl <= il + 1 || dom[dl - il - 1] != '.' || strcmp(dom + dl - il, id) != 0) {
        *error_r = xasprintf("MAIL FROM domain '%s' is not a subdomain of %s", dom, id);
    } else {
        free(id);
        return dom;
    }
    free(id);
    free(dom);
    return NULL;
}

char *mailfrom_spf_text(const struct mailfrom_spf_policy *policy)
{
    struct buf b = BUF_INIT;
    buf_append_str(&b, "v=spf1");
    if (policy->include != NULL) {
        buf_printf(&b, " include:%s", policy->include);
    } else {
        for (size_t i = 0; i < policy->n_ips; i++)
            buf_printf(&b, " %s:%s", strchr(policy->ips[i], ':') ? "ip6" : "ip4", policy->ips[i]);
    }
    buf_append_str(&b, " ~all");
    return buf_steal(&b);
}

char *mailfrom_zone_lines(const char *domain, const char *feedback_host,
                          const struct mailfrom_spf_policy *policy)
{
    char *spf = mailfrom_spf_text(policy);
    char *out =
        xasprintf("%s. %d IN MX %d %s.\n%s. %d IN TXT \"%s\"\n", domain, MAILFROM_RECORD_TTL,
                  MAILFROM_MX_PREFERENCE, feedback_host, domain, MAILFROM_RECORD_TTL, spf);
    free(spf);
    return out;
}

void mailfrom_return_domain(const struct store_mail_from *mf, const char *default_domain,
                            struct mailfrom_decision *decision_r)
{
    memset(decision_r, 0, sizeof(*decision_r));
    if (mf->domain != NULL && mf->status == IDENTITY_SUCCESS) {
        decision_r->choice = MAILFROM_USE_CUSTOM;
        decision_r->domain = mf->domain;
    } else if (mf->domain != NULL && mf->behavior == STORE_MX_REJECT_MESSAGE) {
        decision_r->choice = MAILFROM_REJECT;
        decision_r->smtp_reply = MAILFROM_SMTP_REJECT;
        decision_r->api_error = MAILFROM_API_ERROR;
        decision_r->api_message = MAILFROM_API_MESSAGE;
    } else {
        decision_r->choice = MAILFROM_USE_DEFAULT;
        decision_r->domain = default_domain;
    }
}
