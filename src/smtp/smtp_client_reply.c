#include "smtp_client_reply.h"

#include <string.h>

static bool reply_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

void smtp_client_reply_parser_init(struct smtp_client_reply_parser *p)
{
    memset(p, 0, sizeof(*p));
}

void smtp_client_reply_parser_free(struct smtp_client_reply_parser *p)
{
    buf_free(&p->line);
    smtp_client_reply_clear(&p->reply);
}

void smtp_client_reply_clear(struct smtp_client_reply *reply)
{
    buf_free(&reply->text);
    memset(reply, 0, sizeof(*reply));
}

const char *smtp_client_reply_error(const struct smtp_client_reply_parser *p)
{
    return p->error;
}

/* Reads one digit group of 1 to 3 digits; returns its length or 0. */
static size_t reply_digits(const char *s, size_t len)
{
    size_t n = 0;
    while (n < len && n < 4 && reply_is_digit(s[n]))
        n++;
    return (n >= 1 && n <= 3) ? n : 0;
}

size_t smtp_client_enhanced_parse(const char *text, size_t len, char want_class, char *out)
{
    if (len < 5 || text[0] != want_class || text[1] != '.')
        return 0;
    size_t pos = 2;
    size_t n = reply_digits(text + pos, len - pos);
    if (n == 0 || pos + n >= len || text[pos + n] != '.')
        return 0;
    pos += n + 1;
    n = reply_digits(text + pos, len - pos);
    if (n == 0)
        return 0;
    pos += n;
    if (pos < len && text[pos] != ' ')
        return 0;
    memcpy(out, text, pos);
    out[pos] = '\0';
    return pos;
}

/* Checks one complete line (line end removed) and appends it to the reply. Returns false on
 * a protocol violation, with p->error set. Sets p->done on the last line of the reply. */
static bool reply_take_line(struct smtp_client_reply_parser *p, const char *s, size_t len)
{
    if (len < 3 || s[0] < '2' || s[0] > '5' || s[1] < '0' || s[1] > '5' || !reply_is_digit(s[2])) {
        p->error = "reply line does not start with a reply code";
        return false;
    }
    if (len > 3 && s[3] != ' ' && s[3] != '-') {
        p->error = "reply code not followed by space or hyphen";
        return false;
    }
    int code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    if (p->reply.n_lines == 0) {
        p->reply.code = code;
        if (len > 4)
            smtp_client_enhanced_parse(s + 4, len - 4, s[0], p->reply.enhanced);
    } else if (code != p->reply.code) {
        p->error = "continuation line with a different reply code";
        return false;
    }
    if (++p->reply.n_lines > SMTP_CLIENT_MAX_REPLY_LINES) {
        p->error = "too many lines in one reply";
        return false;
    }
    if (p->reply.n_lines > 1)
        buf_append_char(&p->reply.text, '\n');
    buf_append(&p->reply.text, s, len);
    p->done = len == 3 || s[3] == ' ';
    return true;
}

enum smtp_client_parse smtp_client_reply_feed(struct smtp_client_reply_parser *p, const char *data,
                                              size_t len, size_t *consumed_r)
{
    size_t used = 0;
    *consumed_r = 0;
    if (p->error != NULL)
        return SMTP_CLIENT_PARSE_ERROR;
    while (used < len && !p->done) {
        const char *nl = memchr(data + used, '\n', len - used);
        size_t chunk = nl ? (size_t)(nl - (data + used)) : len - used;
        if (p->line.len + chunk > SMTP_CLIENT_MAX_REPLY_LINE) {
            p->error = "reply line too long";
            return SMTP_CLIENT_PARSE_ERROR;
        }
        buf_append(&p->line, data + used, chunk);
        used += chunk;
        if (nl == NULL)
            break;
        used++; /* the LF */
        size_t l = p->line.len;
        if (l > 0 && p->line.data[l - 1] == '\r')
            l--;
        bool ok = reply_take_line(p, buf_cstr(&p->line), l);
        buf_reset(&p->line);
        if (!ok)
            return SMTP_CLIENT_PARSE_ERROR;
    }
    *consumed_r = used;
    return p->done ? SMTP_CLIENT_PARSE_REPLY : SMTP_CLIENT_PARSE_MORE;
}

void smtp_client_reply_take(struct smtp_client_reply_parser *p, struct smtp_client_reply *reply_r)
{
    *reply_r = p->reply;
    memset(&p->reply, 0, sizeof(p->reply));
    p->done = false;
}

const char *smtp_client_reply_last_line(const struct smtp_client_reply *reply)
{
    const char *text = reply->text.data ? reply->text.data : "";
    const char *nl = strrchr(text, '\n');
    return nl ? nl + 1 : text;
}
