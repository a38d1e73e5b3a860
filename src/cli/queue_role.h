/*
 * queue_role: the delivery side of rebound as a role a command starts on its event loop: the
 * resolver (c-ares + cache), the TLS client context, deliver (deliver.h) and the scheduler
 * (deliver_sched.h), built from the deliver.* and dns.* settings. `rebound queue run` runs it
 * alone; `rebound serve` adds it next to the listeners:
 *
 *     struct queue_role *q = queue_role_new(base, cfg, svc, NULL, NULL, &error);
 *     queue_role_start(q);  ... event loop ...  queue_role_stop(q);  queue_role_free(q);
 *
 * Ownership: base, cfg and the store service are borrowed and must outlive the role; cfg is
 * read only in queue_role_new(). idle (may be NULL) is deliver_sched's idle callback.
 */
#ifndef REBOUND_CLI_QUEUE_ROLE_H
#define REBOUND_CLI_QUEUE_ROLE_H

#include "config.h"
#include "deliver.h"
#include "deliver_sched.h"
#include "store_service.h"

struct event_base;
struct queue_role;

/* NULL with *error_r (owned) when a setting cannot be used (DNS servers, TLS CA file). */
struct queue_role *queue_role_new(struct event_base *base, const struct config *cfg,
                                  struct store_service *svc, deliver_sched_idle_fn *idle,
                                  void *idle_arg, char **error_r);
/* Fills the deliver.* settings (port, limits, TLS policy, timeouts, connection cache) into o;
 * shared by the queue and `rebound deliver-once`. Leaves base, resolver, TLS context, HELO
 * name and verify domains to the caller. */
void queue_role_deliver_options(const struct config *cfg, struct deliver_options *o);
void queue_role_start(struct queue_role *q);
void queue_role_stop(struct queue_role *q);
/* Accepts NULL. Frees the deliver after the scheduler (its QUITs need the loop to run on). */
void queue_role_free(struct queue_role *q);
void queue_role_stats(const struct queue_role *q, struct deliver_sched_stats *stats_r);

#endif
