/*
 * mime: the one adapter over GMime 3 (STYLE.md rule 5: GObject ownership stays in mime.c).
 * It turns a raw RFC 5322 message into a flat, owned list of MIME entities in document order,
 * which the DSN/ARF parsers read without knowing GMime.
 *
 * Entity 0 is the top-level body; its headers are the message's headers. A message/rfc822
 * (or message/global) entity carries the embedded message's headers in `inner_headers` and
 * its body entities follow it with `depth` one higher. Leaf bodies are transfer-decoded
 * (base64, quoted-printable) and, for text, converted to UTF-8 from the declared charset;
 * only the report's own textual leaves are decoded (see `body`).
 *
 * SECURITY: the input is untrusted bytes from the Internet. Everything a peer controls is
 * bounded by the named limits below; entities past MIME_MAX_PARTS or deeper than
 * MIME_MAX_DEPTH are dropped and `truncated` is set. No I/O, no global state besides GMime's
 * own process-wide initialisation, which main (or a fuzz target) performs once with
 * mime_global_init() before any mime_parse().
 */
#ifndef REBOUND_MAIL_MIME_H
#define REBOUND_MAIL_MIME_H

#include <stdbool.h>
#include <stddef.h>

#define MIME_MAX_PARTS        64         /* entities kept per message */
#define MIME_MAX_DEPTH        8          /* nesting of multiparts and embedded messages */
#define MIME_MAX_HEADERS      256        /* header fields kept per entity */
#define MIME_MAX_HEADER_BYTES 16384      /* longest header value kept (longer ones truncated) */
#define MIME_MAX_BODY_BYTES   (4u << 20) /* decoded bytes kept per leaf body */

struct mime_header {
    char *name;  /* as written, e.g. "Content-Type" */
    char *value; /* unfolded, RFC 2047 decoded, UTF-8 */
};

struct mime_headers {
    struct mime_header *items;
    size_t count;
};

struct mime_entity {
    char *content_type; /* lower-case "type/subtype"; "text/plain" when absent */
    size_t depth;       /* 0 for the top-level body */
    struct mime_headers headers;
    struct mime_headers inner_headers; /* message/rfc822 only: the embedded message's header */
    char *body; /* textual (text, message) leaves of the report itself (not inside an embedded
                   message): decoded, NUL-terminated (NULs -> ' '); NULL otherwise */
    size_t body_len;
};

struct mime_message {
    struct mime_entity *entities;
    size_t count;
    char *raw_body; /* the bytes after the top-level header block, undecoded, NUL-terminated
                       (NULs -> ' '); for reports whose MIME structure is broken */
    size_t raw_body_len;
    bool truncated; /* some entity, header or body was dropped or cut at a limit */
};

/* Once per process, before the first mime_parse(). Idempotent is NOT promised. */
void mime_global_init(void);

/* Parses len bytes. Returns an owned message (free with mime_message_free), or NULL when the
 * bytes do not form a message at all (no header block GMime accepts). */
struct mime_message *mime_parse(const char *data, size_t len);
void mime_message_free(struct mime_message *msg);

/* First header named `name` (ASCII case-insensitive), or NULL. Borrowed from `headers`. */
const char *mime_header_get(const struct mime_headers *headers, const char *name);

#endif
