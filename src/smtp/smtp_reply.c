#include "smtp_reply.h"

#include <assert.h>
#include <string.h>

/* Room left for text on one line: 512 - "NNN-" - CRLF - enhanced code and its space. */
static size_t smtp_reply_text_room(const char *enhanced)
{
    size_t room = SMTP_REPLY_LINE_MAX - 4 - 2;
    if (enhanced != NULL)
        room -= strlen(enhanced) + 1;
    return room;
}

static bool smtp_reply_is_status_code(const char *s)
{
    /* class "." 1*3digit "." 1*3digit */
    if (s[0] != '2' && s[0] != '4' && s[0] != '5')
        return false;
    s++;
    for (int part = 0; part < 2; part++) {
        if (*s++ != '.')
            return false;
        int digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 4) {
            s++;
            digits++;
        }
        if (digits == 0 || digits > 3)
            return false;
    }
    return *s == '\0';
}

bool smtp_reply_is_valid(int code, const char *enhanced)
{
    if (code < 200 || code > 599)
        return false;
    if (enhanced == NULL)
        return true;
    return smtp_reply_is_status_code(enhanced) && enhanced[0] == '0' + code / 100;
}

static void smtp_reply_line(struct buf *out, int code, bool last, const char *enhanced,
                            const char *text, size_t len)
{
    buf_printf(out, "%03d%c", code, last ? ' ' : '-');
    if (enhanced != NULL) {
        buf_append_str(out, enhanced);
        if (len > 0)
            buf_append_char(out, ' ');
    }
    size_t start = out->len;
    buf_append(out, text, len);
    for (size_t i = start; i < start + len; i++) {
        unsigned char c = (unsigned char)out->data[i];
        if (c < 0x20 || c == 0x7f)
            out->data[i] = '?';
    }
    buf_append(out, "\r\n", 2);
}

/* Length of the next piece of a line that fits in room: cut at the last space if any. */
static size_t smtp_reply_piece(const char *text, size_t len, size_t room)
{
    if (len <= room)
        return len;
    for (size_t i = room; i > room / 2; i--) {
        if (text[i] == ' ')
            return i;
    }
    return room;
}

void smtp_reply_format(struct buf *out, int code, const char *enhanced, const char *text)
{
    assert(smtp_reply_is_valid(code, enhanced));
    size_t room = smtp_reply_text_room(enhanced);
    const char *p = text;
    const char *end = text + strlen(text);
    do {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t line_len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        size_t piece = smtp_reply_piece(p, line_len, room);
        const char *next = p + piece;
        if (piece < line_len && *next == ' ')
            next++;
        else if (piece == line_len && nl != NULL)
            next = nl + 1;
        smtp_reply_line(out, code, next >= end, enhanced, p, piece);
        p = next;
    } while (p < end);
}

void smtp_reply_append(struct buf *out, const struct smtp_reply *reply)
{
    smtp_reply_format(out, reply->code, reply->enhanced, reply->text);
}
