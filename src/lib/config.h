/*
 * config: one option table (name, type, default, bounds, validator, help), a file parser for
 * it, and a frozen set of values (STYLE.md rule 13).
 *
 * File syntax, one setting per line:
 *     # comment
 *     name = value            (surrounding whitespace trimmed; "double quotes" optional)
 * Names are dotted ("srs.domain"). An unknown name, a value of the wrong type or outside its
 * bounds, or a validator refusal is an error naming file and line. Later lines override
 * earlier ones; config_set() (command-line flags) overrides the file.
 *
 * Ownership: the table is borrowed for the life of the config (use a static const array).
 * Strings returned by the getters are borrowed until config_free().
 */
#ifndef REBOUND_LIB_CONFIG_H
#define REBOUND_LIB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum config_type {
    CONFIG_STRING,
    CONFIG_INT,  /* decimal, within [min, max] */
    CONFIG_BOOL, /* yes/no, true/false, on/off, 1/0 */
    CONFIG_LIST, /* comma- or whitespace-separated words; read with config_get_list() */
};

struct config_option {
    const char *name;
    enum config_type type;
    const char *default_value; /* NULL: unset (getters return NULL / 0 / false) */
    long long min, max;        /* CONFIG_INT only */
    /* Optional extra check; on refusal returns false and sets *error_r (owned, free()). */
    bool (*validate)(const char *value, char **error_r);
    const char *help;
};

struct config;

struct config *config_new(const struct config_option *table, size_t n_options);
void config_free(struct config *cfg);

/* Reads a file; returns false with *error_r ("FILE:LINE: reason", owned) on the first error. */
bool config_load_file(struct config *cfg, const char *path, char **error_r);
/* Sets one option; returns false with *error_r (owned) if the name or value is refused. */
bool config_set(struct config *cfg, const char *name, const char *value, char **error_r);

const char *config_get_string(const struct config *cfg, const char *name);
long long config_get_int(const struct config *cfg, const char *name);
bool config_get_bool(const struct config *cfg, const char *name);
/* The raw text of any option, whatever its type (NULL if unset); borrowed. */
const char *config_get_string_any(const struct config *cfg, const char *name);
bool config_is_set(const struct config *cfg, const char *name);
/* Splits a CONFIG_LIST value into words; *items_r is owned (free each, then the array). */
size_t config_get_list(const struct config *cfg, const char *name, char ***items_r);
/* Splits any string the same way (commas and whitespace separate words). */
size_t config_split_list(const char *value, char ***items_r);
void config_free_list(char **items, size_t n);

/* The option table, for --help and `rebound check-config`. */
const struct config_option *config_table(const struct config *cfg, size_t *n_r);

#endif
