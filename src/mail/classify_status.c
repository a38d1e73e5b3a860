/*
 * Enhanced status code (RFC 3463, IANA registry) -> reason. "specific" codes name the
 * reason by themselves (x.1.1 bad mailbox, x.2.2 mailbox full); "generic" ones (x.0.0,
 * 5.7.1, 5.2.1, ...) are used by MTAs for many different refusals, so the diagnostic text
 * decides and the code's reason is only the fallback.
 */
#include "classify.h"

#include <stdlib.h>
#include <string.h>

struct classify_status_row {
    const char *code; /* "subject.detail" */
    const char *reason;
    bool specific;
};

static const struct classify_status_row classify_status_rows[] = {
    {"1.0", "userunknown", false},    {"1.1", "userunknown", true},
    {"1.2", "hostunknown", true},     {"1.3", "userunknown", false},
    {"1.4", "userunknown", false},    {"1.5", "userunknown", false},
    {"1.6", "hasmoved", true},        {"1.7", "rejected", true},
    {"1.8", "rejected", true},        {"1.9", "rejected", false},
    {"1.10", "userunknown", true},    {"2.0", "filtered", false},
    {"2.1", "filtered", false},       {"2.2", "mailboxfull", true},
    {"2.3", "exceedlimit", false},    {"2.4", "systemerror", false},
    {"3.0", "systemerror", false},    {"3.1", "systemfull", true},
    {"3.2", "notaccept", false},      {"3.3", "systemerror", false},
    {"3.4", "mesgtoobig", true},      {"3.5", "systemerror", false},
    {"4.0", "networkerror", false},   {"4.1", "networkerror", false},
    {"4.2", "networkerror", false},   {"4.3", "systemerror", false},
    {"4.4", "hostunknown", false},    {"4.5", "networkerror", false},
    {"4.6", "networkerror", true},    {"4.7", "expired", false},
    {"5.0", "syntaxerror", false},    {"5.1", "syntaxerror", false},
    {"5.2", "syntaxerror", false},    {"5.3", "toomanyconn", false},
    {"5.4", "syntaxerror", false},    {"5.5", "syntaxerror", false},
    {"6.0", "contenterror", false},   {"6.1", "contenterror", false},
    {"6.2", "contenterror", false},   {"6.3", "contenterror", false},
    {"6.4", "contenterror", false},   {"6.5", "contenterror", false},
    {"7.0", "securityerror", false},  {"7.1", "blocked", false},
    {"7.2", "securityerror", false},  {"7.3", "securityerror", false},
    {"7.4", "securityerror", false},  {"7.5", "securityerror", false},
    {"7.6", "securityerror", false},  {"7.7", "securityerror", false},
    {"7.8", "securityerror", false},  {"7.9", "policyviolation", true},
    {"7.13", "suspend", true},        {"7.14", "securityerror", false},
    {"7.15", "securityerror", false}, {"7.17", "suspend", false},
    {"7.18", "suspend", false},       {"7.20", "authfailure", true},
    {"7.21", "authfailure", true},    {"7.22", "authfailure", true},
    {"7.23", "authfailure", true},    {"7.24", "authfailure", true},
    {"7.25", "requireptr", true},     {"7.26", "authfailure", true},
    {"7.27", "notaccept", true},      {"7.28", "speeding", false},
    {"7.29", "authfailure", false},
};

const char *classify_status_reason(const char *status, bool *specific_r)
{
    *specific_r = false;
    if (status == NULL || strlen(status) < 5)
        return NULL;
    const char *rest = status + 2;
    for (size_t i = 0; i < sizeof(classify_status_rows) / sizeof(classify_status_rows[0]); i++) {
        if (strcmp(rest, classify_status_rows[i].code) == 0) {
            *specific_r = classify_status_rows[i].specific;
            return classify_status_rows[i].reason;
        }
    }
    return NULL;
}
