#include "socketmap_request.h"

#include <string.h>

void socketmap_parser_init(struct socketmap_parser *p)
{
    p->state = SOCKETMAP_STATE_LENGTH;
    p->length = 0;
    p->have = 0;
    p->payload[0] = '\0';
}

/* Splits a complete payload like postsrsd's strtok_r(payload, " ", &key). */
static enum socketmap_event socketmap_split(struct socketmap_parser *p,
                                            struct socketmap_request *req_r)
{
    p->payload[p->length] = '\0';
    const char *s = p->payload;
    const char *end = s + strlen(s); /* a NUL byte ends the text, as in C */
    while (s < end && *s == ' ')
        s++;
    if (s == end)
        return SOCKETMAP_INVALID;
    const char *map = s;
    while (s < end && *s != ' ')
        s++;
    req_r->map = map;
    req_r->map_len = (size_t)(s - map);
    if (s < end)
        s++; /* the space that ended the map name */
    /* postsrsd measures the key as the whole payload minus what precedes it. */
    if (p->length - (size_t)(s - p->payload) > SOCKETMAP_MAX_KEY)
        return SOCKETMAP_TOO_BIG;
    req_r->key = s;
    req_r->key_len = (size_t)(end - s);
    return SOCKETMAP_REQUEST;
}

/* Reads length digits up to ":"; returns the bytes consumed. */
static size_t socketmap_feed_length(struct socketmap_parser *p, const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (c == ':') {
            p->state = SOCKETMAP_STATE_PAYLOAD;
            p->have = 0;
            return i + 1;
        }
        if (c < '0' || c > '9') {
            p->state = SOCKETMAP_STATE_INVALID;
            return i + 1;
        }
        p->length = p->length * 10 + (size_t)(c - '0');
        if (p->length > SOCKETMAP_MAX_PAYLOAD) {
            p->state = SOCKETMAP_STATE_INVALID;
            return i + 1;
        }
    }
    return len;
}

size_t socketmap_parser_feed(struct socketmap_parser *p, const char *data, size_t len,
                             enum socketmap_event *event_r, struct socketmap_request *req_r)
{
    size_t used = 0;
    *event_r = SOCKETMAP_NEED_MORE;
    while (used < len || p->state == SOCKETMAP_STATE_INVALID) {
        if (p->state == SOCKETMAP_STATE_INVALID) {
            *event_r = SOCKETMAP_INVALID;
            return used;
        }
        if (p->state == SOCKETMAP_STATE_LENGTH) {
            used += socketmap_feed_length(p, data + used, len - used);
        } else if (p->state == SOCKETMAP_STATE_PAYLOAD) {
            size_t take = p->length - p->have;
            if (take > len - used)
                take = len - used;
            memcpy(p->payload + p->have, data + used, take);
            p->have += take;
            used += take;
            if (p->have == p->length)
                p->state = SOCKETMAP_STATE_COMMA;
        } else {
            if (data[used++] != ',') {
                p->state = SOCKETMAP_STATE_INVALID;
                continue;
            }
            *event_r = socketmap_split(p, req_r);
            if (*event_r == SOCKETMAP_INVALID) {
                p->state = SOCKETMAP_STATE_INVALID;
                return used;
            }
            p->state = SOCKETMAP_STATE_LENGTH;
            p->length = 0;
            return used;
        }
    }
    return used;
}
