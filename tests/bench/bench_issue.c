/* SPDX-License-Identifier: MIT */
/*
 * Benchmark: issuance against a private pkiws-sim on loopback. Sequential on one session
 * (reused connection) and with several threads sharing one session and profile; RSA-2048 with
 * and without the key pool, and EC P-256. Prints medians and percentiles; it asserts nothing
 * about time (targets are read off its output, not enforced by tests).
 * Usage: bench_issue [N] [THREADS]   (env PKIWS_SIM: the simulator executable)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

struct job {
    pkiws_profile *profile;
    int n, first;
    double *ms;
    int failures;
};

static void *run(void *arg)
{
    struct job *j = arg;
    for (int i = 0; i < j->n; i++) {
        pkiws_request *r = NULL;
        pkiws_result *res = NULL;
        char upn[64];
        snprintf(upn, sizeof upn, "user%d@contoso.com", j->first + i);
        pkiws_request_new(&r, j->profile);
        pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, upn);
        pkiws_request_set_str(r, PKIWS_REQUEST_OPT_UPN, upn);
        pkiws_request_set_str(r, PKIWS_REQUEST_OPT_PFX_PASSWORD, "bench");
        double t0 = now_ms();
        if (pkiws_issue(r, &res) != PKIWS_OK) {
            j->failures++;
            fprintf(stderr, "issue failed: %s\n", pkiws_result_message(res));
        }
        j->ms[i] = now_ms() - t0;
        pkiws_result_free(res);
        pkiws_request_free(r);
    }
    return NULL;
}

static void bench(const sim *s, const char *label, int key, int pool, int n, int threads)
{
    pkiws_session *ses = sim_session(s);
    if (pool)
        pkiws_session_set_int(ses, PKIWS_SESSION_OPT_KEY_POOL_SIZE, pool);
    pkiws_profile *p = NULL;
    pkiws_profile_new(&p, ses,
                      key == PKIWS_KEY_EC_P256 ? "2.16.840.1.113733.1.16.1.2.3.1.1.12"
                                               : "2.16.840.1.113733.1.16.1.2.3.1.1.2");
    pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_KEY_TYPE, key);
    pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES,
                          key == PKIWS_KEY_EC_P256 ? PKIWS_SAN_EMAIL : PKIWS_SAN_UPN);
    if (pkiws_profile_fetch_policy(p) != PKIWS_OK) {
        fprintf(stderr, "policy: %s\n", pkiws_last_error_message());
        exit(1);
    }
    /* warm up: connection, TLS session, key pool */
    struct job warm = {p, threads, 1000000, calloc((size_t)threads, sizeof(double)), 0};
    run(&warm);
    free(warm.ms);
    if (pool) {
        struct timespec ts = {0, 300 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    double *all = calloc((size_t)n, sizeof *all);
    pthread_t *t = calloc((size_t)threads, sizeof *t);
    struct job *jobs = calloc((size_t)threads, sizeof *jobs);
    int per = n / threads;
    double t0 = now_ms();
    for (int i = 0; i < threads; i++) {
        jobs[i] = (struct job){p, per, i * per, all + i * per, 0};
        pthread_create(&t[i], NULL, run, &jobs[i]);
    }
    int failures = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        failures += jobs[i].failures;
    }
    double wall = now_ms() - t0;
    int total = per * threads;
    qsort(all, (size_t)total, sizeof *all, cmp);
    printf("%-34s n=%-4d threads=%d  median %7.2f ms  p90 %7.2f ms  max %7.2f ms  %6.1f/s%s\n",
           label, total, threads, all[total / 2], all[total * 9 / 10], all[total - 1],
           total / (wall / 1000.0), failures ? "  (FAILURES)" : "");
    free(all);
    free(t);
    free(jobs);
    pkiws_profile_free(p);
    pkiws_session_free(ses);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 100;
    int threads = argc > 2 ? atoi(argv[2]) : 4;
    if (n < threads)
        n = threads;
    sim s;
    const char *extra[] = {"-q", NULL};
    sim_start(&s, extra);
    printf("pkiws %s, issuance against pkiws-sim on loopback (libcurl, keep-alive)\n",
           pkiws_version_string());
    bench(&s, "EC P-256, sequential", PKIWS_KEY_EC_P256, 0, n, 1);
    bench(&s, "EC P-256, threads", PKIWS_KEY_EC_P256, 0, n, threads);
    bench(&s, "RSA-2048, sequential", PKIWS_KEY_RSA2048, 0, n / 4 ? n / 4 : 1, 1);
    bench(&s, "RSA-2048, sequential, key pool 8", PKIWS_KEY_RSA2048, 8, n / 4 ? n / 4 : 1, 1);
    bench(&s, "RSA-2048, threads", PKIWS_KEY_RSA2048, 0, n / 4 > threads ? n / 4 : threads,
          threads);
    sim_stop(&s);
    sim_cleanup(&s);
    return 0;
}
