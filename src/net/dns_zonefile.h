/*
 * dns_zonefile: loads a small zone description into a dns_memory zone (`rebound spf --zone`,
 * tests). One record per line; "#" starts a comment outside quotes; names may end with a dot.
 *
 *   line     = name SP type [SP value] / empty / comment
 *   type     = "A" / "AAAA" / "MX" / "PTR" / "CNAME" / "NS" / "TXT" / "SPF"
 *              / "TIMEOUT"   ; queries at name for types without records time out
 *              / "EXISTS"    ; name exists without records (NODATA instead of NXDOMAIN)
 *   A, AAAA  = address                 MX = preference SP exchange
 *   PTR, CNAME, NS = target-name
 *   TXT, SPF = 1*( SP character-string ) ; each "quoted" (\" \\ \DDD escapes) or a bare word;
 *                                        ; several strings form ONE record, joined by SPF
 *
 * Example:
 *   example.com.       TXT  "v=spf1 ip4:192.0.2.0/24 " "mx -all"
 *   example.com.       MX   10 mail.example.com.
 *   mail.example.com.  A    192.0.2.10
 *   slow.example.com.  TIMEOUT
 */
#ifndef REBOUND_NET_DNS_ZONEFILE_H
#define REBOUND_NET_DNS_ZONEFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "dns_memory.h"

/* Longest line accepted, and most character-strings in one TXT record. */
#define DNS_ZONEFILE_MAX_LINE    8192
#define DNS_ZONEFILE_MAX_STRINGS 64

/* Adds the records of text (len bytes) to zone. On error returns false with *error_r (owned)
 * naming the line; records of earlier lines stay added. */
bool dns_zonefile_parse(struct dns_memory *zone, const char *text, size_t len, char **error_r);
/* Reads and parses a file. */
bool dns_zonefile_load(struct dns_memory *zone, const char *path, char **error_r);

#endif
