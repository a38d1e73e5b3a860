#include "dns_answer.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"
#include "xalloc.h"

/*
 * RFC 1035 section 4.1.1, the header:
 *     ID(16) | QR(1) OPCODE(4) AA(1) TC(1) RD(1) | RA(1) Z(3) RCODE(4) |
 *     QDCOUNT(16) | ANCOUNT(16) | NSCOUNT(16) | ARCOUNT(16)
 * section 4.1.3, a resource record:
 *     NAME | TYPE(16) | CLASS(16) | TTL(32) | RDLENGTH(16) | RDATA(RDLENGTH)
 */
#define ANSWER_HEADER_LEN   12
#define ANSWER_RR_FIXED_LEN 10
#define ANSWER_MAX_WIRE     255 /* RFC 1035 section 2.3.4: a name is at most 255 octets */
#define ANSWER_CLASS_IN     1
#define ANSWER_RCODE_OK     0
#define ANSWER_RCODE_NXDOM  3
#define ANSWER_TTL_TOP_BIT  0x80000000u

struct answer_rr {
    char *owner;
    uint16_t type, rclass;
    uint32_t ttl;
    size_t rdata, rdlen; /* offset and length of RDATA in the message */
};

struct answer_msg {
    const uint8_t *msg;
    size_t len;
    unsigned rcode;
    bool truncated;
    char qname[DNS_ANSWER_NAME_TEXT_SIZE];
    struct answer_rr *an; /* answer section */
    size_t n_an;
    bool has_soa, has_ns;  /* authority section */
    uint32_t soa_negative; /* min(SOA TTL, MINIMUM) when has_soa */
};

static uint16_t answer_u16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t answer_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Appends one label byte in text form; the caller guarantees room (see the header). */
static size_t answer_put_byte(char *out, size_t o, uint8_t c)
{
    if (c == '.' || c == '\\') {
        out[o++] = '\\';
        out[o++] = (char)c;
    } else if (c < 0x21 || c > 0x7e) {
        o += (size_t)snprintf(out + o, 5, "\\%03u", c);
    } else {
        out[o++] = (char)c;
    }
    return o;
}

bool dns_answer_read_name(const uint8_t *msg, size_t len, size_t *off_r, char *out, size_t out_size)
{
    assert(out_size >= DNS_ANSWER_NAME_TEXT_SIZE);
    size_t pos = *off_r, end = 0, wire = 0, o = 0;
    unsigned pointers = 0;
    for (;;) {
        if (pos >= len)
            return false;
        uint8_t c = msg[pos];
        if ((c & 0xC0) == 0xC0) { /* compression pointer: 14-bit offset */
            if (pos + 1 >= len || ++pointers > DNS_ANSWER_MAX_POINTERS)
                return false;
            if (end == 0)
                end = pos + 2;
            pos = ((size_t)(c & 0x3F) << 8) | msg[pos + 1];
            continue;
        }
        if (c & 0xC0) /* 0x40 and 0x80: extended label types, never deployed */
            return false;
        wire += 1 + (size_t)c;
        if (wire > ANSWER_MAX_WIRE)
            return false;
        if (c == 0)
            break;
        if (pos + 1 + c > len)
            return false;
        if (o > 0)
            out[o++] = '.';
        for (size_t i = 0; i < c; i++)
            o = answer_put_byte(out, o, msg[pos + 1 + i]);
        pos += 1 + (size_t)c;
    }
    if (end == 0)
        end = pos + 1;
    if (o == 0)
        out[o++] = '.';
    out[o] = '\0';
    *off_r = end;
    return true;
}

/* Reads one resource record's header and locates its RDATA. */
static bool answer_read_rr(struct answer_msg *m, size_t *off, struct answer_rr *rr)
{
    char name[DNS_ANSWER_NAME_TEXT_SIZE];
    if (!dns_answer_read_name(m->msg, m->len, off, name, sizeof(name)))
        return false;
    if (m->len - *off < ANSWER_RR_FIXED_LEN)
        return false;
    const uint8_t *p = m->msg + *off;
    rr->type = answer_u16(p);
    rr->rclass = answer_u16(p + 2);
    rr->ttl = answer_u32(p + 4);
    if (rr->ttl & ANSWER_TTL_TOP_BIT)
        rr->ttl = 0;
    rr->rdlen = answer_u16(p + 8);
    *off += ANSWER_RR_FIXED_LEN;
    if (rr->rdlen > m->len - *off)
        return false;
    rr->rdata = *off;
    *off += rr->rdlen;
    rr->owner = xstrdup(name);
    return true;
}

/* SOA RDATA (RFC 1035 section 3.3.13): MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM. A
 * broken SOA only costs the negative TTL, so it is skipped rather than fatal. */
static void answer_note_soa(struct answer_msg *m, const struct answer_rr *rr)
{
    char name[DNS_ANSWER_NAME_TEXT_SIZE];
    size_t off = rr->rdata, end = rr->rdata + rr->rdlen;
    for (int i = 0; i < 2; i++) /* MNAME, RNAME */
        if (!dns_answer_read_name(m->msg, end, &off, name, sizeof(name)))
            return;
    if (end - off != 20)
        return;
    uint32_t minimum = answer_u32(m->msg + off + 16);
    if (minimum & ANSWER_TTL_TOP_BIT)
        minimum = 0;
    m->has_soa = true;
    m->soa_negative = rr->ttl < minimum ? rr->ttl : minimum;
}

static const char *answer_read_authority(struct answer_msg *m, size_t *off, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        struct answer_rr rr;
        if (!answer_read_rr(m, off, &rr))
            return "malformed authority record in DNS answer";
        if (rr.rclass == ANSWER_CLASS_IN && rr.type == DNS_TYPE_SOA && !m->has_soa)
            answer_note_soa(m, &rr);
        if (rr.rclass == ANSWER_CLASS_IN && rr.type == DNS_TYPE_NS)
            m->has_ns = true;
        free(rr.owner);
    }
    return NULL;
}

/* Header, question and the answer and authority sections; returns an error sentence. */
static const char *answer_read_message(struct answer_msg *m, enum dns_rr_type qtype)
{
    if (m->len < ANSWER_HEADER_LEN)
        return "DNS answer shorter than its header";
    const uint8_t *h = m->msg;
    if (!(h[2] & 0x80))
        return "DNS message is a query, not an answer";
    if ((h[2] >> 3) & 0x0F)
        return "DNS answer has an unexpected opcode";
    m->truncated = (h[2] & 0x02) != 0;
    m->rcode = h[3] & 0x0F;
    if (m->truncated || (m->rcode != ANSWER_RCODE_OK && m->rcode != ANSWER_RCODE_NXDOM))
        return NULL; /* an error answer need not echo the question: classified as is */
    unsigned qd = answer_u16(h + 4), an = answer_u16(h + 6), ns = answer_u16(h + 8);
    if (qd != 1)
        return "DNS answer does not carry exactly one question";
    size_t off = ANSWER_HEADER_LEN;
    if (!dns_answer_read_name(m->msg, m->len, &off, m->qname, sizeof(m->qname)) || m->len - off < 4)
        return "malformed question in DNS answer";
    if (answer_u16(m->msg + off) != qtype || answer_u16(m->msg + off + 2) != ANSWER_CLASS_IN)
        return "DNS answer is for another question";
    off += 4;
    /* Every record takes at least 11 bytes: bound the allocation by what the message holds. */
    size_t room = (m->len - off) / (1 + ANSWER_RR_FIXED_LEN);
    m->an = xcalloc(an < room ? an : room + 1, sizeof(struct answer_rr));
    for (unsigned i = 0; i < an; i++) {
        if (!answer_read_rr(m, &off, &m->an[i]))
            return "malformed answer record in DNS answer";
        m->n_an++;
    }
    return answer_read_authority(m, &off, ns);
}

static bool answer_read_txt(const struct answer_msg *m, const struct answer_rr *rr,
                            struct dns_txt *txt)
{
    size_t off = rr->rdata, end = rr->rdata + rr->rdlen, n = 0;
    if (rr->rdlen == 0) /* RFC 1035 section 3.3.14: one or more character-strings */
        return false;
    while (off < end) { /* count first so that a bad record allocates nothing */
        off += 1 + (size_t)m->msg[off];
        n++;
    }
    if (off != end)
        return false;
    txt->n_strings = n;
    txt->strings = xcalloc(n, sizeof(char *));
    txt->lengths = xcalloc(n, sizeof(size_t));
    off = rr->rdata;
    for (size_t i = 0; i < n; i++) {
        txt->lengths[i] = m->msg[off];
        txt->strings[i] = xmalloc(txt->lengths[i] + 1); /* may hold NULs: no xstrndup */
        memcpy(txt->strings[i], m->msg + off + 1, txt->lengths[i]);
        txt->strings[i][txt->lengths[i]] = '\0';
        off += 1 + txt->lengths[i];
    }
    return true;
}

/* Reads a name that must fill the RDATA exactly from off. */
static char *answer_rdata_name(const struct answer_msg *m, const struct answer_rr *rr, size_t off)
{
    char name[DNS_ANSWER_NAME_TEXT_SIZE];
    size_t end = rr->rdata + rr->rdlen;
    /* Pointers may reach anywhere before the end of the message, but the name as stored must
     * end where the RDATA ends. */
    if (!dns_answer_read_name(m->msg, m->len, &off, name, sizeof(name)) || off != end)
        return NULL;
    return xstrdup(name);
}

/* Decodes the RDATA of one record of the asked type into out; false if malformed. */
static bool answer_decode(const struct answer_msg *m, const struct answer_rr *rr,
                          struct dns_rr *out)
{
    out->type = (enum dns_rr_type)rr->type;
    out->ttl = rr->ttl;
    out->owner = xstrdup(rr->owner);
    const uint8_t *p = m->msg + rr->rdata;
    switch (out->type) {
    case DNS_TYPE_A:
        if (rr->rdlen != sizeof(out->u.a))
            return false;
        memcpy(&out->u.a, p, sizeof(out->u.a));
        return true;
    case DNS_TYPE_AAAA:
        if (rr->rdlen != sizeof(out->u.aaaa))
            return false;
        memcpy(&out->u.aaaa, p, sizeof(out->u.aaaa));
        return true;
    case DNS_TYPE_MX:
        if (rr->rdlen < 3)
            return false;
        out->u.mx.preference = answer_u16(p);
        out->u.mx.exchange = answer_rdata_name(m, rr, rr->rdata + 2);
        return out->u.mx.exchange != NULL;
    case DNS_TYPE_CNAME:
    case DNS_TYPE_PTR:
    case DNS_TYPE_NS:
        out->u.target = answer_rdata_name(m, rr, rr->rdata);
        return out->u.target != NULL;
    case DNS_TYPE_TXT:
    case DNS_TYPE_SPF:
        return answer_read_txt(m, rr, &out->u.txt);
    case DNS_TYPE_SOA:
        return true; /* dns_rr has no SOA fields: owner and TTL only */
    }
    return false;
}

static bool answer_is_match(const struct answer_rr *rr, uint16_t type, const char *owner)
{
    return rr->rclass == ANSWER_CLASS_IN && rr->type == type && str_equal_nocase(rr->owner, owner);
}

static bool answer_emit(const struct answer_msg *m, enum dns_rr_type qtype, const char *owner,
                        uint32_t chain_ttl, struct dns_result *res)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_an; i++)
        n += answer_is_match(&m->an[i], (uint16_t)qtype, owner);
    res->rrs = xcalloc(n, sizeof(struct dns_rr));
    for (size_t i = 0; i < m->n_an; i++) {
        if (!answer_is_match(&m->an[i], (uint16_t)qtype, owner))
            continue;
        struct dns_rr *rr = &res->rrs[res->n_rrs++];
        if (!answer_decode(m, &m->an[i], rr))
            return false;
        if (rr->ttl > chain_ttl)
            rr->ttl = chain_ttl;
    }
    return true;
}

static const struct answer_rr *answer_find_cname(const struct answer_msg *m, const char *owner)
{
    for (size_t i = 0; i < m->n_an; i++)
        if (answer_is_match(&m->an[i], DNS_TYPE_CNAME, owner))
            return &m->an[i];
    return NULL;
}

static bool answer_owns_anything(const struct answer_msg *m, const char *owner)
{
    for (size_t i = 0; i < m->n_an; i++)
        if (str_equal_nocase(m->an[i].owner, owner))
            return true;
    return false;
}

static void answer_fail(struct dns_answer *a, enum dns_status status, const char *error)
{
    dns_answer_clear(a);
    a->chain_ttl = UINT32_MAX;
    a->result.status = status;
    a->result.error = xstrdup(error);
}

/* Follows the CNAME chain from the question name and emits what its end owns. */
static void answer_follow(const struct answer_msg *m, enum dns_rr_type qtype, struct dns_answer *a)
{
    char current[DNS_ANSWER_NAME_TEXT_SIZE];
    snprintf(current, sizeof(current), "%s", m->qname);
    for (unsigned hops = 0;; hops++) {
        for (size_t i = 0; i < m->n_an; i++) {
            if (!answer_is_match(&m->an[i], (uint16_t)qtype, current))
                continue;
            a->result.status = DNS_OK;
            if (!answer_emit(m, qtype, current, a->chain_ttl, &a->result))
                answer_fail(a, DNS_PERMFAIL, "malformed record data in DNS answer");
            return;
        }
        const struct answer_rr *cname = answer_find_cname(m, current);
        if (cname == NULL)
            break;
        if (hops == DNS_ANSWER_MAX_CNAME_HOPS) {
            answer_fail(a, DNS_PERMFAIL, "CNAME chain too long (or a loop) in DNS answer");
            return;
        }
        char *target = answer_rdata_name(m, cname, cname->rdata);
        if (target == NULL) {
            answer_fail(a, DNS_PERMFAIL, "malformed CNAME in DNS answer");
            return;
        }
        snprintf(current, sizeof(current), "%s", target);
        free(target);
        if (cname->ttl < a->chain_ttl)
            a->chain_ttl = cname->ttl;
    }
    a->result.status = m->rcode == ANSWER_RCODE_NXDOM ? DNS_NXDOMAIN : DNS_NODATA;
    if (a->result.status == DNS_NODATA && a->chain_ttl != UINT32_MAX && !m->has_soa &&
        !answer_owns_anything(m, current))
        a->next_name = xstrdup(current);
}

static void answer_classify(const struct answer_msg *m, enum dns_rr_type qtype,
                            struct dns_answer *a)
{
    if (m->truncated) {
        answer_fail(a, DNS_TEMPFAIL, "DNS answer truncated");
        return;
    }
    if (m->rcode != ANSWER_RCODE_OK && m->rcode != ANSWER_RCODE_NXDOM) {
        char error[64];
        snprintf(error, sizeof(error), "DNS server answered with error code %u", m->rcode);
        answer_fail(a, DNS_TEMPFAIL, error);
        return;
    }
    answer_follow(m, qtype, a);
    bool negative = a->result.status == DNS_NXDOMAIN || a->result.status == DNS_NODATA;
    if (negative && a->chain_ttl == UINT32_MAX && !answer_owns_anything(m, m->qname) && m->has_ns &&
        !m->has_soa && m->rcode == ANSWER_RCODE_OK) {
        answer_fail(a, DNS_TEMPFAIL, "DNS server sent a referral, not an answer");
        return;
    }
    if (negative && m->has_soa) {
        a->result.has_negative_ttl = true;
        a->result.negative_ttl = m->soa_negative;
    }
}

void dns_answer_parse(const uint8_t *msg, size_t len, enum dns_rr_type qtype,
                      struct dns_answer *answer_r)
{
    memset(answer_r, 0, sizeof(*answer_r));
    answer_r->chain_ttl = UINT32_MAX;
    struct answer_msg *m = xcalloc(1, sizeof(*m)); /* holds a name buffer: keep it off stack */
    m->msg = msg;
    m->len = len;
    const char *error = answer_read_message(m, qtype);
    if (error != NULL)
        answer_fail(answer_r, DNS_PERMFAIL, error);
    else
        answer_classify(m, qtype, answer_r);
    for (size_t i = 0; i < m->n_an; i++)
        free(m->an[i].owner);
    free(m->an);
    free(m);
}

void dns_answer_clear(struct dns_answer *answer)
{
    dns_result_clear(&answer->result);
    free(answer->next_name);
    answer->next_name = NULL;
    answer->chain_ttl = UINT32_MAX;
}
