/*
 * srsmap_alias: the envelope alias of postsrsd 2.x "original-envelope = database" mode.
 * A sender is replaced by BASE32HEX(SHA1(address)) "@1": RFC 4648 base32hex, upper case, no
 * padding, 32 characters, over the exact address bytes (case-sensitive). The alias, not the
 * sender, is then SRS-forwarded, so the SRS local part has a fixed length whatever the sender.
 */
#ifndef REBOUND_SRSMAP_ALIAS_H
#define REBOUND_SRSMAP_ALIAS_H

#include <stdbool.h>
#include <stddef.h>

/* 32 base32hex characters + "@1" + NUL. */
#define SRSMAP_ALIAS_SIZE   35
#define SRSMAP_ALIAS_DOMAIN "@1"

/* Writes the alias of address[0..len) into out (NUL-terminated). */
void srsmap_alias_for(const char *address, size_t len, char out[SRSMAP_ALIAS_SIZE]);
/* True when a reversed address is an alias (its part from the first '@' is exactly "@1"). */
bool srsmap_alias_is_alias(const char *address);

#endif
