/* api_json: the jansson adapter; see api_json.h. */
#include "api_json.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Parses a body that must be one JSON object; NULL with *error_r. Owned: json_decref. */
static json_t *api_json_object(const char *body, size_t len, char **error_r)
{
    json_error_t err;
    json_t *root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &err);
    if (root == NULL) {
        *error_r = xasprintf("the request body is not valid JSON: %s (line %d, column %d)",
                             err.text, err.line, err.column);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        *error_r = xstrdup("the request body must be a JSON object");
        return NULL;
    }
    return root;
}

/* A string member: NULL if absent; false with *error_r if present but not a string. */
static bool api_json_string_member(json_t *obj, const char *key, const char **value_r,
                                   char **error_r)
{
    json_t *v = json_object_get(obj, key);
    *value_r = NULL;
    if (v == NULL || json_is_null(v))
        return true;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
        *error_r = xasprintf("%s must be a string", key);
        return false;
    }
    *value_r = json_string_value(v);
    return true;
}

bool api_json_parse_create(const char *body, size_t len, char **identity_r, char **error_r)
{
    json_t *root = api_json_object(body, len, error_r);
    if (root == NULL)
        return false;
    const char *id = NULL;
    bool ok = api_json_string_member(root, "EmailIdentity", &id, error_r);
    if (ok && (id == NULL || id[0] == '\0')) {
        *error_r = xstrdup("EmailIdentity is required");
        ok = false;
    }
    if (ok)
        *identity_r = xstrdup(id);
    json_decref(root);
    return ok;
}

bool api_json_parse_mail_from(const char *body, size_t len, char **domain_r,
                              enum store_mx_failure *behavior_r, char **error_r)
{
    *domain_r = NULL;
    *behavior_r = STORE_MX_USE_DEFAULT_VALUE;
    json_t *root = api_json_object(body, len, error_r);
    if (root == NULL)
        return false;
    const char *domain = NULL, *behavior = NULL;
    bool ok = api_json_string_member(root, "MailFromDomain", &domain, error_r) &&
              api_json_string_member(root, "BehaviorOnMxFailure", &behavior, error_r);
    if (ok && behavior != NULL && !store_mx_failure_parse(behavior, behavior_r)) {
        *error_r = xstrdup("BehaviorOnMxFailure must be USE_DEFAULT_VALUE or REJECT_MESSAGE");
        ok = false;
    }
    if (ok && domain != NULL && domain[0] != '\0')
        *domain_r = xstrdup(domain);
    json_decref(root);
    return ok;
}

/* Serializes and releases obj; owned. */
static char *api_json_dump(json_t *obj)
{
    char *text = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (text == NULL) {
        fputs("rebound: out of memory\n", stderr);
        abort();
    }
    char *out = xstrdup(text);
    free(text);
    return out;
}

char *api_json_error(const char *name, const char *message)
{
    return api_json_dump(json_pack("{s:s, s:s}", "__type", name, "message", message));
}

static bool api_json_verified(const struct store_identity *id)
{
    return id->status == IDENTITY_SUCCESS;
}

static json_t *api_json_dkim(void)
{
    return json_pack("{s:b, s:s, s:[], s:s}", "SigningEnabled", 0, "Status", "NOT_STARTED",
                     "Tokens", "SigningAttributesOrigin", "AWS_SES");
}

char *api_json_created(const struct store_identity *id)
{
    return api_json_dump(json_pack("{s:s, s:b, s:o}", "IdentityType", identity_kind_name(id->kind),
                                   "VerifiedForSendingStatus", api_json_verified(id),
                                   "DkimAttributes", api_json_dkim()));
}

static json_t *api_json_mail_from(const struct store_mail_from *mf)
{
    json_t *o = json_pack("{s:s}", "BehaviorOnMxFailure", store_mx_failure_name(mf->behavior));
    if (mf->domain != NULL) {
        json_object_set_new(o, "MailFromDomain", json_string(mf->domain));
        json_object_set_new(o, "MailFromDomainStatus",
                            json_string(identity_status_name(mf->status)));
    }
    return o;
}

/* VerificationInfo: the time of the last check (epoch seconds, as restJson timestamps) and
 * the last error; plus rebound's own verification record (ignored by SDKs). */
static json_t *api_json_verification_info(const struct store_identity *id, const char *record_name)
{
    json_t *o = json_object();
    if (id->last_check_ms > 0)
        json_object_set_new(o, "LastCheckedTimestamp", json_real((double)id->last_check_ms / 1e3));
    if (id->last_success_ms > 0)
        json_object_set_new(o, "LastSuccessTimestamp",
                            json_real((double)id->last_success_ms / 1e3));
    if (record_name != NULL && id->token != NULL)
        json_object_set_new(
            o, "ReboundTxtRecord",
            json_pack("{s:s, s:s, s:s}", "Name", record_name, "Type", "TXT", "Value", id->token));
    if (id->last_reason != NULL)
        json_object_set_new(o, "ReboundReason", json_string(id->last_reason));
    return o;
}

char *api_json_identity(const struct store_identity *id, const char *record_name)
{
    json_t *o = json_pack(
        "{s:s, s:b, s:b, s:s, s:o, s:o, s:{}, s:[]}", "IdentityType", identity_kind_name(id->kind),
        "FeedbackForwardingStatus", 1, "VerifiedForSendingStatus", api_json_verified(id),
        "VerificationStatus", identity_status_name(id->status), "DkimAttributes", api_json_dkim(),
        "MailFromAttributes", api_json_mail_from(&id->mail_from), "Policies", "Tags");
    json_object_set_new(o, "VerificationInfo", api_json_verification_info(id, record_name));
    return api_json_dump(o);
}

char *api_json_identity_list(const struct store_identity_list *list, size_t from, size_t max,
                             size_t next_token)
{
    json_t *items = json_array();
    for (size_t i = from; i < list->n && i < from + max; i++) {
        const struct store_identity *id = &list->items[i];
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:b, s:s}", "IdentityType", identity_kind_name(id->kind),
                             "IdentityName", id->name, "SendingEnabled", api_json_verified(id),
                             "VerificationStatus", identity_status_name(id->status)));
    }
    json_t *o = json_pack("{s:o}", "EmailIdentities", items);
    if (next_token > 0) {
        char tok[32];
        snprintf(tok, sizeof(tok), "%zu", next_token);
        json_object_set_new(o, "NextToken", json_string(tok));
    }
    return api_json_dump(o);
}

char *api_json_account(const struct store_account *account)
{
    bool active = account->status == STORE_ACCOUNT_ACTIVE;
    return api_json_dump(json_pack(
        "{s:b, s:s, s:b, s:b, s:{s:f, s:f, s:f}, s:{s:s}}", "DedicatedIpAutoWarmupEnabled", 0,
        "EnforcementStatus", active ? "HEALTHY" : "SHUTDOWN", "ProductionAccessEnabled", 1,
        "SendingEnabled", active, "SendQuota", "Max24HourSend", -1.0, "MaxSendRate", -1.0,
        "SentLast24Hours", 0.0, "Details", "ReboundAccountName", account->name));
}

char *api_json_empty(void)
{
    return xstrdup("{}");
}
