#include "net_tls.h"

#include <openssl/err.h>

#include "xalloc.h"

static char *net_tls_error(const char *what, const char *file)
{
    char detail[256];
    unsigned long e = ERR_get_error();
    ERR_error_string_n(e, detail, sizeof(detail));
    ERR_clear_error();
    return xasprintf("%s %s: %s", what, file, e ? detail : "unknown error");
}

SSL_CTX *net_tls_server_ctx_new(const char *cert_file, const char *key_file, char **error_r)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) {
        *error_r = net_tls_error("cannot create a TLS context for", cert_file);
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    /* Session tickets would need key rotation we do not do; renegotiation is not needed. */
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
        *error_r = net_tls_error("cannot load the certificate chain", cert_file);
        goto fail;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
        *error_r = net_tls_error("cannot load the private key", key_file);
        goto fail;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        *error_r = net_tls_error("the private key does not match the certificate", cert_file);
        goto fail;
    }
    return ctx;
fail:
    SSL_CTX_free(ctx);
    return NULL;
}

void net_tls_ctx_free(SSL_CTX *ctx)
{
    SSL_CTX_free(ctx);
}
