/*
 * dns_servers: parses a DNS server list as operators write it, "host:port[,host:port]":
 *     list   = server *( "," server )      (spaces around entries are ignored)
 *     server = IPv4 [ ":" port ] / "[" IPv6 "]" [ ":" port ] / IPv6
 *     port   = 1..65535, default 53
 * Host names are refused: the resolver cannot resolve its own servers.
 */
#ifndef REBOUND_NET_DNS_SERVERS_H
#define REBOUND_NET_DNS_SERVERS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_SERVERS_DEFAULT_PORT 53

struct dns_server {
    int family; /* AF_INET or AF_INET6 */
    union {
        struct in_addr v4;
        struct in6_addr v6;
    } addr;
    uint16_t port;
};

/* Parses text into servers[0..max); returns the number parsed, or 0 with *error_r (owned)
 * naming the first bad entry (also when the list is empty or holds more than max entries). */
size_t dns_servers_parse(const char *text, struct dns_server *servers, size_t max, char **error_r);

#endif
