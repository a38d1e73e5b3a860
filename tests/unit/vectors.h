/* Test helper: reads the TSV vector files of tests/yardsticks/vectors (header line, TAB
 * separated, no quoting). Rows and fields are owned by the table; vectors_free() releases. */
#ifndef REBOUND_TESTS_VECTORS_H
#define REBOUND_TESTS_VECTORS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct vectors {
    size_t n_columns;
    char **columns;
    size_t n_rows;
    char ***rows; /* rows[i][j] */
};

static char **vectors_split(char *line, size_t *n_r)
{
    char **fields = NULL;
    size_t n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    char *p = line;
    for (;;) {
        char *tab = strchr(p, '\t');
        fields = xreallocarray(fields, n + 1, sizeof(char *));
        fields[n++] = strndup(p, tab ? (size_t)(tab - p) : strlen(p));
        if (tab == NULL)
            break;
        p = tab + 1;
    }
    *n_r = n;
    return fields;
}

/* Path relative to $REBOUND_SHARED; returns 0 on success. */
static int vectors_load(const char *relpath, struct vectors *v)
{
    const char *base = getenv("REBOUND_SHARED");
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", base ? base : "tests/yardsticks", relpath);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    memset(v, 0, sizeof(*v));
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) >= 0) {
        size_t n;
        char **fields = vectors_split(line, &n);
        if (v->columns == NULL) {
            v->columns = fields;
            v->n_columns = n;
            continue;
        }
        if (n != v->n_columns) {
            for (size_t i = 0; i < n; i++)
                free(fields[i]);
            free(fields);
            continue;
        }
        v->rows = xreallocarray(v->rows, v->n_rows + 1, sizeof(char **));
        v->rows[v->n_rows++] = fields;
    }
    free(line);
    fclose(f);
    return v->columns ? 0 : -1;
}

static const char *vectors_get(const struct vectors *v, size_t row, const char *column)
{
    for (size_t j = 0; j < v->n_columns; j++) {
        if (strcmp(v->columns[j], column) == 0)
            return v->rows[row][j];
    }
    fprintf(stderr, "vectors: no column %s\n", column);
    abort();
}

static void vectors_free(struct vectors *v)
{
    for (size_t i = 0; i < v->n_rows; i++) {
        for (size_t j = 0; j < v->n_columns; j++)
            free(v->rows[i][j]);
        free(v->rows[i]);
    }
    free(v->rows);
    for (size_t j = 0; j < v->n_columns; j++)
        free(v->columns[j]);
    free(v->columns);
}

#endif
