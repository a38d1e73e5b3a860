/*
 * Benchmark of issue 4's store: durable commits per second of a 1 KiB message with one
 * recipient (WAL, synchronous=FULL, a real file on the working directory's filesystem), through
 * rebound's store service one at a time and with N concurrent requesters (group commit), beside
 * the raw-SQLite floor measured in the same run: the same two INSERTs done directly with sqlite3
 * in one loop, one transaction per message (and, for the grouped figure, 100 per transaction).
 * Also the cost of one password verification (PBKDF2-SHA256 at the default iteration count).
 *
 * Usage: bench_store [DIR]   (default: the working directory; /tmp may be tmpfs, where fsync is
 *                             free and every figure is meaningless)
 */
#include <event2/event.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "store_password.h"
#include "store_service.h"
#include "xalloc.h"

#define BENCH_BODY        1024
#define BENCH_SINGLE      1000  /* messages for the one-at-a-time runs */
#define BENCH_GROUPED     20000 /* messages for the grouped runs */
#define BENCH_RAW_PER_TXN 100
#define BENCH_T0          1700000000000LL
#define BENCH_FULL        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct store_message *bench_message(int64_t account_id, unsigned long seq)
{
    struct store_message *m = store_message_new();
    m->arrival_ms = BENCH_T0 + (int64_t)seq;
    if (!store_message_id_new(m->arrival_ms, m->id))
        abort();
    m->account_id = account_id;
    m->identity = xstrdup("example.com");
    m->envelope_from = xstrdup("sender@example.com");
    m->return_path = xstrdup("SRS0=abcd=TT=example.com=sender@bounce.example.net");
    m->body = xmalloc(BENCH_BODY);
    memset(m->body, 'x', BENCH_BODY);
    m->body_len = BENCH_BODY;
    store_message_add_rcpt(m, "rcpt@example.org", 0, NULL);
    return m;
}

/* A fresh database with the schema and one account; returns its URL (owned). */
static char *bench_database(const char *dir, const char *name, int64_t *account_id_r)
{
    char *url = xasprintf("sqlite:%s/%s", dir, name);
    char *error = NULL;
    struct store *st = store_open(url, &error);
    struct store_account a;
    if (st == NULL || store_account_create(st, "bench", "RBBENCH", "x", BENCH_T0, &error) ||
        store_account_get(st, "bench", &a, &error)) {
        fprintf(stderr, "bench_store: %s\n", error);
        exit(1);
    }
    *account_id_r = a.id;
    store_account_clear(&a);
    store_close(st);
    return url;
}

static void bench_raw_exec(sqlite3 *db, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE) {
        fprintf(stderr, "bench_store: sqlite: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    sqlite3_reset(st);
}

/* The floor: the same rows inserted directly, per_txn messages per transaction. `pragmas` sets
 * the durability (synchronous=FULL like rebound, or NORMAL to show what skipping fsync buys). */
static double bench_raw(const char *url, int64_t account_id, unsigned long n, unsigned per_txn,
                        const char *pragmas)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(url + strlen("sqlite:"), &db) != SQLITE_OK ||
        sqlite3_exec(db, pragmas, NULL, NULL, NULL) != SQLITE_OK)
        exit(1);
    sqlite3_stmt *begin, *commit, *msg, *rcpt;
    sqlite3_prepare_v2(db, "BEGIN", -1, &begin, NULL);
    sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL);
    sqlite3_prepare_v2(db,
                       "INSERT INTO messages (id, account_id, identity, envelope_from, "
                       "return_path, size, arrival_ms, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                       "?7, ?8)",
                       -1, &msg, NULL);
    sqlite3_prepare_v2(db,
                       "INSERT INTO recipients (message_id, address, next_attempt_ms) VALUES "
                       "(?1, ?2, ?3)",
                       -1, &rcpt, NULL);
    double start = bench_now();
    for (unsigned long i = 0; i < n; i++) {
        struct store_message *m = bench_message(account_id, i);
        if (i % per_txn == 0)
            bench_raw_exec(db, begin);
        sqlite3_bind_text(msg, 1, m->id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(msg, 2, account_id);
        sqlite3_bind_text(msg, 3, m->identity, -1, SQLITE_STATIC);
        sqlite3_bind_text(msg, 4, m->envelope_from, -1, SQLITE_STATIC);
        sqlite3_bind_text(msg, 5, m->return_path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(msg, 6, BENCH_BODY);
        sqlite3_bind_int64(msg, 7, m->arrival_ms);
        sqlite3_bind_blob(msg, 8, m->body, BENCH_BODY, SQLITE_STATIC);
        bench_raw_exec(db, msg);
        sqlite3_bind_text(rcpt, 1, m->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(rcpt, 2, m->rcpts[0].address, -1, SQLITE_STATIC);
        sqlite3_bind_int64(rcpt, 3, m->arrival_ms);
        bench_raw_exec(db, rcpt);
        if (i % per_txn == per_txn - 1 || i == n - 1)
            bench_raw_exec(db, commit);
        store_message_free(m);
    }
    double secs = bench_now() - start;
    sqlite3_finalize(begin);
    sqlite3_finalize(commit);
    sqlite3_finalize(msg);
    sqlite3_finalize(rcpt);
    sqlite3_close(db);
    return (double)n / secs;
}

struct bench_run {
    struct event_base *base;
    struct store_service *svc;
    int64_t account_id;
    unsigned long submitted, done, total;
};

static void bench_submit(struct bench_run *r);

static void bench_on_commit(store_request_id id, enum store_status status, const char *error,
                            void *arg)
{
    struct bench_run *r = arg;
    if (status != STORE_OK) {
        fprintf(stderr, "bench_store: commit failed: %s\n", error);
        exit(1);
    }
    if (++r->done == r->total)
        event_base_loopbreak(r->base);
    else
        bench_submit(r);
}

static void bench_submit(struct bench_run *r)
{
    if (r->submitted < r->total)
        store_service_commit(r->svc, bench_message(r->account_id, r->submitted++), bench_on_commit,
                             r);
}

/* Through the service, `requesters` commits always in flight; returns messages per second. */
static double bench_service(const char *url, int64_t account_id, unsigned long n,
                            unsigned requesters, double *avg_batch_r)
{
    struct bench_run r = {event_base_new(), NULL, account_id, 0, 0, n};
    struct store_service_config cfg = {url, 1, STORE_SERVICE_DEFAULT_BATCH};
    char *error = NULL;
    r.svc = store_service_new(r.base, &cfg, &error);
    if (r.svc == NULL) {
        fprintf(stderr, "bench_store: %s\n", error);
        exit(1);
    }
    double start = bench_now();
    for (unsigned i = 0; i < requesters; i++)
        bench_submit(&r);
    event_base_dispatch(r.base);
    double secs = bench_now() - start;
    struct store_service_stats stats;
    store_service_stats(r.svc, &stats);
    *avg_batch_r = (double)stats.commits / (double)stats.transactions;
    store_service_free(r.svc);
    event_base_free(r.base);
    return (double)n / secs;
}

/* Median of 5 verifications at the default cost, in milliseconds. */
static double bench_password(void)
{
    char *hash = store_password_hash("bench-password", STORE_PASSWORD_ITERATIONS);
    double t[5];
    for (int i = 0; i < 5; i++) {
        double start = bench_now();
        if (!store_password_verify("bench-password", hash))
            abort();
        t[i] = (bench_now() - start) * 1000;
    }
    free(hash);
    for (int i = 0; i < 5; i++) {
        for (int j = i + 1; j < 5; j++) {
            if (t[j] < t[i]) {
                double x = t[i];
                t[i] = t[j];
                t[j] = x;
            }
        }
    }
    return t[2];
}

static void bench_remove(const char *url)
{
    const char *path = url + strlen("sqlite:");
    char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);
    unlink(path);
    unlink(wal);
    unlink(shm);
    free(wal);
    free(shm);
}

int main(int argc, char **argv)
{
    char *dir = xasprintf("%s/bench-store-XXXXXX", argc > 1 ? argv[1] : ".");
    if (mkdtemp(dir) == NULL) {
        perror("bench_store: mkdtemp");
        return 1;
    }
    printf("store commits: 1 KiB message + 1 recipient, WAL, synchronous=FULL, in %s\n", dir);
    printf("%-44s %10s %10s %s\n", "", "msgs/s", "rows/s", "");
    int64_t acct;
    char *url = bench_database(dir, "raw1.db", &acct);
    double raw1 = bench_raw(url, acct, BENCH_SINGLE, 1, BENCH_FULL);
    printf("%-44s %10.0f %10.0f (baseline)\n", "raw sqlite3, 1 message per transaction", raw1,
           2 * raw1);
    bench_remove(url);
    free(url);
    url = bench_database(dir, "raw100.db", &acct);
    double raw100 = bench_raw(url, acct, BENCH_GROUPED, BENCH_RAW_PER_TXN, BENCH_FULL);
    printf("%-44s %10.0f %10.0f %.2fx baseline\n", "raw sqlite3, 100 messages per transaction",
           raw100, 2 * raw100, raw100 / raw1);
    bench_remove(url);
    free(url);
    url = bench_database(dir, "normal.db", &acct);
    double normal = bench_raw(url, acct, BENCH_GROUPED, 1, "PRAGMA synchronous=NORMAL;");
    printf("%-44s %10.0f %10.0f %.2fx baseline (NOT durable: no fsync per commit)\n",
           "raw sqlite3, 1 per transaction, sync=NORMAL", normal, 2 * normal, normal / raw1);
    bench_remove(url);
    free(url);
    static const unsigned requesters[] = {1, 20, 100};
    for (size_t i = 0; i < sizeof(requesters) / sizeof(requesters[0]); i++) {
        url = bench_database(dir, "svc.db", &acct);
        double batch;
        unsigned long n = requesters[i] == 1 ? BENCH_SINGLE : BENCH_GROUPED;
        double rate = bench_service(url, acct, n, requesters[i], &batch);
        char label[64];
        snprintf(label, sizeof(label), "rebound store service, %u requester%s", requesters[i],
                 requesters[i] == 1 ? "" : "s");
        printf("%-44s %10.0f %10.0f %.2fx baseline, %.2fx raw grouped, avg batch %.1f\n", label,
               rate, 2 * rate, rate / raw1, rate / raw100, batch);
        bench_remove(url);
        free(url);
    }
    printf("password verify (PBKDF2-SHA256, %d iterations): %.1f ms (median of 5)\n",
           STORE_PASSWORD_ITERATIONS, bench_password());
    rmdir(dir);
    free(dir);
    return 0;
}
