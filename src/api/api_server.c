/* api_server: the libmicrohttpd adapter; see api_server.h. */
#include "api_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "str.h"
#include "xalloc.h"

struct api_server {
    struct MHD_Daemon *daemon;
    const struct api_context *ctx;
    uint16_t port;
};

/* One request in progress: its body so far. */
struct api_server_request {
    struct buf body;
    size_t received;
    struct sigv4_header headers[API_MAX_HEADERS];
    size_t n_headers;
    struct buf query;
};

/* Keep the URL and arguments as sent: SigV4 signs the encoded form, and api.c decodes the one
 * path segment it needs itself. */
static size_t api_server_no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

static enum MHD_Result api_server_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                         const char *value)
{
    (void)kind;
    struct api_server_request *r = cls;
    if (r->n_headers < API_MAX_HEADERS) {
        r->headers[r->n_headers].name = key;
        r->headers[r->n_headers++].value = value ? value : "";
    }
    return MHD_YES;
}

static enum MHD_Result api_server_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    struct api_server_request *r = cls;
    if (r->query.len > 0)
        buf_append_char(&r->query, '&');
    buf_append_str(&r->query, key);
    if (value != NULL)
        buf_printf(&r->query, "=%s", value);
    return MHD_YES;
}

static enum MHD_Result api_server_respond(struct MHD_Connection *conn, struct api_response *resp)
{
    size_t len = resp->body ? strlen(resp->body) : 0;
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, resp->body ? resp->body : (char *)"",
        resp->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    resp->body = NULL; /* MHD frees it */
    MHD_add_response_header(r, "Content-Type",
                            resp->content_type ? resp->content_type : "application/json");
    if (resp->error_type != NULL)
        MHD_add_response_header(r, "x-amzn-ErrorType", resp->error_type);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result api_server_serve(struct api_server *s, struct MHD_Connection *conn,
                                        const char *url, const char *method,
                                        struct api_server_request *r)
{
    MHD_get_connection_values(conn, MHD_HEADER_KIND, api_server_header, r);
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, api_server_arg, r);
    struct api_request req = {method,     url,          r->query.len ? buf_cstr(&r->query) : NULL,
                              r->headers, r->n_headers, r->body.data,
                              r->body.len};
    struct api_response resp;
    if (r->received > API_MAX_BODY)
        req.body_len = r->received; /* api_handle answers 413 */
    api_handle(s->ctx, &req, &resp);
    LOG_INFO("-", "api method=%s path=\"%.200s\" status=%d error=%s", method, url, resp.status,
             resp.error_type ? resp.error_type : "-");
    enum MHD_Result ret = api_server_respond(conn, &resp);
    api_response_clear(&resp);
    return ret;
}

static enum MHD_Result api_server_access(void *cls, struct MHD_Connection *conn, const char *url,
                                         const char *method, const char *version,
                                         const char *upload_data, size_t *upload_data_size,
                                         void **con_cls)
{
    (void)version;
    struct api_server_request *r = *con_cls;
    if (r == NULL) {
        *con_cls = xcalloc(1, sizeof(*r));
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        r->received += *upload_data_size;
        if (r->received <= API_MAX_BODY)
            buf_append(&r->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    return api_server_serve(cls, conn, url, method, r);
}

static void api_server_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                                 enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)conn;
    (void)code;
    struct api_server_request *r = *con_cls;
    if (r == NULL)
        return;
    buf_free(&r->body);
    buf_free(&r->query);
    free(r);
    *con_cls = NULL;
}

static bool api_server_parse_listen(const char *listen, struct sockaddr_in *sa, char **error_r)
{
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    const char *colon = strrchr(listen, ':');
    long long port = -1;
    char host[INET_ADDRSTRLEN] = "";
    if (colon != NULL && (size_t)(colon - listen) < sizeof(host)) {
        memcpy(host, listen, (size_t)(colon - listen));
        host[colon - listen] = '\0';
        if (!str_parse_ll(colon + 1, 0, 65535, &port))
            port = -1;
    }
    if (port < 0 || inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
        *error_r = xasprintf("api.listen '%s' is not IPv4-ADDRESS:PORT", listen);
        return false;
    }
    sa->sin_port = htons((uint16_t)port);
    return true;
}

struct api_server *api_server_start(const char *listen, const struct api_context *ctx,
                                    char **error_r)
{
    struct sockaddr_in sa;
    if (!api_server_parse_listen(listen, &sa, error_r))
        return NULL;
    struct api_server *s = xcalloc(1, sizeof(*s));
    s->ctx = ctx;
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, api_server_access, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_UNESCAPE_CALLBACK,
        api_server_no_unescape, NULL, MHD_OPTION_NOTIFY_COMPLETED, api_server_completed, NULL,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)API_SERVER_MAX_CONNECTIONS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)API_SERVER_TIMEOUT_S, MHD_OPTION_END);
    if (s->daemon == NULL) {
        *error_r = xasprintf("cannot listen on %s (address in use or not local?)", listen);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : ntohs(sa.sin_port);
    return s;
}

uint16_t api_server_port(const struct api_server *s)
{
    return s->port;
}

void api_server_stop(struct api_server *s)
{
    if (s == NULL)
        return;
    MHD_stop_daemon(s->daemon);
    free(s);
}
