/* Unit tests for src/net/dns_answer: raw DNS responses (built byte by byte) to dns_result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_answer.h"
#include "dns_testpkt.h"

static struct dns_answer parse(const struct testpkt *p, enum dns_rr_type type)
{
    struct dns_answer a;
    dns_answer_parse(p->b, p->n, type, &a);
    return a;
}

static void assert_status(const struct dns_answer *a, enum dns_status want)
{
    if (a->result.status != want)
        fail_msg("got status %s (%s), want %s", dns_status_name(a->result.status),
                 a->result.error ? a->result.error : "-", dns_status_name(want));
}

static void assert_ipv4(const struct dns_rr *rr, const char *want)
{
    char got[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &rr->u.a, got, sizeof(got));
    assert_string_equal(got, want);
}

static void test_a_two_records(void **state)
{
    (void)state;
    struct testpkt p;
    testpkt_header(&p, 7, 0, 0x04, 1, 2, 0, 0);
    testpkt_question(&p, "Example.TEST", 1);
    testpkt_rr_a(&p, "example.test", 300, 192, 0, 2, 1);
    testpkt_rr_a(&p, "example.test", 200, 192, 0, 2, 2);
    struct dns_answer a = parse(&p, DNS_TYPE_A);
    assert_status(&a, DNS_OK);
    assert_int_equal(a.result.n_rrs, 2);
    assert_ipv4(&a.result.rrs[0], "192.0.2.1");
    assert_ipv4(&a.result.rrs[1], "192.0.2.2");
    assert_int_equal(a.result.rrs[0].ttl, 300);
    assert_int_equal(a.result.rrs[1].ttl, 200);
    assert_string_equal(a.result.rrs[0].owner, "example.test");
    assert_null(a.next_name);
    dns_answer_clear(&a);
}

static void test_compressed_owner_and_mx(void **state)
{
    (void)state;
    struct testpkt p;
    testpkt_header(&p, 1, 0, 0, 1, 2, 0, 0);
    testpkt_question(&p, "example.test", 15); /* question name at offset 12 */
    for (unsigned pref = 20; pref >= 10; pref -= 10) {
        testpkt_u16(&p, 0xC00C); /* owner: pointer to the question name */
        testpkt_u16(&p, 15);
        testpkt_u16(&p, 1);
        testpkt_u32(&p, 60);
        testpkt_u16(&p, 2 + 1 + 3 + 2); /* preference, label, pointer */
        testpkt_u16(&p, pref);
        testpkt_u8(&p, 3);
        testpkt_bytes(&p, pref == 20 ? "mx2" : "mx1", 3);
        testpkt_u16(&p, 0xC00C); /* exchange: mxN.example.test */
    }
    struct dns_answer a = parse(&p, DNS_TYPE_MX);
    assert_status(&a, DNS_OK);
    assert_int_equal(a.result.n_rrs, 2);
    assert_int_equal(a.result.rrs[0].u.mx.preference, 20);
    assert_string_equal(a.result.rrs[0].u.mx.exchange, "mx2.example.test");
    assert_int_equal(a.result.rrs[1].u.mx.preference, 10);
    assert_string_equal(a.result.rrs[1].u.mx.exchange, "mx1.example.test");
    assert_string_equal(a.result.rrs[1].owner, "example.test");
    dns_answer_clear(&a);
}

static struct testpkt chain_message(void)
{
    struct testpkt p;
    testpkt_header(&p, 1, 0, 0, 1, 3, 0, 0);
    testpkt_question(&p, "a.test", 1);
    testpkt_rr_name(&p, "a.test", 5, 100, "b.test");
    testpkt_rr_name(&p, "B.test", 5, 50, "c.test");
    testpkt_rr_a(&p, "c.test", 300, 10, 0, 0, 1);
    return p;
}

/* RFC 1034 section 3.6.2: the chain is followed; TTLs are clamped to the shortest link. */
static void test_cname_chain_followed_ttl_clamped(void **state)
{
    (void)state;
    struct testpkt p = chain_message();
    struct dns_answer a = parse(&p, DNS_TYPE_A);
    assert_status(&a, DNS_OK);
    assert_int_equal(a.result.n_rrs, 1);
    assert_string_equal(a.result.rrs[0].owner, "c.test");
    assert_ipv4(&a.result.rrs[0], "10.0.0.1");
    assert_int_equal(a.result.rrs[0].ttl, 50);
    assert_int_equal(a.chain_ttl, 50);
    dns_answer_clear(&a);
}

static void test_cname_asked_directly(void **state)
{
    (void)state;
    struct testpkt p;
    testpkt_header(&p, 1, 0, 0, 1, 1, 0, 0);
    testpkt_question(&p, "a.test", 5);
    testpkt_rr_name(&p, "a.test", 5, 100, "b.test");
    struct dns_answer a = parse(&p, DNS_TYPE_CNAME);
    assert_status(&a, DNS_OK);
    assert_int_equal(a.result.n_rrs, 1);
    assert_string_equal(a.result.rrs[0].u.target, "b.test");
    dns_answer_clear(&a);
}

static void test_every_prefix_is_malformed(void **state)
{
    (void)state;
    struct testpkt p = chain_message();
    for (size_t len = 0; len < p.n; len++) {
        struct dns_answer a;
        dns_answer_parse(p.b, len, DNS_TYPE_A, &a);
        if (a.result.status != DNS_PERMFAIL)
            fail_msg("prefix of %zu bytes: got %s, want permfail", len,
                     dns_status_name(a.result.status));
        assert_non_null(a.result.error);
        dns_answer_clear(&a);
    }
}

static void test_dangling_cname_names_next(void **state)
{
    (void)state;
    struct testpkt p;
    testpkt_header(&p, 1, 0, 0x04, 1, 1, 1, 0);
    testpkt_question(&p, "out.test", 1);
    testpkt_rr_name(&p, "out.test", 5, 40, "www.elsewhere.example");
    testpkt_rr_name(&p, "test", 2, 300, "ns.test");
    struct dns_answer a = parse(&p, DNS_TYPE_A);
    assert_status(&a, DNS_NODATA);
    assert_string_equal(a.next_name, "www.elsewhere.example");
    assert_int_equal(a.chain_ttl, 40);
    dns_answer_clear(&a);
}

static void test_cname_loop_is_permfail(void **state)
{
    (void)state;
    struct testpkt p;
    testpkt_header(&p, 1, 0, 0, 1, 2, 0, 0);
    testpkt_question(&p, "a.test", 1);
    testpkt_rr_name(&p, "a.test", 5, 100, "b.test");
    testpkt_rr_name(&p, "b.test", 5, 100, "a.test");
    struct dns_answer a = parse(&p, DNS_TYPE_A);
    assert_status(&a, DNS_PERMFAIL);
    dns_answer_clear(&a);
}

/* RFC 2308 section 5: the negative TTL is min(SOA TTL, SOA MINIMUM). */
static void test_nxdomain_with_soa(void **state)
{
    (void)state;
    struct testpkt p;
    testpkt_header(&p, 1, 3, 0x04, 1, 0, 1, 0);
    testpkt_question(&p, "nope.test", 1);
    testpkt_rr_soa(&p, "test", 3600, 60);
    struct dns_answer a = parse(&p, DNS_TYPE_A);
    assert_status(&a, DNS_NXDOMAIN);
    assert_true(a.result.has_negative_ttl);
    assert_int_equal(a.result.negative_ttl, 60);
    assert_int_equal(a.result.n_rrs, 0);
    assert_null(a.result.error);
    dns_answer_clear(&a);
}

static void test_nodata_with_soa_ttl_below_minimum(void **state)
{
    (void)state;
    struct testpkt p;
    testpkt_header(&p, 1, 0, 0x04, 1, 0, 1, 0);
    testpkt_question(&p, "test", 16);
    testpkt_rr_soa(&p, "test", 30, 60);
    struct dns_answer a = parse(&p, DNS_TYPE_TXT);
    assert_status(&a, DNS_NODATA);
    assert_true(a.result.has_negative_ttl);
    assert_int_equal(a.result.negative_ttl, 30);
    assert_null(a.next_name);
    dns_answer_clear(&a);
}

static void test_nodata_without_soa(void **state)
{
    (void)state;
    struct testpkt p;
    testpkt_header(&p, 1, 0, 0, 1, 0, 0, 0);
    testpkt_question(&p, "test", 16);
    struct dns_answer a = parse(&p, DNS_TYPE_TXT);
    assert_status(&a, DNS_NODATA);
    assert_false(a.result.has_negative_ttl);
    dns_answer_clear(&a);
}

/* RFC 7208 section 5: any RCODE other than 0 or 3 is temporary; the question may be absent. */
static void test_error_rcodes_are_tempfail(void **state)
{
    (void)state;
    const unsigned rcodes[] = {1, 2, 4, 5, 9};
    for (size_t i = 0; i < sizeof(rcodes) / sizeof(rcodes[0]); i++) {
        struct testpkt p;
        testpkt_header(&p, 1, rcodes[i], 0, 0, 0, 0, 0);
        struct dns_answer a = parse(&p, DNS_TYPE_A);
        assert_status(&a, DNS_TEMPFAIL);
        char want[64];
        snprintf(want, sizeof(want), "DNS server answered with error code %u", rcodes[i]);
        assert_string_equal(a.result.error, want);
        dns_answer_clear(&a);
    }
}

static void test_truncated_is_tempfail(void **state)
{
    (void)state;
    struct testpkt p;
    testpkt_header(&p, 1, 0, 0x02, 1, 0, 0, 0);
    testpkt_question(&p, "test", 16);
    struct dns_answer a = parse(&p, DNS_TYPE_TXT);
    assert_status(&a, DNS_TEMPFAIL);
    dns_answer_clear(&a);
}

static void test_referral_is_tempfail(void **state)
{
    (void)state;
    struct testpkt p;
    testpkt_header(&p, 1, 0, 0, 1, 0, 1, 0);
    testpkt_question(&p, "www.child.test", 1);
    testpkt_rr_name(&p, "child.test", 2, 300, "ns.child.test");
    struct dns_answer a = parse(&p, DNS_TYPE_A);
    assert_status(&a, DNS_TEMPFAIL);
    assert_string_equal(a.result.error, "DNS server sent a referral, not an answer");
    dns_answer_clear(&a);
}

static void test_txt_strings_kept_apart_with_nul(void **state)
{
    (void)state;
    struct testpkt p;
    testpkt_header(&p, 1, 0, 0, 1, 1, 0, 0);
    testpkt_question(&p, "t.test", 16);
    testpkt_rr_head(&p, "t.test", 16, 60);
    const uint8_t rdata[] = {7, 'v', '=', 's', 'p', 'f', '1', ' ', 3, 'a', 0, 'b', 0};
    testpkt_rdata(&p, rdata, sizeof(rdata));
    struct dns_answer a = parse(&p, DNS_TYPE_TXT);
    assert_status(&a, DNS_OK);
    const struct dns_txt *txt = &a.result.rrs[0].u.txt;
    assert_int_equal(txt->n_strings, 3);
    assert_int_equal(txt->lengths[0], 7);
    assert_memory_equal(txt->strings[0], "v=spf1 ", 7);
    assert_int_equal(txt->lengths[1], 3);
    assert_memory_equal(txt->strings[1], "a\0b", 3);
    assert_int_equal(txt->lengths[2], 0);
    assert_string_equal(txt->strings[2], "");
    dns_answer_clear(&a);
}

static void test_spf_type_99(void **state)
{
    (void)state;
    struct testpkt p;
    testpkt_header(&p, 1, 0, 0, 1, 1, 0, 0);
    testpkt_question(&p, "s.test", 99);
    testpkt_rr_head(&p, "s.test", 99, 60);
    const uint8_t rdata[] = {11, 'v', '=', 's', 'p', 'f', '1', ' ', '-', 'a', 'l', 'l'};
    testpkt_rdata(&p, rdata, sizeof(rdata));
    struct dns_answer a = parse(&p, DNS_TYPE_SPF);
    assert_status(&a, DNS_OK);
    assert_int_equal(a.result.rrs[0].type, DNS_TYPE_SPF);
    assert_memory_equal(a.result.rrs[0].u.txt.strings[0], "v=spf1 -all", 11);
    dns_answer_clear(&a);
}

static void test_txt_string_overrunning_rdata(void **state)
{
    (void)state;
    struct testpkt p;
    testpkt_header(&p, 1, 0, 0, 1, 1, 0, 0);
    testpkt_question(&p, "t.test", 16);
    testpkt_rr_head(&p, "t.test", 16, 60);
    const uint8_t rdata[] = {5, 'a', 'b'};
    testpkt_rdata(&p, rdata, sizeof(rdata));
    struct dns_answer a = parse(&p, DNS_TYPE_TXT);
    assert_status(&a, DNS_PERMFAIL);
    assert_string_equal(a.result.error, "malformed record data in DNS answer");
    dns_answer_clear(&a);
}

static void test_bad_a_length(void **state)
{
    (void)state;
    struct testpkt p;
    testpkt_header(&p, 1, 0, 0, 1, 1, 0, 0);
    testpkt_question(&p, "a.test", 1);
    testpkt_rr_head(&p, "a.test", 1, 60);
    testpkt_rdata(&p, "\1\2\3\4\5", 5);
    struct dns_answer a = parse(&p, DNS_TYPE_A);
    assert_status(&a, DNS_PERMFAIL);
    dns_answer_clear(&a);
}

static void test_other_question_is_permfail(void **state)
{
    (void)state;
    struct testpkt p;
    testpkt_header(&p, 1, 0, 0, 1, 0, 0, 0);
    testpkt_question(&p, "a.test", 28);
    struct dns_answer a = parse(&p, DNS_TYPE_A);
    assert_status(&a, DNS_PERMFAIL);
    assert_string_equal(a.result.error, "DNS answer is for another question");
    dns_answer_clear(&a);
}

static void test_query_not_answer_is_permfail(void **state)
{
    (void)state;
    struct testpkt p;
    testpkt_header(&p, 1, 0, 0, 1, 0, 0, 0);
    p.b[2] = 0x01; /* QR=0 */
    testpkt_question(&p, "a.test", 1);
    struct dns_answer a = parse(&p, DNS_TYPE_A);
    assert_status(&a, DNS_PERMFAIL);
    dns_answer_clear(&a);
}

static void test_pointer_loop_is_permfail(void **state)
{
    (void)state;
    struct testpkt p;
    testpkt_header(&p, 1, 0, 0, 1, 0, 0, 0);
    testpkt_u16(&p, 0xC00C); /* the question name points at itself */
    testpkt_u16(&p, 1);
    testpkt_u16(&p, 1);
    struct dns_answer a = parse(&p, DNS_TYPE_A);
    assert_status(&a, DNS_PERMFAIL);
    assert_string_equal(a.result.error, "malformed question in DNS answer");
    dns_answer_clear(&a);
}

/* RFC 2181 section 8: a TTL with the top bit set is treated as zero. */
static void test_ttl_top_bit_is_zero(void **state)
{
    (void)state;
    struct testpkt p;
    testpkt_header(&p, 1, 0, 0, 1, 1, 0, 0);
    testpkt_question(&p, "a.test", 1);
    testpkt_rr_a(&p, "a.test", 0x80000001u, 1, 2, 3, 4);
    struct dns_answer a = parse(&p, DNS_TYPE_A);
    assert_status(&a, DNS_OK);
    assert_int_equal(a.result.rrs[0].ttl, 0);
    dns_answer_clear(&a);
}

static void test_name_text_escapes(void **state)
{
    (void)state;
    const uint8_t wire[] = {3, 'a', '.', 'b', 2, 0x01, '\\', 0};
    char out[DNS_ANSWER_NAME_TEXT_SIZE];
    size_t off = 0;
    assert_true(dns_answer_read_name(wire, sizeof(wire), &off, out, sizeof(out)));
    assert_string_equal(out, "a\\.b.\\001\\\\");
    assert_int_equal(off, sizeof(wire));
    const uint8_t root[] = {0};
    off = 0;
    assert_true(dns_answer_read_name(root, 1, &off, out, sizeof(out)));
    assert_string_equal(out, ".");
}

static void test_name_longer_than_255_octets(void **state)
{
    (void)state;
    uint8_t wire[300];
    size_t n = 0;
    for (int i = 0; i < 5; i++) { /* 5 * 64 = 320 octets */
        wire[n++] = 63;
        memset(wire + n, 'x', 63);
        n += 63;
        if (n > 230)
            break;
    }
    wire[n++] = 0;
    char out[DNS_ANSWER_NAME_TEXT_SIZE];
    size_t off = 0;
    assert_false(dns_answer_read_name(wire, n, &off, out, sizeof(out)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_two_records),
        cmocka_unit_test(test_compressed_owner_and_mx),
        cmocka_unit_test(test_cname_chain_followed_ttl_clamped),
        cmocka_unit_test(test_cname_asked_directly),
        cmocka_unit_test(test_every_prefix_is_malformed),
        cmocka_unit_test(test_dangling_cname_names_next),
        cmocka_unit_test(test_cname_loop_is_permfail),
        cmocka_unit_test(test_nxdomain_with_soa),
        cmocka_unit_test(test_nodata_with_soa_ttl_below_minimum),
        cmocka_unit_test(test_nodata_without_soa),
        cmocka_unit_test(test_error_rcodes_are_tempfail),
        cmocka_unit_test(test_truncated_is_tempfail),
        cmocka_unit_test(test_referral_is_tempfail),
        cmocka_unit_test(test_txt_strings_kept_apart_with_nul),
        cmocka_unit_test(test_spf_type_99),
        cmocka_unit_test(test_txt_string_overrunning_rdata),
        cmocka_unit_test(test_bad_a_length),
        cmocka_unit_test(test_other_question_is_permfail),
        cmocka_unit_test(test_query_not_answer_is_permfail),
        cmocka_unit_test(test_pointer_loop_is_permfail),
        cmocka_unit_test(test_ttl_top_bit_is_zero),
        cmocka_unit_test(test_name_text_escapes),
        cmocka_unit_test(test_name_longer_than_255_octets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
