/*
 * store: backend selection by URL, the vtable wrappers, and the structs' constructors and
 * destructors (shared by every backend).
 */
#include "store.h"

#include <ctype.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite.h"
#include "str.h"
#include "xalloc.h"

#define STORE_URL_SQLITE "sqlite:"

const char *store_status_name(enum store_status status)
{
    static const char *const names[] = {"ok",      "not-found", "exists",
                                        "refused", "tempfail",  "permfail"};
    return names[status];
}

const char *store_account_status_name(enum store_account_status status)
{
    return status == STORE_ACCOUNT_PAUSED ? "PAUSED" : "ACTIVE";
}

const char *store_rcpt_state_name(enum store_rcpt_state state)
{
    static const char *const names[] = {"queued", "delivered", "deferred", "bounced"};
    return names[state];
}

bool store_url_is_valid(const char *url, char **error_r)
{
    size_t n = strlen(STORE_URL_SQLITE);
    if (strncmp(url, STORE_URL_SQLITE, n) == 0 && url[n] != '\0')
        return true;
    *error_r = xasprintf("'%s' is not a store this rebound supports (sqlite:PATH)", url);
    return false;
}

struct store *store_open(const char *url, char **error_r)
{
    if (!store_url_is_valid(url, error_r))
        return NULL;
    return store_sqlite_open(url + strlen(STORE_URL_SQLITE), error_r);
}

void store_close(struct store *st)
{
    if (st != NULL)
        st->ops->close(st);
}

bool store_account_name_is_valid(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > STORE_MAX_ACCOUNT_NAME)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || strchr("._-", c) == NULL))
            return false;
    }
    return true;
}

enum store_status store_account_create(struct store *st, const char *name, const char *username,
                                       const char *password_hash, int64_t now_ms, char **error_r)
{
    if (!store_account_name_is_valid(name)) {
        if (error_r != NULL)
            *error_r = xasprintf("'%s' is not a valid account name (1-%d of letters, digits, "
                                 "'.', '_', '-', starting with a letter or digit)",
                                 name, STORE_MAX_ACCOUNT_NAME);
        return STORE_REFUSED;
    }
    return st->ops->account_create(st, name, username, password_hash, now_ms, error_r);
}

enum store_status store_account_get(struct store *st, const char *name,
                                    struct store_account *account_r, char **error_r)
{
    return st->ops->account_get(st, name, account_r, error_r);
}

enum store_status store_account_list(struct store *st, struct store_account_list *list_r,
                                     char **error_r)
{
    return st->ops->account_list(st, list_r, error_r);
}

enum store_status store_account_delete(struct store *st, const char *name, char **error_r)
{
    return st->ops->account_delete(st, name, error_r);
}

enum store_status store_credential_get(struct store *st, const char *username,
                                       struct store_credential *cred_r, char **error_r)
{
    return st->ops->credential_get(st, username, cred_r, error_r);
}

enum store_status store_identity_add(struct store *st, const char *name, const char *account,
                                     int64_t now_ms, char **error_r)
{
    enum identity_kind kind;
    char *why = NULL;
    char *norm = identity_normalize(name, strlen(name), &kind, &why);
    if (norm == NULL) {
        if (error_r != NULL)
            *error_r = why;
        else
            free(why);
        return STORE_REFUSED;
    }
    enum store_status s = st->ops->identity_add(st, norm, account, now_ms, error_r);
    free(norm);
    return s;
}

/* Identities are looked up by their normalized form; malformed names simply do not exist. */
static char *store_identity_key(const char *name)
{
    enum identity_kind kind;
    char *why = NULL;
    char *norm = identity_normalize(name, strlen(name), &kind, &why);
    free(why);
    return norm;
}

static enum store_status store_identity_not_found(const char *name, char **error_r)
{
    if (error_r != NULL)
        *error_r = xasprintf("no identity '%s'", name);
    return STORE_NOT_FOUND;
}

enum store_status store_identity_get(struct store *st, const char *name,
                                     struct store_identity *identity_r, char **error_r)
{
    char *key = store_identity_key(name);
    if (key == NULL)
        return store_identity_not_found(name, error_r);
    enum store_status s = st->ops->identity_get(st, key, identity_r, error_r);
    free(key);
    return s;
}

enum store_status store_identity_list(struct store *st, const char *account, int64_t account_id,
                                      struct store_identity_list *list_r, char **error_r)
{
    return st->ops->identity_list(st, account, account_id, list_r, error_r);
}

const struct store_identity *store_identity_list_covering(const struct store_identity_list *list,
                                                          const char *address)
{
    if (list->n == 0)
        return NULL;
    struct identity_entry *entries = xcalloc(list->n, sizeof(entries[0]));
    for (size_t i = 0; i < list->n; i++) {
        entries[i].name = list->items[i].name;
        entries[i].status = list->items[i].status;
    }
    long hit = identity_covering(entries, list->n, address);
    free(entries);
    return hit >= 0 ? &list->items[hit] : NULL;
}

enum store_status store_identity_set_status(struct store *st, const char *name,
                                            enum identity_status status, bool forced,
                                            int64_t now_ms, char **error_r)
{
    char *key = store_identity_key(name);
    if (key == NULL)
        return store_identity_not_found(name, error_r);
    enum store_status s = st->ops->identity_set_status(st, key, status, forced, now_ms, error_r);
    free(key);
    return s;
}

enum store_status store_identity_delete(struct store *st, const char *name, char **error_r)
{
    char *key = store_identity_key(name);
    if (key == NULL)
        return store_identity_not_found(name, error_r);
    enum store_status s = st->ops->identity_delete(st, key, error_r);
    free(key);
    return s;
}

enum store_status store_message_commit(struct store *st, struct store_message *const *msgs,
                                       size_t n, enum store_status *results, char **errors)
{
    return st->ops->message_commit(st, msgs, n, results, errors);
}

enum store_status store_message_get(struct store *st, const char *id, struct store_message **msg_r,
                                    char **error_r)
{
    return st->ops->message_get(st, id, msg_r, error_r);
}

enum store_status store_message_find(struct store *st, int64_t account_id, const char *ref,
                                     char id_r[STORE_MESSAGE_ID_SIZE], char **error_r)
{
    return st->ops->message_find(st, account_id, ref, id_r, error_r);
}

enum store_status store_event_list(struct store *st, const char *message_id,
                                   struct store_event_list *list_r, char **error_r)
{
    return st->ops->event_list(st, message_id, list_r, error_r);
}

void store_message_id_make(int64_t arrival_ms, const unsigned char random[8],
                           char id_r[STORE_MESSAGE_ID_SIZE])
{
    uint64_t t = (uint64_t)arrival_ms & 0xffffffffffffULL;
    int n = snprintf(id_r, STORE_MESSAGE_ID_SIZE, "%012" PRIx64 "-", t);
    for (int i = 0; i < 8; i++)
        n += snprintf(id_r + n, (size_t)(STORE_MESSAGE_ID_SIZE - n), "%02x", random[i]);
}

bool store_message_id_new(int64_t arrival_ms, char id_r[STORE_MESSAGE_ID_SIZE])
{
    unsigned char random[8];
    if (RAND_bytes(random, sizeof(random)) != 1)
        return false;
    store_message_id_make(arrival_ms, random, id_r);
    return true;
}

struct store_message *store_message_new(void)
{
    return xcalloc(1, sizeof(struct store_message));
}

void store_message_add_rcpt(struct store_message *msg, const char *address, unsigned notify,
                            const char *orcpt)
{
    msg->rcpts = xreallocarray(msg->rcpts, msg->n_rcpts + 1, sizeof(msg->rcpts[0]));
    struct store_recipient *r = &msg->rcpts[msg->n_rcpts++];
    memset(r, 0, sizeof(*r));
    r->address = xstrdup(address);
    r->notify = notify;
    r->orcpt = orcpt ? xstrdup(orcpt) : NULL;
    r->state = STORE_RCPT_QUEUED;
    r->next_attempt_ms = msg->arrival_ms;
}

void store_message_add_linked_event(struct store_message *msg, const char *type,
                                    const char *message_id, const char *json)
{
    msg->linked_events =
        xreallocarray(msg->linked_events, msg->n_linked_events + 1, sizeof(msg->linked_events[0]));
    struct store_linked_event *e = &msg->linked_events[msg->n_linked_events++];
    e->type = xstrdup(type);
    e->message_id = message_id ? xstrdup(message_id) : NULL;
    e->json = xstrdup(json);
}

void store_message_add_suppression(struct store_message *msg, const char *address,
                                   enum store_suppression_reason reason)
{
    msg->suppressions =
        xreallocarray(msg->suppressions, msg->n_suppressions + 1, sizeof(msg->suppressions[0]));
    struct store_suppression *s = &msg->suppressions[msg->n_suppressions++];
    s->address = xstrdup(address);
    for (char *p = s->address; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    s->reason = reason;
}

const char *store_suppression_reason_name(enum store_suppression_reason reason)
{
    return reason == STORE_SUPPRESS_COMPLAINT ? "COMPLAINT" : "BOUNCE";
}

void store_message_free(struct store_message *msg)
{
    if (msg == NULL)
        return;
    for (size_t i = 0; i < msg->n_linked_events; i++) {
        free(msg->linked_events[i].type);
        free(msg->linked_events[i].message_id);
        free(msg->linked_events[i].json);
    }
    free(msg->linked_events);
    for (size_t i = 0; i < msg->n_suppressions; i++)
        free(msg->suppressions[i].address);
    free(msg->suppressions);
    for (size_t i = 0; i < msg->n_rcpts; i++) {
        free(msg->rcpts[i].address);
        free(msg->rcpts[i].orcpt);
        free(msg->rcpts[i].last_reply);
    }
    free(msg->rcpts);
    free(msg->identity);
    free(msg->envelope_from);
    free(msg->return_path);
    free(msg->dsn_envid);
    free(msg->body);
    free(msg->event_type);
    free(msg->event_json);
    free(msg);
}

void store_account_clear(struct store_account *a)
{
    free(a->name);
    free(a->username);
    memset(a, 0, sizeof(*a));
}

void store_account_list_free(struct store_account_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        store_account_clear(&list->items[i]);
    free(list->items);
    list->items = NULL;
    list->n = 0;
}

void store_credential_clear(struct store_credential *c)
{
    free(c->account);
    free(c->password_hash);
    memset(c, 0, sizeof(*c));
}

void store_identity_clear(struct store_identity *i)
{
    free(i->name);
    free(i->account);
    free(i->token);
    free(i->last_reason);
    free(i->mail_from.domain);
    free(i->mail_from.last_reason);
    memset(i, 0, sizeof(*i));
}

void store_access_key_clear(struct store_access_key *k)
{
    free(k->id);
    free(k->account);
    if (k->secret != NULL)
        OPENSSL_cleanse(k->secret, strlen(k->secret));
    free(k->secret);
    memset(k, 0, sizeof(*k));
}

const char *store_mx_failure_name(enum store_mx_failure behavior)
{
    return behavior == STORE_MX_REJECT_MESSAGE ? "REJECT_MESSAGE" : "USE_DEFAULT_VALUE";
}

bool store_mx_failure_parse(const char *name, enum store_mx_failure *behavior_r)
{
    if (strcmp(name, "USE_DEFAULT_VALUE") == 0)
        *behavior_r = STORE_MX_USE_DEFAULT_VALUE;
    else if (strcmp(name, "REJECT_MESSAGE") == 0)
        *behavior_r = STORE_MX_REJECT_MESSAGE;
    else
        return false;
    return true;
}

enum store_status store_identity_set_token(struct store *st, const char *name, const char *token,
                                           int64_t expires_ms, char **error_r)
{
    char *key = store_identity_key(name);
    if (key == NULL)
        return store_identity_not_found(name, error_r);
    enum store_status s = st->ops->identity_set_token(st, key, token, expires_ms, error_r);
    free(key);
    return s;
}

enum store_status store_identity_by_token(struct store *st, const char *token,
                                          struct store_identity *identity_r, char **error_r)
{
    return st->ops->identity_by_token(st, token, identity_r, error_r);
}

enum store_status store_verification_record(struct store *st, const char *name,
                                            const struct store_check_record *rec, char **error_r)
{
    char *key = store_identity_key(name);
    if (key == NULL)
        return store_identity_not_found(name, error_r);
    enum store_status s = st->ops->verification_record(st, key, rec, error_r);
    free(key);
    return s;
}

enum store_status store_mail_from_set(struct store *st, const char *name, const char *domain,
                                      enum store_mx_failure behavior, int64_t now_ms,
                                      char **error_r)
{
    char *key = store_identity_key(name);
    if (key == NULL)
        return store_identity_not_found(name, error_r);
    char *dom = NULL;
    if (domain != NULL && domain[0] != '\0')
        dom = str_lower(xstrdup(domain));
    enum store_status s = st->ops->mail_from_set(st, key, dom, behavior, now_ms, error_r);
    free(dom);
    free(key);
    return s;
}

enum store_status store_identity_event_list(struct store *st, const char *name,
                                            struct store_event_list *list_r, char **error_r)
{
    char *key = store_identity_key(name);
    if (key == NULL) {
        memset(list_r, 0, sizeof(*list_r));
        return store_identity_not_found(name, error_r);
    }
    enum store_status s = st->ops->identity_event_list(st, key, list_r, error_r);
    free(key);
    return s;
}

enum store_status store_access_key_create(struct store *st, const char *account, const char *id,
                                          const char *secret, int64_t now_ms, char **error_r)
{
    return st->ops->access_key_create(st, account, id, secret, now_ms, error_r);
}

enum store_status store_access_key_get(struct store *st, const char *id,
                                       struct store_access_key *key_r, char **error_r)
{
    return st->ops->access_key_get(st, id, key_r, error_r);
}

void store_identity_list_free(struct store_identity_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        store_identity_clear(&list->items[i]);
    free(list->items);
    list->items = NULL;
    list->n = 0;
}

void store_event_list_free(struct store_event_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->items[i].type);
        free(list->items[i].message_id);
        free(list->items[i].json);
    }
    free(list->items);
    list->items = NULL;
    list->n = 0;
}
