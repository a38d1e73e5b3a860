/*
 * Reason -> SES bounce type, row for row the mapping in tests/yardsticks/bounces/
 * reason-map.tsv (each row's justification is there): only mailbox-is-gone reasons are
 * Permanent; over-quota, size and content rejections are their own Transient subtypes;
 * sender-side and infrastructure reasons are Transient/General; undecided is Undetermined.
 */
#include "classify.h"

#include <stdlib.h>
#include <string.h>

struct classify_ses_row {
    const char *reason;
    const char *type;
    const char *subtype;
    int pseudo; /* Sisimai's x.0.9yy pseudo status detail for the reason */
};

static const struct classify_ses_row classify_ses_rows[] = {
    {"userunknown", "Permanent", "NoEmail", 911},
    {"hostunknown", "Permanent", "General", 912},
    {"hasmoved", "Permanent", "General", 916},
    {"suppressed", "Permanent", "Suppressed", 0},
    /* rebound's own reason (not Sisimai's): SES's account-level suppression list */
    {"onaccountsuppressionlist", "Permanent", "OnAccountSuppressionList", 0},
    {"mailboxfull", "Transient", "MailboxFull", 922},
    {"mesgtoobig", "Transient", "MessageTooLarge", 934},
    {"emailtoolarge", "Transient", "MessageTooLarge", 934},
    {"exceedlimit", "Transient", "MessageTooLarge", 923},
    {"contenterror", "Transient", "ContentRejected", 960},
    {"spamdetected", "Transient", "ContentRejected", 980},
    {"policyviolation", "Transient", "ContentRejected", 972},
    {"notcompliantrfc", "Transient", "ContentRejected", 0},
    {"virusdetected", "Transient", "AttachmentRejected", 981},
    {"filtered", "Transient", "General", 910},
    {"suspend", "Transient", "General", 921},
    {"rejected", "Transient", "General", 918},
    {"blocked", "Transient", "General", 971},
    {"badreputation", "Transient", "General", 0},
    {"requireptr", "Transient", "General", 973},
    {"authfailure", "Transient", "General", 0},
    {"securityerror", "Transient", "General", 970},
    {"failedstarttls", "Transient", "General", 0},
    {"norelaying", "Transient", "General", 909},
    {"speeding", "Transient", "General", 0},
    {"toomanyconn", "Transient", "General", 945},
    {"ratelimited", "Transient", "General", 0},
    {"systemerror", "Transient", "General", 930},
    {"systemfull", "Transient", "General", 931},
    {"networkerror", "Transient", "General", 944},
    {"expired", "Transient", "General", 947},
    {"mailererror", "Transient", "General", 939},
    {"syntaxerror", "Transient", "General", 902},
    {"onhold", "Undetermined", "Undetermined", 901},
    {"undefined", "Undetermined", "Undetermined", 900},
    {"delivered", "-", "-", 0},
    {"vacation", "-", "-", 0},
};

static const struct classify_ses_row *classify_ses_row(const char *reason)
{
    for (size_t i = 0; i < sizeof(classify_ses_rows) / sizeof(classify_ses_rows[0]); i++) {
        if (strcmp(classify_ses_rows[i].reason, reason) == 0)
            return &classify_ses_rows[i];
    }
    return NULL;
}

void classify_ses(const char *reason, bool hard, const char **type_r, const char **subtype_r)
{
    if (strcmp(reason, "notaccept") == 0) {
        *type_r = hard ? "Permanent" : "Transient";
        *subtype_r = "General";
        return;
    }
    const struct classify_ses_row *row = classify_ses_row(reason);
    *type_r = row ? row->type : "Undetermined";
    *subtype_r = row ? row->subtype : "Undetermined";
}

int classify_pseudo_detail(const char *reason)
{
    if (strcmp(reason, "notaccept") == 0)
        return 932;
    const struct classify_ses_row *row = classify_ses_row(reason);
    return row ? row->pseudo : 0;
}

bool classify_is_reason(const char *reason)
{
    return strcmp(reason, "notaccept") == 0 || classify_ses_row(reason) != NULL;
}

/* SES subtypes that name one reason; "General" and "Undetermined" name none. */
static const struct {
    const char *type, *subtype, *reason;
} classify_ses_stated[] = {
    {"Permanent", "NoEmail", "userunknown"},
    {"Permanent", "Suppressed", "suppressed"},
    {"Permanent", "OnAccountSuppressionList", "onaccountsuppressionlist"},
    {"Transient", "MailboxFull", "mailboxfull"},
    {"Transient", "MessageTooLarge", "mesgtoobig"},
    {"Transient", "ContentRejected", "contenterror"},
    {"Transient", "AttachmentRejected", "virusdetected"},
};

const char *classify_ses_reason(const char *type, const char *subtype)
{
    for (size_t i = 0;
         type && subtype && i < sizeof(classify_ses_stated) / sizeof(*classify_ses_stated); i++) {
        if (strcmp(classify_ses_stated[i].type, type) == 0 &&
            strcmp(classify_ses_stated[i].subtype, subtype) == 0)
            return classify_ses_stated[i].reason;
    }
    return NULL;
}
