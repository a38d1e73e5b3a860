#include "smtp_client_ehlo.h"

#include <stddef.h>
#include <string.h>

#include "str.h"

/* Largest SIZE value we take literally; bigger means "no limit we could ever reach". */
#define SMTP_CLIENT_EHLO_MAX_SIZE_DIGITS 19

struct ehlo_keyword {
    const char *name;
    size_t offset; /* of the bool in struct smtp_client_caps */
};

static const struct ehlo_keyword ehlo_keywords[] = {
    {"PIPELINING", offsetof(struct smtp_client_caps, pipelining)},
    {"STARTTLS", offsetof(struct smtp_client_caps, starttls)},
    {"8BITMIME", offsetof(struct smtp_client_caps, eightbitmime)},
    {"DSN", offsetof(struct smtp_client_caps, dsn)},
    {"SMTPUTF8", offsetof(struct smtp_client_caps, smtputf8)},
    {"ENHANCEDSTATUSCODES", offsetof(struct smtp_client_caps, enhancedstatuscodes)},
};

/* SIZE [number]: digits only; anything else leaves the limit unknown (0). */
static void ehlo_parse_size(const char *param, size_t len, struct smtp_client_caps *caps)
{
    caps->size = true;
    uint64_t v = 0;
    if (len == 0 || len > SMTP_CLIENT_EHLO_MAX_SIZE_DIGITS)
        return;
    for (size_t i = 0; i < len; i++) {
        if (param[i] < '0' || param[i] > '9')
            return;
        v = v * 10 + (uint64_t)(param[i] - '0');
    }
    caps->size_limit = v;
}

static void ehlo_parse_line(const char *s, size_t len, struct smtp_client_caps *caps)
{
    size_t kw = 0;
    while (kw < len && s[kw] != ' ')
        kw++;
    size_t p = kw;
    while (p < len && s[p] == ' ')
        p++;
    size_t plen = p;
    while (plen < len && s[plen] != ' ')
        plen++;
    if (str_equal_nocase_n(s, kw, "SIZE", 4)) {
        ehlo_parse_size(s + p, plen - p, caps);
        return;
    }
    for (size_t i = 0; i < sizeof(ehlo_keywords) / sizeof(ehlo_keywords[0]); i++) {
        const char *name = ehlo_keywords[i].name;
        if (str_equal_nocase_n(s, kw, name, strlen(name)))
            *(bool *)((char *)caps + ehlo_keywords[i].offset) = true;
    }
}

void smtp_client_ehlo_parse(const struct smtp_client_reply *reply, struct smtp_client_caps *caps_r)
{
    memset(caps_r, 0, sizeof(*caps_r));
    const char *text = reply->text.data;
    size_t len = reply->text.len;
    if (text == NULL)
        return;
    size_t pos = 0;
    for (size_t line = 0; pos < len; line++) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        if (line > 0 && end - pos > 4)
            ehlo_parse_line(text + pos + 4, end - pos - 4, caps_r);
        pos = end + 1;
    }
}
