/*
 * spf_header: the trace header fields an SPF verifier adds.
 *
 *   Received-SPF (RFC 7208 9.1):
 *     header-field   = "Received-SPF:" [CFWS] result FWS [comment FWS] [ key-value-list ] CRLF
 *     key-value-list = key-value-pair *( ";" [CFWS] key-value-pair ) [";"]
 *     key-value-pair = key [CFWS] "=" ( dot-atom / quoted-string )
 *     key            = "client-ip" / "envelope-from" / "helo" / "problem" / "receiver"
 *                      / "identity" / "mechanism" / name
 *   Authentication-Results (RFC 8601 2.2), one "spf" resinfo:
 *     authserv-id; spf=<result> [(comment)] smtp.mailfrom=<address> | smtp.helo=<name>
 *
 * Both functions return the field VALUE on one line, without the field name and CRLF (owned:
 * free()). Everything that came from the peer (addresses, HELO, explanation) is quoted or
 * escaped so that it cannot break out of its comment, quoted-string or the header line:
 * control characters become '?'.
 */
#ifndef REBOUND_MAIL_SPF_HEADER_H
#define REBOUND_MAIL_SPF_HEADER_H

#include "spf.h"

char *spf_header_received_spf(const struct spf_query *q, const struct spf_outcome *o);
/* authserv_id: this receiver's name (RFC 8601 2.5); NULL = q->receiver. */
char *spf_header_authentication_results(const char *authserv_id, const struct spf_query *q,
                                        const struct spf_outcome *o);

#endif
