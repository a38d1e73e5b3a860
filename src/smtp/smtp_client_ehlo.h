/*
 * smtp_client_ehlo: what a server's EHLO reply says it supports (RFC 5321 section 4.1.1.1).
 *
 *     ehlo-ok-rsp = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
 *                 / ( "250-" Domain [ SP ehlo-greet ] CRLF
 *                     *( "250-" ehlo-line CRLF ) "250" SP ehlo-line CRLF )
 *     ehlo-line   = ehlo-keyword *( SP ehlo-param )
 *
 * Keywords are case-insensitive; unknown keywords are ignored. SIZE's parameter (RFC 1870) is
 * the largest message the server takes, 0 or absent meaning "no fixed limit".
 */
#ifndef REBOUND_SMTP_CLIENT_EHLO_H
#define REBOUND_SMTP_CLIENT_EHLO_H

#include <stdbool.h>
#include <stdint.h>

#include "smtp_client_reply.h"

struct smtp_client_caps {
    bool pipelining;          /* RFC 2920 */
    bool starttls;            /* RFC 3207 */
    bool eightbitmime;        /* RFC 6152 */
    bool dsn;                 /* RFC 3461 */
    bool smtputf8;            /* RFC 6531 */
    bool enhancedstatuscodes; /* RFC 2034 */
    bool size;                /* SIZE announced */
    uint64_t size_limit;      /* 0: no fixed limit */
};

/* Reads the capabilities from a 2xx EHLO reply (the first line, the server's name, is
 * skipped). Fills *caps_r; never fails: anything not understood is ignored. */
void smtp_client_ehlo_parse(const struct smtp_client_reply *reply, struct smtp_client_caps *caps_r);

#endif
