#include "tcptable_codec.h"

static int tcptable_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool tcptable_decode(const char *in, size_t len, char *out, size_t *out_len_r)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (in[i] != '%') {
            out[o++] = in[i];
            continue;
        }
        /* Both digits must be present and hex: "%", "%4" and "%zz" are all refused. */
        if (len - i < 3)
            return false;
        int hi = tcptable_hex_value(in[i + 1]);
        int lo = tcptable_hex_value(in[i + 2]);
        if (hi < 0 || lo < 0)
            return false;
        out[o++] = (char)(hi * 16 + lo);
        i += 2;
    }
    out[o] = '\0';
    *out_len_r = o;
    return true;
}

static bool tcptable_needs_escape(unsigned char c)
{
    /* postsrsd 1.x: !isascii(c) || !isgraph(c) || c == '%' in the C locale. */
    return c <= 0x20 || c >= 0x7f || c == '%';
}

void tcptable_encode_append(struct buf *b, const char *in, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len && !tcptable_needs_escape((unsigned char)in[run]))
            run++;
        buf_append(b, in + i, run - i); /* the common case: the whole address at once */
        if (run == len)
            break;
        unsigned char c = (unsigned char)in[run];
        char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
        buf_append(b, esc, sizeof(esc));
        i = run + 1;
    }
}
