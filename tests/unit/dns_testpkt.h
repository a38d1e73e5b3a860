/*
 * dns_testpkt: builds DNS messages byte by byte for the DNS unit tests (test_dns_answer.c,
 * test_dns_cares.c). Deliberately independent of src/net so that the tests do not check the
 * parser against itself. Names are written uncompressed unless a test writes a pointer.
 */
#ifndef REBOUND_TESTS_DNS_TESTPKT_H
#define REBOUND_TESTS_DNS_TESTPKT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct testpkt {
    uint8_t b[8192];
    size_t n;
};

static inline void testpkt_u8(struct testpkt *p, unsigned v)
{
    p->b[p->n++] = (uint8_t)v;
}

static inline void testpkt_u16(struct testpkt *p, unsigned v)
{
    testpkt_u8(p, (v >> 8) & 0xFF);
    testpkt_u8(p, v & 0xFF);
}

static inline void testpkt_u32(struct testpkt *p, uint32_t v)
{
    testpkt_u16(p, v >> 16);
    testpkt_u16(p, v & 0xFFFF);
}

static inline void testpkt_bytes(struct testpkt *p, const void *data, size_t len)
{
    memcpy(p->b + p->n, data, len);
    p->n += len;
}

/* "a.b.c" as length-prefixed labels and a zero octet ("" is the root). */
static inline void testpkt_name(struct testpkt *p, const char *name)
{
    while (*name) {
        const char *dot = strchr(name, '.');
        size_t len = dot ? (size_t)(dot - name) : strlen(name);
        testpkt_u8(p, (unsigned)len);
        testpkt_bytes(p, name, len);
        name += len + (dot ? 1 : 0);
    }
    testpkt_u8(p, 0);
}

/* A response header: QR=1, RD=1, RA=1, the given RCODE; flags_extra ORed into byte 2. */
static inline void testpkt_header(struct testpkt *p, unsigned id, unsigned rcode,
                                  unsigned flags_extra, unsigned qd, unsigned an, unsigned ns,
                                  unsigned ar)
{
    p->n = 0;
    testpkt_u16(p, id);
    testpkt_u8(p, 0x81 | flags_extra);
    testpkt_u8(p, 0x80 | rcode);
    testpkt_u16(p, qd);
    testpkt_u16(p, an);
    testpkt_u16(p, ns);
    testpkt_u16(p, ar);
}

static inline void testpkt_question(struct testpkt *p, const char *name, unsigned type)
{
    testpkt_name(p, name);
    testpkt_u16(p, type);
    testpkt_u16(p, 1);
}

/* Starts a record; the caller writes RDLENGTH and RDATA (testpkt_rdata does both). */
static inline void testpkt_rr_head(struct testpkt *p, const char *owner, unsigned type,
                                   uint32_t ttl)
{
    testpkt_name(p, owner);
    testpkt_u16(p, type);
    testpkt_u16(p, 1);
    testpkt_u32(p, ttl);
}

static inline void testpkt_rdata(struct testpkt *p, const void *data, size_t len)
{
    testpkt_u16(p, (unsigned)len);
    testpkt_bytes(p, data, len);
}

/* A record whose RDATA is one uncompressed name (CNAME, PTR, NS). */
static inline void testpkt_rr_name(struct testpkt *p, const char *owner, unsigned type,
                                   uint32_t ttl, const char *target)
{
    testpkt_rr_head(p, owner, type, ttl);
    size_t at = p->n;
    testpkt_u16(p, 0);
    testpkt_name(p, target);
    size_t len = p->n - at - 2;
    p->b[at] = (uint8_t)(len >> 8);
    p->b[at + 1] = (uint8_t)len;
}

static inline void testpkt_rr_a(struct testpkt *p, const char *owner, uint32_t ttl, uint8_t a,
                                uint8_t b, uint8_t c, uint8_t d)
{
    const uint8_t addr[4] = {a, b, c, d};
    testpkt_rr_head(p, owner, 1, ttl);
    testpkt_rdata(p, addr, 4);
}

/* SOA with the given TTL and MINIMUM (other fields fixed). */
static inline void testpkt_rr_soa(struct testpkt *p, const char *owner, uint32_t ttl,
                                  uint32_t minimum)
{
    testpkt_rr_head(p, owner, 6, ttl);
    size_t at = p->n;
    testpkt_u16(p, 0);
    testpkt_name(p, "ns.test");
    testpkt_name(p, "admin.test");
    testpkt_u32(p, 1);
    testpkt_u32(p, 3600);
    testpkt_u32(p, 600);
    testpkt_u32(p, 86400);
    testpkt_u32(p, minimum);
    size_t len = p->n - at - 2;
    p->b[at] = (uint8_t)(len >> 8);
    p->b[at + 1] = (uint8_t)len;
}

#endif
