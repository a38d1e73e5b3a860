/*
 * settings: rebound's option table (every configurable name, type, default, bounds and help)
 * and the loader every subcommand uses. The table is the single place an option is declared.
 */
#ifndef REBOUND_CLI_SETTINGS_H
#define REBOUND_CLI_SETTINGS_H

#include <stdbool.h>

#include "config.h"

/* A config holding the defaults, then the file at path (if path is not NULL). Returns NULL with
 * *error_r (owned) when the file cannot be read or a value is refused. */
struct config *settings_load(const char *path, char **error_r);
/* Checks cross-option rules the table cannot express (e.g. hash_min <= hash_length). */
bool settings_validate(const struct config *cfg, char **error_r);
/* Reads secrets (one per line, CR/LF stripped, empty lines skipped) from a file. Returns the
 * number read (0 with *error_r set on failure); *secrets_r is owned (config_free_list). */
unsigned settings_read_secrets(const char *path, char ***secrets_r, char **error_r);

#endif
