#include "srsmap_conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "socketmap_request.h"
#include "srsmap_server.h"
#include "tcptable_codec.h"
#include "tcptable_request.h"
#include "xalloc.h"

struct srsmap_conn {
    struct srsmap_conn_env env;
    int fd;
    char id[24]; /* "srsmap-<n>", first field of every log line */
    enum srsmap_protocol proto;
    enum srsmap_direction dir;
    struct event *ev_read;  /* persistent; its timeout is the idle timeout */
    struct event *ev_write; /* armed only while output is pending */
    bool reading;           /* ev_read is added */
    bool closing;           /* no more requests: close once the output is written */
    unsigned long requests;
    /* Input read but not yet parsed (kept while output backs up). */
    char in[SRSMAP_READ_CHUNK];
    size_t in_len, in_off;
    struct buf out;
    size_t out_off;
    union {
        struct tcptable_parser tcp;
        struct socketmap_parser sm;
    } parser;
    struct srsmap_conn *prev, *next;
};

static void srsmap_conn_read_cb(evutil_socket_t fd, short what, void *arg);
static void srsmap_conn_write_cb(evutil_socket_t fd, short what, void *arg);

static const char *srsmap_map_name(enum srsmap_direction dir)
{
    return dir == SRSMAP_FORWARD ? "forward" : "reverse";
}

static void srsmap_conn_timeout(const struct srsmap_conn *c, struct timeval *tv)
{
    tv->tv_sec = c->env.keep_alive_seconds;
    tv->tv_usec = 0;
}

static void srsmap_conn_set_reading(struct srsmap_conn *c, bool on)
{
    if (on == c->reading)
        return;
    if (on) {
        struct timeval tv;
        srsmap_conn_timeout(c, &tv);
        event_add(c->ev_read, &tv);
    } else {
        event_del(c->ev_read);
    }
    c->reading = on;
}

void srsmap_conn_close(struct srsmap_conn *c)
{
    LOG_DEBUG(c->id, "srsmap conn-close requests=%lu", c->requests);
    event_free(c->ev_read);
    event_free(c->ev_write);
    close(c->fd);
    buf_free(&c->out);
    c->env.on_close(c->env.ctx, c);
    free(c);
}

/* ---- replies ---------------------------------------------------------------------------- */

static void srsmap_reply_tcptable(struct srsmap_conn *c, const struct srsmap_answer *a)
{
    if (a->outcome == SRSMAP_FOUND) {
        buf_append(&c->out, "200 ", 4);
        tcptable_encode_append(&c->out, a->value, strlen(a->value));
    } else {
        buf_append(&c->out, "500 ", 4);
        buf_append_str(&c->out, a->reason);
    }
    buf_append_char(&c->out, '\n');
}

static void srsmap_reply_netstring(struct srsmap_conn *c, const char *status, const char *text)
{
    size_t len = strlen(status) + 1 + strlen(text);
    buf_printf(&c->out, "%zu:%s %s,", len, status, text);
}

static void srsmap_reply_socketmap(struct srsmap_conn *c, const struct srsmap_answer *a)
{
    static const char *const status[] = {
        [SRSMAP_FOUND] = "OK",
        [SRSMAP_NOTFOUND] = "NOTFOUND",
        [SRSMAP_TEMP] = "TEMP",
        [SRSMAP_PERM] = "PERM",
    };
    srsmap_reply_netstring(c, status[a->outcome],
                           a->outcome == SRSMAP_FOUND ? a->value : a->reason);
}

/* Longest key or value copied into a log line. */
#define SRSMAP_LOG_TEXT_MAX 256

/* Copies peer-controlled text for a log line: bytes outside printable ASCII (a raw socketmap
 * key may hold LF) become '?', so one event stays one line; long text is cut. */
static void srsmap_log_text(char *dst, size_t size, const char *src)
{
    size_t i = 0;
    for (; src[i] != '\0' && i + 1 < size; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
    }
    dst[i] = '\0';
}

static void srsmap_log_answer(const struct srsmap_conn *c, const char *map, size_t map_len,
                              const char *key, const struct srsmap_answer *a)
{
    if (!log_enabled(LOG_LEVEL_DEBUG))
        return;
    char k[SRSMAP_LOG_TEXT_MAX], v[SRSMAP_LOG_TEXT_MAX], m[16];
    srsmap_log_text(k, sizeof(k), key);
    srsmap_log_text(v, sizeof(v), a->outcome == SRSMAP_FOUND ? a->value : a->reason);
    snprintf(m, sizeof(m), "%.*s", (int)map_len, map);
    srsmap_log_text(m, sizeof(m), m);
    LOG_DEBUG(c->id, "srsmap lookup proto=%s map=%s key=<%s> result=%s value=<%s>",
              c->proto == SRSMAP_PROTO_TCPTABLE ? "tcp_table" : "socketmap", m, k,
              a->outcome == SRSMAP_FOUND ? "found" : "refused", v);
}

/* ---- request processing ---------------------------------------------------------------- */

static void srsmap_conn_protocol_error(struct srsmap_conn *c, const char *what)
{
    LOG_INFO(c->id, "srsmap protocol-error proto=%s reason=%s requests=%lu",
             c->proto == SRSMAP_PROTO_TCPTABLE ? "tcp_table" : "socketmap", what, c->requests);
    c->closing = true;
}

/* Parses and answers requests from data; returns the bytes consumed. Stops early on a
 * protocol error or when SRSMAP_MAX_PENDING_OUTPUT bytes of replies are waiting. */
static size_t srsmap_conn_process_tcptable(struct srsmap_conn *c, const char *data, size_t len)
{
    size_t used = 0;
    while (!c->closing && c->out.len - c->out_off < SRSMAP_MAX_PENDING_OUTPUT) {
        enum tcptable_event ev;
        struct tcptable_request req;
        used += tcptable_parser_feed(&c->parser.tcp, data + used, len - used, &ev, &req);
        if (ev == TCPTABLE_NEED_MORE)
            break;
        if (ev == TCPTABLE_INVALID) {
            buf_append_str(&c->out, "500 Invalid request\n");
            srsmap_conn_protocol_error(c, "invalid-request");
            break;
        }
        struct srsmap_answer a;
        c->requests++;
        srsmap_tcptable_lookup(c->env.engine, c->dir, req.key, &a);
        srsmap_reply_tcptable(c, &a);
        const char *map = srsmap_map_name(c->dir);
        srsmap_log_answer(c, map, strlen(map), req.key, &a);
        srsmap_answer_clear(&a);
    }
    return used;
}

static size_t srsmap_conn_process_socketmap(struct srsmap_conn *c, const char *data, size_t len)
{
    size_t used = 0;
    while (!c->closing && c->out.len - c->out_off < SRSMAP_MAX_PENDING_OUTPUT) {
        enum socketmap_event ev;
        struct socketmap_request req;
        used += socketmap_parser_feed(&c->parser.sm, data + used, len - used, &ev, &req);
        if (ev == SOCKETMAP_NEED_MORE)
            break;
        if (ev == SOCKETMAP_INVALID) {
            srsmap_reply_netstring(c, "PERM", "Invalid query.");
            srsmap_conn_protocol_error(c, "invalid-query");
            break;
        }
        c->requests++;
        if (ev == SOCKETMAP_TOO_BIG) {
            LOG_INFO(c->id, "srsmap key-too-big proto=socketmap limit=%d", SOCKETMAP_MAX_KEY);
            srsmap_reply_netstring(c, "PERM", "Too big.");
            continue;
        }
        struct srsmap_answer a;
        srsmap_socketmap_lookup(c->env.engine, req.map, req.map_len, req.key, &a);
        srsmap_reply_socketmap(c, &a);
        srsmap_log_answer(c, req.map, req.map_len, req.key, &a);
        srsmap_answer_clear(&a);
    }
    return used;
}

static void srsmap_conn_process_input(struct srsmap_conn *c)
{
    const char *data = c->in + c->in_off;
    size_t len = c->in_len - c->in_off;
    c->in_off += c->proto == SRSMAP_PROTO_TCPTABLE ? srsmap_conn_process_tcptable(c, data, len)
                                                   : srsmap_conn_process_socketmap(c, data, len);
    if (c->in_off == c->in_len || c->closing)
        c->in_off = c->in_len = 0;
}

/* End of input: a tcp_table line without LF is still answered, as postsrsd's fgets() did. */
static void srsmap_conn_process_eof(struct srsmap_conn *c)
{
    c->closing = true;
    if (c->proto != SRSMAP_PROTO_TCPTABLE)
        return;
    struct tcptable_request req;
    if (tcptable_parser_finish(&c->parser.tcp, &req) != TCPTABLE_REQUEST)
        return;
    struct srsmap_answer a;
    c->requests++;
    srsmap_tcptable_lookup(c->env.engine, c->dir, req.key, &a);
    srsmap_reply_tcptable(c, &a);
    const char *map = srsmap_map_name(c->dir);
    srsmap_log_answer(c, map, strlen(map), req.key, &a);
    srsmap_answer_clear(&a);
}

/* ---- socket I/O ------------------------------------------------------------------------ */

/* Writes pending output. Returns false if the connection was closed (do not touch c). */
static bool srsmap_conn_flush(struct srsmap_conn *c)
{
    while (c->out_off < c->out.len) {
        ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct timeval tv;
            srsmap_conn_timeout(c, &tv);
            event_add(c->ev_write, &tv);
            return true;
        }
        if (n <= 0) {
            LOG_DEBUG(c->id, "srsmap write-failed error=\"%s\"", strerror(errno));
            srsmap_conn_close(c);
            return false;
        }
        c->out_off += (size_t)n;
    }
    buf_reset(&c->out);
    c->out_off = 0;
    event_del(c->ev_write);
    if (c->closing) {
        srsmap_conn_close(c);
        return false;
    }
    return true;
}

/*
 * Answers the input read so far and writes the replies. While replies cannot be written
 * (socket full) reading stops, so a peer that does not read cannot make us buffer without
 * bound; the write callback calls this again once the output has drained.
 */
static void srsmap_conn_pump(struct srsmap_conn *c)
{
    for (;;) {
        srsmap_conn_process_input(c);
        if (!srsmap_conn_flush(c))
            return; /* closed */
        if (c->out.len > 0) {
            srsmap_conn_set_reading(c, false);
            return;
        }
        if (c->in_off == c->in_len || c->closing)
            break;
    }
    srsmap_conn_set_reading(c, !c->closing);
}

static void srsmap_conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
    struct srsmap_conn *c = arg;
    if (what & EV_TIMEOUT) {
        LOG_DEBUG(c->id, "srsmap idle-timeout seconds=%u", c->env.keep_alive_seconds);
        srsmap_conn_close(c);
        return;
    }
    ssize_t n = recv(fd, c->in, sizeof(c->in), 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0) {
        srsmap_conn_process_eof(c);
        srsmap_conn_set_reading(c, false);
        srsmap_conn_flush(c);
        return;
    }
    c->in_len = (size_t)n;
    c->in_off = 0;
    srsmap_conn_pump(c);
}

static void srsmap_conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    struct srsmap_conn *c = arg;
    if (what & EV_TIMEOUT) {
        LOG_DEBUG(c->id, "srsmap write-timeout seconds=%u", c->env.keep_alive_seconds);
        srsmap_conn_close(c);
        return;
    }
    if (!srsmap_conn_flush(c) || c->out.len > 0)
        return; /* closed, or still waiting for the socket */
    srsmap_conn_pump(c);
}

struct srsmap_conn *srsmap_conn_start(const struct srsmap_conn_env *env, int fd, uint64_t id,
                                      enum srsmap_protocol proto, enum srsmap_direction dir)
{
    struct srsmap_conn *c = xcalloc(1, sizeof(*c));
    c->env = *env;
    c->fd = fd;
    snprintf(c->id, sizeof(c->id), "srsmap-%llu", (unsigned long long)id);
    c->proto = proto;
    c->dir = dir;
    if (proto == SRSMAP_PROTO_TCPTABLE)
        tcptable_parser_init(&c->parser.tcp);
    else
        socketmap_parser_init(&c->parser.sm);
    c->ev_read = event_new(env->base, fd, EV_READ | EV_PERSIST, srsmap_conn_read_cb, c);
    c->ev_write = event_new(env->base, fd, EV_WRITE | EV_PERSIST, srsmap_conn_write_cb, c);
    if (c->ev_read == NULL || c->ev_write == NULL) {
        fprintf(stderr, "rebound: out of memory creating events\n");
        abort();
    }
    srsmap_conn_set_reading(c, true);
    return c;
}

struct srsmap_conn *srsmap_conn_next(const struct srsmap_conn *conn)
{
    return conn->next;
}

void srsmap_conn_link(struct srsmap_conn *conn, struct srsmap_conn **head)
{
    conn->prev = NULL;
    conn->next = *head;
    if (*head)
        (*head)->prev = conn;
    *head = conn;
}

void srsmap_conn_unlink(struct srsmap_conn *conn, struct srsmap_conn **head)
{
    if (conn->prev)
        conn->prev->next = conn->next;
    else
        *head = conn->next;
    if (conn->next)
        conn->next->prev = conn->prev;
    conn->prev = conn->next = NULL;
}
