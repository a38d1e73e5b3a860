/*
 * store_queue: the backend-independent half of the delivery queue API (store.h): dispatch to
 * the backend and the constructors/destructors of the structs it fills.
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "xalloc.h"

enum store_status store_queue_claim(struct store *st, int64_t now_ms, int64_t lease_ms,
                                    size_t max_rcpts, struct store_claim *claim_r, char **error_r)
{
    memset(claim_r, 0, sizeof(*claim_r));
    return st->ops->queue_claim(st, now_ms, lease_ms, max_rcpts, claim_r, error_r);
}

enum store_status store_queue_record(struct store *st, const struct store_record *rec,
                                     char **error_r)
{
    return st->ops->queue_record(st, &rec, 1, error_r);
}

enum store_status store_queue_record_many(struct store *st, const struct store_record *const *recs,
                                          size_t n, char **error_r)
{
    return st->ops->queue_record(st, recs, n, error_r);
}

enum store_status store_attempt_list(struct store *st, const char *message_id,
                                     struct store_attempt_list *list_r, char **error_r)
{
    memset(list_r, 0, sizeof(*list_r));
    return st->ops->attempt_list(st, message_id, list_r, error_r);
}

enum store_status store_message_list(struct store *st, size_t limit,
                                     struct store_message_summary_list *list_r, char **error_r)
{
    memset(list_r, 0, sizeof(*list_r));
    return st->ops->message_list(st, limit, list_r, error_r);
}

void store_claim_clear(struct store_claim *claim)
{
    for (size_t i = 0; i < claim->n; i++)
        store_message_free(claim->msgs[i]);
    free(claim->msgs);
    memset(claim, 0, sizeof(*claim));
}

struct store_record *store_record_new(void)
{
    return xcalloc(1, sizeof(struct store_record));
}

struct store_rcpt_outcome *store_record_add(struct store_record *rec)
{
    rec->items = xreallocarray(rec->items, rec->n + 1, sizeof(rec->items[0]));
    struct store_rcpt_outcome *o = &rec->items[rec->n++];
    memset(o, 0, sizeof(*o));
    return o;
}

void store_record_add_message(struct store_record *rec, struct store_message *msg)
{
    rec->new_msgs = xreallocarray(rec->new_msgs, rec->n_new + 1, sizeof(struct store_message *));
    rec->new_msgs[rec->n_new++] = msg;
}

void store_record_free(struct store_record *rec)
{
    if (rec == NULL)
        return;
    for (size_t i = 0; i < rec->n; i++) {
        struct store_rcpt_outcome *o = &rec->items[i];
        free(o->message_id);
        free(o->address);
        free(o->reply);
        free(o->mx_host);
        free(o->mx_ip);
        free(o->event_type);
        free(o->event_json);
    }
    free(rec->items);
    for (size_t i = 0; i < rec->n_new; i++)
        store_message_free(rec->new_msgs[i]);
    free(rec->new_msgs);
    free(rec);
}

void store_attempt_list_free(struct store_attempt_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->items[i].address);
        free(list->items[i].reply);
        free(list->items[i].mx_host);
        free(list->items[i].mx_ip);
    }
    free(list->items);
    memset(list, 0, sizeof(*list));
}

void store_message_summary_list_free(struct store_message_summary_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->items[i].envelope_from);
    free(list->items);
    memset(list, 0, sizeof(*list));
}
