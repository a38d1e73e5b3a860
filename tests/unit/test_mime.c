/* Unit tests for src/mail/mime (the GMime adapter): entity order and depth, transfer
 * decoding, charset conversion to UTF-8, embedded message headers, the raw body, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

static const char mime_report[] =
    "From: a@example.com\r\n"
    "Subject: =?UTF-8?B?w6ljaGVj?=\r\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"X\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--X\r\n"
    "Content-Type: text/plain; charset=ISO-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "=E9chec de livraison\r\n"
    "--X\r\n"
    "Content-Type: message/delivery-status\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "UmVwb3J0aW5nLU1UQTogZG5zOyBteC5leGFtcGxlLm5ldA==\r\n"
    "--X\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Message-ID: <orig@example.org>\r\n"
    "To: b@example.com\r\n"
    "\r\n"
    "hello\r\n"
    "--X--\r\n";

static void test_entities(void **state)
{
    (void)state;
    struct mime_message *m = mime_parse(mime_report, strlen(mime_report));
    assert_non_null(m);
    assert_int_equal(m->count, 5);
    assert_false(m->truncated);
    static const char *const types[] = {"multipart/report", "text/plain", "message/delivery-status",
                                        "message/rfc822", "text/plain"};
    static const size_t depths[] = {0, 1, 1, 1, 2};
    for (size_t i = 0; i < 5; i++) {
        if (strcmp(m->entities[i].content_type, types[i]) != 0 || m->entities[i].depth != depths[i])
            fail_msg("entity %zu: got %s depth %zu, want %s depth %zu", i,
                     m->entities[i].content_type, m->entities[i].depth, types[i], depths[i]);
    }
    assert_string_equal(mime_header_get(&m->entities[0].headers, "subject"), "\xc3\xa9"
                                                                             "chec");
    assert_string_equal(m->entities[1].body, "\xc3\xa9"
                                             "chec de livraison");
    assert_string_equal(m->entities[2].body, "Reporting-MTA: dns; mx.example.net");
    assert_string_equal(mime_header_get(&m->entities[3].inner_headers, "Message-ID"),
                        "<orig@example.org>");
    assert_null(m->entities[3].body);
    /* bodies inside a returned message are not decoded: nothing reads them */
    assert_null(m->entities[4].body);
    assert_true(strncmp(m->raw_body, "preamble\r\n--X\r\n", 15) == 0);
    mime_message_free(m);
}

/* An mbox "From " separator line is skipped, and the top-level headers stay text. */
static void test_mbox_separator(void **state)
{
    (void)state;
    const char *msg = "From MAILER-DAEMON Tue Jun 11 19:13:34 2024\n"
                      "From: MAILER-DAEMON <>\nTo: a@b.example, c@d.example\n\nbody\n";
    struct mime_message *m = mime_parse(msg, strlen(msg));
    assert_non_null(m);
    assert_string_equal(mime_header_get(&m->entities[0].headers, "From"), "MAILER-DAEMON <>");
    assert_string_equal(mime_header_get(&m->entities[0].headers, "to"), "a@b.example, c@d.example");
    assert_string_equal(m->entities[0].body, "body\n");
    mime_message_free(m);
}

static void test_non_mime_message(void **state)
{
    (void)state;
    const char *msg = "From: a@b.c\nSubject: hi\n\nplain body\n";
    struct mime_message *m = mime_parse(msg, strlen(msg));
    assert_non_null(m);
    assert_int_equal(m->count, 1);
    assert_string_equal(m->entities[0].content_type, "text/plain");
    assert_string_equal(m->entities[0].body, "plain body\n");
    assert_string_equal(m->raw_body, "plain body\n");
    mime_message_free(m);
}

/* MIME_MAX_PARTS: entities past the limit are dropped and the message says so. */
static void test_part_limit(void **state)
{
    (void)state;
    char *msg = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&msg, &len);
    fprintf(out, "Content-Type: multipart/mixed; boundary=b\n\n");
    for (int i = 0; i < MIME_MAX_PARTS + 10; i++)
        fprintf(out, "--b\nContent-Type: text/plain\n\npart %d\n", i);
    fprintf(out, "--b--\n");
    fclose(out);
    struct mime_message *m = mime_parse(msg, len);
    assert_int_equal(m->count, MIME_MAX_PARTS);
    assert_true(m->truncated);
    mime_message_free(m);
    free(msg);
}

/* MIME_MAX_DEPTH: nesting deeper than the limit is cut. */
static void test_depth_limit(void **state)
{
    (void)state;
    char *msg = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&msg, &len);
    for (int i = 0; i < MIME_MAX_DEPTH + 4; i++)
        fprintf(out, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
    fprintf(out, "Content-Type: text/plain\n\ndeep\n");
    fclose(out);
    struct mime_message *m = mime_parse(msg, len);
    assert_true(m->truncated);
    for (size_t i = 0; i < m->count; i++)
        assert_true(m->entities[i].depth <= MIME_MAX_DEPTH);
    mime_message_free(m);
    free(msg);
}

int main(void)
{
    mime_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entities),       cmocka_unit_test(test_non_mime_message),
        cmocka_unit_test(test_mbox_separator), cmocka_unit_test(test_part_limit),
        cmocka_unit_test(test_depth_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
