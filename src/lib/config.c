#include "config.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"
#include "xalloc.h"

/* A config file line longer than this is refused rather than silently cut. */
#define CONFIG_MAX_LINE 4096

struct config {
    const struct config_option *table;
    size_t n;
    char **values; /* parallel to table; NULL = unset */
};

static const struct config_option *config_find(const struct config *cfg, const char *name,
                                               size_t *index_r)
{
    for (size_t i = 0; i < cfg->n; i++) {
        if (strcmp(cfg->table[i].name, name) == 0) {
            if (index_r)
                *index_r = i;
            return &cfg->table[i];
        }
    }
    return NULL;
}

static bool config_parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (str_equal_nocase(v, yes[i])) {
            *out = true;
            return true;
        }
        if (str_equal_nocase(v, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

static bool config_check_value(const struct config_option *opt, const char *value, char **error_r)
{
    long long n;
    bool b;
    switch (opt->type) {
    case CONFIG_INT:
        if (!str_parse_ll(value, opt->min, opt->max, &n)) {
            *error_r = xasprintf("%s: '%s' is not an integer between %lld and %lld", opt->name,
                                 value, opt->min, opt->max);
            return false;
        }
        break;
    case CONFIG_BOOL:
        if (!config_parse_bool(value, &b)) {
            *error_r = xasprintf("%s: '%s' is not yes or no", opt->name, value);
            return false;
        }
        break;
    case CONFIG_STRING:
    case CONFIG_LIST:
        break;
    }
    if (opt->validate) {
        char *why = NULL;
        if (!opt->validate(value, &why)) {
            *error_r = xasprintf("%s: %s", opt->name, why ? why : "invalid value");
            free(why);
            return false;
        }
    }
    return true;
}

struct config *config_new(const struct config_option *table, size_t n_options)
{
    struct config *cfg = xcalloc(1, sizeof(*cfg));
    cfg->table = table;
    cfg->n = n_options;
    cfg->values = xcalloc(n_options, sizeof(char *));
    for (size_t i = 0; i < n_options; i++) {
        if (table[i].default_value)
            cfg->values[i] = xstrdup(table[i].default_value);
    }
    return cfg;
}

void config_free(struct config *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < cfg->n; i++)
        free(cfg->values[i]);
    free(cfg->values);
    free(cfg);
}

bool config_set(struct config *cfg, const char *name, const char *value, char **error_r)
{
    size_t i = 0;
    const struct config_option *opt = config_find(cfg, name, &i);
    if (opt == NULL) {
        *error_r = xasprintf("unknown setting '%s'", name);
        return false;
    }
    if (!config_check_value(opt, value, error_r))
        return false;
    free(cfg->values[i]);
    cfg->values[i] = xstrdup(value);
    return true;
}

/* Splits "name = value" in place; strips optional double quotes around the value. */
static bool config_split_line(char *line, char **name_r, char **value_r)
{
    char *eq = strchr(line, '=');
    if (eq == NULL)
        return false;
    *eq = '\0';
    char *name = str_trim(line);
    char *value = str_trim(eq + 1);
    size_t vlen = strlen(value);
    if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
        value[vlen - 1] = '\0';
        value++;
    }
    *name_r = name;
    *value_r = value;
    return *name != '\0';
}

bool config_load_file(struct config *cfg, const char *path, char **error_r)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        *error_r = xasprintf("%s: %s", path, strerror(errno));
        return false;
    }
    char line[CONFIG_MAX_LINE];
    unsigned lineno = 0;
    bool ok = true;
    while (ok && fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof(line) - 1 && line[len - 1] != '\n' && !feof(f)) {
            *error_r =
                xasprintf("%s:%u: line longer than %d bytes", path, lineno, CONFIG_MAX_LINE - 2);
            ok = false;
            break;
        }
        char *s = str_trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *name, *value, *why = NULL;
        if (!config_split_line(s, &name, &value)) {
            *error_r = xasprintf("%s:%u: expected 'name = value'", path, lineno);
            ok = false;
        } else if (!config_set(cfg, name, value, &why)) {
            *error_r = xasprintf("%s:%u: %s", path, lineno, why);
            free(why);
            ok = false;
        }
    }
    if (ok && ferror(f)) {
        *error_r = xasprintf("%s: read error", path);
        ok = false;
    }
    fclose(f);
    return ok;
}

static const char *config_value(const struct config *cfg, const char *name, enum config_type type)
{
    size_t i = 0;
    const struct config_option *opt = config_find(cfg, name, &i);
    /* Asking for an option that is not in the table is a programming error. */
    assert(opt != NULL && "config: unknown option requested");
    assert(opt->type == type || (type == CONFIG_STRING && opt->type == CONFIG_LIST));
    (void)opt;
    (void)type;
    return cfg->values[i];
}

const char *config_get_string(const struct config *cfg, const char *name)
{
    return config_value(cfg, name, CONFIG_STRING);
}

long long config_get_int(const struct config *cfg, const char *name)
{
    const char *v = config_value(cfg, name, CONFIG_INT);
    long long n = 0;
    if (v && !str_parse_ll(v, -0x7fffffffffffffffLL, 0x7fffffffffffffffLL, &n))
        n = 0;
    return n;
}

bool config_get_bool(const struct config *cfg, const char *name)
{
    const char *v = config_value(cfg, name, CONFIG_BOOL);
    bool b = false;
    if (v)
        config_parse_bool(v, &b);
    return b;
}

const char *config_get_string_any(const struct config *cfg, const char *name)
{
    size_t i = 0;
    const struct config_option *opt = config_find(cfg, name, &i);
    assert(opt != NULL && "config: unknown option requested");
    (void)opt;
    return cfg->values[i];
}

bool config_is_set(const struct config *cfg, const char *name)
{
    size_t i = 0;
    const struct config_option *opt = config_find(cfg, name, &i);
    assert(opt != NULL && "config: unknown option requested");
    (void)opt;
    return cfg->values[i] != NULL && cfg->values[i][0] != '\0';
}

size_t config_split_list(const char *value, char ***items_r)
{
    char **items = NULL;
    size_t n = 0;
    const char *p = value ? value : "";
    while (*p) {
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        const char *start = p;
        while (*p && *p != ',' && *p != ' ' && *p != '\t')
            p++;
        if (p > start) {
            items = xreallocarray(items, n + 1, sizeof(char *));
            items[n++] = xstrndup(start, (size_t)(p - start));
        }
    }
    *items_r = items;
    return n;
}

size_t config_get_list(const struct config *cfg, const char *name, char ***items_r)
{
    return config_split_list(config_value(cfg, name, CONFIG_LIST), items_r);
}

void config_free_list(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
}

const struct config_option *config_table(const struct config *cfg, size_t *n_r)
{
    *n_r = cfg->n;
    return cfg->table;
}
