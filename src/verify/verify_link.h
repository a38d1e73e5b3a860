/*
 * verify_link: the tokens of identity verification in the store: a domain's TXT token issued
 * at add, an address's one-time link (issued at add or again on demand, valid for the
 * configured time) and its consumption by the API. Blocking (store calls).
 */
#ifndef REBOUND_VERIFY_LINK_H
#define REBOUND_VERIFY_LINK_H

#include <stdint.h>

#include "store.h"

/* Gives a freshly added identity its token: a domain its TXT token (no expiry), an address a
 * link token expiring link_expiry_ms from now. Returns the token via *token_r (owned). */
enum store_status verify_issue_token(struct store *st, const char *identity, int64_t now_ms,
                                     int64_t link_expiry_ms, char **token_r, char **error_r);

enum verify_link_status { VERIFY_LINK_OK, VERIFY_LINK_UNKNOWN, VERIFY_LINK_EXPIRED };
/* Consumes a one-time link token: the address identity holding it becomes SUCCESS (an event is
 * recorded) and the token is cleared. *identity_r (owned) names it when found. A store failure
 * returns its status with *error_r; else STORE_OK with *link_r saying what happened. */
enum store_status verify_link_consume(struct store *st, const char *token, int64_t now_ms,
                                      enum verify_link_status *link_r, char **identity_r,
                                      char **error_r);

#endif
