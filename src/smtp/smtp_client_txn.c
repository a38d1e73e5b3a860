/*
 * One mail transaction on an open connection (RFC 5321 section 3.3): [RSET] MAIL, RCPT...,
 * DATA, body, "." -- with PIPELINING (RFC 2920) MAIL and every RCPT go out in one write and
 * their replies are matched in order; DATA waits until we know some recipient was accepted.
 *
 * Outcomes: a recipient refused at RCPT keeps that reply; if MAIL is refused every recipient
 * gets MAIL's reply; accepted recipients get DATA's reply when DATA is refused, else the
 * final reply after ".". A connection lost midway gives every recipient without a final
 * answer the same temporary failure.
 */
#include <assert.h>
#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "smtp_client_body.h"
#include "smtp_client_impl.h"
#include "xalloc.h"

/* Characters allowed in NOTIFY and ORCPT values as we pass them through (xtext is printable
 * ASCII without SP and '='; RFC 3461 4.1-4.2). */
static bool txn_is_xtext_safe(const char *s)
{
    if (s == NULL || s[0] == '\0' || strlen(s) > SMTP_CLIENT_MAX_PARAM_LEN)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x21 || *p > 0x7e || *p == '=')
            return false;
    }
    return true;
}

/* RFC 6531: an address with bytes >= 0x80 (UTF-8) needs the SMTPUTF8 extension. */
static bool txn_needs_smtputf8(const struct smtp_client_msg *m)
{
    if (smtp_client_has_8bit(m->return_path, strlen(m->return_path)))
        return true;
    for (size_t i = 0; i < m->n_rcpts; i++) {
        if (smtp_client_has_8bit(m->rcpts[i].address, strlen(m->rcpts[i].address)))
            return true;
    }
    return false;
}

static void txn_set_all(struct smtp_client *c, const struct smtp_client_result *r, bool only_open)
{
    for (size_t i = 0; i < c->msg->n_rcpts; i++) {
        if (!only_open || c->results[i].status == SMTP_CLIENT_OK)
            smtp_client_result_copy(&c->results[i], r);
    }
    smtp_client_result_copy(&c->last, r);
}

void smtp_client_txn_finish(struct smtp_client *c)
{
    evtimer_del(c->timer);
    if (c->bev != NULL) {
        bufferevent_set_timeouts(c->bev, NULL, NULL);
        c->state = SMTP_CLIENT_S_IDLE;
    } else {
        c->state = SMTP_CLIENT_S_DEAD;
    }
    /* Move everything out first: the callback may start the next transaction. */
    struct smtp_client_result *results = c->results;
    size_t n = c->msg->n_rcpts;
    struct smtp_client_result last = c->last;
    struct smtp_client_sent sent = {n, results, &last, c->stale};
    smtp_client_sent_fn *cb = c->sent_cb;
    void *arg = c->sent_arg;
    c->results = NULL;
    c->msg = NULL;
    c->sent_cb = NULL;
    memset(&c->last, 0, sizeof(c->last));
    LOG_DEBUG(c->log_id, "smtp_client sent peer=%s code=%d enhanced=%s stale=%d", c->peer,
              last.code, last.enhanced, sent.stale);
    if (cb != NULL)
        cb(c, &sent, arg);
    for (size_t i = 0; i < n; i++)
        smtp_client_result_clear(&results[i]);
    free(results);
    smtp_client_result_clear(&last);
}

void smtp_client_txn_fail(struct smtp_client *c, const struct smtp_client_result *why)
{
    if (c->txn_state == SMTP_CLIENT_T_RSET)
        c->stale = true;
    txn_set_all(c, why, true);
    smtp_client_txn_finish(c);
}

static void txn_send_mail(struct smtp_client *c)
{
    const struct smtp_client_msg *m = c->msg;
    struct buf cmd = BUF_INIT;
    buf_printf(&cmd, "MAIL FROM:<%s>", m->return_path);
    if (c->caps.size)
        buf_printf(&cmd, " SIZE=%zu", m->body_len);
    if (c->caps.eightbitmime && smtp_client_has_8bit(m->body, m->body_len))
        buf_append_str(&cmd, " BODY=8BITMIME");
    if (c->caps.smtputf8 && txn_needs_smtputf8(m))
        buf_append_str(&cmd, " SMTPUTF8");
    if (c->caps.dsn && m->ret != NULL &&
        (strcmp(m->ret, "FULL") == 0 || strcmp(m->ret, "HDRS") == 0))
        buf_printf(&cmd, " RET=%s", m->ret);
    if (c->caps.dsn && m->envid != NULL && m->envid[0] != '\0' &&
        strlen(m->envid) <= SMTP_CLIENT_MAX_PARAM_LEN) {
        buf_append_str(&cmd, " ENVID=");
        smtp_client_xtext_encode(m->envid, &cmd);
    }
    smtp_client_write(c, "%s", buf_cstr(&cmd));
    buf_free(&cmd);
}

static void txn_send_rcpt(struct smtp_client *c, size_t i)
{
    const struct smtp_client_rcpt *r = &c->msg->rcpts[i];
    struct buf cmd = BUF_INIT;
    buf_printf(&cmd, "RCPT TO:<%s>", r->address);
    if (c->caps.dsn && txn_is_xtext_safe(r->notify))
        buf_printf(&cmd, " NOTIFY=%s", r->notify);
    if (c->caps.dsn && txn_is_xtext_safe(r->orcpt) && strchr(r->orcpt, ';') != NULL)
        buf_printf(&cmd, " ORCPT=%s", r->orcpt);
    smtp_client_write(c, "%s", buf_cstr(&cmd));
    buf_free(&cmd);
}

/* Writes MAIL (and with PIPELINING every RCPT) without changing txn_state. */
static void txn_send_envelope(struct smtp_client *c)
{
    c->transactions++;
    c->envelope_sent = true;
    txn_send_mail(c);
    c->replies_due = 1;
    if (c->caps.pipelining) {
        for (size_t i = 0; i < c->msg->n_rcpts; i++)
            txn_send_rcpt(c, i);
        c->replies_due += c->msg->n_rcpts;
        c->next_rcpt = c->msg->n_rcpts;
    }
}

static void txn_start_envelope(struct smtp_client *c)
{
    c->txn_state = SMTP_CLIENT_T_ENVELOPE;
    if (!c->envelope_sent)
        txn_send_envelope(c);
    smtp_client_arm(c, c->timeouts.mail_ms);
}

static void txn_after_envelope(struct smtp_client *c)
{
    if (!c->mail_ok || c->n_accepted == 0) {
        smtp_client_txn_finish(c); /* results and last already hold the refusals */
        return;
    }
    c->txn_state = SMTP_CLIENT_T_DATA;
    smtp_client_write(c, "DATA");
    smtp_client_arm(c, c->timeouts.data_init_ms);
}

static void txn_envelope_reply(struct smtp_client *c, const struct smtp_client_reply *reply)
{
    if (!c->mail_replied) {
        c->mail_replied = true;
        smtp_client_result_from_reply(&c->last, reply);
        c->mail_ok = c->last.status == SMTP_CLIENT_OK;
        if (!c->mail_ok)
            txn_set_all(c, &c->last, false);
    } else {
        size_t i = c->rcpt_replied++;
        if (c->mail_ok) {
            smtp_client_result_from_reply(&c->results[i], reply);
            smtp_client_result_copy(&c->last, &c->results[i]);
            if (c->results[i].status == SMTP_CLIENT_OK)
                c->n_accepted++;
        }
    }
    c->replies_due--;
    if (c->replies_due > 0) {
        smtp_client_arm(c, c->timeouts.rcpt_ms);
    } else if (c->mail_ok && c->next_rcpt < c->msg->n_rcpts) {
        txn_send_rcpt(c, c->next_rcpt++);
        c->replies_due = 1;
        smtp_client_arm(c, c->timeouts.rcpt_ms);
    } else {
        txn_after_envelope(c);
    }
}

static void txn_send_body(struct smtp_client *c)
{
    struct buf wire = BUF_INIT;
    smtp_client_dot_stuff(c->msg->body, c->msg->body_len, &wire);
    /* One large write: libevent hands it to the kernel in as few send() calls as it can. */
    evbuffer_add(bufferevent_get_output(c->bev), wire.data, wire.len);
    buf_free(&wire);
    c->txn_state = SMTP_CLIENT_T_BODY;
    c->body_sent = false;
    struct timeval block = {c->timeouts.data_block_ms / 1000,
                            (long)(c->timeouts.data_block_ms % 1000) * 1000};
    bufferevent_set_timeouts(c->bev, NULL, &block);
    /* Until the body has left, the data-block timeout applies (write timeout above); the
     * write callback then arms the termination timeout. */
    evtimer_del(c->timer);
}

void smtp_client_txn_reply(struct smtp_client *c, const struct smtp_client_reply *reply)
{
    switch (c->txn_state) {
    case SMTP_CLIENT_T_RSET:
        if (reply->code / 100 == 2) {
            txn_start_envelope(c);
        } else {
            struct smtp_client_result r = {0};
            smtp_client_result_from_reply(&r, reply);
            r.status = SMTP_CLIENT_TEMPORARY;
            smtp_client_close(c);
            smtp_client_txn_fail(c, &r);
            smtp_client_result_clear(&r);
        }
        return;
    case SMTP_CLIENT_T_ENVELOPE:
        txn_envelope_reply(c, reply);
        return;
    case SMTP_CLIENT_T_DATA:
        if (reply->code == 354) {
            txn_send_body(c);
            return;
        }
        smtp_client_result_from_reply(&c->last, reply);
        if (c->last.status == SMTP_CLIENT_OK) /* 2xx to DATA: nonsense, not a delivery */
            c->last.status = SMTP_CLIENT_TEMPORARY;
        txn_set_all(c, &c->last, true);
        smtp_client_txn_finish(c);
        return;
    case SMTP_CLIENT_T_BODY:
        smtp_client_result_from_reply(&c->last, reply);
        txn_set_all(c, &c->last, true);
        smtp_client_txn_finish(c);
        return;
    }
}

/* Checks that need no round trip; returns false (with results filled) when the message cannot
 * go to this server at all. */
static bool txn_precheck(struct smtp_client *c)
{
    const struct smtp_client_msg *m = c->msg;
    char *text = NULL;
    const char *enhanced = NULL;
    if (c->caps.size_limit > 0 && m->body_len > c->caps.size_limit) {
        text = xasprintf("message of %zu bytes exceeds the %llu byte limit of %s (SIZE)",
                         m->body_len, (unsigned long long)c->caps.size_limit, c->peer);
        enhanced = "5.3.4";
    } else if (!c->caps.smtputf8 && txn_needs_smtputf8(m)) {
        text = xasprintf("an address is not ASCII and %s does not offer SMTPUTF8", c->peer);
        enhanced = "5.6.7"; /* RFC 6531 section 3.7.5 */
    } else if (!c->caps.eightbitmime && smtp_client_has_8bit(m->body, m->body_len)) {
        text = xasprintf("message has 8-bit content and %s does not offer 8BITMIME", c->peer);
        enhanced = "5.6.3";
    }
    if (text == NULL)
        return true;
    struct smtp_client_result r = {0};
    smtp_client_set_result(&r, SMTP_CLIENT_PERMANENT, 0, enhanced, text);
    txn_set_all(c, &r, false);
    smtp_client_result_clear(&r);
    free(text);
    return false;
}

void smtp_client_send(struct smtp_client *c, const struct smtp_client_msg *msg,
                      smtp_client_sent_fn *sent_cb, void *arg)
{
    assert(smtp_client_is_usable(c));
    assert(msg->n_rcpts >= 1 && msg->n_rcpts <= SMTP_CLIENT_MAX_RCPTS);
    c->state = SMTP_CLIENT_S_TXN;
    c->msg = msg;
    c->sent_cb = sent_cb;
    c->sent_arg = arg;
    c->results = xcalloc(msg->n_rcpts, sizeof(*c->results));
    smtp_client_result_clear(&c->last);
    c->replies_due = c->next_rcpt = c->rcpt_replied = c->n_accepted = 0;
    c->mail_ok = c->mail_replied = c->stale = c->body_sent = c->envelope_sent = false;
    if (!txn_precheck(c)) {
        smtp_client_defer(c);
        return;
    }
    if (c->transactions > 0) {
        /* RFC 2920 section 3.1: RSET may open a pipelined group, saving a round trip. If it
         * fails the connection is closed before DATA, so nothing is delivered twice. */
        c->txn_state = SMTP_CLIENT_T_RSET;
        smtp_client_write(c, "RSET");
        if (c->caps.pipelining)
            txn_send_envelope(c);
        smtp_client_arm(c, c->timeouts.command_ms);
        return;
    }
    txn_start_envelope(c);
}
