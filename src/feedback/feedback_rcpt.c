/*
 * Why phase 1 is strict about syntax: the feedback MX must never become a relay or a
 * backscatter source, and SRS's MAC does not protect field boundaries (SRS.md section 2:
 * SRS0=y8Fc=KV=victim.com=.spam@... verifies). So the forward-path must be a plain
 * local@domain with nothing a relay would interpret, and the reversed address must be a plain
 * identity-shaped address (identity_normalize) that phase 2 then ties to a verified identity.
 */
#include "feedback_rcpt.h"

#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "str.h"
#include "xalloc.h"

static const char FEEDBACK_RCPT_NO_SUCH[] =
    "No such recipient here: this server only accepts bounces for return paths it issued";

static void feedback_rcpt_refuse(struct feedback_rcpt_decision *d, const char *why,
                                 const char *reason)
{
    d->kind = FEEDBACK_RCPT_REFUSE;
    d->why = why;
    d->reason = reason;
}

/* Bytes a relay would interpret, or that have no business in a return path. */
static bool feedback_rcpt_is_forbidden(unsigned char c)
{
    return c <= ' ' || c >= 0x7f || strchr("%!\"[]:,\\()<>;", c) != NULL;
}

/* One '@', both sides non-empty, no forbidden byte, no empty label or trailing dot. */
static bool feedback_rcpt_is_plain(const char *address)
{
    const char *at = strchr(address, '@');
    if (at == NULL || at == address || strchr(at + 1, '@') != NULL || at[1] == '\0')
        return false;
    for (const char *p = address; *p != '\0'; p++) {
        if (feedback_rcpt_is_forbidden((unsigned char)*p))
            return false;
    }
    const char *domain = at + 1;
    size_t len = strlen(domain);
    return domain[0] != '.' && domain[len - 1] != '.' && strstr(domain, "..") == NULL;
}

bool feedback_rcpt_serves(const struct feedback_rcpt_policy *policy, const char *domain)
{
    if (str_equal_nocase(domain, srs_domain(policy->srs)))
        return true;
    for (size_t i = 0; i < policy->n_domains; i++) {
        if (str_equal_nocase(domain, policy->domains[i]))
            return true;
    }
    return false;
}

static const char *feedback_rcpt_srs_reason(enum srs_status st)
{
    switch (st) {
    case SRS_ETIMESTAMPOUTOFDATE:
    case SRS_EBADTIMESTAMPCHAR:
        return "No such recipient here: this return path has expired";
    case SRS_EHASHINVALID:
    case SRS_EHASHTOOSHORT:
        return "No such recipient here: this return path was not issued by this server";
    default:
        return FEEDBACK_RCPT_NO_SUCH;
    }
}

/* Reverses an SRS0 local part; on success d->reversed is a plain address outside our domains. */
static void feedback_rcpt_reverse(const struct feedback_rcpt_policy *policy, const char *address,
                                  int64_t now, struct feedback_rcpt_decision *d)
{
    if (!str_has_prefix_nocase(address, "SRS0") || !srs_is_srs_address(address)) {
        feedback_rcpt_refuse(d, "not-srs0", FEEDBACK_RCPT_NO_SUCH);
        return;
    }
    char *reversed = NULL;
    enum srs_status st = srs_reverse(policy->srs, address, now, &reversed);
    if (st != SRS_OK) {
        feedback_rcpt_refuse(d, srs_status_name(st), feedback_rcpt_srs_reason(st));
        free(reversed);
        return;
    }
    enum identity_kind kind;
    char *error = NULL;
    char *normal = identity_normalize(reversed, strlen(reversed), &kind, &error);
    free(error);
    free(reversed);
    if (normal == NULL || kind != IDENTITY_ADDRESS) {
        feedback_rcpt_refuse(d, "bad-reversed", FEEDBACK_RCPT_NO_SUCH);
        free(normal);
        return;
    }
    if (feedback_rcpt_serves(policy, strchr(normal, '@') + 1)) {
        feedback_rcpt_refuse(d, "loop", FEEDBACK_RCPT_NO_SUCH);
        free(normal);
        return;
    }
    d->kind = FEEDBACK_RCPT_RETURN_PATH;
    d->reversed = normal;
}

/* postmaster@ / abuse@ a served domain (or the bare "<Postmaster>" of RFC 5321 4.1.1.3). */
static void feedback_rcpt_operator(const struct feedback_rcpt_policy *policy,
                                   struct feedback_rcpt_decision *d)
{
    if (policy->has_operator)
        d->kind = FEEDBACK_RCPT_OPERATOR;
    else
        feedback_rcpt_refuse(d, "no-operator", FEEDBACK_RCPT_NO_SUCH);
}

void feedback_rcpt_check(const struct feedback_rcpt_policy *policy, const char *address,
                         int64_t now, struct feedback_rcpt_decision *d)
{
    memset(d, 0, sizeof(*d));
    if (str_equal_nocase(address, "postmaster")) {
        d->domain = str_lower(xstrdup(srs_domain(policy->srs)));
        d->shared = true;
        feedback_rcpt_operator(policy, d);
        return;
    }
    if (strlen(address) > STORE_MAX_ADDRESS || !feedback_rcpt_is_plain(address)) {
        feedback_rcpt_refuse(d, "relay-syntax",
                             "No such recipient here: this server is not a relay and accepts no "
                             "routed or quoted addresses");
        return;
    }
    const char *at = strchr(address, '@');
    if (!feedback_rcpt_serves(policy, at + 1)) {
        feedback_rcpt_refuse(d, "not-served",
                             "No such recipient here: this server is not a relay and does not "
                             "accept mail for that domain");
        return;
    }
    d->domain = str_lower(xstrdup(at + 1));
    d->shared = str_equal_nocase(d->domain, srs_domain(policy->srs));
    if (str_equal_nocase_n(address, (size_t)(at - address), "postmaster", 10) ||
        str_equal_nocase_n(address, (size_t)(at - address), "abuse", 5)) {
        feedback_rcpt_operator(policy, d);
        return;
    }
    feedback_rcpt_reverse(policy, address, now, d);
}

/* The verified identity of account_id that covers address (borrowed from ids), or NULL. */
static const struct store_identity *feedback_rcpt_covering_of(const struct store_identity_list *ids,
                                                              int64_t account_id,
                                                              const char *address)
{
    struct store_identity_list mine = {
        xreallocarray(NULL, ids->n ? ids->n : 1, sizeof(ids->items[0])), 0};
    size_t *where = xreallocarray(NULL, ids->n ? ids->n : 1, sizeof(size_t));
    for (size_t i = 0; i < ids->n; i++) {
        if (ids->items[i].account_id == account_id) {
            where[mine.n] = i;
            mine.items[mine.n++] = ids->items[i]; /* a shallow copy: strings stay in ids */
        }
    }
    const struct store_identity *c = store_identity_list_covering(&mine, address);
    const struct store_identity *result = c != NULL ? &ids->items[where[c - mine.items]] : NULL;
    free(where);
    free(mine.items);
    return result;
}

bool feedback_rcpt_owner(const struct store_identity_list *ids, struct feedback_rcpt_decision *d)
{
    const struct store_identity *cover = NULL;
    if (d->shared) {
        cover = store_identity_list_covering(ids, d->reversed);
    } else {
        /* The owner of D: the account whose verified identity covers D itself. */
        char *probe = xasprintf("postmaster@%s", d->domain);
        const struct store_identity *owner = store_identity_list_covering(ids, probe);
        free(probe);
        if (owner != NULL)
            cover = feedback_rcpt_covering_of(ids, owner->account_id, d->reversed);
    }
    if (cover == NULL) {
        feedback_rcpt_refuse(d, "not-verified", FEEDBACK_RCPT_NO_SUCH);
        return false;
    }
    d->account_id = cover->account_id;
    d->identity = xstrdup(cover->name);
    return true;
}

void feedback_rcpt_decision_clear(struct feedback_rcpt_decision *d)
{
    free(d->domain);
    free(d->reversed);
    free(d->identity);
    memset(d, 0, sizeof(*d));
}
