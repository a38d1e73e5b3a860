/*
 * Operator rules: an ordered list of (reason, phrase) pairs read from a text file, so that a
 * site can teach the classifier wordings the built-in table does not know (ISSUE 7: "ordered
 * rules in a data file an operator can extend"). Format, one rule a line:
 *
 *   # comment
 *   <reason> WSP <phrase to find in the diagnostic text, case-insensitive>
 *
 * The reason must be one the SES mapping knows (reason-map.tsv's vocabulary). The file is
 * validated whole: any bad line rejects it with "line N: ..." so a typo never silently
 * changes classification.
 */
#include "classify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "str.h"
#include "xalloc.h"

struct classify_rule_entry {
    char *reason;
    char *phrase; /* lower-case */
};

struct classify_rules {
    struct classify_rule_entry *items;
    size_t count;
};

void classify_rules_free(struct classify_rules *rules)
{
    if (rules == NULL)
        return;
    for (size_t i = 0; i < rules->count; i++) {
        free(rules->items[i].reason);
        free(rules->items[i].phrase);
    }
    free(rules->items);
    free(rules);
}

/* Parses one non-comment line into rules; returns an error message (owned) or NULL. */
static char *classify_rules_line(struct classify_rules *rules, char *line)
{
    str_trim(line);
    if (*line == '\0' || *line == '#')
        return NULL;
    size_t n = strcspn(line, " \t");
    if (line[n] == '\0')
        return xstrdup("expected a reason and a phrase");
    line[n] = '\0';
    char *phrase = str_trim(line + n + 1);
    if (!classify_is_reason(line))
        return xasprintf("unknown reason '%s'", line);
    if (*phrase == '\0')
        return xstrdup("empty phrase");
    if (rules->count == CLASSIFY_RULES_MAX)
        return xasprintf("more than %d rules", CLASSIFY_RULES_MAX);
    rules->items = xreallocarray(rules->items, rules->count + 1, sizeof(*rules->items));
    rules->items[rules->count].reason = xstrdup(line);
    rules->items[rules->count].phrase = str_lower(xstrdup(phrase));
    rules->count++;
    return NULL;
}

struct classify_rules *classify_rules_parse(const char *text, size_t len, char **error_r)
{
    struct classify_rules *rules = xcalloc(1, sizeof(*rules));
    size_t pos = 0, lineno = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        lineno++;
        if (end - pos > CLASSIFY_RULES_MAX_LINE) {
            *error_r = xasprintf("line %zu: longer than %d bytes", lineno, CLASSIFY_RULES_MAX_LINE);
            classify_rules_free(rules);
            return NULL;
        }
        char *line = xstrndup(text + pos, end - pos);
        char *err = classify_rules_line(rules, line);
        free(line);
        if (err != NULL) {
            *error_r = xasprintf("line %zu: %s", lineno, err);
            free(err);
            classify_rules_free(rules);
            return NULL;
        }
        pos = end + 1;
    }
    return rules;
}

struct classify_rules *classify_rules_load(const char *path, char **error_r)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        *error_r = xasprintf("%s: %s", path, strerror(errno));
        return NULL;
    }
    struct buf b = BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(&b, chunk, n);
    bool failed = ferror(f) != 0;
    fclose(f);
    struct classify_rules *rules = NULL;
    if (failed) {
        *error_r = xasprintf("%s: read error", path);
    } else {
        char *err = NULL;
        rules = classify_rules_parse(buf_cstr(&b), b.len, &err);
        if (rules == NULL) {
            *error_r = xasprintf("%s: %s", path, err);
            free(err);
        }
    }
    buf_free(&b);
    return rules;
}

const char *classify_rules_match_extra(const struct classify_rules *rules, const char *lowered_text)
{
    for (size_t i = 0; rules != NULL && i < rules->count; i++) {
        if (strstr(lowered_text, rules->items[i].phrase) != NULL)
            return rules->items[i].reason;
    }
    return NULL;
}
