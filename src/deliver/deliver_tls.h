/*
 * deliver_tls: the OpenSSL client context outbound connections share. Opportunistic sessions
 * ignore its trust store; verified ones (SMTP_CLIENT_TLS_VERIFY) check the server's chain
 * against it: ca_file when given (a PEM bundle; test beds use their own CA), else the
 * system's default store.
 */
#ifndef REBOUND_DELIVER_TLS_H
#define REBOUND_DELIVER_TLS_H

#include <openssl/ssl.h>

/* Returns an owned context (SSL_CTX_free) or NULL with *error_r (owned) when ca_file cannot
 * be loaded. */
SSL_CTX *deliver_tls_ctx_new(const char *ca_file, char **error_r);

#endif
