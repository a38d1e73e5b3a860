/*
 * The decision. Order of evidence (after the operator's rules, and after an SES type the
 * report states itself):
 *   1. report kind: complaints are "feedback", auto-replies "vacation"; DSN Action
 *      delivered/relayed/expanded (or a 2.x.x status) is "delivered" - none is a bounce;
 *   2. a specific status code (5.1.1, 5.2.2, 5.7.26, ...) decides, except that a few
 *      text reasons known to be mislabelled with such codes win (a "mailbox full" sent as
 *      5.1.1, a suspended account sent as 5.1.1);
 *   3. the diagnostic text through the ordered phrase table;
 *   4. the generic status code's reason;
 *   5. the reply code's class: a bare 4xx is a transient system error, a bare 5xx with
 *      nothing else is "onhold" (undecided), as is a report with no code and no text.
 */
#include "classify.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dsn_status.h"
#include "str.h"

static bool classify_is_delivered(const struct dsn_recipient *r)
{
    if (r->action != NULL &&
        (strcmp(r->action, "delivered") == 0 || strcmp(r->action, "relayed") == 0 ||
         strcmp(r->action, "expanded") == 0))
        return true;
    return r->status != NULL && r->status[0] == '2';
}

/* Length of a multi-line reply's continuation prefix at s ("550-5.7.1 ", "550 5.7.1 "), which
 * large providers repeat inside sentences ("multiple 550 5.7.1 addresses in From"), or 0. */
static size_t classify_continuation_len(const char *s)
{
    if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
        !isdigit((unsigned char)s[2]) || (s[3] != '-' && s[3] != ' '))
        return 0;
    char status[DSN_STATUS_MAX_LEN + 1];
    size_t i = 4;
    while (s[i] != '\0' && s[i] != ' ' && i < 4 + DSN_STATUS_MAX_LEN)
        i++;
    if (i - 4 > DSN_STATUS_MAX_LEN || s[i] != ' ')
        return 0;
    memcpy(status, s + 4, i - 4);
    status[i - 4] = '\0';
    return dsn_status_parse(status, status) ? i + 1 : 0;
}

/* Lower-cases the diagnostic into out, dropping reply continuation prefixes after the
 * first character so that phrases split by them still match. */
static void classify_lowered(const char *text, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; text != NULL && text[i] != '\0' && n + 1 < cap; i++) {
        size_t skip = (i > 0 && text[i - 1] == ' ') ? classify_continuation_len(text + i) : 0;
        if (skip > 0) {
            i += skip - 1;
            continue;
        }
        out[n++] = str_ascii_lower(text[i]);
    }
    out[n] = '\0';
}

/* Text reasons that override a "specific" status: MTAs send 5.1.1 for full or disabled
 * mailboxes and for a failing local delivery program ("procmail: ... No such user"), and
 * 5.1.10 (null MX) or 5.7.1 for what their text names precisely. */
static bool classify_text_overrides(const char *status_reason, const char *text_reason)
{
    if (text_reason == NULL || status_reason == NULL)
        return false;
    return strcmp(text_reason, "mailboxfull") == 0 || strcmp(text_reason, "suspend") == 0 ||
           strcmp(text_reason, "authfailure") == 0 || strcmp(text_reason, "requireptr") == 0 ||
           strcmp(text_reason, "mesgtoobig") == 0 || strcmp(text_reason, "exceedlimit") == 0 ||
           strcmp(text_reason, "notcompliantrfc") == 0 || strcmp(text_reason, "notaccept") == 0 ||
           strcmp(text_reason, "mailererror") == 0;
}

static const char *classify_reason(const struct classify_rules *rules,
                                   const struct dsn_recipient *r, bool *by_operator_r)
{
    char text[CLASSIFY_MAX_TEXT + 1];
    classify_lowered(r->diagnostic, text, sizeof(text));
    bool specific = false;
    const char *by_status = classify_status_reason(r->status, &specific);
    const char *by_operator = classify_rules_match_extra(rules, text);
    *by_operator_r = by_operator != NULL;
    if (by_operator != NULL)
        return by_operator;
    /* a report that states its SES classification (an SES notification) is taken at its word */
    const char *stated = classify_ses_reason(r->ses_type, r->ses_subtype);
    if (stated != NULL)
        return stated;
    const char *by_text = classify_rules_match(text);
    if (by_status != NULL && specific && !classify_text_overrides(by_status, by_text))
        return by_status;
    if (by_text != NULL)
        return by_text;
    if (by_status != NULL)
        return by_status;
    if ((r->status && r->status[0] == '4') || (r->reply_code >= 400 && r->reply_code < 500))
        return "systemerror";
    if (r->action != NULL && strcmp(r->action, "delayed") == 0)
        return "expired";
    return "onhold";
}

static bool classify_is_permanent(const struct dsn_recipient *r);

static bool classify_is(const char *reason, const char *a, const char *b)
{
    return strcmp(reason, a) == 0 || (b != NULL && strcmp(reason, b) == 0);
}

/* The refused SMTP command refines the reason: an "unknown user" answer to DATA comes from a
 * content filter, not from the mailbox lookup (which answers RCPT); a refusal of MAIL FROM is
 * about the sender; one at connection or HELO time is about the sending host. */
/* True for a status code that names a reason by itself. */
static bool classify_is_specific(const char *status)
{
    bool specific = false;
    classify_status_reason(status, &specific);
    return specific;
}

/* Bounces for a Google Groups address are refusals to accept a post from this sender (not
 * a member, no permission, or no such group), whatever language the text is in. */
static bool classify_is_mailing_list(const char *address)
{
    static const char suffix[] = "@googlegroups.com";
    size_t n = strlen(address), k = sizeof(suffix) - 1;
    return n > k && strcasecmp(address + n - k, suffix) == 0;
}

static const char *classify_by_command(const struct dsn_recipient *r, const char *reason)
{
    if (r->command == NULL)
        return reason;
    /* ... unless the status itself says "bad mailbox": with pipelining, a transcript shows
     * DATA after the RCPT that was actually refused (Sendmail's "503 Need RCPT"). */
    bool bad_mailbox = r->status != NULL && strcmp(r->status + 1, ".1.1") == 0;
    if (strcmp(r->command, "DATA") == 0 && classify_is(reason, "userunknown", NULL) && !bad_mailbox)
        return "filtered";
    if (strcmp(r->command, "MAIL") == 0 && classify_is(reason, "userunknown", "onhold") &&
        !bad_mailbox)
        return "rejected";
    if ((strcmp(r->command, "CONN") == 0 || strcmp(r->command, "HELO") == 0) &&
        classify_is(reason, "onhold", "userunknown"))
        return "blocked";
    return reason;
}

static bool classify_is_permanent(const struct dsn_recipient *r)
{
    if (r->status != NULL)
        return r->status[0] == '5';
    if (r->reply_code != 0)
        return r->reply_code >= 500;
    return r->action == NULL || strcmp(r->action, "delayed") != 0;
}

/* Sisimai's hard-bounce flag (reason-map.tsv "hard"): the address itself is dead, with a
 * permanent code; suppression-list refusals are hard whatever the code. */
static bool classify_is_hard(const char *reason, bool permanent)
{
    if (classify_is(reason, "suppressed", "onaccountsuppressionlist"))
        return true;
    return permanent && (classify_is(reason, "userunknown", "hostunknown") ||
                         classify_is(reason, "hasmoved", "notaccept"));
}

/* Context that refines the reason the evidence gave (never applied to operator rules). */
static const char *classify_adjust(const struct dsn_recipient *rcpt, const char *reason,
                                   bool permanent)
{
    reason = classify_by_command(rcpt, reason);
    if (classify_is_mailing_list(rcpt->address) && !classify_is_specific(rcpt->status))
        reason = "rejected";
    /* A final failure report carrying a temporary code means the queue gave up retrying. */
    if (rcpt->status != NULL && rcpt->status[0] == '4' && rcpt->action != NULL &&
        strcmp(rcpt->action, "failed") == 0 && classify_is(reason, "networkerror", NULL))
        reason = "expired";
    /* A name server that cannot answer now is a network error, not an unknown host. */
    if (!permanent && strcmp(reason, "hostunknown") == 0)
        reason = "networkerror";
    return reason;
}

void classify_recipient(const struct classify_rules *rules, const struct dsn_report *report,
                        const struct dsn_recipient *rcpt, struct classify_result *out)
{
    memset(out, 0, sizeof(*out));
    if (report->kind == DSN_KIND_COMPLAINT) {
        out->reason = "feedback";
        out->ses_type = "Complaint";
        out->ses_subtype = report->feedback_type ? report->feedback_type : "abuse";
        return;
    }
    if (report->kind == DSN_KIND_AUTOREPLY || classify_is_delivered(rcpt)) {
        out->reason = report->kind == DSN_KIND_AUTOREPLY ? "vacation" : "delivered";
        out->ses_type = out->ses_subtype = "-";
        if (rcpt->status != NULL)
            snprintf(out->status, sizeof(out->status), "%s", rcpt->status);
        return;
    }
    bool by_operator = false;
    out->reason = classify_reason(rules, rcpt, &by_operator);
    bool permanent = classify_is_permanent(rcpt);
    if (!by_operator)
        out->reason = classify_adjust(rcpt, out->reason, permanent);
    out->hard = classify_is_hard(out->reason, permanent);
    classify_ses(out->reason, out->hard, &out->ses_type, &out->ses_subtype);
    /* The code the MTA sent, unless it is the uninformative x.0.0 and the reason has a
     * pseudo code (Sisimai's x.0.9yy) that says more. */
    bool generic = rcpt->status == NULL || strcmp(rcpt->status + 1, ".0.0") == 0;
    int pseudo = classify_pseudo_detail(out->reason);
    if (generic && pseudo != 0)
        snprintf(out->status, sizeof(out->status), "%c.0.%d", permanent ? '5' : '4', pseudo);
    else if (rcpt->status != NULL)
        snprintf(out->status, sizeof(out->status), "%s", rcpt->status);
}

bool classify_is_bounce(const struct classify_result *res)
{
    return strcmp(res->ses_type, "Permanent") == 0 || strcmp(res->ses_type, "Transient") == 0 ||
           strcmp(res->ses_type, "Undetermined") == 0;
}
