/*
 * api_json: every JSON the API reads or writes, and the only file that touches jansson (its
 * reference counting stays here: STYLE.md rule 5). Parsers take untrusted bodies: they accept
 * exactly one JSON object (duplicate keys refused), check each member's type, and on refusal
 * return false with *error_r (owned) saying what is wrong. Renderers return owned strings.
 */
#ifndef REBOUND_API_JSON_H
#define REBOUND_API_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* CreateEmailIdentity: {"EmailIdentity": STRING, "Tags"?: [...], ...}. *identity_r owned. */
bool api_json_parse_create(const char *body, size_t len, char **identity_r, char **error_r);

/* PutEmailIdentityMailFromAttributes: {"MailFromDomain"?: STRING, "BehaviorOnMxFailure"?:
 * "USE_DEFAULT_VALUE"|"REJECT_MESSAGE"}. *domain_r is NULL when absent or "" (= remove);
 * *behavior_r defaults to USE_DEFAULT_VALUE. */
bool api_json_parse_mail_from(const char *body, size_t len, char **domain_r,
                              enum store_mx_failure *behavior_r, char **error_r);

/* {"__type": name, "message": message} */
char *api_json_error(const char *name, const char *message);
/* CreateEmailIdentity's answer. */
char *api_json_created(const struct store_identity *id);
/* GetEmailIdentity's answer; record_name is the TXT record of a domain's token (or NULL). */
char *api_json_identity(const struct store_identity *id, const char *record_name);
/* ListEmailIdentities' answer (at most max items of list, from `from`); next_token is the
 * index to continue at, or 0 when the list is complete. */
char *api_json_identity_list(const struct store_identity_list *list, size_t from, size_t max,
                             size_t next_token);
/* GetAccount's answer (minimal). */
char *api_json_account(const struct store_account *account);
/* "{}" */
char *api_json_empty(void);

#endif
