#include "smtp_client_body.h"

#include <string.h>

void smtp_client_dot_init(struct smtp_client_dot *d)
{
    d->at_line_start = true;
    d->after_cr = false;
}

void smtp_client_dot_feed(struct smtp_client_dot *d, const char *data, size_t len, struct buf *out)
{
    /* Copy runs of ordinary bytes in one append; stop only at line ends and leading dots. */
    buf_reserve(out, len + len / 64 + 8);
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (d->at_line_start && c == '.') {
            buf_append(out, data + run, i - run);
            buf_append_char(out, '.');
            run = i;
        } else if (c == '\n' && !d->after_cr) {
            buf_append(out, data + run, i - run);
            buf_append_char(out, '\r');
            run = i;
        }
        d->at_line_start = c == '\n';
        d->after_cr = c == '\r';
    }
    buf_append(out, data + run, len - run);
}

void smtp_client_dot_finish(struct smtp_client_dot *d, struct buf *out)
{
    if (d->after_cr)
        buf_append_char(out, '\n');
    else if (!d->at_line_start)
        buf_append(out, "\r\n", 2);
    buf_append(out, ".\r\n", 3);
    smtp_client_dot_init(d);
}

void smtp_client_dot_stuff(const char *data, size_t len, struct buf *out)
{
    struct smtp_client_dot d;
    smtp_client_dot_init(&d);
    smtp_client_dot_feed(&d, data, len, out);
    smtp_client_dot_finish(&d, out);
}

bool smtp_client_has_8bit(const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)data[i] >= 0x80)
            return true;
    }
    return false;
}

void smtp_client_xtext_encode(const char *s, struct buf *out)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p < 0x21 || *p > 0x7e || *p == '+' || *p == '=')
            buf_printf(out, "+%02X", *p);
        else
            buf_append_char(out, (char)*p);
    }
}
