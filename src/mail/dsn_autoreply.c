/*
 * RFC 3834 automatic responses (vacation, out-of-office). They are recognised so that they
 * are never counted as bounces. Signals, any of:
 *   Auto-Submitted: auto-replied                   (RFC 3834 section 5)
 *   X-Autoreply / X-Autorespond / X-Auto-Response-Suppress-less vacation headers
 *   Precedence: auto_reply
 *   a Subject that names an automatic reply ("Automatic reply:", "Out of Office", "Auto:")
 * but never from a mail system (mailer-daemon, postmaster): delivery failure reports carry
 * Auto-Submitted: auto-replied too (Exim does), and those are bounces.
 * The "recipient" of an auto-reply is the mailbox that answered: its From address.
 */
#include "dsn_addr.h"
#include "dsn_build.h"
#include "str.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static bool dsn_autoreply_subject(const char *subject)
{
    static const char *const prefixes[] = {
        "automatic reply",   "auto:",     "autoreply", "auto-reply", "auto reply", "out of office",
        "out of the office", "away from", "vacation",
    };
    if (subject == NULL)
        return false;
    while (*subject == ' ')
        subject++;
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        if (str_has_prefix_nocase(subject, prefixes[i]))
            return true;
    }
    return false;
}

static bool dsn_autoreply_headers(const struct mime_headers *h)
{
    const char *as = mime_header_get(h, "Auto-Submitted");
    if (as != NULL && strstr(as, "auto-replied") != NULL)
        return true;
    const char *prec = mime_header_get(h, "Precedence");
    if (prec != NULL && strstr(prec, "auto_reply") != NULL)
        return true;
    return mime_header_get(h, "X-Autoreply") != NULL ||
           mime_header_get(h, "X-Autorespond") != NULL ||
           dsn_autoreply_subject(mime_header_get(h, "Subject"));
}

bool dsn_autoreply_parse(const struct mime_message *msg, struct dsn_report *report)
{
    if (msg->count == 0)
        return false;
    const struct mime_headers *h = &msg->entities[0].headers;
    char *from = dsn_addr_first(mime_header_get(h, "From"));
    bool ok = from != NULL && !dsn_addr_is_system(from) && dsn_autoreply_headers(h) &&
              !dsn_build_looks_like_bounce(msg);
    if (ok) {
        dsn_build_add_recipient(report, from);
        report->kind = DSN_KIND_AUTOREPLY;
        report->format = DSN_FORMAT_RFC3834;
    }
    free(from);
    return ok;
}
