/*
 * srsmap_domains: the configured local domains (srsmap.local_domains). One list serves both
 * protocol generations, each with its own product's matching rule (../shared/SRS.md section 9):
 *
 *   entry "example.com"   matches the domain example.com itself, not its subdomains;
 *   entry ".example.edu"  matches every subdomain of example.edu, not example.edu itself.
 *   Comparison is ASCII case-insensitive.
 *
 * postsrsd 1.x (-X exclusions, tcp_table) tests the whole address: the entry must be a proper
 * suffix and, unless it starts with ".", be preceded by "@". postsrsd 2.x (domains, socketmap)
 * tests the domain after the first "@". Entries may hold only letters, digits, "-" and ".".
 */
#ifndef REBOUND_SRSMAP_DOMAINS_H
#define REBOUND_SRSMAP_DOMAINS_H

#include <stdbool.h>
#include <stddef.h>

struct srsmap_domains;

/* True when entry is acceptable; otherwise a sentence in *error_r (owned, free()). */
bool srsmap_domains_entry_valid(const char *entry, char **error_r);

/* Copies n entries (each already checked with srsmap_domains_entry_valid). */
struct srsmap_domains *srsmap_domains_new(char *const *entries, size_t n);
void srsmap_domains_free(struct srsmap_domains *d);

/* postsrsd 1.x rule on a whole address (forward exclusions). d may be NULL (no match). */
bool srsmap_domains_match_address(const struct srsmap_domains *d, const char *address);
/* postsrsd 2.x rule on a domain. d may be NULL (no match). */
bool srsmap_domains_match_domain(const struct srsmap_domains *d, const char *domain);

#endif
