#include "deliver_tls.h"

#include <openssl/err.h>
#include <stdlib.h>

#include "xalloc.h"

SSL_CTX *deliver_tls_ctx_new(const char *ca_file, char **error_r)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) {
        *error_r = xstrdup("cannot create a TLS client context");
        return NULL;
    }
    /* RFC 8996: TLS 1.0 and 1.1 are gone; every current MTA speaks 1.2. */
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    int ok = ca_file != NULL ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
                             : SSL_CTX_set_default_verify_paths(ctx);
    if (ok != 1) {
        char err[256];
        ERR_error_string_n(ERR_get_error(), err, sizeof(err));
        *error_r = xasprintf("cannot load CA certificates from %s: %s",
                             ca_file ? ca_file : "the default store", err);
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}
