/*
 * net_cidr: lists of client networks ("127.0.0.0/8, ::1, 192.0.2.0/24") as Postfix's
 * mynetworks, and membership tests for a socket address. An IPv4-mapped IPv6 client
 * (::ffff:a.b.c.d) matches IPv4 networks. The list owns its entries; free with net_cidr_free.
 */
#ifndef REBOUND_NET_CIDR_H
#define REBOUND_NET_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct net_cidr {
    int family;             /* AF_INET or AF_INET6 */
    unsigned char addr[16]; /* network address, host bits cleared */
    unsigned prefix;        /* 0..32 or 0..128 */
};

struct net_cidr_list {
    struct net_cidr *items;
    size_t n;
};

/* Parses one "address[/prefix]"; false if malformed. */
bool net_cidr_parse(const char *text, struct net_cidr *cidr_r);
/* Parses words; on failure returns false with *error_r (owned) naming the bad word. */
bool net_cidr_list_parse(char **words, size_t n_words, struct net_cidr_list *list_r,
                         char **error_r);
bool net_cidr_list_contains(const struct net_cidr_list *list, const struct sockaddr *sa);
void net_cidr_list_free(struct net_cidr_list *list);

#endif
