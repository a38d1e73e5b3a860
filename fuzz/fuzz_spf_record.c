/*
 * Fuzz target: the SPF record parser and the macro expander (untrusted: any DNS TXT record a
 * sender's domain publishes reaches them). The input is parsed as a record; every domain-spec
 * of a record that parses is expanded; the whole input is also expanded as an explanation.
 * Properties: the syntax check and the expander agree; a parsed record's terms lie inside the
 * input; a domain expansion equals the explanation-style expansion without its trailing dot,
 * cut on the left at a label boundary to at most 253 octets when it can be.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spf_macro.h"
#include "spf_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct spf_macro_vars fuzz_vars = {
    .s = "strong-bad@email.example.com",
    .l = "strong-bad",
    .o = "email.example.com",
    .d = "email.example.com",
    .i = "192.0.2.3",
    .p = "mx.example.org",
    .v = "in-addr",
    .h = "mx.example.org",
    .c = "192.0.2.3",
    .r = "receiver.example",
    .t = "1700000000",
};

/* A domain expansion is the explanation-style expansion minus one trailing dot, cut on the
 * left at label boundaries to at most SPF_MACRO_MAX_DOMAIN octets (7.3). */
static void fuzz_check_domain(const struct buf *dom, const char *s, size_t len)
{
    struct buf raw = BUF_INIT;
    const char *error = NULL;
    if (!spf_macro_expand(s, len, SPF_MACRO_EXPLANATION, &fuzz_vars, &raw, &error))
        abort(); /* the domain context is the stricter one */
    size_t rlen = raw.len;
    if (rlen > 0 && raw.data[rlen - 1] == '.')
        rlen--;
    if (dom->len > rlen || memcmp(raw.data + rlen - dom->len, dom->data, dom->len) != 0)
        abort();
    if (dom->len < rlen && raw.data[rlen - dom->len - 1] != '.')
        abort();
    if (rlen <= SPF_MACRO_MAX_DOMAIN && dom->len != rlen)
        abort();
    if (dom->len > SPF_MACRO_MAX_DOMAIN && memchr(dom->data, '.', dom->len) != NULL)
        abort();
    buf_free(&raw);
}

static void fuzz_expand(const char *s, size_t len, enum spf_macro_context ctx)
{
    struct buf out = BUF_INIT;
    const char *error = NULL, *error2 = NULL;
    bool ok = spf_macro_expand(s, len, ctx, &fuzz_vars, &out, &error);
    if (ok != spf_macro_check(s, len, ctx, &error2))
        abort();
    if (ok && ctx == SPF_MACRO_DOMAIN)
        fuzz_check_domain(&out, s, len);
    buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    struct spf_record rec;
    struct spf_parse_error error;
    if (spf_record_parse(text, size, &rec, &error)) {
        for (size_t i = 0; i < rec.n_terms; i++) {
            const struct spf_term *t = &rec.terms[i];
            if (t->text < text || t->text + t->text_len > text + size)
                abort();
            if (t->spec != NULL)
                fuzz_expand(t->spec, t->spec_len, SPF_MACRO_DOMAIN);
        }
        if (rec.redirect != NULL)
            fuzz_expand(rec.redirect, rec.redirect_len, SPF_MACRO_DOMAIN);
        if (rec.exp != NULL)
            fuzz_expand(rec.exp, rec.exp_len, SPF_MACRO_DOMAIN);
        spf_record_clear(&rec);
    } else if (error.reason == NULL) {
        abort();
    }
    fuzz_expand(text, size, SPF_MACRO_EXPLANATION);
    fuzz_expand(text, size, SPF_MACRO_DOMAIN);
    free(text);
    return 0;
}
