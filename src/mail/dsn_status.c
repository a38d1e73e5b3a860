/* Status and reply code recognition; see dsn_status.h for the grammar. */
#include "dsn_status.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Length of a status code starting at s, or 0. */
static size_t dsn_status_len_at(const char *s)
{
    if (s[0] != '2' && s[0] != '4' && s[0] != '5')
        return 0;
    if (s[1] != '.')
        return 0;
    /* RFC 3463 allows 1*3digit, but every registered subject is 0-7: a single digit keeps
     * version numbers ("Exim 4.72.1") from passing for status codes. */
    if (s[2] < '0' || s[2] > '7' || s[3] != '.')
        return 0;
    size_t i = 4, n = 0;
    while (isdigit((unsigned char)s[i]) && n < 3) {
        i++;
        n++;
    }
    if (n == 0 || isdigit((unsigned char)s[i]))
        return 0;
    return i;
}

bool dsn_status_parse(const char *s, char *out)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = dsn_status_len_at(s);
    if (n == 0)
        return false;
    for (const char *p = s + n; *p; p++) {
        if (!isspace((unsigned char)*p) && *p != '(')
            return false;
        if (*p == '(')
            break;
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

bool dsn_status_find(const char *text, char *out)
{
    for (const char *p = text; *p; p++) {
        if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '.'))
            continue;
        size_t n = dsn_status_len_at(p);
        if (n == 0 || (p[n] == '.' && isdigit((unsigned char)p[n + 1])))
            continue;
        memcpy(out, p, n);
        out[n] = '\0';
        return true;
    }
    return false;
}

int dsn_status_reply_code(const char *text)
{
    for (const char *p = text; *p; p++) {
        if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '.' || p[-1] == '#'))
            continue;
        if ((p[0] != '2' && p[0] != '4' && p[0] != '5') || !isdigit((unsigned char)p[1]) ||
            !isdigit((unsigned char)p[2]))
            continue;
        if (p[1] > '5')
            continue;
        char next = p[3];
        if (next == ' ' || next == '-' || next == '\0' || next == '\t')
            return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
    }
    return 0;
}

struct dsn_status_command {
    const char *phrase; /* lower-case */
    const char *command;
};

static const struct dsn_status_command dsn_status_commands[] = {
    {"in reply to end of data", "DATA"},
    {"in reply to data", "DATA"},
    {"after end of data", "DATA"},
    {"final data", "DATA"},
    {"smtp command data", "DATA"},
    {"after data", "DATA"},
    {"in reply to rcpt", "RCPT"},
    {"after rcpt", "RCPT"},
    {"our rcpt", "RCPT"},
    {"rcpt to command", "RCPT"},
    {"in reply to mail", "MAIL"},
    {"after mail from", "MAIL"},
    {"our mail from", "MAIL"},
    {"in reply to ehlo", "HELO"},
    {"in reply to helo", "HELO"},
    {"after ehlo", "HELO"},
    {"after helo", "HELO"},
    {"after initial connection", "CONN"},
    {"greeting", "CONN"},
    {">>> data", "DATA"},
    {">>> rcpt", "RCPT"},
    {">>> mail", "MAIL"},
};

const char *dsn_status_smtp_command(const char *text)
{
    /* One lower-cased copy, then a (vectorised) strstr per phrase: the earliest mention wins,
     * since later ones are usually the transcript of what followed. */
    size_t n = strlen(text);
    char *lowered = xmalloc(n + 1);
    for (size_t i = 0; i <= n; i++)
        lowered[i] = (char)tolower((unsigned char)text[i]);
    const char *best = NULL;
    const char *best_at = NULL;
    for (size_t c = 0; c < sizeof(dsn_status_commands) / sizeof(dsn_status_commands[0]); c++) {
        const char *at = strstr(lowered, dsn_status_commands[c].phrase);
        if (at != NULL && (best_at == NULL || at < best_at)) {
            best = dsn_status_commands[c].command;
            best_at = at;
        }
    }
    free(lowered);
    return best;
}
