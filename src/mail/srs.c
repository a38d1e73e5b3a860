/*
 * SRS forward and reverse, field by field as libsrs2's "guarded" scheme as fixed in postsrsd
 * (see ../shared/SRS.md, cited by section below). The layout of an SRS0 local part is
 *     SRS0 <sep> HASH = TT = host = user
 * and of an SRS1 local part
 *     SRS1 <sep> HASH = first-hop-host = rest        (rest begins with the inner separator)
 */
#include "srs_hash.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "srs.h"
#include "str.h"
#include "xalloc.h"

#define SRS_TAG_LEN 4   /* "SRS0" / "SRS1" */
#define SRS_SEP     '=' /* every separator after the first */
static const char srs_base32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

struct srs {
    char *domain;
    size_t n_keys;
    struct srs_hash_key *keys; /* keys[0] signs */
    unsigned hash_length;
    unsigned hash_min;
    unsigned max_age_days;
    char separator;
    enum srs_alphabet alphabet;
    bool always_rewrite;
};

void srs_config_defaults(struct srs_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->hash_length = SRS_DEFAULT_HASH_LENGTH;
    cfg->hash_min = SRS_DEFAULT_HASH_LENGTH;
    cfg->max_age_days = SRS_DEFAULT_MAX_AGE_DAYS;
    cfg->separator = '=';
    cfg->alphabet = SRS_ALPHABET_BASE64URL;
}

static bool srs_is_separator(char c)
{
    return c == '=' || c == '+' || c == '-';
}

static bool srs_config_check(const struct srs_config *cfg, char **error_r)
{
    if (cfg->domain == NULL || cfg->domain[0] == '\0')
        *error_r = xstrdup("the SRS domain is not set");
    else if (cfg->n_secrets == 0)
        *error_r = xstrdup(srs_strerror(SRS_ENOSECRETS));
    else if (cfg->hash_length < 1 || cfg->hash_length > SRS_MAX_HASH_LENGTH)
        *error_r = xasprintf("hash length %u is not between 1 and %d", cfg->hash_length,
                             SRS_MAX_HASH_LENGTH);
    else if (cfg->hash_min < 1 || cfg->hash_min > cfg->hash_length)
        *error_r = xasprintf("minimum hash length %u is not between 1 and the hash length %u",
                             cfg->hash_min, cfg->hash_length);
    else if (cfg->max_age_days >= SRS_STAMP_PERIOD_DAYS)
        *error_r = xasprintf("maximum age %u days is not below %d", cfg->max_age_days,
                             SRS_STAMP_PERIOD_DAYS);
    else if (!srs_is_separator(cfg->separator))
        *error_r = xstrdup(srs_strerror(SRS_EBADSEPARATOR));
    else
        return true;
    return false;
}

struct srs *srs_new(const struct srs_config *cfg, char **error_r)
{
    *error_r = NULL;
    if (!srs_config_check(cfg, error_r))
        return NULL;
    for (size_t i = 0; i < cfg->n_secrets; i++) {
        if (cfg->secrets[i] == NULL || cfg->secrets[i][0] == '\0') {
            *error_r = xasprintf("secret %zu is empty", i + 1);
            return NULL;
        }
    }
    struct srs *srs = xcalloc(1, sizeof(*srs));
    srs->domain = xstrdup(cfg->domain);
    srs->n_keys = cfg->n_secrets;
    srs->keys = xcalloc(cfg->n_secrets, sizeof(*srs->keys));
    for (size_t i = 0; i < cfg->n_secrets; i++)
        srs_hash_key_init(&srs->keys[i], cfg->secrets[i], strlen(cfg->secrets[i]));
    srs->hash_length = cfg->hash_length;
    srs->hash_min = cfg->hash_min;
    srs->max_age_days = cfg->max_age_days;
    srs->separator = cfg->separator;
    srs->alphabet = cfg->alphabet;
    srs->always_rewrite = cfg->always_rewrite;
    return srs;
}

void srs_free(struct srs *srs)
{
    if (srs == NULL)
        return;
    /* Key schedules are secret-derived: wipe them before release. */
    if (srs->keys)
        memset(srs->keys, 0, srs->n_keys * sizeof(*srs->keys));
    free(srs->keys);
    free(srs->domain);
    free(srs);
}

const char *srs_domain(const struct srs *srs)
{
    return srs->domain;
}

/* SRS.md section 3: floor(unix seconds / 86400) mod 1024 as two base32 characters. */
static int64_t srs_day(int64_t now)
{
    int64_t day = now / 86400;
    if (now < 0 && now % 86400 != 0)
        day--;
    return day;
}

void srs_timestamp(int64_t now, char out[3])
{
    int64_t day = srs_day(now);
    out[0] = srs_base32[(day >> 5) & 31];
    out[1] = srs_base32[day & 31];
    out[2] = '\0';
}

bool srs_is_srs_address(const char *address)
{
    return str_has_prefix_nocase(address, "SRS") && (address[3] == '0' || address[3] == '1') &&
           srs_is_separator(address[4]);
}

bool srs_status_ok(enum srs_status status)
{
    return status == SRS_OK || status == SRS_UNCHANGED;
}

/* Emits the result, or SRS_ETOOLONG when it would not fit postsrsd's buffer. */
static enum srs_status srs_finish(struct buf *out, char **result_r)
{
    if (out->len > SRS_MAX_ADDRESS_LEN) {
        buf_free(out);
        return SRS_ETOOLONG;
    }
    *result_r = buf_steal(out);
    return SRS_OK;
}

static void srs_sign(const struct srs *srs, const struct srs_field *fields, size_t n,
                     struct buf *out)
{
    char hash[SRS_MAX_HASH_LENGTH];
    srs_hash_compute(&srs->keys[0], srs->alphabet, fields, n, srs->hash_length, hash);
    buf_append(out, hash, srs->hash_length);
}

/* SRS.md section 1: a foreign SRS0 (or SRS1) becomes SRS1, keeping the first hop. */
static enum srs_status srs_forward_srs1(const struct srs *srs, const char *local, size_t local_len,
                                        const char *host, char **result_r)
{
    struct srs_field fields[2];
    if (local[3] == '0') {
        /* SRS0<s>X@fwd -> first hop = fwd, rest = <s>X */
        fields[0] = (struct srs_field){host, strlen(host)};
        fields[1] = (struct srs_field){local + SRS_TAG_LEN, local_len - SRS_TAG_LEN};
    } else {
        /* SRS1<s>oldhash=hop1=rest@hop2 -> keep hop1 and rest, drop the old hash and hop2 */
        const char *end = local + local_len;
        const char *old_hash = local + SRS_TAG_LEN + 1;
        const char *hop1 = memchr(old_hash, SRS_SEP, (size_t)(end - old_hash));
        if (hop1 == NULL)
            return SRS_ENOSRS1HOST;
        hop1++;
        const char *rest = memchr(hop1, SRS_SEP, (size_t)(end - hop1));
        if (rest == NULL)
            return SRS_ENOSRS1USER;
        fields[0] = (struct srs_field){hop1, (size_t)(rest - hop1)};
        rest++;
        fields[1] = (struct srs_field){rest, (size_t)(end - rest)};
    }
    struct buf out = BUF_INIT;
    buf_append_str(&out, "SRS1");
    buf_append_char(&out, srs->separator);
    srs_sign(srs, fields, 2, &out);
    buf_append_char(&out, SRS_SEP);
    buf_append(&out, fields[0].data, fields[0].len);
    buf_append_char(&out, SRS_SEP);
    buf_append(&out, fields[1].data, fields[1].len);
    buf_append_char(&out, '@');
    buf_append_str(&out, srs->domain);
    return srs_finish(&out, result_r);
}

static enum srs_status srs_forward_srs0(const struct srs *srs, const char *local, size_t local_len,
                                        const char *host, int64_t now, char **result_r)
{
    char stamp[3];
    srs_timestamp(now, stamp);
    struct srs_field fields[3] = {
        {stamp, 2},
        {host, strlen(host)},
        {local, local_len},
    };
    struct buf out = BUF_INIT;
    buf_append_str(&out, "SRS0");
    buf_append_char(&out, srs->separator);
    srs_sign(srs, fields, 3, &out);
    buf_printf(&out, "=%s=%s=", stamp, host);
    buf_append(&out, local, local_len);
    buf_append_char(&out, '@');
    buf_append_str(&out, srs->domain);
    return srs_finish(&out, result_r);
}

enum srs_status srs_forward(const struct srs *srs, const char *address, int64_t now,
                            char **result_r)
{
    *result_r = NULL;
    /* SRS.md section 1: split at the first '@', as libsrs2 and postsrsd do. */
    const char *at = strchr(address, '@');
    if (at == NULL)
        return SRS_ENOAT;
    const char *host = at + 1;
    size_t local_len = (size_t)(at - address);
    if (!srs->always_rewrite && str_equal_nocase(host, srs->domain)) {
        *result_r = xstrdup(address);
        return SRS_UNCHANGED;
    }
    if (local_len >= SRS_TAG_LEN + 1 && srs_is_srs_address(address))
        return srs_forward_srs1(srs, address, local_len, host, result_r);
    return srs_forward_srs0(srs, address, local_len, host, now, result_r);
}

/* SRS.md section 2: hash_min <= given length; longer hashes are cut to hash_length; every
 * secret is tried. */
static enum srs_status srs_check_hash(const struct srs *srs, const char *given, size_t given_len,
                                      const struct srs_field *fields, size_t n)
{
    if (given_len < srs->hash_min)
        return SRS_EHASHTOOSHORT;
    size_t len = given_len > srs->hash_length ? srs->hash_length : given_len;
    bool equivalent = srs->alphabet == SRS_ALPHABET_BASE64URL;
    char computed[SRS_MAX_HASH_LENGTH];
    for (size_t k = 0; k < srs->n_keys; k++) {
        srs_hash_compute(&srs->keys[k], srs->alphabet, fields, n, srs->hash_length, computed);
        if (srs_hash_equal(given, computed, len, equivalent))
            return SRS_OK;
    }
    return SRS_EHASHINVALID;
}

/* SRS.md section 3: exactly two base32 characters (postsrsd's CVE-2020-35573 fix), then the
 * age modulo 1024 days must be at most max_age_days. */
static enum srs_status srs_check_stamp(const struct srs *srs, const char *stamp, size_t len,
                                       int64_t now)
{
    if (len != 2)
        return SRS_ETIMESTAMPOUTOFDATE;
    int64_t then = 0;
    for (size_t i = 0; i < 2; i++) {
        char c = str_ascii_upper(stamp[i]);
        const char *p = c != '\0' ? strchr(srs_base32, c) : NULL;
        if (p == NULL)
            return SRS_EBADTIMESTAMPCHAR;
        then = (then << 5) | (p - srs_base32);
    }
    int64_t today = srs_day(now) % SRS_STAMP_PERIOD_DAYS;
    if (today < 0)
        today += SRS_STAMP_PERIOD_DAYS;
    if (today < then)
        today += SRS_STAMP_PERIOD_DAYS;
    return today <= then + srs->max_age_days ? SRS_OK : SRS_ETIMESTAMPOUTOFDATE;
}

/* Finds the next '=' in [p, end); NULL if none. */
static const char *srs_next_sep(const char *p, const char *end)
{
    return memchr(p, SRS_SEP, (size_t)(end - p));
}

static enum srs_status srs_reverse_srs0(const struct srs *srs, const char *local, const char *end,
                                        int64_t now, char **result_r)
{
    const char *hash = local + SRS_TAG_LEN + 1;
    if (hash == end)
        return SRS_ENOSRS0HASH;
    const char *stamp = srs_next_sep(hash, end);
    if (stamp == NULL)
        return SRS_ENOSRS0STAMP;
    const char *host = srs_next_sep(++stamp, end);
    if (host == NULL)
        return SRS_ENOSRS0HOST;
    const char *user = srs_next_sep(++host, end);
    if (user == NULL)
        return SRS_ENOSRS0USER;
    user++;
    /* libsrs2/postsrsd order: timestamp first, then hash (SRS.md section 3). */
    enum srs_status st = srs_check_stamp(srs, stamp, (size_t)(host - 1 - stamp), now);
    if (st != SRS_OK)
        return st;
    struct srs_field fields[3] = {
        {stamp, (size_t)(host - 1 - stamp)},
        {host, (size_t)(user - 1 - host)},
        {user, (size_t)(end - user)},
    };
    st = srs_check_hash(srs, hash, (size_t)(stamp - 1 - hash), fields, 3);
    if (st != SRS_OK)
        return st;
    struct buf out = BUF_INIT;
    buf_append(&out, fields[2].data, fields[2].len);
    buf_append_char(&out, '@');
    buf_append(&out, fields[1].data, fields[1].len);
    return srs_finish(&out, result_r);
}

static enum srs_status srs_reverse_srs1(const struct srs *srs, const char *local, const char *end,
                                        char **result_r)
{
    const char *hash = local + SRS_TAG_LEN + 1;
    if (hash == end)
        return SRS_ENOSRS1HASH;
    const char *host = srs_next_sep(hash, end);
    if (host == NULL)
        return SRS_ENOSRS1HOST;
    const char *rest = srs_next_sep(++host, end);
    if (rest == NULL)
        return SRS_ENOSRS1USER;
    rest++;
    struct srs_field fields[2] = {
        {host, (size_t)(rest - 1 - host)},
        {rest, (size_t)(end - rest)},
    };
    enum srs_status st = srs_check_hash(srs, hash, (size_t)(host - 1 - hash), fields, 2);
    if (st != SRS_OK)
        return st;
    /* SRS.md section 1: SRS1 reverses to the inner SRS0 at the first hop. */
    struct buf out = BUF_INIT;
    buf_append_str(&out, "SRS0");
    buf_append(&out, fields[1].data, fields[1].len);
    buf_append_char(&out, '@');
    buf_append(&out, fields[0].data, fields[0].len);
    return srs_finish(&out, result_r);
}

enum srs_status srs_reverse(const struct srs *srs, const char *address, int64_t now,
                            char **result_r)
{
    *result_r = NULL;
    size_t len = strlen(address);
    if (len < SRS_TAG_LEN + 1 || !srs_is_srs_address(address))
        return SRS_ENOTSRS;
    if (len > SRS_MAX_ADDRESS_LEN)
        return SRS_ETOOLONG;
    /* SRS.md section 6: the part after the first '@' is ignored entirely. */
    const char *at = strchr(address, '@');
    const char *end = at ? at : address + len;
    if (address[3] == '0')
        return srs_reverse_srs0(srs, address, end, now, result_r);
    return srs_reverse_srs1(srs, address, end, result_r);
}
