/*
 * net_tls: the server TLS context (OpenSSL) built from the configured certificate chain and
 * key files. TLS 1.2 is the minimum version (older ones are refused in the handshake).
 * Ownership: the returned SSL_CTX is owned by the caller; free with net_tls_ctx_free().
 */
#ifndef REBOUND_NET_TLS_H
#define REBOUND_NET_TLS_H

#include <openssl/ssl.h>

/* Returns NULL with *error_r (owned) if the files cannot be loaded or do not match. */
SSL_CTX *net_tls_server_ctx_new(const char *cert_file, const char *key_file, char **error_r);
void net_tls_ctx_free(SSL_CTX *ctx);

#endif
