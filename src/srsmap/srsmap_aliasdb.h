/*
 * srsmap_aliasdb: the SQLite file behind "original_envelope = database" (the only file that
 * touches sqlite3; STYLE rule 5). Schema and semantics as postsrsd 2.x so an existing postsrsd
 * database keeps working:
 *     kv(k TEXT NOT NULL UNIQUE ON CONFLICT REPLACE, v TEXT NOT NULL, lt INTEGER NOT NULL)
 * k = alias ("<32 base32hex>@1"), v = original sender, lt = expiry (unix seconds).
 * Unlike postsrsd, reads also ignore expired rows (postsrsd only purged them at start).
 *
 * The file is opened in WAL mode with synchronous=NORMAL: a write is a page-cache append, so
 * lookups stay fast inside the event loop; a process crash loses nothing, a power loss at most
 * the last transactions.
 *
 * Safe to use from several threads (calls are serialised).
 * Errors are temporary (the file or disk), reported with a reason in *error_r (owned, free()).
 */
#ifndef REBOUND_SRSMAP_ALIASDB_H
#define REBOUND_SRSMAP_ALIASDB_H

#include <stdbool.h>
#include <stdint.h>

struct srsmap_aliasdb;

enum srsmap_aliasdb_result {
    SRSMAP_ALIASDB_FOUND,
    SRSMAP_ALIASDB_MISSING,
    SRSMAP_ALIASDB_ERROR,
};

/* uri is "sqlite:FILE". Creates the table if needed and deletes rows expired at `now`. */
struct srsmap_aliasdb *srsmap_aliasdb_open(const char *uri, int64_t now, char **error_r);
void srsmap_aliasdb_close(struct srsmap_aliasdb *db);

/* Stores (replacing) alias -> address until `expires`. */
bool srsmap_aliasdb_put(struct srsmap_aliasdb *db, const char *alias, const char *address,
                        int64_t expires, char **error_r);
/* Looks alias up; on FOUND *address_r is owned (free()). */
enum srsmap_aliasdb_result srsmap_aliasdb_get(struct srsmap_aliasdb *db, const char *alias,
                                              int64_t now, char **address_r, char **error_r);

#endif
