/*
 * spf_peer_libspf2: libspf2 1.2.10 driven through its own in-memory zone layer
 * (SPF_dns_zone), for bench_spf. Kept in its own file because libspf2's headers define
 * SPF_RESULT_* names that collide with rebound's spf.h.
 */
#ifndef REBOUND_BENCH_SPF_PEER_LIBSPF2_H
#define REBOUND_BENCH_SPF_PEER_LIBSPF2_H

struct spf_peer;

struct spf_peer *spf_peer_new(void);
/* type: a DNS RR type number, or 0 for "queries for types without records time out". */
void spf_peer_add(struct spf_peer *p, const char *name, int type, const char *data);
/* Runs one mailfrom check; returns the result name ("pass", "fail", ...). */
const char *spf_peer_check(struct spf_peer *p, const char *ip, const char *sender,
                           const char *helo);
void spf_peer_free(struct spf_peer *p);

#endif
