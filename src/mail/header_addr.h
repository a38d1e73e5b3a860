/*
 * header_addr: the addresses in a message's originator fields (From:, Sender:), as the
 * submission policy needs them (RFC 5322 3.4 and 3.6.2). Pure parsing: no I/O, no allocation
 * beyond the returned list.
 *
 *   address-list = address *("," address)
 *   address      = mailbox / group
 *   mailbox      = name-addr / addr-spec
 *   name-addr    = [display-name] angle-addr
 *   angle-addr   = [CFWS] "<" [obs-route] addr-spec ">" [CFWS]
 *   group        = display-name ":" [group-list] ";" [CFWS]
 *   addr-spec    = local-part "@" domain   (dot-atom or quoted-string "@" dot-atom or literal)
 *
 * Comments (nested, with quoted-pairs) and folding white space are skipped anywhere between
 * tokens; display names may be atoms, quoted strings or encoded words; octets >= 0x80 count as
 * atext (RFC 6532). The obsolete forms accepted: CFWS around the dots of an addr-spec, a route
 * before the addr-spec, empty list elements. Bare addresses without "@" are refused.
 *
 * SECURITY: the input is the client's message. Every loop is bounded by the input length;
 * at most HEADER_ADDR_MAX addresses and HEADER_ADDR_MAX_COMMENT_DEPTH nested comments.
 * Ownership: lists are owned by the caller, released with header_addr_list_free().
 */
#ifndef REBOUND_MAIL_HEADER_ADDR_H
#define REBOUND_MAIL_HEADER_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#define HEADER_ADDR_MAX               100 /* addresses per field list */
#define HEADER_ADDR_MAX_COMMENT_DEPTH 16
#define HEADER_ADDR_MAX_LEN           998 /* RFC 5322 2.1.1: longest line, so longest address */

struct header_addr_list {
    char **items; /* addr-spec text, comments and white space removed; owned */
    size_t n;
};

/* Parses one field body (unfolded or not) as an address-list and appends each mailbox's
 * addr-spec to *list (groups contribute their members). false with *why_r (static text) if
 * the value is not an address list; *list then holds what was parsed before the fault. */
bool header_addr_parse(const char *value, size_t len, struct header_addr_list *list,
                       const char **why_r);

/* Finds every field named `name` (case-insensitive) in the header section of a message
 * (data..data+size, CRLF or LF line ends; the section ends at the first empty line or at the
 * end) and parses each like header_addr_parse, appending to *list. Returns the number of
 * fields found, or -1 with *why_r if one of them is not an address list. */
long header_addr_field(const char *data, size_t size, const char *name,
                       struct header_addr_list *list, const char **why_r);

void header_addr_list_free(struct header_addr_list *list);

#endif
