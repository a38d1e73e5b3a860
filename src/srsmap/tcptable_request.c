#include "tcptable_request.h"

#include <string.h>

#include "tcptable_codec.h"

void tcptable_parser_init(struct tcptable_parser *p)
{
    p->have = 0;
    p->invalid = false;
    p->line[0] = '\0';
    p->key[0] = '\0';
}

/* Splits one complete line (without its LF) the way postsrsd's two strtok() calls did. */
static enum tcptable_event tcptable_parse_line(struct tcptable_parser *p,
                                               struct tcptable_request *req_r)
{
    const char *s = p->line;
    const char *end = p->line + p->have;
    while (s < end && (*s == ' ' || *s == '\r'))
        s++;
    const char *verb = s;
    while (s < end && *s != ' ' && *s != '\r')
        s++;
    if (s - verb != 3 || memcmp(verb, "get", 3) != 0 || s == end)
        return TCPTABLE_INVALID;
    s++; /* the one delimiter that ended "get" */
    while (s < end && *s == '\r')
        s++;
    const char *key = s;
    while (s < end && *s != '\r')
        s++;
    if (s == key)
        return TCPTABLE_INVALID;
    size_t key_len;
    if (!tcptable_decode(key, (size_t)(s - key), p->key, &key_len))
        return TCPTABLE_INVALID;
    req_r->key = p->key;
    req_r->key_len = strlen(p->key); /* a decoded %00 ends the key, as in postsrsd */
    return TCPTABLE_REQUEST;
}

size_t tcptable_parser_feed(struct tcptable_parser *p, const char *data, size_t len,
                            enum tcptable_event *event_r, struct tcptable_request *req_r)
{
    if (p->invalid) {
        *event_r = TCPTABLE_INVALID;
        return 0;
    }
    const char *lf = memchr(data, '\n', len);
    size_t take = lf ? (size_t)(lf - data) : len;
    /* The line plus its LF must stay below TCPTABLE_MAX_LINE bytes. */
    if (take > TCPTABLE_MAX_LINE - 2 - p->have) {
        p->invalid = true;
        *event_r = TCPTABLE_INVALID;
        return len;
    }
    memcpy(p->line + p->have, data, take);
    p->have += take;
    if (lf == NULL) {
        *event_r = TCPTABLE_NEED_MORE;
        return len;
    }
    *event_r = tcptable_parse_line(p, req_r);
    p->have = 0;
    if (*event_r == TCPTABLE_INVALID)
        p->invalid = true;
    return take + 1;
}

enum tcptable_event tcptable_parser_finish(struct tcptable_parser *p,
                                           struct tcptable_request *req_r)
{
    if (p->invalid)
        return TCPTABLE_INVALID;
    if (p->have == 0)
        return TCPTABLE_NEED_MORE;
    enum tcptable_event ev = tcptable_parse_line(p, req_r);
    p->have = 0;
    if (ev == TCPTABLE_INVALID)
        p->invalid = true;
    return ev;
}
