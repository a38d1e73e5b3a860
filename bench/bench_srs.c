/*
 * Benchmark 1 of issue 2: in-process SRS forward+reverse per second against the floor, a bare
 * HMAC-SHA1 (OpenSSL's one-shot HMAC(), as a straightforward implementation would call it) of
 * the same inputs: one MAC for the forward and one for the reverse's verification.
 * Prints both rates and the cost ratio (goal: <= 2x the floor's cost).
 */
#include "srs_hash.h" /* first: it selects the OpenSSL API level */

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "srs.h"

#define BENCH_ADDRESSES 64
#define BENCH_ROUNDS    3

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double bench_srs(struct srs *srs, char addresses[][64], long iterations, int64_t now)
{
    unsigned long sink = 0;
    double start = bench_now();
    for (long i = 0; i < iterations; i++) {
        char *fwd = NULL, *back = NULL;
        if (srs_forward(srs, addresses[i % BENCH_ADDRESSES], now, &fwd) != SRS_OK ||
            srs_reverse(srs, fwd, now, &back) != SRS_OK)
            abort();
        sink += (unsigned char)back[0];
        free(fwd);
        free(back);
    }
    double elapsed = bench_now() - start;
    if (sink == 0)
        puts("");
    return (double)iterations / elapsed;
}

/* The floor: the same MAC inputs (stamp+host+user, lower-cased) through HMAC() twice. */
static double bench_floor(const char *secret, char addresses[][64], long iterations)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen;
    unsigned long sink = 0;
    double start = bench_now();
    for (long i = 0; i < iterations; i++) {
        const char *a = addresses[i % BENCH_ADDRESSES];
        char input[80];
        size_t n = (size_t)snprintf(input, sizeof(input), "kv%s", a);
        for (int k = 0; k < 2; k++) {
            HMAC(EVP_sha1(), secret, (int)strlen(secret), (const unsigned char *)input, n, md,
                 &mdlen);
            sink += md[0];
        }
    }
    double elapsed = bench_now() - start;
    if (sink == 0)
        puts("");
    return (double)iterations / elapsed;
}

/* The strictest floor: the same two MACs with precomputed key schedules (srs's own primitive),
 * i.e. the pure cryptographic cost without parsing, formatting or allocation. */
static double bench_floor_precomputed(const char *secret, char addresses[][64], long iterations)
{
    struct srs_hash_key key;
    srs_hash_key_init(&key, secret, strlen(secret));
    char out[SRS_MAX_HASH_LENGTH];
    unsigned long sink = 0;
    double start = bench_now();
    for (long i = 0; i < iterations; i++) {
        const char *a = addresses[i % BENCH_ADDRESSES];
        struct srs_field fields[2] = {{"kv", 2}, {a, strlen(a)}};
        for (int k = 0; k < 2; k++) {
            srs_hash_compute(&key, SRS_ALPHABET_BASE64URL, fields, 2, 4, out);
            sink += (unsigned char)out[0];
        }
    }
    double elapsed = bench_now() - start;
    if (sink == 0)
        puts("");
    return (double)iterations / elapsed;
}

int main(int argc, char **argv)
{
    long iterations = argc > 1 ? strtol(argv[1], NULL, 10) : 400000;
    const char *secret = "tops3cr3t";
    struct srs_config cfg;
    srs_config_defaults(&cfg);
    cfg.domain = "srs.example.net";
    cfg.secrets = &secret;
    cfg.n_secrets = 1;
    char *error = NULL;
    struct srs *srs = srs_new(&cfg, &error);
    if (srs == NULL) {
        fprintf(stderr, "bench_srs: %s\n", error);
        return 1;
    }
    static char addresses[BENCH_ADDRESSES][64];
    for (int i = 0; i < BENCH_ADDRESSES; i++)
        snprintf(addresses[i], sizeof(addresses[i]), "user%d.name@sub%d.example.org", i, i % 7);
    const int64_t now = 1710504000;
    double best_srs = 0, best_floor = 0, best_min = 0;
    for (int r = 0; r < BENCH_ROUNDS; r++) {
        /* Interleave the two so that machine noise hits both alike. */
        double s = bench_srs(srs, addresses, iterations, now);
        double f = bench_floor(secret, addresses, iterations);
        best_srs = s > best_srs ? s : best_srs;
        double m = bench_floor_precomputed(secret, addresses, iterations);
        best_floor = f > best_floor ? f : best_floor;
        best_min = m > best_min ? m : best_min;
    }
    printf("srs forward+reverse: %.0f pairs/s\n", best_srs);
    printf("floor (2x HMAC-SHA1, OpenSSL HMAC()): %.0f pairs/s\n", best_floor);
    printf("floor-min (2 MACs, precomputed keys): %.0f pairs/s\n", best_min);
    printf("cost ratio srs/floor: %.2fx (goal <= 2.00x)\n", best_floor / best_srs);
    printf("cost ratio srs/floor-min: %.2fx\n", best_min / best_srs);
    srs_free(srs);
    return 0;
}
