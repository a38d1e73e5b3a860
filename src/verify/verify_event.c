/* verify_event: see verify_event.h. */
#include "verify_event.h"

#include <inttypes.h>

#include "buf.h"

static void verify_event_string(struct buf *b, const char *s)
{
    if (s == NULL) {
        buf_append_str(b, "null");
        return;
    }
    buf_append_char(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_printf(b, "\\%c", *p);
        else if (*p < 0x20)
            buf_printf(b, "\\u%04x", *p);
        else
            buf_append_char(b, (char)*p);
    }
    buf_append_char(b, '"');
}

char *verify_event_json(const char *identity, enum store_check_target target, const char *domain,
                        enum identity_status from, enum identity_status to, const char *reason,
                        int64_t time_ms)
{
    struct buf b = BUF_INIT;
    buf_append_str(&b, "{\"identity\":");
    verify_event_string(&b, identity);
    buf_printf(&b, ",\"target\":\"%s\",\"domain\":",
               target == STORE_CHECK_MAIL_FROM ? "MAIL_FROM" : "IDENTITY");
    verify_event_string(&b, domain);
    buf_printf(&b, ",\"from\":\"%s\",\"to\":\"%s\",\"reason\":", identity_status_name(from),
               identity_status_name(to));
    verify_event_string(&b, reason);
    buf_printf(&b, ",\"timeMs\":%" PRId64 "}", time_ms);
    return buf_steal(&b);
}
