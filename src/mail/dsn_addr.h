/*
 * dsn_addr: finding and cleaning e-mail addresses in report fields and free text. Lenient on
 * purpose: bounces quote addresses as <a@b>, "a@b", rfc822-typed or bare. ASCII only.
 */
#ifndef REBOUND_MAIL_DSN_ADDR_H
#define REBOUND_MAIL_DSN_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#define DSN_ADDR_MAX_LEN 320 /* RFC 5321 4.5.3.1: 64 + 1 + 255 (longer ones are not addresses) */

/* Finds the next address in text[0..len) at or after *pos. On success stores its bounds in
 * *start_r and *end_r (end exclusive), advances *pos past it and returns true. */
bool dsn_addr_scan(const char *text, size_t len, size_t *pos, size_t *start_r, size_t *end_r);
/* The first address in a field value ("rfc822; <a@b>", "Name <a@b>"), as an owned copy, or
 * NULL when there is none. */
char *dsn_addr_first(const char *value);
/* True for addresses that are a mail system rather than a person: mailer-daemon@,
 * postmaster@, ... (used to keep them out of plain-text recipient lists). */
bool dsn_addr_is_system(const char *address);

#endif
