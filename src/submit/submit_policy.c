#include "submit_policy.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "header_addr.h"
#include "xalloc.h"

void submit_decision_clear(struct submit_decision *d)
{
    free(d->text);
    memset(d, 0, sizeof(*d));
}

static void submit_refuse(struct submit_decision *d, int code, const char *enhanced, char *text)
{
    free(d->text);
    d->accept = false;
    d->code = code;
    d->enhanced = enhanced;
    d->text = text;
    d->identity = NULL;
}

void submit_policy_sender(const struct store_identity_list *ids, bool paused, const char *mail_from,
                          struct submit_decision *d_r)
{
    memset(d_r, 0, sizeof(*d_r));
    if (paused) {
        submit_refuse(d_r, 554, "5.7.1", xstrdup(SUBMIT_TEXT_PAUSED));
        return;
    }
    if (mail_from[0] == '\0') {
        /* A submission is never a bounce: <> would leave its own bounces nowhere to go. */
        submit_refuse(d_r, 554, "5.7.1",
                      xstrdup("Message rejected: the null sender <> cannot submit mail"));
        return;
    }
    const struct store_identity *hit = store_identity_list_covering(ids, mail_from);
    if (hit == NULL) {
        submit_refuse(d_r, 554, "5.7.1", xasprintf(SUBMIT_TEXT_NOT_VERIFIED "%s", mail_from));
        return;
    }
    d_r->accept = true;
    d_r->identity = hit;
}

/* Appends the uncovered addresses of one header field to failed (", "-separated, cut). */
static bool submit_check_field(const struct store_identity_list *ids, const char *data, size_t size,
                               const char *field, struct buf *failed, const char **why_r)
{
    struct header_addr_list list = {0};
    long n = header_addr_field(data, size, field, &list, why_r);
    for (size_t i = 0; n >= 0 && i < list.n; i++) {
        if (store_identity_list_covering(ids, list.items[i]) != NULL)
            continue;
        if (failed->len < SUBMIT_MAX_FAILED_TEXT)
            buf_printf(failed, "%s%s", failed->len ? ", " : "", list.items[i]);
    }
    header_addr_list_free(&list);
    return n >= 0;
}

void submit_policy_message(const struct store_identity_list *ids, bool paused,
                           const char *mail_from, const char *data, size_t size,
                           struct submit_decision *d_r)
{
    submit_policy_sender(ids, paused, mail_from, d_r);
    if (!d_r->accept)
        return;
    const struct store_identity *identity = d_r->identity;
    struct buf failed = BUF_INIT;
    const char *why = NULL;
    if (!submit_check_field(ids, data, size, "From", &failed, &why) ||
        !submit_check_field(ids, data, size, "Sender", &failed, &why)) {
        submit_refuse(d_r, 554, "5.6.0",
                      xasprintf("Message rejected: the From: or Sender: header cannot be parsed "
                                "(%s)",
                                why));
    } else if (failed.len > 0) {
        submit_refuse(d_r, 554, "5.7.1",
                      xasprintf(SUBMIT_TEXT_NOT_VERIFIED "%s", buf_cstr(&failed)));
    } else {
        d_r->identity = identity;
    }
    buf_free(&failed);
}

const char *submit_return_path_domain(const struct store_identity *identity,
                                      const char *default_domain)
{
    (void)identity; /* custom MAIL FROM domains arrive with the identities issue */
    return default_domain;
}

char *submit_return_path(const struct srs *srs, const char *mail_from, int64_t now,
                         struct submit_decision *d_r)
{
    char *rp = NULL;
    enum srs_status st = srs_forward(srs, mail_from, now, &rp);
    if (srs_status_ok(st))
        return rp;
    submit_refuse(
        d_r, 550, "5.1.7",
        xasprintf("Message rejected: the sender cannot be rewritten (%s)", srs_strerror(st)));
    return NULL;
}
