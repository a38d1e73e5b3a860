/*
 * store_service: the store as the event loop sees it. Sessions never touch the database
 * (DESIGN.md): they send a request and get the reply later, on the loop, keyed by a request id.
 *
 * Threads: one WRITER thread owns a connection for writes and does GROUP COMMIT: it takes every
 * commit request queued while the previous transaction was flushing (up to max_batch) and
 * commits them in one transaction, one fsync; each request's callback fires only after that
 * COMMIT returned (rule 7: never 250 before durable). When fewer requests wait than the last
 * batch held, it lingers up to STORE_SERVICE_LINGER_US for the rest (they are usually being
 * resubmitted by the requesters the last batch just answered). READER threads (each with its own
 * connection; WAL lets them read while the writer writes) answer lookups; credential checks also
 * hash the password there (PBKDF2 is slow on purpose: store_password.h), never on the loop.
 * Threads wake the loop through an eventfd; callbacks run on the loop thread, never inside the
 * call that made the request (rule 6).
 *
 * Ownership and lifetime: every request returns a non-zero id. The callback fires exactly once,
 * later, unless store_service_cancel(id) is called first; after cancel nothing refers to `arg`
 * any more, so a session that goes away cancels its pending ids and its reply is dropped safely
 * when it arrives. Everything a callback receives is borrowed for the duration of the callback.
 * Callbacks may make new requests and cancel others; they must not free the service.
 *
 * Errors: a request that cannot be carried out reports a status (store.h) classified at the
 * origin: STORE_TEMPFAIL maps to SMTP 4xx, the rest are answers or permanent refusals.
 *
 * How a submission session uses it (each step's reply arrives later, on the loop):
 *   AUTH        store_service_authenticate() -> STORE_OK: remember account_id (and refuse if
 *               account_status is PAUSED); STORE_NOT_FOUND: 535 5.7.8; TEMPFAIL: 454 4.7.0
 *   MAIL/DATA   store_service_identities(account_id) -> store_identity_list_covering() for the
 *               envelope sender, From: and Sender:; none covering: 554 5.7.1 (not verified)
 *   end of DATA store_message_id_new(), fill a store_message, store_service_commit() ->
 *               STORE_OK: "250 Ok <id>"; TEMPFAIL: 451 4.3.0; anything else: 554 5.3.0
 *   session end store_service_cancel() every id still pending
 */
#ifndef REBOUND_STORE_SERVICE_H
#define REBOUND_STORE_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

struct event_base;
struct store_service;

/* Most commits one transaction takes; bounds the latency of the first in a burst. */
#define STORE_SERVICE_MAX_BATCH     1024
#define STORE_SERVICE_DEFAULT_BATCH 256
#define STORE_SERVICE_MAX_READERS   16
/* Longest the writer waits for a batch to fill up to the previous batch's size (group commit
 * delay, as PostgreSQL's commit_delay): much less than one fsync. */
#define STORE_SERVICE_LINGER_US       500
#define STORE_SERVICE_DEFAULT_READERS 2

typedef uint64_t store_request_id; /* 0 is never a valid id */

struct store_service_config {
    const char *url;    /* store_open() URL; each thread opens its own connection */
    unsigned readers;   /* lookup/hash threads, 1..STORE_SERVICE_MAX_READERS */
    unsigned max_batch; /* commits per transaction, 1..STORE_SERVICE_MAX_BATCH */
};

/* Opens the connections (migrating the schema) and starts the threads. The base is borrowed and
 * must outlive the service. NULL with *error_r (owned) on failure. */
struct store_service *store_service_new(struct event_base *base,
                                        const struct store_service_config *cfg, char **error_r);
/* Stops the threads. Commits already queued are still written (and fsync'd) before it returns;
 * no callback fires any more. Accepts NULL. */
void store_service_free(struct store_service *svc);

/* Commit: status STORE_OK means durably committed; `error` is NULL then. */
typedef void store_commit_cb(store_request_id id, enum store_status status, const char *error,
                             void *arg);
/* Takes ownership of msg (freed by the service). */
store_request_id store_service_commit(struct store_service *svc, struct store_message *msg,
                                      store_commit_cb *cb, void *arg);

/*
 * Credential check for SMTP AUTH. status STORE_OK: authenticated as account/account_id;
 * STORE_NOT_FOUND: unknown username or wrong password (deliberately indistinguishable, also in
 * time: an unknown username still costs one hash); STORE_TEMPFAIL: try later (454 4.7.0).
 */
struct store_auth_result {
    enum store_status status;
    int64_t account_id;
    const char *account;
    enum store_account_status account_status;
    const char *error;
};
typedef void store_auth_cb(store_request_id id, const struct store_auth_result *result, void *arg);
/* username and password are copied (the copy of the password is cleansed after use). */
store_request_id store_service_authenticate(struct store_service *svc, const char *username,
                                            const char *password, store_auth_cb *cb, void *arg);

/* The identities of an account (for identity_covering()); list is empty unless STORE_OK. */
typedef void store_identities_cb(store_request_id id, enum store_status status,
                                 const struct store_identity_list *list, const char *error,
                                 void *arg);
store_request_id store_service_identities(struct store_service *svc, int64_t account_id,
                                          store_identities_cb *cb, void *arg);

/* Finds the original message a report is about: refs[0..n) are tried in order with
 * store_message_find() within the account; message_id is the first found (borrowed for the
 * callback), or NULL with status STORE_NOT_FOUND. 1 <= n <= STORE_SERVICE_MAX_REFS; the refs
 * are copied. */
#define STORE_SERVICE_MAX_REFS 4
typedef void store_find_cb(store_request_id id, enum store_status status, const char *message_id,
                           const char *error, void *arg);
store_request_id store_service_find_message(struct store_service *svc, int64_t account_id,
                                            const char *const *refs, size_t n, store_find_cb *cb,
                                            void *arg);
/* The delivery queue (store.h: store_queue_claim / store_queue_record), run on the writer
 * thread, each in its own transaction. The claim callback may take the claimed messages out of
 * claim (set claim->msgs[i] to NULL, or move the array and zero n); the rest is freed after
 * the callback returns. */
typedef void store_claim_cb(store_request_id id, enum store_status status,
                            struct store_claim *claim, const char *error, void *arg);
store_request_id store_service_claim(struct store_service *svc, int64_t now_ms, int64_t lease_ms,
                                     size_t max_rcpts, store_claim_cb *cb, void *arg);
/* Takes rec (freed by the service). The callback's status STORE_OK means durably written. */
store_request_id store_service_record(struct store_service *svc, struct store_record *rec,
                                      store_commit_cb *cb, void *arg);

/* Forgets a pending request: its callback will not fire. A commit already handed to the writer
 * may still be written. Returns false if the id is not pending (already answered). */
bool store_service_cancel(struct store_service *svc, store_request_id id);

struct store_service_stats {
    uint64_t commits;      /* messages committed (any result) */
    uint64_t transactions; /* write transactions (= fsyncs) */
    uint64_t largest_batch;
    uint64_t dropped; /* replies that arrived for a cancelled request */
};
/* Loop thread only (reads counters the writer updates under a lock). */
void store_service_stats(struct store_service *svc, struct store_service_stats *stats_r);

#endif
