#include "srsmap_domains.h"

#include <stdlib.h>
#include <string.h>

#include "str.h"
#include "xalloc.h"

struct srsmap_domains {
    char **entries;
    size_t n;
};

bool srsmap_domains_entry_valid(const char *entry, char **error_r)
{
    size_t len = strlen(entry);
    if (len == 0 || (len == 1 && entry[0] == '.')) {
        *error_r = xasprintf("'%s' is not a domain", entry);
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = entry[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.';
        if (!ok) {
            *error_r =
                xasprintf("'%s' holds a character other than letters, digits, - and .", entry);
            return false;
        }
    }
    return true;
}

struct srsmap_domains *srsmap_domains_new(char *const *entries, size_t n)
{
    struct srsmap_domains *d = xcalloc(1, sizeof(*d));
    d->entries = xcalloc(n ? n : 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        d->entries[i] = xstrdup(entries[i]);
    d->n = n;
    return d;
}

void srsmap_domains_free(struct srsmap_domains *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->entries[i]);
    free(d->entries);
    free(d);
}

/* True when s ends with suffix (ASCII case-insensitive). */
static bool srsmap_ends_with_nocase(const char *s, size_t slen, const char *suffix, size_t n)
{
    return slen >= n && str_equal_nocase_n(s + slen - n, n, suffix, n);
}

bool srsmap_domains_match_address(const struct srsmap_domains *d, const char *address)
{
    if (d == NULL)
        return false;
    size_t alen = strlen(address);
    for (size_t i = 0; i < d->n; i++) {
        const char *e = d->entries[i];
        size_t elen = strlen(e);
        /* postsrsd 1.x: a proper suffix, after '@' unless the entry starts with '.'. */
        if (elen >= alen || !srsmap_ends_with_nocase(address, alen, e, elen))
            continue;
        if (e[0] == '.' || address[alen - elen - 1] == '@')
            return true;
    }
    return false;
}

bool srsmap_domains_match_domain(const struct srsmap_domains *d, const char *domain)
{
    if (d == NULL)
        return false;
    size_t dlen = strlen(domain);
    for (size_t i = 0; i < d->n; i++) {
        const char *e = d->entries[i];
        size_t elen = strlen(e);
        if (e[0] == '.' ? srsmap_ends_with_nocase(domain, dlen, e, elen)
                        : str_equal_nocase_n(domain, dlen, e, elen))
            return true;
    }
    return false;
}
