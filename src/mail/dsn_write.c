#include "dsn_write.h"

#include <string.h>
#include <time.h>

/* Appends a header-field value from untrusted text: one line, printable ASCII, bounded. */
static void dsn_write_value(struct buf *out, const char *text)
{
    size_t n = 0;
    bool space = false;
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++) {
        if (n >= DSN_WRITE_MAX_FIELD)
            break;
        unsigned char c = *p;
        if (c == '\r' || c == '\n' || c == '\t' || c == ' ') {
            space = n > 0;
            continue;
        }
        if (space) {
            buf_append_char(out, ' ');
            n++;
            space = false;
        }
        buf_append_char(out, c < 0x20 || c == 0x7f ? ' ' : c > 0x7e ? '?' : (char)c);
        n++;
    }
}

void dsn_write_date(int64_t ms, struct buf *out)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    buf_printf(out, "%s, %d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
               months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int dsn_write_hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* RFC 3461 4: "addr-type ; xtext" -> "addr-type; decoded" (a bad +XX is kept as is). */
static void dsn_write_orcpt(struct buf *out, const char *orcpt)
{
    const char *semi = strchr(orcpt, ';');
    if (semi == NULL) {
        buf_append_str(out, "rfc822; ");
        dsn_write_value(out, orcpt);
        return;
    }
    struct buf decoded = BUF_INIT;
    for (const char *p = semi + 1; *p; p++) {
        int hi = p[0] == '+' ? dsn_write_hex(p[1]) : -1;
        int lo = hi >= 0 ? dsn_write_hex(p[2]) : -1;
        if (lo >= 0) {
            buf_append_char(&decoded, (char)(hi * 16 + lo));
            p += 2;
        } else {
            buf_append_char(&decoded, *p);
        }
    }
    buf_append(out, orcpt, (size_t)(semi - orcpt));
    buf_append_str(out, "; ");
    dsn_write_value(out, buf_cstr(&decoded));
    buf_free(&decoded);
}

static void dsn_write_header(const struct dsn_write_input *in, struct buf *out)
{
    buf_printf(out, "From: Mail Delivery System <MAILER-DAEMON@%s>\r\nTo: <", in->reporting_mta);
    dsn_write_value(out, in->to);
    buf_append_str(out, ">\r\nSubject: Undelivered Mail Returned to Sender\r\nDate: ");
    dsn_write_date(in->now_ms, out);
    buf_printf(out,
               "\r\nMessage-ID: <%s>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
               "Content-Type: multipart/report; report-type=delivery-status;\r\n"
               "\tboundary=\"%s\"\r\n\r\nThis is a MIME-encapsulated message.\r\n\r\n",
               in->message_id, in->boundary);
}

static void dsn_write_human(const struct dsn_write_input *in, struct buf *out)
{
    buf_printf(out,
               "--%s\r\nContent-Description: Notification\r\n"
               "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
               "This is the mail system at host %s.\r\n\r\n"
               "I'm sorry to have to inform you that your message could not\r\n"
               "be delivered to one or more recipients. The reasons follow.\r\n\r\n",
               in->boundary, in->reporting_mta);
    for (size_t i = 0; i < in->n_rcpts; i++) {
        buf_append_char(out, '<');
        dsn_write_value(out, in->rcpts[i].address);
        buf_append_str(out, ">: ");
        dsn_write_value(out, in->rcpts[i].diagnostic ? in->rcpts[i].diagnostic : "failed");
        buf_append_str(out, "\r\n");
    }
    buf_append_str(out, "\r\n");
}

static void dsn_write_rcpt(const struct dsn_write_rcpt *r, struct buf *out)
{
    buf_append_str(out, "\r\nFinal-Recipient: rfc822; ");
    dsn_write_value(out, r->address);
    if (r->orcpt != NULL) {
        buf_append_str(out, "\r\nOriginal-Recipient: ");
        dsn_write_orcpt(out, r->orcpt);
    }
    buf_printf(out, "\r\nAction: %s\r\nStatus: %s", r->action, r->status);
    if (r->remote_mta != NULL) {
        buf_append_str(out, "\r\nRemote-MTA: dns; ");
        dsn_write_value(out, r->remote_mta);
    }
    if (r->diagnostic != NULL) {
        buf_append_str(out, "\r\nDiagnostic-Code: smtp; ");
        dsn_write_value(out, r->diagnostic);
    }
    buf_append_str(out, "\r\n");
}

static void dsn_write_status(const struct dsn_write_input *in, struct buf *out)
{
    buf_printf(out,
               "--%s\r\nContent-Description: Delivery report\r\n"
               "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; %s\r\n",
               in->boundary, in->reporting_mta);
    if (in->envid != NULL) {
        buf_append_str(out, "Original-Envelope-Id: ");
        dsn_write_value(out, in->envid);
        buf_append_str(out, "\r\n");
    }
    buf_append_str(out, "Arrival-Date: ");
    dsn_write_date(in->arrival_ms, out);
    buf_append_str(out, "\r\n");
    for (size_t i = 0; i < in->n_rcpts; i++)
        dsn_write_rcpt(&in->rcpts[i], out);
    buf_append_str(out, "\r\n");
}

/* The length of the header section including the empty line that ends it. */
static size_t dsn_write_header_len(const char *msg, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (msg[i] != '\n')
            continue;
        if (i + 1 < len && msg[i + 1] == '\n')
            return i + 2;
        if (i + 2 < len && msg[i + 1] == '\r' && msg[i + 2] == '\n')
            return i + 3;
    }
    return len;
}

static void dsn_write_original(const struct dsn_write_input *in, struct buf *out)
{
    size_t len = in->full ? in->original_len : dsn_write_header_len(in->original, in->original_len);
    buf_printf(out, "--%s\r\nContent-Description: %s\r\nContent-Type: %s\r\n\r\n", in->boundary,
               in->full ? "Undelivered Message" : "Undelivered Message Headers",
               in->full ? "message/rfc822" : "text/rfc822-headers");
    buf_append(out, in->original, len);
    if (len > 0 && in->original[len - 1] != '\n')
        buf_append_str(out, "\r\n");
    buf_printf(out, "\r\n--%s--\r\n", in->boundary);
}

void dsn_write(const struct dsn_write_input *in, struct buf *out)
{
    dsn_write_header(in, out);
    dsn_write_human(in, out);
    dsn_write_status(in, out);
    dsn_write_original(in, out);
}
