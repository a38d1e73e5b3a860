/*
 * srsmap_lookup: what rebound answers to one lookup, with the semantics of the postsrsd
 * generation whose protocol was used (../shared/SRS.md sections 5-7, 10). No I/O except the
 * alias database; the server turns an answer into protocol bytes.
 *
 * tcp_table (postsrsd 1.10): forward = exclusion list ("Domain excluded py policy", sic), then
 *   "Already rewritten" if the key reverses with our secrets, then SRS forward (an address in
 *   the SRS domain comes back unchanged unless srs.always_rewrite); reverse = SRS reverse.
 *   Every refusal is "500 <reason>" (found = 200).
 * socketmap (postsrsd 2.4): forward = "No domain." without "@", "Need not rewrite local
 *   domain." for the SRS domain and srsmap.local_domains (unless always_rewrite), then in
 *   database mode every non-SRS sender is replaced by its alias (stored with a TTL of
 *   srs.max_age_days), then SRS forward; reverse = SRS reverse, then alias resolution. SRS
 *   failures are NOTFOUND with libsrs2's text; unknown map = PERM "Invalid map.".
 */
#ifndef REBOUND_SRSMAP_LOOKUP_H
#define REBOUND_SRSMAP_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>

#include "clock.h"
#include "srs.h"
#include "srsmap_aliasdb.h"
#include "srsmap_domains.h"

/* Everything a lookup needs; all members borrowed, immutable while the server runs. */
struct srsmap_engine {
    const struct srs *srs;
    const struct srsmap_domains *local_domains; /* may be NULL */
    struct srsmap_aliasdb *aliasdb;             /* NULL: embedded mode */
    const struct clock *clock;
    bool always_rewrite;
    unsigned max_age_days;
};

enum srsmap_direction { SRSMAP_FORWARD, SRSMAP_REVERSE };

enum srsmap_outcome {
    SRSMAP_FOUND,    /* tcp_table 200, socketmap OK */
    SRSMAP_NOTFOUND, /* tcp_table 500, socketmap NOTFOUND */
    SRSMAP_TEMP,     /* socketmap TEMP (alias database unreadable); tcp_table 500 */
    SRSMAP_PERM,     /* socketmap PERM; tcp_table 500 */
};

struct srsmap_answer {
    enum srsmap_outcome outcome;
    char *value;        /* FOUND: the rewritten address, owned (srsmap_answer_clear) */
    const char *reason; /* otherwise: the reply text (static) */
};

void srsmap_tcptable_lookup(const struct srsmap_engine *e, enum srsmap_direction dir,
                            const char *key, struct srsmap_answer *answer_r);
/* map is not NUL-terminated (map_len bytes); key is. */
void srsmap_socketmap_lookup(const struct srsmap_engine *e, const char *map, size_t map_len,
                             const char *key, struct srsmap_answer *answer_r);
void srsmap_answer_clear(struct srsmap_answer *answer);

#endif
