/* SPDX-License-Identifier: MIT */
/*
 * Benchmark: the latency of each issuance in a burst of RSA-2048 issuances (threads sharing one
 * session and profile) against a private pkiws-sim on loopback, without a key pool, with a
 * pool smaller than the burst, and with a pool sized by the rule of docs/threading.md (at
 * least the burst, pre-filled). Prints p50, p90, p99, max and p99/p50; the goal for the sized
 * pool is p99 <= 2 x p50. It asserts nothing about time.
 * Usage: bench_burst [BURST] [THREADS]   (env PKIWS_SIM: the simulator executable)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../integration/sim_harness.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct burst {
    pkiws_profile *profile;
    pthread_mutex_t lock;
    int next, n, failures;
    double *ms;
};

static void *run(void *arg)
{
    struct burst *b = arg;
    for (;;) {
        pthread_mutex_lock(&b->lock);
        int i = b->next < b->n ? b->next++ : -1;
        pthread_mutex_unlock(&b->lock);
        if (i < 0)
            return NULL;
        pkiws_request *r = NULL;
        pkiws_result *res = NULL;
        char upn[64];
        snprintf(upn, sizeof upn, "burst%d@contoso.com", i);
        pkiws_request_new(&r, b->profile);
        pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, upn);
        pkiws_request_set_str(r, PKIWS_REQUEST_OPT_UPN, upn);
        pkiws_request_set_str(r, PKIWS_REQUEST_OPT_PFX_PASSWORD, "bench");
        double t0 = now_ms();
        int rc = pkiws_issue(r, &res);
        b->ms[i] = now_ms() - t0;
        if (rc != PKIWS_OK) {
            pthread_mutex_lock(&b->lock);
            b->failures++;
            pthread_mutex_unlock(&b->lock);
            fprintf(stderr, "issue failed: %s\n", pkiws_result_message(res));
        }
        pkiws_result_free(res);
        pkiws_request_free(r);
    }
}

static void bench(const sim *s, const char *label, int pool, int prefill, int n, int threads)
{
    pkiws_session *ses = sim_session(s);
    double fill_ms = 0;
    if (pool) {
        pkiws_session_set_int(ses, PKIWS_SESSION_OPT_KEY_POOL_SIZE, pool);
        if (prefill) {
            double t0 = now_ms();
            if (pkiws_session_set_int(ses, PKIWS_SESSION_OPT_KEY_POOL_PREFILL, PKIWS_KEY_RSA2048))
                fprintf(stderr, "pre-fill: %s\n", pkiws_last_error_message());
            fill_ms = now_ms() - t0;
        }
    }
    pkiws_profile *p = NULL;
    pkiws_result *verdicts = NULL;
    pkiws_profile_new(&p, ses, "2.16.840.1.113733.1.16.1.2.3.1.1.2");
    pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, PKIWS_SAN_UPN);
    if (pkiws_profile_fetch_policy(p) != PKIWS_OK || pkiws_profile_verify(p, &verdicts)) {
        fprintf(stderr, "policy: %s\n", pkiws_last_error_message());
        exit(1);
    }
    pkiws_result_free(verdicts);
    /* warm: a connection and a TLS session per thread, as a long-running server has them */
    struct burst warm = {p, PTHREAD_MUTEX_INITIALIZER, 0, threads, 0, NULL};
    warm.ms = calloc((size_t)threads, sizeof(double));
    pthread_t t[64];
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, run, &warm);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    free(warm.ms);
    if (pool && prefill) /* the warm-up took keys: the burst starts on a full pool */
        pkiws_session_set_int(ses, PKIWS_SESSION_OPT_KEY_POOL_PREFILL, PKIWS_KEY_RSA2048);

    struct burst b = {p, PTHREAD_MUTEX_INITIALIZER, 0, n, 0, NULL};
    b.ms = calloc((size_t)n, sizeof(double));
    double t0 = now_ms();
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, run, &b);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    double wall = now_ms() - t0;
    qsort(b.ms, (size_t)n, sizeof *b.ms, cmp);
    double p50 = b.ms[n / 2], p90 = b.ms[n * 9 / 10], p99 = b.ms[(n * 99 + 99) / 100 - 1];
    printf("%-38s n=%d threads=%d  p50 %7.1f ms  p90 %7.1f ms  p99 %7.1f ms  max %7.1f ms  "
           "p99/p50 %4.2f  %5.1f/s",
           label, n, threads, p50, p90, p99, b.ms[n - 1], p99 / p50, n / (wall / 1000.0));
    if (fill_ms > 0)
        printf("  (pre-fill %.0f ms)", fill_ms);
    printf("%s\n", b.failures ? "  (FAILURES)" : "");
    free(b.ms);
    pkiws_profile_free(p);
    pkiws_session_free(ses);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 100;
    int threads = argc > 2 ? atoi(argv[2]) : 4;
    if (n < 1 || n > 256 || threads < 1 || threads > 64) {
        fprintf(stderr, "usage: bench_burst [BURST 1..256] [THREADS 1..64]\n");
        return 2;
    }
    sim s;
    const char *extra[] = {"-q", NULL};
    sim_start(&s, extra);
    printf("pkiws %s, a burst of %d RSA-2048 issuances against pkiws-sim on loopback\n",
           pkiws_version_string(), n);
    char label[64];
    bench(&s, "no key pool", 0, 0, n, threads);
    snprintf(label, sizeof label, "key pool %d (< burst), not pre-filled", threads * 2);
    bench(&s, label, threads * 2, 0, n, threads);
    snprintf(label, sizeof label, "key pool %d (= burst), pre-filled", n);
    bench(&s, label, n, 1, n, threads);
    sim_stop(&s);
    sim_cleanup(&s);
    return 0;
}
