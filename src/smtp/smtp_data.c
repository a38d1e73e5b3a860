#include "smtp_data.h"

#include <string.h>

void smtp_data_reader_init(struct smtp_data_reader *r, struct buf *out, size_t max_line,
                           uint64_t max_size)
{
    memset(r, 0, sizeof(*r));
    r->state = SMTP_DATA_LINE_START;
    r->out = out;
    r->max_line = max_line;
    r->max_size = max_size;
}

static void smtp_data_emit(struct smtp_data_reader *r, const char *p, size_t n)
{
    r->size += n;
    if (r->size > r->max_size) {
        r->flags |= SMTP_DATA_TOO_BIG;
        return;
    }
    buf_append(r->out, p, n);
}

static void smtp_data_count(struct smtp_data_reader *r, size_t n)
{
    r->line_len += n;
    if (r->line_len > r->max_line)
        r->flags |= SMTP_DATA_LINE_TOO_LONG;
}

/* Copies a run of ordinary bytes (no CR, no LF) in one go: the common case. */
static size_t smtp_data_run(struct smtp_data_reader *r, const char *p, size_t len)
{
    size_t n = 0;
    while (n < len && p[n] != '\r' && p[n] != '\n')
        n++;
    smtp_data_count(r, n);
    smtp_data_emit(r, p, n);
    r->state = SMTP_DATA_IN_LINE;
    return n;
}

/* One byte in states other than DOT/DOT_CR at a position where it is not a run byte. */
static void smtp_data_byte(struct smtp_data_reader *r, char c)
{
    smtp_data_count(r, 1);
    if (c == '\r') {
        r->state = SMTP_DATA_CR;
        return;
    }
    if (c == '\n') {
        /* Bare LF: kept in the (refused) body, and never a line start, so "\n.\r\n" and
         * "\n.\n" cannot end the data. */
        r->flags |= SMTP_DATA_BARE_LF;
    }
    smtp_data_emit(r, &c, 1);
    r->state = SMTP_DATA_IN_LINE;
}

static void smtp_data_after_cr(struct smtp_data_reader *r, char c)
{
    if (c == '\n') {
        smtp_data_count(r, 1);
        smtp_data_emit(r, "\r\n", 2);
        r->line_len = 0;
        r->state = SMTP_DATA_LINE_START;
        return;
    }
    r->flags |= SMTP_DATA_BARE_CR;
    smtp_data_emit(r, "\r", 1);
    smtp_data_byte(r, c);
}

size_t smtp_data_feed(struct smtp_data_reader *r, const char *data, size_t len)
{
    size_t i = 0;
    while (i < len && r->state != SMTP_DATA_DONE) {
        char c = data[i];
        switch (r->state) {
        case SMTP_DATA_LINE_START:
            if (c == '.') {
                smtp_data_count(r, 1);
                r->state = SMTP_DATA_DOT;
                i++;
                break;
            }
            /* fall through */
        case SMTP_DATA_IN_LINE:
            if (c != '\r' && c != '\n') {
                i += smtp_data_run(r, data + i, len - i);
                break;
            }
            smtp_data_byte(r, c);
            i++;
            break;
        case SMTP_DATA_CR:
            smtp_data_after_cr(r, c);
            i++;
            break;
        case SMTP_DATA_DOT:
            /* 4.5.2: the leading dot is dropped; what follows is ordinary line content. */
            if (c == '\r') {
                smtp_data_count(r, 1);
                r->state = SMTP_DATA_DOT_CR;
            } else {
                smtp_data_byte(r, c);
            }
            i++;
            break;
        case SMTP_DATA_DOT_CR:
            if (c == '\n') {
                r->state = SMTP_DATA_DONE;
            } else {
                /* ".\r" then not LF: a bare CR on a dot-stuffed line. */
                r->flags |= SMTP_DATA_BARE_CR;
                smtp_data_emit(r, "\r", 1);
                smtp_data_byte(r, c);
            }
            i++;
            break;
        case SMTP_DATA_DONE:
            break;
        }
    }
    return i;
}

bool smtp_data_is_done(const struct smtp_data_reader *r)
{
    return r->state == SMTP_DATA_DONE;
}
