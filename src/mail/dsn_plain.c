/*
 * Plain-text bounces: reports with no message/delivery-status part. A message is taken as a
 * bounce only when its envelope and headers say so (From a mail system, or a Subject that
 * names a delivery failure); then every recipient dsn_text finds in the report's own text
 * becomes a failed recipient with its block as diagnostic. This keeps ordinary mail that
 * happens to mention addresses from ever producing a bounce.
 */
#include "dsn_addr.h"
#include "dsn_build.h"
#include "dsn_status.h"
#include "dsn_text.h"
#include "str.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Addresses taken from one X-Failed-Recipients header. */
#define DSN_PLAIN_MAX_LISTED 100

static const char *const dsn_plain_subjects[] = {
    "undeliver",
    "delivery fail",
    "delivery status notification",
    "failure notice",
    "returned mail",
    "mail delivery",
    "could not be delivered",
    "not delivered",
    "delivery problem",
    "nondeliverable",
    "non-deliverable",
    "non deliverable",
    "delivery notification",
    "message delivery",
    "rejected",
    "mail system error",
    "returned to sender",
    "unable to deliver",
    "delivery error",
    "permanent error",
    "delivery report",
    "mail failure",
    "bounce",
    "not be delivered",
    "error sending",
    "delayed mail",
    "warning: could not send",
    "failed delivery",
    "delivery has failed",
    "message status",
};

static bool dsn_plain_contains(const char *s, const char *needle)
{
    size_t n = strlen(s), k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++) {
        if (str_equal_nocase_n(s + i, k, needle, k))
            return true;
    }
    return false;
}

static bool dsn_plain_from_system(const struct mime_headers *h)
{
    const char *from = mime_header_get(h, "From");
    if (from == NULL)
        return false;
    char *a = dsn_addr_first(from);
    bool system =
        (a != NULL && dsn_addr_is_system(a)) || dsn_plain_contains(from, "mailer-daemon") ||
        dsn_plain_contains(from, "mail delivery") || dsn_plain_contains(from, "postmaster");
    free(a);
    return system;
}

static bool dsn_plain_subject_says_failure(const struct mime_headers *h)
{
    const char *subject = mime_header_get(h, "Subject");
    for (size_t i = 0; subject && i < sizeof(dsn_plain_subjects) / sizeof(*dsn_plain_subjects);
         i++) {
        if (dsn_plain_contains(subject, dsn_plain_subjects[i]))
            return true;
    }
    return false;
}

/* Delivery reports are sent with a null envelope sender (RFC 5321 4.5.5): Return-Path <>. */
static bool dsn_plain_null_sender(const struct mime_headers *h)
{
    const char *rp = mime_header_get(h, "Return-Path");
    if (rp == NULL)
        return false;
    while (*rp == ' ' || *rp == '\t')
        rp++;
    return strncmp(rp, "<>", 2) == 0 || strncasecmp(rp, "<MAILER-DAEMON", 14) == 0;
}

/* A report comes from a mail system, or has a failure Subject AND another sign of being
 * machine-generated (null sender, X-Failed-Recipients, Auto-Submitted, an enhanced status
 * code in the body), so that a person's "Re: your proposal was rejected" never becomes a
 * bounce. */
bool dsn_build_looks_like_bounce(const struct mime_message *msg)
{
    if (msg->count == 0)
        return false;
    const struct mime_headers *h = &msg->entities[0].headers;
    if (dsn_plain_from_system(h))
        return true;
    if (!dsn_plain_subject_says_failure(h))
        return false;
    if (dsn_plain_null_sender(h) || mime_header_get(h, "X-Failed-Recipients") != NULL ||
        mime_header_get(h, "Auto-Submitted") != NULL)
        return true;
    /* a forwarded report still quotes the machine's codes */
    char status[DSN_STATUS_MAX_LEN + 1];
    return msg->raw_body != NULL && dsn_status_find(msg->raw_body, status);
}

/* The block of recipient j; for a single recipient whose block holds no reply or status
 * code, the whole report text, because some MTAs state the reason before the list of
 * recipients ("Could not be delivered because of 550 5.1.1 User unknown. The following
 * recipients were affected: ..."). */
static const char *dsn_plain_block_text(const struct dsn_text *t, size_t j)
{
    const char *text = t->blocks[j].text;
    char status[DSN_STATUS_MAX_LEN + 1];
    if (t->count == 1 && !dsn_status_find(text, status) && dsn_status_reply_code(text) == 0)
        return t->body;
    return text;
}

static void dsn_plain_add(struct dsn_report *report, const char *address, const char *text)
{
    if (dsn_build_find_recipient(report, address) != NULL)
        return;
    struct dsn_recipient *r = dsn_build_add_recipient(report, address);
    if (r == NULL)
        return;
    dsn_build_set(&r->action, "failed");
    dsn_build_set_text(&r->diagnostic, text, strlen(text));
}

/* X-Failed-Recipients (Exim, Google): the MTA's own list of failed recipients, which is
 * more reliable than addresses found in prose. Each gets its block, or the whole text. */
static void dsn_plain_failed_recipients(const struct mime_message *msg, const char *list,
                                        struct dsn_report *report)
{
    char *only[DSN_PLAIN_MAX_LISTED];
    size_t n = 0, pos = 0, s, e, len = strlen(list);
    while (n < DSN_PLAIN_MAX_LISTED && dsn_addr_scan(list, len, &pos, &s, &e))
        only[n++] = xstrndup(list + s, e - s);
    struct dsn_text *t = dsn_text_extract(msg, only, n);
    for (size_t i = 0; i < n; i++) {
        const struct dsn_text_block *b = dsn_text_find(t, only[i]);
        dsn_plain_add(report, only[i], b ? b->text : t->body);
        free(only[i]);
    }
    dsn_text_free(t);
}

bool dsn_text_parse(const struct mime_message *msg, struct dsn_report *report)
{
    if (!dsn_build_looks_like_bounce(msg))
        return false;
    const char *failed = mime_header_get(&msg->entities[0].headers, "X-Failed-Recipients");
    if (failed != NULL)
        dsn_plain_failed_recipients(msg, failed, report);
    struct dsn_text *t = dsn_text_extract(msg, NULL, 0);
    for (size_t i = 0; i < t->count && report->recipient_count == 0; i++) {
        for (size_t j = i; j < t->count; j++)
            dsn_plain_add(report, t->blocks[j].address, dsn_plain_block_text(t, j));
    }
    if (report->recipient_count == 0) {
        char *to = dsn_text_original_to(msg);
        if (to != NULL)
            dsn_plain_add(report, to, t->body);
        free(to);
    }
    dsn_text_free(t);
    if (report->recipient_count == 0)
        return false;
    report->kind = DSN_KIND_BOUNCE;
    report->format = DSN_FORMAT_TEXT;
    return true;
}
