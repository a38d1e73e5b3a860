/* Shared helpers of the dsn recognisers; see dsn_build.h. */
#include "dsn_build.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dsn_fields.h"
#include "dsn_status.h"
#include "dsn_text.h"
#include "str.h"
#include "xalloc.h"

struct dsn_recipient *dsn_build_add_recipient(struct dsn_report *report, const char *address)
{
    if (report->recipient_count == DSN_MAX_RECIPIENTS) {
        report->truncated = true;
        return NULL;
    }
    report->recipients =
        xreallocarray(report->recipients, report->recipient_count + 1, sizeof(*report->recipients));
    struct dsn_recipient *r = &report->recipients[report->recipient_count++];
    memset(r, 0, sizeof(*r));
    r->address = xstrdup(address);
    return r;
}

struct dsn_recipient *dsn_build_find_recipient(struct dsn_report *report, const char *address)
{
    for (size_t i = 0; i < report->recipient_count; i++) {
        if (str_equal_nocase(report->recipients[i].address, address))
            return &report->recipients[i];
    }
    return NULL;
}

void dsn_build_set(char **field, const char *value)
{
    free(*field);
    *field = value ? xstrdup(value) : NULL;
}

void dsn_build_set_text(char **field, const char *value, size_t len)
{
    struct buf b = BUF_INIT;
    bool space = false;
    for (size_t i = 0; i < len && b.len < DSN_MAX_DIAGNOSTIC; i++) {
        unsigned char c = (unsigned char)value[i];
        if (isspace(c)) {
            space = b.len > 0;
            continue;
        }
        if (space)
            buf_append_char(&b, ' ');
        space = false;
        buf_append_char(&b, (char)c);
    }
    free(*field);
    *field = buf_steal(&b);
}

char *dsn_build_strip_type(const char *value)
{
    const char *semi = strchr(value, ';');
    const char *v = value;
    if (semi != NULL) {
        bool is_type = true;
        for (const char *p = value; p < semi; p++) {
            if (!isalnum((unsigned char)*p) && *p != '-' && *p != ' ' && *p != '\t')
                is_type = false;
        }
        if (is_type)
            v = semi + 1;
    }
    return str_trim(xstrdup(v));
}

/* The returned original's Message-ID, for linking the report to the message (ISSUE 7 order:
 * ENVID first, which the recognisers fill; this is the second key): an embedded
 * message/rfc822, a text/rfc822-headers entity, or the headers quoted after the cut. */
void dsn_build_find_original(const struct mime_message *msg, struct dsn_report *report)
{
    for (size_t i = 1; i < msg->count && report->orig_message_id == NULL; i++) {
        const struct mime_entity *e = &msg->entities[i];
        if (strcmp(e->content_type, "text/rfc822-headers") != 0 || e->body == NULL)
            continue;
        struct dsn_fields *f = dsn_fields_parse(e->body, e->body_len);
        if (f->count > 0)
            dsn_build_set(&report->orig_message_id, dsn_fields_get(&f->groups[0], "Message-ID"));
        dsn_fields_free(f);
    }
    if (report->orig_message_id == NULL)
        report->orig_message_id = dsn_text_original_header(msg, "Message-ID");
    if (report->orig_message_id != NULL)
        str_trim(report->orig_message_id);
}

void dsn_build_fill_codes(struct dsn_report *report)
{
    for (size_t i = 0; i < report->recipient_count; i++) {
        struct dsn_recipient *r = &report->recipients[i];
        const char *text = r->diagnostic ? r->diagnostic : "";
        char status[DSN_STATUS_MAX_LEN + 1];
        /* A generic x.0.0 in the Status field gives way to the more precise code the
         * remote server sent in the diagnostic ("550 #5.1.0 Address rejected"), when both
         * say the same class of failure. */
        bool generic = r->status != NULL && strcmp(r->status + 1, ".0.0") == 0;
        if ((r->status == NULL || generic) && dsn_status_find(text, status) &&
            (r->status == NULL || (status[0] == r->status[0] && strcmp(status + 1, ".0.0") != 0)))
            dsn_build_set(&r->status, status);
        if (r->reply_code == 0)
            r->reply_code = dsn_status_reply_code(text);
        if (r->command == NULL)
            r->command = dsn_status_smtp_command(text);
    }
}
