/*
 * store_sqlite: the embedded backend of store.h, one SQLite 3 file in WAL mode with
 * synchronous=FULL (a COMMIT returns only after the WAL is fsync'd) and foreign keys on.
 * Schema migrations are numbered (store_sqlite_schema.c) and applied at open.
 */
#ifndef REBOUND_STORE_SQLITE_H
#define REBOUND_STORE_SQLITE_H

#include "store.h"

/* How long a connection waits for another connection's write lock before STORE_TEMPFAIL. */
#define STORE_SQLITE_BUSY_TIMEOUT_MS 10000

/* Opens (creating if needed) the database file at path; NULL with *error_r (owned) on failure.
 * Close with store_close(). */
struct store *store_sqlite_open(const char *path, char **error_r);
/* The schema version this code writes (the number of migrations it knows). */
int store_sqlite_schema_version(void);

#endif
