/*
 * dns_answer: turns one DNS response message (RFC 1035 section 4.1) into the struct dns_result
 * for the question it carries. Used by the c-ares backend, which hands over the raw answer:
 * c-ares's own parsers drop TTLs, the authority section and TXT strings with NUL bytes.
 *
 * SECURITY: the message is untrusted input straight off the wire. Every count, length and
 * compression pointer is bounds-checked; anything that does not parse is DNS_PERMFAIL with a
 * sentence, never a crash (fuzz/fuzz_dns_answer.c).
 *
 * Classification (the dns.h contract):
 * - RCODE NOERROR with records of the asked type      -> DNS_OK
 * - RCODE NOERROR without                              -> DNS_NODATA
 * - RCODE NXDOMAIN (3), even at the end of a CNAME chain (RFC 6604) -> DNS_NXDOMAIN
 * - any other RCODE (SERVFAIL, REFUSED, NOTIMP, FORMERR, ...), a truncated message (TC) and a
 *   referral (no answer; NS but no SOA in the authority section) -> DNS_TEMPFAIL
 *   (RFC 7208 section 5 asks exactly this of SPF: "RCODE other than 0 or 3" is temporary)
 * - a malformed message, or a question that is not the one asked  -> DNS_PERMFAIL
 *
 * CNAME chains (RFC 1034 section 3.6.2): from the question name the parser follows CNAME
 * records of the answer section (at most DNS_ANSWER_MAX_CNAME_HOPS) and returns the records
 * of the asked type owned by the end of the chain, their TTLs clamped to the smallest TTL
 * along the chain so that a cache never outlives a link. When the chain leaves the message (an
 * authoritative server does not chase out-of-zone targets: the answer ends with a CNAME, no
 * SOA), the status is DNS_NODATA and next_name names the target to ask next.
 *
 * NXDOMAIN/NODATA answers that carry the zone's SOA get has_negative_ttl and negative_ttl =
 * min(SOA TTL, SOA MINIMUM) (RFC 2308 section 5). TTLs with the top bit set count as 0
 * (RFC 2181 section 8).
 */
#ifndef REBOUND_NET_DNS_ANSWER_H
#define REBOUND_NET_DNS_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"

/* CNAME links followed inside one message (longer chains are malformed: a loop or abuse). */
#define DNS_ANSWER_MAX_CNAME_HOPS 16
/* Compression pointers followed while reading one name (a label sequence has at most 127). */
#define DNS_ANSWER_MAX_POINTERS 128
/* Room for any name in text form: 255 wire octets, each byte escaped as \DDD at worst. */
#define DNS_ANSWER_NAME_TEXT_SIZE 1024

struct dns_answer {
    struct dns_result result; /* owned (dns.h "owned result"): release with dns_answer_clear */
    char *next_name;          /* owned; non-NULL when the CNAME chain leaves this message */
    uint32_t chain_ttl;       /* smallest TTL of the CNAMEs followed; UINT32_MAX if none */
};

/* Parses msg[0..len) as the answer to a question of type qtype. Never fails: a malformed
 * message gives DNS_PERMFAIL. *answer_r is owned by the caller. */
void dns_answer_parse(const uint8_t *msg, size_t len, enum dns_rr_type qtype,
                      struct dns_answer *answer_r);
/* Releases what dns_answer_parse() filled in and zeroes it; accepts a zeroed answer. */
void dns_answer_clear(struct dns_answer *answer);

/* Reads the (possibly compressed) name at *off_r into out (text form: labels joined by '.',
 * no trailing dot, "." for the root; '.', '\' and bytes outside 0x21..0x7e escaped as \. \\
 * and \DDD so that distinct wire names stay distinct). out_size must be at least
 * DNS_ANSWER_NAME_TEXT_SIZE. On success *off_r moves past the name as stored at *off_r. */
bool dns_answer_read_name(const uint8_t *msg, size_t len, size_t *off_r, char *out,
                          size_t out_size);

#endif
