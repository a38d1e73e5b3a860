/*
 * Benchmark 2 of issue 2: SRS lookups per second through Postfix's tcp_table protocol,
 * `rebound srsmap` against Debian's postsrsd 1.10, both started here on loopback with the same
 * secret and domain and stopped by PID. The SAME client drives both: C threads, one
 * connection each, one request in flight per connection (send "get KEY", wait for the reply
 * line, as Postfix's tcp client does), 1 and 4 connections. Prints both rates and the ratio
 * (goal: rebound >= 1.5x postsrsd at both). The machine is shared, so each figure is the
 * median of BENCH_ROUNDS measurements taken alternately from the two servers. It also prints
 * each server's CPU time per lookup over the same windows (from /proc, the server process and
 * its children), which depends far less on what else the machine is doing.
 *
 * usage: bench_srsmap_tcptable [--rebound PATH] [--postsrsd PATH] [--seconds N] [--workers N]
 * (--workers sets srsmap.workers; default 0 = one per CPU, as shipped)
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_MAX_CONNS    4
#define BENCH_ROUNDS       5
#define BENCH_WARMUP_S     0.3
#define BENCH_START_WAIT_S 10.0
#define BENCH_DOMAIN       "srs.example.net"

struct bench_peer {
    const char *name;
    pid_t pid;
    int port; /* forward map */
};

struct bench_client {
    int port;
    int index;
    volatile bool *stop;
    long done;
    bool failed;
};

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

/* One request, one reply line; false on any error or a reply other than "200 SRS0=". */
static bool bench_lookup(int fd, const char *req, size_t len)
{
    if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len)
        return false;
    char reply[2048];
    size_t have = 0;
    for (;;) {
        ssize_t n = recv(fd, reply + have, sizeof(reply) - have, 0);
        if (n <= 0 || have + (size_t)n >= sizeof(reply))
            return false;
        have += (size_t)n;
        if (reply[have - 1] == '\n')
            break;
    }
    return have > 9 && memcmp(reply, "200 SRS0=", 9) == 0;
}

static void *bench_client_run(void *arg)
{
    struct bench_client *c = arg;
    int fd = bench_connect(c->port);
    if (fd < 0) {
        c->failed = true;
        return NULL;
    }
    char req[128];
    for (long i = 0; !*c->stop; i++) {
        int len = snprintf(req, sizeof(req), "get user%ld.%d@example%ld.org\n", i % 1000, c->index,
                           i % 7);
        if (!bench_lookup(fd, req, (size_t)len)) {
            c->failed = true;
            break;
        }
        c->done++;
    }
    close(fd);
    return NULL;
}

/* utime+stime of one process (all its threads) plus its reaped children, in clock ticks. */
static long long bench_proc_ticks(int pid, int *ppid_r)
{
    char path[64], text[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    char *p = strrchr(text, ')'); /* the command name may hold spaces */
    if (p == NULL)
        return -1;
    /* Fields after the name, counted from 0 = state (proc(5) field 3). */
    long long field[15] = {0};
    char *save = NULL;
    int k = 0;
    for (char *tok = strtok_r(p + 1, " ", &save); tok != NULL && k < 15;
         tok = strtok_r(NULL, " ", &save))
        field[k++] = strtoll(tok, NULL, 10);
    if (k < 15)
        return -1;
    int ppid = (int)field[1];
    long long utime = field[11], stime = field[12], cutime = field[13], cstime = field[14];
    *ppid_r = ppid;
    return utime + stime + cutime + cstime;
}

/* CPU ticks used so far by a server: its process and every child it forked (postsrsd forks
 * one per connection; their ticks move to the parent's cutime when reaped). */
static long long bench_tree_ticks(pid_t root)
{
    int ppid;
    long long total = bench_proc_ticks((int)root, &ppid);
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        int pid = atoi(e->d_name); // NOLINT(cert-err34-c): non-numeric entries are skipped
        long long t;
        if (pid > 0 && pid != (int)root && (t = bench_proc_ticks(pid, &ppid)) >= 0 &&
            ppid == (int)root)
            total += t;
    }
    if (d != NULL)
        closedir(d);
    return total;
}

struct bench_result {
    double rate;           /* lookups per second */
    double cpu_us_per_req; /* server CPU time per lookup */
};

/* Lookups per second with `conns` connections for `seconds` (after a warm-up), and the
 * server's CPU time per lookup over the same window. */
static struct bench_result bench_measure(int port, pid_t server, int conns, double seconds)
{
    volatile bool stop = false;
    struct bench_client clients[BENCH_MAX_CONNS] = {0};
    pthread_t threads[BENCH_MAX_CONNS];
    for (int i = 0; i < conns; i++) {
        clients[i] = (struct bench_client){.port = port, .index = i, .stop = &stop};
        pthread_create(&threads[i], NULL, bench_client_run, &clients[i]);
    }
    struct timespec warm = {0, (long)(BENCH_WARMUP_S * 1e9)};
    nanosleep(&warm, NULL);
    long before = 0;
    long long ticks0 = bench_tree_ticks(server);
    for (int i = 0; i < conns; i++)
        before += __atomic_load_n(&clients[i].done, __ATOMIC_RELAXED);
    double t0 = bench_now();
    struct timespec run = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&run, NULL);
    long after = 0;
    for (int i = 0; i < conns; i++)
        after += __atomic_load_n(&clients[i].done, __ATOMIC_RELAXED);
    double elapsed = bench_now() - t0;
    long long ticks1 = bench_tree_ticks(server);
    stop = true;
    bool failed = false;
    for (int i = 0; i < conns; i++) {
        pthread_join(threads[i], NULL);
        failed |= clients[i].failed;
    }
    if (failed) {
        fprintf(stderr, "bench: a lookup failed (port %d)\n", port);
        exit(1);
    }
    struct bench_result r;
    r.rate = (double)(after - before) / elapsed;
    r.cpu_us_per_req =
        (double)(ticks1 - ticks0) * 1e6 / (double)sysconf(_SC_CLK_TCK) / (double)(after - before);
    return r;
}

static int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double bench_median(double v[BENCH_ROUNDS])
{
    qsort(v, BENCH_ROUNDS, sizeof(double), bench_cmp);
    return v[BENCH_ROUNDS / 2];
}

static int bench_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(sin);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
        getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
        perror("bench: free port");
        exit(1);
    }
    close(fd);
    return ntohs(sin.sin_port);
}

static pid_t bench_spawn(char *const argv[], const char *log_path)
{
    pid_t pid = fork();
    if (pid == 0) {
        FILE *log = freopen(log_path, "w", stderr);
        (void)log;
        execv(argv[0], argv);
        perror(argv[0]);
        _exit(127);
    }
    return pid;
}

/* Waits until the port accepts a connection and answers a lookup. */
static void bench_wait_ready(const struct bench_peer *p)
{
    double deadline = bench_now() + BENCH_START_WAIT_S;
    while (bench_now() < deadline) {
        int fd = bench_connect(p->port);
        if (fd >= 0) {
            bool ok = bench_lookup(fd, "get ready@example.org\n", 22);
            close(fd);
            if (ok)
                return;
        }
        struct timespec ms = {0, 20L * 1000000L};
        nanosleep(&ms, NULL);
    }
    fprintf(stderr, "bench: %s (pid %d) did not answer on port %d\n", p->name, (int)p->pid,
            p->port);
    kill(p->pid, SIGTERM);
    exit(1);
}

static void bench_stop(const struct bench_peer *p)
{
    kill(p->pid, SIGTERM);
    waitpid(p->pid, NULL, 0);
}

static void bench_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static struct bench_peer bench_start_rebound(const char *bin, const char *dir, int workers)
{
    char conf[512], secret[512], log[512], text[2048];
    snprintf(conf, sizeof(conf), "%s/rebound.conf", dir);
    snprintf(secret, sizeof(secret), "%s/secret", dir);
    snprintf(log, sizeof(log), "%s/rebound.log", dir);
    struct bench_peer p = {"rebound", 0, bench_free_port()};
    snprintf(text, sizeof(text),
             "log.level = warning\nsrs.domain = %s\nsrs.secret_file = %s\n"
             "srs.alphabet = base64\nsrsmap.tcp_forward = 127.0.0.1:%d\n"
             "srsmap.tcp_reverse = 127.0.0.1:%d\nsrsmap.workers = %d\n",
             BENCH_DOMAIN, secret, p.port, bench_free_port(), workers);
    bench_write(conf, text);
    char *argv[] = {(char *)bin, "srsmap", "--config", conf, NULL};
    p.pid = bench_spawn(argv, log);
    bench_wait_ready(&p);
    return p;
}

static struct bench_peer bench_start_postsrsd(const char *bin, const char *dir)
{
    char secret[512], log[512], fport[16], rport[16], sflag[600], dflag[300];
    snprintf(secret, sizeof(secret), "%s/secret", dir);
    snprintf(log, sizeof(log), "%s/postsrsd.log", dir);
    struct bench_peer p = {"postsrsd", 0, bench_free_port()};
    snprintf(fport, sizeof(fport), "-f%d", p.port);
    snprintf(rport, sizeof(rport), "-r%d", bench_free_port());
    snprintf(sflag, sizeof(sflag), "-s%s", secret);
    snprintf(dflag, sizeof(dflag), "-d%s", BENCH_DOMAIN);
    char *argv[] = {(char *)bin, sflag, dflag, "-l127.0.0.1", "-4", fport, rport, NULL};
    p.pid = bench_spawn(argv, log);
    bench_wait_ready(&p);
    return p;
}

static void bench_default_rebound(char *out, size_t size)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        snprintf(out, size, "build/rebound");
        return;
    }
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    snprintf(out, size, "%s/../rebound", self); /* build/bench/.. */
}

int main(int argc, char **argv)
{
    char rebound[4200];
    bench_default_rebound(rebound, sizeof(rebound));
    const char *postsrsd = "/usr/sbin/postsrsd";
    double seconds = 1.5;
    int workers = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--rebound") == 0)
            snprintf(rebound, sizeof(rebound), "%s", argv[i + 1]);
        else if (strcmp(argv[i], "--postsrsd") == 0)
            postsrsd = argv[i + 1];
        else if (strcmp(argv[i], "--seconds") == 0)
            seconds = strtod(argv[i + 1], NULL);
        else if (strcmp(argv[i], "--workers") == 0)
            workers = (int)strtol(argv[i + 1], NULL, 10);
    }
    if (access(postsrsd, X_OK) != 0) {
        fprintf(stderr, "bench: %s not found (make deps installs postsrsd)\n", postsrsd);
        return 1;
    }
    char dir[] = "/tmp/rebound-bench-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    char secret[512];
    snprintf(secret, sizeof(secret), "%s/secret", dir);
    bench_write(secret, "bench-s3cret-0123456789\n");
    struct bench_peer peers[2] = {bench_start_rebound(rebound, dir, workers),
                                  bench_start_postsrsd(postsrsd, dir)};
    printf("tcp_table forward lookups/s, one request in flight per connection, "
           "median of %d x %.1f s\n",
           BENCH_ROUNDS, seconds);
    static const int conn_counts[] = {1, 4};
    for (size_t k = 0; k < 2; k++) {
        int conns = conn_counts[k];
        double rs[BENCH_ROUNDS], ps[BENCH_ROUNDS], rc[BENCH_ROUNDS], pc[BENCH_ROUNDS];
        for (int round = 0; round < BENCH_ROUNDS; round++) {
            struct bench_result a = bench_measure(peers[0].port, peers[0].pid, conns, seconds);
            struct bench_result b = bench_measure(peers[1].port, peers[1].pid, conns, seconds);
            rs[round] = a.rate;
            rc[round] = a.cpu_us_per_req;
            ps[round] = b.rate;
            pc[round] = b.cpu_us_per_req;
        }
        double r = bench_median(rs), p = bench_median(ps);
        double rcpu = bench_median(rc), pcpu = bench_median(pc);
        printf("  %d connection%s: rebound %9.0f/s  postsrsd 1.10 %9.0f/s  ratio %.2fx "
               "(goal >= 1.5x)\n",
               conns, conns == 1 ? " " : "s", r, p, r / p);
        printf("  %d connection%s: server CPU per lookup: rebound %.1f us  postsrsd 1.10 %.1f us  "
               "(postsrsd uses %.2fx the CPU)\n",
               conns, conns == 1 ? " " : "s", rcpu, pcpu, pcpu / rcpu);
    }
    bench_stop(&peers[0]);
    bench_stop(&peers[1]);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not remove %s\n", dir);
    return 0;
}
