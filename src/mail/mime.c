/*
 * GMime adapter. Every GObject reference taken here is released here; callers only ever see
 * the plain structs of mime.h. The walk is depth-first in document order so that "the first
 * text part" and "the part after the delivery-status" mean what a reader of the raw message
 * would expect.
 */
#include "mime.h"

#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"
#include "xalloc.h"

void mime_global_init(void)
{
    g_mime_init();
}

static void mime_headers_copy(GMimeObject *obj, struct mime_headers *out, bool *truncated)
{
    GMimeHeaderList *list = g_mime_object_get_header_list(obj);
    int n = list ? g_mime_header_list_get_count(list) : 0;
    if (n <= 0)
        return;
    if ((size_t)n > MIME_MAX_HEADERS) {
        *truncated = true;
        n = MIME_MAX_HEADERS;
    }
    out->items = xcalloc((size_t)n, sizeof(*out->items));
    for (int i = 0; i < n; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(list, i);
        const char *name = g_mime_header_get_name(h);
        const char *value = g_mime_header_get_value(h);
        size_t vlen = value ? strlen(value) : 0;
        if (vlen > MIME_MAX_HEADER_BYTES) {
            *truncated = true;
            vlen = MIME_MAX_HEADER_BYTES;
        }
        out->items[out->count].name = xstrdup(name ? name : "");
        out->items[out->count].value = xstrndup(value ? value : "", vlen);
        out->count++;
    }
}

static void mime_headers_free(struct mime_headers *h)
{
    for (size_t i = 0; i < h->count; i++) {
        free(h->items[i].name);
        free(h->items[i].value);
    }
    free(h->items);
}

const char *mime_header_get(const struct mime_headers *headers, const char *name)
{
    for (size_t i = 0; i < headers->count; i++) {
        if (str_equal_nocase(headers->items[i].name, name))
            return headers->items[i].value;
    }
    return NULL;
}

static bool mime_charset_is_utf8(const char *charset)
{
    return charset == NULL || str_equal_nocase(charset, "utf-8") ||
           str_equal_nocase(charset, "utf8") || str_equal_nocase(charset, "us-ascii");
}

/* Writes the decoded content of a leaf into a memory stream, through a charset filter for
 * text in another charset, and copies at most MIME_MAX_BODY_BYTES of it. */
static void mime_body_copy(GMimePart *part, struct mime_entity *e, bool *truncated)
{
    GMimeDataWrapper *content = g_mime_part_get_content(part);
    if (content == NULL) {
        e->body = xstrdup("");
        return;
    }
    GMimeStream *mem = g_mime_stream_mem_new();
    GMimeStream *filtered = g_mime_stream_filter_new(mem);
    GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
    const char *charset = ct ? g_mime_content_type_get_parameter(ct, "charset") : NULL;
    if (!mime_charset_is_utf8(charset)) {
        GMimeFilter *conv = g_mime_filter_charset_new(charset, "UTF-8");
        if (conv != NULL) {
            g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), conv);
            g_object_unref(conv);
        }
    }
    g_mime_data_wrapper_write_to_stream(content, filtered);
    g_mime_stream_flush(filtered);
    GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    size_t len = bytes ? bytes->len : 0;
    if (len > MIME_MAX_BODY_BYTES) {
        *truncated = true;
        len = MIME_MAX_BODY_BYTES;
    }
    e->body = xmalloc(len + 1);
    if (len)
        memcpy(e->body, bytes->data, len);
    for (size_t i = 0; i < len; i++) {
        if (e->body[i] == '\0')
            e->body[i] = ' ';
    }
    e->body[len] = '\0';
    e->body_len = len;
    g_object_unref(filtered);
    g_object_unref(mem);
}

static char *mime_type_of(GMimeObject *obj)
{
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    char *type = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
    char *copy = xstrdup(type ? type : "text/plain");
    g_free(type);
    return str_lower(copy);
}

struct mime_walk {
    struct mime_message *msg;
    size_t cap;
};

static struct mime_entity *mime_walk_add(struct mime_walk *w, GMimeObject *obj, size_t depth)
{
    if (w->msg->count == MIME_MAX_PARTS || depth > MIME_MAX_DEPTH) {
        w->msg->truncated = true;
        return NULL;
    }
    if (w->msg->count == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 8;
        w->msg->entities = xreallocarray(w->msg->entities, w->cap, sizeof(struct mime_entity));
    }
    struct mime_entity *e = &w->msg->entities[w->msg->count++];
    memset(e, 0, sizeof(*e));
    e->depth = depth;
    e->content_type = mime_type_of(obj);
    return e;
}

/* Bodies worth decoding: text of the report itself. Attachments and everything inside a
 * returned message are never read by the recognisers, so they are not decoded. */
static bool mime_wants_body(const struct mime_entity *e, bool inside_message)
{
    return !inside_message && (strncmp(e->content_type, "text/", 5) == 0 ||
                               strncmp(e->content_type, "message/", 8) == 0);
}

static void mime_walk_object(struct mime_walk *w, GMimeObject *obj, GMimeObject *headers_from,
                             size_t depth, bool inside_message)
{
    struct mime_entity *e = mime_walk_add(w, obj, depth);
    if (e == NULL)
        return;
    mime_headers_copy(headers_from, &e->headers, &w->msg->truncated);
    if (GMIME_IS_MULTIPART(obj)) {
        int n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
        for (int i = 0; i < n; i++) {
            GMimeObject *child = g_mime_multipart_get_part(GMIME_MULTIPART(obj), i);
            mime_walk_object(w, child, child, depth + 1, inside_message);
        }
    } else if (GMIME_IS_MESSAGE_PART(obj)) {
        GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
        if (inner == NULL)
            return;
        mime_headers_copy(GMIME_OBJECT(inner), &e->inner_headers, &w->msg->truncated);
        GMimeObject *body = g_mime_message_get_mime_part(inner);
        if (body != NULL)
            mime_walk_object(w, body, body, depth + 1, true);
    } else if (GMIME_IS_PART(obj) && mime_wants_body(e, inside_message)) {
        mime_body_copy(GMIME_PART(obj), e, &w->msg->truncated);
    }
}

/* Copies what follows the first empty line (LF or CRLF), the end of the header block. */
static void mime_copy_raw_body(struct mime_message *msg, const char *data, size_t len)
{
    size_t at = len;
    for (size_t i = 0; i + 1 < len; i++) {
        if (data[i] == '\n' &&
            (data[i + 1] == '\n' || (data[i + 1] == '\r' && i + 2 < len && data[i + 2] == '\n'))) {
            at = i + (data[i + 1] == '\n' ? 2 : 3);
            break;
        }
    }
    size_t n = len - at;
    if (n > MIME_MAX_BODY_BYTES) {
        n = MIME_MAX_BODY_BYTES;
        msg->truncated = true;
    }
    msg->raw_body = xstrndup(data + at, n);
    for (size_t i = 0; i < n; i++) {
        if (msg->raw_body[i] == '\0')
            msg->raw_body[i] = ' ';
    }
    msg->raw_body_len = n;
}

struct mime_message *mime_parse(const char *data, size_t len)
{
    /* An mbox separator ("From sender date") before the header is not a header field. */
    if (len > 5 && memcmp(data, "From ", 5) == 0) {
        const char *nl = memchr(data, '\n', len);
        size_t skip = nl ? (size_t)(nl - data) + 1 : len;
        data += skip;
        len -= skip;
    }
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    g_object_unref(stream);
    /* The top level is parsed as a MIME part, not a GMimeMessage: the report's own address
     * headers are then kept as text instead of being parsed into address lists nobody
     * reads (a measurable share of the work, and GMime's address parser is where its
     * known leak lives). */
    GMimeObject *top = g_mime_parser_construct_part(parser, NULL);
    g_object_unref(parser);
    if (top == NULL)
        return NULL;
    struct mime_message *msg = xcalloc(1, sizeof(*msg));
    struct mime_walk w = {msg, 0};
    mime_walk_object(&w, top, top, 0, false);
    g_object_unref(top);
    mime_copy_raw_body(msg, data, len);
    return msg;
}

void mime_message_free(struct mime_message *msg)
{
    if (msg == NULL)
        return;
    for (size_t i = 0; i < msg->count; i++) {
        struct mime_entity *e = &msg->entities[i];
        free(e->content_type);
        mime_headers_free(&e->headers);
        mime_headers_free(&e->inner_headers);
        free(e->body);
    }
    free(msg->entities);
    free(msg->raw_body);
    free(msg);
}
