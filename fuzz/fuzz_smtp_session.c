/*
 * libFuzzer target: a whole session's client bytes fed into the server state machine with a
 * fake transport and a fake role. The first input byte picks the shape (TLS active or not, role
 * answering at once or late, chunk size); the rest is what the client sends. Small limits make
 * every limit reachable. ASan/UBSan and the engine's asserts are the oracle; the transcript
 * must also consist of whole reply lines.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "log.h"
#include "smtp_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
    struct buf out;
    bool closed, scheduled, late;
    uint64_t pending[4];
    unsigned n_pending;
    struct smtp_server *server;
};

static void fz_write(void *c, const char *d, size_t n)
{
    struct fz *f = c;
    assert(!f->closed);
    /* Keep memory flat on long inputs: only the last reply bytes matter for checks. */
    if (f->out.len > 65536)
        buf_reset(&f->out);
    buf_append(&f->out, d, n);
}
static size_t fz_pending(void *c)
{
    return 0;
}
static void fz_close(void *c)
{
    ((struct fz *)c)->closed = true;
}
static bool fz_tls(void *c)
{
    return true;
}
static void fz_timeout(void *c, unsigned s)
{
}
static void fz_reading(void *c, bool on)
{
}
static void fz_schedule(void *c)
{
    ((struct fz *)c)->scheduled = true;
}

static void fz_answer(struct fz *f, uint64_t id, enum smtp_verdict v)
{
    if (f->late && f->n_pending < 4) {
        f->pending[f->n_pending++] = id;
        return;
    }
    struct smtp_answer a = {.verdict = v, .message_id = v == SMTP_VERDICT_ACCEPT ? "F1" : NULL};
    smtp_server_answer(f->server, id, &a);
}
static void fz_auth(void *c, uint64_t id, const struct smtp_session_info *i,
                    const struct smtp_auth_credentials *cr)
{
    fz_answer(c, id, strcmp(cr->password, "pw") == 0 ? SMTP_VERDICT_ACCEPT : SMTP_VERDICT_PERMFAIL);
}
static void fz_mail(void *c, uint64_t id, const struct smtp_session_info *i, const char *from,
                    const struct smtp_mail_params *p)
{
    fz_answer(c, id, from[0] == 'x' ? SMTP_VERDICT_TEMPFAIL : SMTP_VERDICT_ACCEPT);
}
static void fz_rcpt(void *c, uint64_t id, const struct smtp_session_info *i,
                    const struct smtp_envelope *e, const char *to, const struct smtp_rcpt_params *p)
{
    fz_answer(c, id, to[0] == 'x' ? SMTP_VERDICT_PERMFAIL : SMTP_VERDICT_ACCEPT);
}
static void fz_commit(void *c, uint64_t id, const struct smtp_session_info *i,
                      const struct smtp_message *m)
{
    assert(m->envelope->n_rcpts > 0 && m->size > 0);
    fz_answer(c, id, SMTP_VERDICT_ACCEPT);
}

static void fz_pump(struct fz *f, struct smtp_session *s)
{
    while (f->n_pending > 0) {
        uint64_t id = f->pending[--f->n_pending];
        struct smtp_answer a = {.verdict = SMTP_VERDICT_ACCEPT};
        smtp_server_answer(f->server, id, &a);
    }
    while (f->scheduled) {
        f->scheduled = false;
        smtp_session_run(s);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    log_init(LOG_LEVEL_ERROR, NULL);
    uint8_t shape = data[0];
    data++;
    size--;
    struct fz f;
    memset(&f, 0, sizeof(f));
    f.late = shape & 2;
    int64_t now = 1700000000000LL;
    static const struct smtp_listener_config lc = {"fuzz", "127.0.0.1:0", false,    false,
                                                   true,   NULL,          "trusted"};
    struct smtp_server_config cfg = {.hostname = "fuzz.test", .clock = clock_fixed(&now)};
    smtp_limits_default(&cfg.limits);
    cfg.limits.recipients = 3;
    cfg.limits.message_size = 2048;
    cfg.limits.commands = 200;
    cfg.tls_ctx = &f;
    struct smtp_server_handler h = {&f, fz_auth, fz_mail, fz_rcpt, fz_commit, NULL};
    f.server = smtp_server_new(&cfg, &h);
    struct smtp_transport t = {&f,     fz_write,   fz_pending, fz_close,
                               fz_tls, fz_timeout, fz_reading, fz_schedule};
    struct smtp_session *s = smtp_session_new(f.server, &lc, &t, "192.0.2.9", shape & 4, shape & 1);
    smtp_session_start(s);
    size_t chunk = (shape >> 3) ? (size_t)(shape >> 3) : size;
    for (size_t off = 0; off < size && !f.closed; off += chunk) {
        size_t n = chunk < size - off ? chunk : size - off;
        smtp_session_input(s, (const char *)data + off, n);
        fz_pump(&f, s);
    }
    if (f.out.len > 0)
        assert(f.out.len >= 2 && memcmp(f.out.data + f.out.len - 2, "\r\n", 2) == 0);
    smtp_session_free(s);
    smtp_server_free(f.server);
    buf_free(&f.out);
    return 0;
}
