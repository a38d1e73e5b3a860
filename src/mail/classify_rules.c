/*
 * Diagnostic text -> reason. Ordered: the first reason with a phrase found in the text wins,
 * so reasons whose phrases are specific come before those with broad ones ("mailbox full"
 * must win over "mailbox", a DMARC rejection over "rejected"). Phrases are lower-case
 * substrings, matched against the lower-cased text; they are the wording MTAs and large
 * providers actually use (collected the way Sisimai's per-reason lists are).
 */
#include "classify.h"

#include <stdlib.h>
#include <string.h>

struct classify_rule {
    const char *reason;
    const char *const *phrases; /* NULL-terminated */
};

#define CLASSIFY_PHRASES(...) ((const char *const[]){__VA_ARGS__, NULL})

static const struct classify_rule classify_rules[] = {
    {"authfailure",
     CLASSIFY_PHRASES("dmarc", "spf check", "spf fail", "spf validation", "spf record",
                      "sender policy framework", "dkim", "5.7.26", "5.7.23", "5.7.24",
                      "unauthenticated email", "authentication failure", "spf: ", "spf)")},
    {"requireptr",
     CLASSIFY_PHRASES("reverse dns", "ptr record", "reverse lookup", "no ptr", "rdns",
                      "reverse hostname", "cannot find your hostname", "5.7.25", "not have a ptr",
                      "have reverse", "reverse dns entry", "ptr lookup", "client host name",
                      "cannot resolve your address", "resolve your ip")},
    {"notcompliantrfc",
     CLASSIFY_PHRASES("rfc 5322", "rfc5322", "rfc 2822", "rfc2822", "rfc 822", "not rfc compliant",
                      "multiple from", "duplicate header", "multiple addresses in from")},
    {"virusdetected", CLASSIFY_PHRASES("virus", "malware", "infected", "trojan")},
    {"mailboxfull",
     CLASSIFY_PHRASES("mailbox full", "mailbox is full", "mailbox is over", "over quota",
                      "overquota", "quota exceed", "exceeded storage", "mailbox size limit",
                      "exceeds quota", "exceed quota", "user is over", "mailbox has exceeded",
                      "too much mail data", "disk quota", "account is full", "full mailbox",
                      "not enough storage", "mail box full", "mailbox exceeded", "over the quota",
                      "exceeded its quota", "maildir over", "inbox is full", "quota full",
                      "box is full", "mailfolder is full", "quota violation", "storage limit",
                      "would exceed", "insufficient storage for", "mailbox would exceed",
                      "exceeded the quota", "quota limit", "over its quota", "size of mailbox",
                      "mailbox is overflowing", "quota has been exceeded", "space available",
                      "mailbox storage")},
    {"exceedlimit", CLASSIFY_PHRASES("message length exceeds administrative limit",
                                     "exceeds local limit", "message size exceeds fixed limit of")},
    {"mesgtoobig",
     CLASSIFY_PHRASES("message too large", "message is too large", "message too big",
                      "message is too big", "message size exceeds", "exceeds size", "size exceeds",
                      "too large", "message too long", "exceeds the maximum size", "mail size",
                      "size limit", "message size")},
    {"suspend", CLASSIFY_PHRASES("suspended", "account disabled", "account has been disabled",
                                 "mailbox disabled", "is disabled", "been disabled", "deactivated",
                                 "inactive", "not active", "account expired", "expired account",
                                 "has been frozen", "mailbox unavailable: this account is",
                                 "account is locked", "account has been locked",
                                 "temporarily disabled", "is not in use", "no longer active",
                                 "currently unavailable", "this account has been", "deleted")},
    {"hasmoved", CLASSIFY_PHRASES("has moved", "address has changed", "no longer at", "moved to")},
    {"norelaying",
     CLASSIFY_PHRASES("relay access denied", "relaying denied", "not permitted to relay",
                      "relay not permitted", "unable to relay", "we do not relay",
                      "relaying not allowed", "relaying is not", "relay denied", "no relaying",
                      "not a gateway", "relay prohibited", "not allowed to relay", "cannot relay",
                      "relaying mail to", "open relay", "relay not allowed",
                      "isn't allowed to relay")},
    {"userunknown",
     CLASSIFY_PHRASES(
         "user unknown", "unknown user", "no such user", "no such mailbox", "mailbox not found",
         "recipient not found", "unknown recipient", "recipient unknown", "invalid recipient",
         "user not found", "not a valid mailbox", "unknown mailbox", "mailbox does not exist",
         "no such recipient", "user doesn't exist", "user does not exist", "account does not exist",
         "address does not exist", "unknown address", "invalid mailbox", "no such account",
         "unknown local part", "addressee unknown", "not our customer", "is not a known user",
         "bad recipient", "unrouteable address", "unknown or illegal alias", "does not exist",
         "doesn't exist", "no mailbox here", "invalid address", "address unknown", "user invalid",
         "no valid recipients", "recipient address rejected", "not a valid user", "no such person",
         "mailbox unavailable", "mailbox is unavailable", "recipient rejected", "not listed in",
         "unknown account", "user not exist", "no such address", "mailbox not available",
         "invalid user", "unknown e-mail address", "undeliverable address", "recipient does not",
         "is not a valid", "couldn't find the recipient", "no mailbox", "account not found",
         "no longer valid", "user account", "unknown alias", "not exist", "user is unknown",
         "address not found", "destination address", "could not be found",
         "email address not found", "not a registered", "#5.1.1", "5.1.1", "550 5.1.1")},
    {"filtered", CLASSIFY_PHRASES("filtered", "filter", "blocked by user", "refused by recipient",
                                  "recipient's policy", "not accepting mail from", "has rejected",
                                  "does not accept mail from", "rejected by the recipient",
                                  "recipient has blocked", "user has blocked", "refuse to accept",
                                  "rejected by recipient")},
    {"rejected",
     CLASSIFY_PHRASES("sender rejected", "sender address rejected", "domain of sender",
                      "sender verify failed", "sender denied", "envelope sender", "bad sender",
                      "sender domain", "invalid sender", "badmailfrom", "sender is not allowed",
                      "sender not", "from address", "mail from", "return path", "sender address",
                      "sender verification", "your address")},
    {"hostunknown",
     CLASSIFY_PHRASES(
         "host unknown", "unknown host", "domain not found", "no such domain", "host not found",
         "name or service not known", "domain does not exist", "unrouteable mail domain", "no mx",
         "nxdomain", "unknown domain", "host or domain name not found", "domain name not found",
         "illegal host/domain", "could not be resolved", "unresolvable", "domain is not",
         "name server", "dns error", "no valid mx", "not resolve", "unknown domain name",
         "domain doesn't exist", "no such host", "bad destination")},
    {"spamdetected",
     CLASSIFY_PHRASES("spam", "junk mail", "bulk mail", "unsolicited", "content rejected",
                      "message content", "considered as junk", "scam", "phish", "suspicious")},
    {"policyviolation", CLASSIFY_PHRASES("policy", "prohibited", "attachment", "not allowed",
                                         "executable", "5.7.9", "forbidden")},
    {"toomanyconn",
     CLASSIFY_PHRASES("too many connections", "too many recipients", "too many concurrent",
                      "too many sessions", "connection limit")},
    {"speeding", CLASSIFY_PHRASES("rate limit", "too many messages", "sending rate", "throttl",
                                  "too many emails", "rate of", "ratelimit")},
    {"badreputation", CLASSIFY_PHRASES("reputation")},
    {"blocked",
     CLASSIFY_PHRASES("blocked", "blacklist", "blocklist", "spamhaus", "listed in", "rbl", "dnsbl",
                      "banned", "client host rejected", "access denied", "your ip", "ip address",
                      "connection refused", "refused", "not allowed to send", "denied", "bad ip",
                      "is listed", "block list", "black list", "ip blocked", "dynamic ip",
                      "residential", "your host", "your network", "sorbs", "barracuda")},
    {"securityerror",
     CLASSIFY_PHRASES("authentication required", "tls required", "starttls", "must use",
                      "encryption", "certificate", "authentication is required", "insecure",
                      "auth required", "not authenticated", "authentication")},
    {"systemfull", CLASSIFY_PHRASES("insufficient system storage", "disk full", "out of disk",
                                    "system storage", "no space left")},
    {"systemerror",
     CLASSIFY_PHRASES("system error", "local error", "internal error", "server error",
                      "temporarily unavailable", "temporary failure", "resources temporarily",
                      "system failure", "internal server", "server configuration", "misconfigured",
                      "routing loop", "too many hops")},
    {"networkerror",
     CLASSIFY_PHRASES("loop", "no route to host", "unreachable", "could not connect",
                      "unable to connect", "network", "lost connection", "connection reset",
                      "connection timed out", "broken pipe", "host not responding")},
    {"expired", CLASSIFY_PHRASES("retry time", "retry timeout", "giving up", "gave up", "expired",
                                 "delivery time", "too long", "timeout", "timed out", "delayed",
                                 "has not been delivered", "could not be delivered for",
                                 "not yet been delivered", "queue", "will be retried")},
    {"contenterror", CLASSIFY_PHRASES("header error", "invalid header", "message format", "8-bit",
                                      "malformed", "improper", "character", "encoding")},
    {"notaccept", CLASSIFY_PHRASES("does not accept mail", "null mx", "not accepting any mail",
                                   "accepts no mail", "does not receive mail")},
    {"mailererror",
     CLASSIFY_PHRASES("mailer error", "x-unix", "procmail", "exit code", "command failed",
                      "pipe to", "command died", "unknown mailer", "mail.local")},
    {"syntaxerror", CLASSIFY_PHRASES("syntax error", "command unrecognized", "bad sequence",
                                     "unrecognized command", "command not recognized")},
};

const char *classify_rules_match(const char *lowered_text)
{
    for (size_t i = 0; i < sizeof(classify_rules) / sizeof(classify_rules[0]); i++) {
        for (const char *const *p = classify_rules[i].phrases; *p != NULL; p++) {
            if (strstr(lowered_text, *p) != NULL)
                return classify_rules[i].reason;
        }
    }
    return NULL;
}
