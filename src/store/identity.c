#include "identity.h"

#include <string.h>

#include "str.h"
#include "xalloc.h"

static const char *const identity_status_names[] = {"PENDING", "SUCCESS", "FAILED",
                                                    "TEMPORARY_FAILURE"};

const char *identity_status_name(enum identity_status status)
{
    return identity_status_names[status];
}

bool identity_status_parse(const char *name, enum identity_status *status_r)
{
    for (size_t i = 0; i < sizeof(identity_status_names) / sizeof(identity_status_names[0]); i++) {
        if (strcmp(name, identity_status_names[i]) == 0) {
            *status_r = (enum identity_status)i;
            return true;
        }
    }
    return false;
}

const char *identity_kind_name(enum identity_kind kind)
{
    return kind == IDENTITY_DOMAIN ? "DOMAIN" : "EMAIL_ADDRESS";
}

static bool identity_is_let_dig(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 5322 3.2.3 atext. */
static bool identity_is_atext(char c)
{
    return identity_is_let_dig(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Returns NULL if d[0..len) is a valid domain (see identity.h), else the reason (static). */
static const char *identity_domain_error(const char *d, size_t len)
{
    if (len == 0)
        return "the domain is empty";
    if (len > IDENTITY_MAX_DOMAIN)
        return "the domain is longer than 253 characters";
    size_t labels = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && d[i] != '.') {
            if (!identity_is_let_dig(d[i]) && d[i] != '-')
                return "the domain may only contain letters, digits, '-' and '.'";
            continue;
        }
        size_t n = i - start;
        if (n == 0)
            return "the domain has an empty label";
        if (n > IDENTITY_MAX_LABEL)
            return "a label of the domain is longer than 63 characters";
        if (d[start] == '-' || d[i - 1] == '-')
            return "a label of the domain starts or ends with '-'";
        labels++;
        start = i + 1;
    }
    if (labels < 2)
        return "the domain needs at least two labels (example.com)";
    return NULL;
}

/* Returns NULL if s[0..len) is a dot-atom local part, else the reason (static). */
static const char *identity_local_error(const char *s, size_t len)
{
    if (len == 0)
        return "the local part (before '@') is empty";
    if (len > IDENTITY_MAX_LOCAL)
        return "the local part is longer than 64 characters";
    if (s[0] == '.' || s[len - 1] == '.')
        return "the local part starts or ends with '.'";
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.' && s[i + 1] == '.')
            return "the local part has two dots in a row";
        if (s[i] != '.' && !identity_is_atext(s[i]))
            return "the local part has a character not allowed in an address";
    }
    return NULL;
}

char *identity_normalize(const char *input, size_t len, enum identity_kind *kind_r, char **error_r)
{
    const char *at = memchr(input, '@', len);
    const char *domain = at ? at + 1 : input;
    size_t domain_len = at ? len - (size_t)(at + 1 - input) : len;
    const char *why = NULL;
    if (at != NULL && memchr(domain, '@', domain_len) != NULL)
        why = "it has more than one '@'";
    if (why == NULL && at != NULL)
        why = identity_local_error(input, (size_t)(at - input));
    if (why == NULL)
        why = identity_domain_error(domain, domain_len);
    if (why != NULL) {
        *error_r = xasprintf("'%.*s' is not a domain or email address: %s",
                             (int)(len > IDENTITY_MAX_LEN ? IDENTITY_MAX_LEN : len), input, why);
        return NULL;
    }
    char *out = xstrndup(input, len);
    str_lower(out + (domain - input));
    *kind_r = at ? IDENTITY_ADDRESS : IDENTITY_DOMAIN;
    return out;
}

/* Index of the SUCCESS identity equal to name[0..len) under cmp rules, or -1. */
static long identity_find_verified(const struct identity_entry *ids, size_t n, const char *name,
                                   size_t len, size_t fold_from)
{
    for (size_t i = 0; i < n; i++) {
        const char *id = ids[i].name;
        if (ids[i].status != IDENTITY_SUCCESS || strlen(id) != len)
            continue;
        if (memcmp(id, name, fold_from) == 0 &&
            str_equal_nocase_n(id + fold_from, len - fold_from, name + fold_from, len - fold_from))
            return (long)i;
    }
    return -1;
}

long identity_covering(const struct identity_entry *ids, size_t n, const char *address)
{
    const char *at = strrchr(address, '@');
    if (at == NULL || at == address || at[1] == '\0')
        return -1;
    size_t local_len = (size_t)(at - address);
    long hit = identity_find_verified(ids, n, address, strlen(address), local_len + 1);
    if (hit >= 0)
        return hit;
    /* The domain, then each parent domain with at least two labels. */
    for (const char *d = at + 1; d != NULL && strchr(d, '.') != NULL;) {
        hit = identity_find_verified(ids, n, d, strlen(d), 0);
        if (hit >= 0)
            return hit;
        d = strchr(d, '.');
        d = d ? d + 1 : NULL;
    }
    return -1;
}
