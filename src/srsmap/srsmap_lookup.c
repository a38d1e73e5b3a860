#include "srsmap_lookup.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "srsmap_alias.h"
#include "str.h"

#define SRSMAP_SECONDS_PER_DAY 86400

static void srsmap_found(struct srsmap_answer *a, char *value)
{
    a->outcome = SRSMAP_FOUND;
    a->value = value;
    a->reason = NULL;
}

static void srsmap_refused(struct srsmap_answer *a, enum srsmap_outcome outcome, const char *reason)
{
    a->outcome = outcome;
    a->value = NULL;
    a->reason = reason;
}

/* SRS forward or reverse; any failure becomes NOTFOUND with libsrs2's text. */
static void srsmap_srs(const struct srsmap_engine *e, enum srsmap_direction dir,
                       const char *address, struct srsmap_answer *a)
{
    char *result = NULL;
    int64_t now = clock_now(e->clock);
    enum srs_status st = dir == SRSMAP_FORWARD ? srs_forward(e->srs, address, now, &result)
                                               : srs_reverse(e->srs, address, now, &result);
    if (srs_status_ok(st))
        srsmap_found(a, result);
    else
        srsmap_refused(a, SRSMAP_NOTFOUND, srs_strerror(st));
}

static bool srsmap_reverses(const struct srsmap_engine *e, const char *address)
{
    char *result = NULL;
    enum srs_status st = srs_reverse(e->srs, address, clock_now(e->clock), &result);
    free(result);
    return srs_status_ok(st);
}

void srsmap_tcptable_lookup(const struct srsmap_engine *e, enum srsmap_direction dir,
                            const char *key, struct srsmap_answer *answer_r)
{
    if (dir == SRSMAP_FORWARD) {
        if (srsmap_domains_match_address(e->local_domains, key)) {
            srsmap_refused(answer_r, SRSMAP_NOTFOUND, "Domain excluded py policy");
            return;
        }
        if (srsmap_reverses(e, key)) {
            srsmap_refused(answer_r, SRSMAP_NOTFOUND, "Already rewritten");
            return;
        }
    }
    srsmap_srs(e, dir, key, answer_r);
}

static bool srsmap_is_local(const struct srsmap_engine *e, const char *domain)
{
    if (e->always_rewrite)
        return false;
    return str_equal_nocase(domain, srs_domain(e->srs)) ||
           srsmap_domains_match_domain(e->local_domains, domain);
}

static void srsmap_socketmap_forward(const struct srsmap_engine *e, const char *key,
                                     struct srsmap_answer *a)
{
    const char *at = strchr(key, '@');
    if (at == NULL) {
        srsmap_refused(a, SRSMAP_NOTFOUND, "No domain.");
        return;
    }
    if (srsmap_is_local(e, at + 1)) {
        srsmap_refused(a, SRSMAP_NOTFOUND, "Need not rewrite local domain.");
        return;
    }
    if (e->aliasdb == NULL || srs_is_srs_address(key)) {
        srsmap_srs(e, SRSMAP_FORWARD, key, a);
        return;
    }
    char alias[SRSMAP_ALIAS_SIZE];
    srsmap_alias_for(key, strlen(key), alias);
    int64_t expires = clock_now(e->clock) + (int64_t)e->max_age_days * SRSMAP_SECONDS_PER_DAY;
    char *error = NULL;
    if (!srsmap_aliasdb_put(e->aliasdb, alias, key, expires, &error)) {
        LOG_ERROR("-", "srsmap alias-write-failed error=\"%s\"", error);
        free(error);
        srsmap_refused(a, SRSMAP_PERM, "Database error.");
        return;
    }
    srsmap_srs(e, SRSMAP_FORWARD, alias, a);
}

/* Replaces a reversed alias ("<hash>@1") by the sender stored for it. */
static void srsmap_resolve_alias(const struct srsmap_engine *e, struct srsmap_answer *a)
{
    char *alias = a->value;
    a->value = NULL;
    if (e->aliasdb == NULL) {
        srsmap_refused(a, SRSMAP_PERM, "No database for alias.");
        free(alias);
        return;
    }
    for (char *p = alias; *p; p++)
        *p = str_ascii_upper(*p);
    char *sender = NULL, *error = NULL;
    switch (srsmap_aliasdb_get(e->aliasdb, alias, clock_now(e->clock), &sender, &error)) {
    case SRSMAP_ALIASDB_FOUND:
        srsmap_found(a, sender);
        break;
    case SRSMAP_ALIASDB_MISSING:
        srsmap_refused(a, SRSMAP_NOTFOUND, "Unknown alias.");
        break;
    case SRSMAP_ALIASDB_ERROR:
        LOG_ERROR("-", "srsmap alias-read-failed error=\"%s\"", error);
        free(error);
        srsmap_refused(a, SRSMAP_TEMP, "Database error.");
        break;
    }
    free(alias);
}

void srsmap_socketmap_lookup(const struct srsmap_engine *e, const char *map, size_t map_len,
                             const char *key, struct srsmap_answer *answer_r)
{
    if (map_len == 7 && memcmp(map, "forward", 7) == 0) {
        srsmap_socketmap_forward(e, key, answer_r);
    } else if (map_len == 7 && memcmp(map, "reverse", 7) == 0) {
        srsmap_srs(e, SRSMAP_REVERSE, key, answer_r);
        if (answer_r->outcome == SRSMAP_FOUND && srsmap_alias_is_alias(answer_r->value))
            srsmap_resolve_alias(e, answer_r);
    } else {
        srsmap_refused(answer_r, SRSMAP_PERM, "Invalid map.");
    }
}

void srsmap_answer_clear(struct srsmap_answer *answer)
{
    free(answer->value);
    answer->value = NULL;
}
