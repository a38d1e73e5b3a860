/*
 * Benchmark for issue 5's outbound path: rebound's deliver module (routing + SMTP client +
 * connection cache) sending 10,000 messages of 1 KiB to Postfix's smtp-sink over 20 parallel
 * sessions, against Postfix's own test client smtp-source sending the same load to the same
 * smtp-sink in the same run. Two rounds: connections reused for every message (smtp-source
 * -d; rebound's connection cache), and a new connection per message.
 *
 * DNS is answered in-process (the domain's implicit MX is 127.0.0.1), so the figures are the
 * SMTP path alone. Prints messages per second for both and the ratio rebound / smtp-source.
 * BENCH_SKIP_PEER=1 in the environment skips smtp-source (for profiling rebound alone).
 */
#include <arpa/inet.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "deliver.h"
#include "log.h"

#define BENCH_MESSAGES 10000
#define BENCH_SESSIONS 20
#define BENCH_BODY     1024
#define BENCH_SINK     "/usr/sbin/smtp-sink"
#define BENCH_SOURCE   "/usr/sbin/smtp-source"

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- an in-process resolver: MX NODATA, A 127.0.0.1, AAAA NODATA ---- */

struct bench_answer {
    struct event *ev;
    enum dns_rr_type type;
    dns_callback_fn *cb;
    void *arg;
};

struct bench_dns {
    struct event_base *base;
    uint64_t next_id;
};

static void bench_dns_answer(evutil_socket_t fd, short what, void *arg)
{
    struct bench_answer *a = arg;
    struct dns_rr rr = {.type = DNS_TYPE_A, .ttl = 300, .owner = "bench.test"};
    inet_pton(AF_INET, "127.0.0.1", &rr.u.a);
    struct dns_result r = {.status = DNS_NODATA};
    if (a->type == DNS_TYPE_A) {
        r.status = DNS_OK;
        r.n_rrs = 1;
        r.rrs = &rr;
    }
    a->cb(&r, a->arg);
    event_free(a->ev);
    free(a);
}

static uint64_t bench_dns_query(void *impl, const char *name, enum dns_rr_type type,
                                dns_callback_fn *cb, void *arg)
{
    struct bench_dns *d = impl;
    struct bench_answer *a = calloc(1, sizeof(*a));
    a->type = type;
    a->cb = cb;
    a->arg = arg;
    a->ev = event_new(d->base, -1, 0, bench_dns_answer, a);
    event_active(a->ev, 0, 0);
    return ++d->next_id;
}

static void bench_dns_cancel(void *impl, uint64_t id)
{
}

static void bench_dns_destroy(void *impl)
{
}

static const struct dns_resolver_ops bench_dns_ops = {bench_dns_query, bench_dns_cancel,
                                                      bench_dns_destroy};

/* ---- processes ---- */

static int bench_free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in in = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(in);
    if (bind(s, (struct sockaddr *)&in, sizeof(in)) != 0 ||
        getsockname(s, (struct sockaddr *)&in, &len) != 0)
        abort();
    close(s);
    return ntohs(in.sin_port);
}

static pid_t bench_spawn(char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static void bench_wait_listen(int port)
{
    for (int i = 0; i < 200; i++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in in = {.sin_family = AF_INET,
                                 .sin_port = htons((uint16_t)port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int rc = connect(s, (struct sockaddr *)&in, sizeof(in));
        close(s);
        if (rc == 0)
            return;
        usleep(20000);
    }
    fprintf(stderr, "bench: smtp-sink did not listen\n");
    exit(1);
}

static double bench_smtp_source(int port, bool reuse)
{
    char target[64], count[16], sessions[16], length[16];
    snprintf(target, sizeof(target), "127.0.0.1:%d", port);
    snprintf(count, sizeof(count), "%d", BENCH_MESSAGES);
    snprintf(sessions, sizeof(sessions), "%d", BENCH_SESSIONS);
    snprintf(length, sizeof(length), "%d", BENCH_BODY);
    /* -d: "don't disconnect after sending a message" (the connection-reuse round) */
    char *argv[] = {BENCH_SOURCE,     "-s", sessions,         "-m",   count, "-l", length, "-f",
                    "rp@bounce.test", "-t", "bob@bench.test", target, NULL,  NULL};
    if (reuse) {
        argv[11] = "-d";
        argv[12] = target;
    }
    double start = bench_now();
    pid_t pid = bench_spawn(argv);
    int status;
    waitpid(pid, &status, 0);
    double t = bench_now() - start;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench: smtp-source failed\n");
        exit(1);
    }
    return t;
}

/* ---- rebound ---- */

struct bench_run {
    struct deliver *deliver;
    struct deliver_job job;
    int submitted, done, failed;
};

static void bench_done(uint64_t id, const struct deliver_outcome *o, void *arg)
{
    struct bench_run *run = arg;
    run->done++;
    if (o->rcpts[0].status != SMTP_CLIENT_OK)
        run->failed++;
    if (run->submitted < BENCH_MESSAGES) {
        run->submitted++;
        deliver_submit(run->deliver, &run->job, bench_done, run);
    }
}

static double bench_rebound(int port, bool reuse, char *body, size_t body_len)
{
    struct event_base *base = event_base_new();
    struct bench_dns dns = {base, 0};
    struct dns_resolver resolver = {&bench_dns_ops, &dns};
    struct deliver_options o = {
        .base = base,
        .resolver = &resolver,
        .helo_name = "bench.client.test",
        .route = {.port = (uint16_t)port},
        .tls_default = SMTP_CLIENT_TLS_NONE,
        .cache_max = BENCH_SESSIONS,
        .reuse_limit = reuse ? BENCH_MESSAGES : 1,
    };
    struct bench_run run = {.deliver = deliver_new(&o)};
    struct deliver_rcpt rcpt = {"bob@bench.test", NULL, NULL};
    run.job = (struct deliver_job){.domain = "bench.test",
                                   .return_path = "rp@bounce.test",
                                   .rcpts = &rcpt,
                                   .n_rcpts = 1,
                                   .body = body,
                                   .body_len = body_len};
    double start = bench_now();
    for (int i = 0; i < BENCH_SESSIONS; i++) {
        run.submitted++;
        deliver_submit(run.deliver, &run.job, bench_done, &run);
    }
    while (run.done < BENCH_MESSAGES && event_base_loop(base, EVLOOP_ONCE) == 0)
        ;
    double t = bench_now() - start;
    deliver_free(run.deliver);
    event_base_dispatch(base);
    event_base_free(base);
    if (run.failed > 0 || run.done != BENCH_MESSAGES) {
        fprintf(stderr, "bench: %d of %d deliveries failed\n", run.failed, run.done);
        exit(1);
    }
    return t;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    log_init(LOG_LEVEL_WARNING, NULL);
    int port = bench_free_port();
    char addr[64];
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
    char *sink_argv[] = {BENCH_SINK, "-u", "nobody", addr, "1000", NULL};
    if (getuid() != 0) {
        sink_argv[1] = addr;
        sink_argv[2] = "1000";
        sink_argv[3] = NULL;
    }
    pid_t sink = bench_spawn(sink_argv);
    bench_wait_listen(port);

    /* The same shape smtp-source sends: a few headers and BENCH_BODY bytes of text lines. */
    char body[BENCH_BODY + 256];
    size_t n =
        (size_t)snprintf(body, sizeof(body), "From: rp@bounce.test\r\nTo: bob@bench.test\r\n\r\n");
    static const char line[] = "La de da de da 1.\r\n";
    while (n < sizeof(body) - 80 && n < BENCH_BODY + 40) {
        memcpy(body + n, line, sizeof(line) - 1); /* a length-counted body, not a string */
        n += sizeof(line) - 1;
    }
    printf("%d messages of ~%d bytes, %d sessions, to smtp-sink on %s\n", BENCH_MESSAGES,
           BENCH_BODY, BENCH_SESSIONS, addr);
    for (int reuse = 1; reuse >= 0; reuse--) {
        double peer = getenv("BENCH_SKIP_PEER") ? 1.0 : bench_smtp_source(port, reuse);
        double ours = bench_rebound(port, reuse, body, n);
        printf("%-26s smtp-source %8.0f msg/s (%.2f s)  rebound %8.0f msg/s (%.2f s)  "
               "ratio %.2f\n",
               reuse ? "connections reused:" : "one connection per message:", BENCH_MESSAGES / peer,
               peer, BENCH_MESSAGES / ours, ours, peer / ours);
    }
    kill(sink, SIGTERM);
    waitpid(sink, NULL, 0);
    return 0;
}
