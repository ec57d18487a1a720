/* SPDX-License-Identifier: MIT */
/*
 * The client side of scripts/bench: issuance against a pkiws-sim that the script started on
 * loopback (STATE: its --state-dir, with trust.pem, ra.p12 and ra.p12.password). One mode per
 * run, so that the script can run the CPU modes under callgrind (--toggle-collect=pkiws_issue)
 * and the others natively. Prints "key value" lines; asserts nothing about time or memory.
 *
 *   bench_client URL STATE warm  p256|rsa N    key pool of N (full), reused connection: the
 *                                              issuing thread's CPU per issuance
 *   bench_client URL STATE warmkg p256|rsa N   the same without a key pool: the key is made in
 *                                              the call, so its CPU is counted too
 *   bench_client URL STATE cold  p256|rsa N    a new session (connection, TLS handshake,
 *                                              policy) per issuance: CPU per issuance
 *   bench_client URL STATE burst p256|rsa N T  N issuances over T threads at once: p50, p99
 *   bench_client URL STATE mem   p256|rsa N T  heap per in-flight issuance (peak live heap
 *                                              above the idle session: one at a time, and T
 *                                              at once), live heap and RSS drift over N
 *                                              issuances on T threads
 *
 * Heap is counted by this program's own malloc family (it interposes the process's, libcurl's
 * and OpenSSL's included, and forwards to glibc's __libc_* functions): no LD_PRELOAD, no tool.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pkiws/pkiws.h>

/* ---- counting allocator ------------------------------------------------------------------ */

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t c, size_t n);
void *__libc_realloc(void *p, size_t n);
void *__libc_memalign(size_t align, size_t n);
void __libc_free(void *p);
void *memalign(size_t align, size_t n);

static long long live_bytes, peak_bytes;

static void count(long long delta)
{
    long long now = __atomic_add_fetch(&live_bytes, delta, __ATOMIC_RELAXED);
    long long peak = __atomic_load_n(&peak_bytes, __ATOMIC_RELAXED);
    while (now > peak && !__atomic_compare_exchange_n(&peak_bytes, &peak, now, 1, __ATOMIC_RELAXED,
                                                      __ATOMIC_RELAXED))
        ;
}

static void *counted(void *p)
{
    if (p)
        count((long long)malloc_usable_size(p));
    return p;
}

void *malloc(size_t n)
{
    return counted(__libc_malloc(n));
}

void *calloc(size_t c, size_t n)
{
    return counted(__libc_calloc(c, n));
}

void *realloc(void *p, size_t n)
{
    long long old = p ? (long long)malloc_usable_size(p) : 0;
    void *q = __libc_realloc(p, n);
    if (q || !n) {
        count(-old);
        counted(q);
    }
    return q;
}

void free(void *p)
{
    if (p)
        count(-(long long)malloc_usable_size(p));
    __libc_free(p);
}

void *memalign(size_t align, size_t n)
{
    return counted(__libc_memalign(align, n));
}

void *aligned_alloc(size_t align, size_t n)
{
    return counted(__libc_memalign(align, n));
}

int posix_memalign(void **out, size_t align, size_t n)
{
    void *p = counted(__libc_memalign(align, n));
    if (!p)
        return 12; /* ENOMEM */
    *out = p;
    return 0;
}

static long long heap_live(void)
{
    return __atomic_load_n(&live_bytes, __ATOMIC_RELAXED);
}

static long long heap_peak_reset(void)
{
    long long now = heap_live();
    __atomic_store_n(&peak_bytes, now, __ATOMIC_RELAXED);
    return now;
}

/* ---- helpers ------------------------------------------------------------------------------ */

static const char *g_url, *g_state;
static int g_key;

static void die(const char *what)
{
    fprintf(stderr, "bench_client: %s: %s\n", what, pkiws_last_error_message());
    exit(1);
}

static double now_ms(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long rss_kib(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = -1;
    fclose(f);
    return resident * 4;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static pkiws_session *session(int pool)
{
    pkiws_session *s = NULL;
    char path[600], pw[256] = "";
    if (pkiws_session_new(&s) != PKIWS_OK)
        die("session");
    if (pkiws_session_set_str(s, PKIWS_SESSION_OPT_BASE_URL, g_url) != PKIWS_OK)
        die("base URL");
    snprintf(path, sizeof path, "%s/trust.pem", g_state);
    if (pkiws_session_set_str(s, PKIWS_SESSION_OPT_TRUST_FILE, path) != PKIWS_OK)
        die("trust");
    snprintf(path, sizeof path, "%s/ra.p12.password", g_state);
    FILE *f = fopen(path, "r");
    if (!f || !fgets(pw, sizeof pw, f))
        die("ra.p12.password");
    fclose(f);
    pw[strcspn(pw, "\r\n")] = '\0';
    snprintf(path, sizeof path, "%s/ra.p12", g_state);
    if (pkiws_session_set_ra_pkcs12_file(s, path, pw) != PKIWS_OK)
        die("RA credential");
    if (pool && pkiws_session_set_int(s, PKIWS_SESSION_OPT_KEY_POOL_SIZE, pool) != PKIWS_OK)
        die("key pool");
    return s;
}

static pkiws_profile *profile(pkiws_session *s)
{
    pkiws_profile *p = NULL;
    int ec = g_key == PKIWS_KEY_EC_P256;
    if (pkiws_profile_new(&p, s,
                          ec ? "2.16.840.1.113733.1.16.1.2.3.1.1.12"
                             : "2.16.840.1.113733.1.16.1.2.3.1.1.2") != PKIWS_OK)
        die("profile");
    pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_KEY_TYPE, g_key);
    pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, ec ? PKIWS_SAN_EMAIL : PKIWS_SAN_UPN);
    return p;
}

static int issue(pkiws_profile *p, int i)
{
    pkiws_request *r = NULL;
    pkiws_result *res = NULL;
    char upn[64];
    snprintf(upn, sizeof upn, "user%d@contoso.com", i);
    if (pkiws_request_new(&r, p) != PKIWS_OK)
        die("request");
    pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, upn);
    pkiws_request_set_str(r, PKIWS_REQUEST_OPT_UPN, upn);
    pkiws_request_set_str(r, PKIWS_REQUEST_OPT_EMAIL, upn);
    pkiws_request_set_str(r, PKIWS_REQUEST_OPT_PFX_PASSWORD, "bench");
    int rc = pkiws_issue(r, &res);
    if (rc != PKIWS_OK)
        fprintf(stderr, "bench_client: issue failed: %s\n",
                res ? pkiws_result_message(res) : pkiws_last_error_message());
    pkiws_result_free(res);
    pkiws_request_free(r);
    return rc != PKIWS_OK;
}

/* ---- modes -------------------------------------------------------------------------------- */

/* A timed warm issuance; scripts/bench counts its instructions with callgrind
 * --toggle-collect (not the warm-up's). */
int bench_warm_issue(pkiws_profile *p, int i) __attribute__((noinline));
int bench_warm_issue(pkiws_profile *p, int i)
{
    return issue(p, i);
}

/* Wait until the process has been idle for 300 ms (the key pool is full). */
static void settle(void)
{
    struct timespec pause = {0, 300 * 1000 * 1000};
    for (int i = 0; i < 600; i++) {
        double c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
        nanosleep(&pause, NULL);
        if (now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0 < 5)
            return;
    }
}

/* The issuing thread's CPU: the key pool's refills run on a thread of their own (pool 0:
 * no pool, the key is made in the call and counted). */
static int warm(int n, int pool)
{
    pkiws_session *s = session(pool);
    pkiws_profile *p = profile(s);
    int fails = 0;
    for (int i = 0; i < 2; i++) /* connection, TLS session, policy */
        fails += issue(p, i);
    /* a full pool: PKIWS_SESSION_OPT_KEY_POOL_PREFILL (12) where the library has it (it fills
     * on this thread, which matters under valgrind, where the idle-priority refills starve),
     * else waiting for the refills to finish */
    if (pool && pkiws_session_set_int(s, 12, g_key) != PKIWS_OK)
        settle();
    double c0 = now_ms(CLOCK_THREAD_CPUTIME_ID), w0 = now_ms(CLOCK_MONOTONIC);
    for (int i = 0; i < n; i++)
        fails += bench_warm_issue(p, 100 + i);
    double cpu = now_ms(CLOCK_THREAD_CPUTIME_ID) - c0, wall = now_ms(CLOCK_MONOTONIC) - w0;
    printf("cpu_ms %.3f\nwall_ms %.3f\nfailures %d\n", cpu / n, wall / n, fails);
    pkiws_profile_free(p);
    pkiws_session_free(s);
    return fails != 0;
}

/* One cold issuance: session, RA credential, connection, policy, issue. Not static, and not
 * inlined: scripts/bench counts its instructions with callgrind --toggle-collect. */
int bench_cold_issue(int i) __attribute__((noinline));
int bench_cold_issue(int i)
{
    pkiws_session *s = session(0);
    pkiws_profile *p = profile(s);
    int fails = issue(p, i);
    pkiws_profile_free(p);
    pkiws_session_free(s);
    return fails;
}

static int cold(int n)
{
    int fails = 0;
    double c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID), w0 = now_ms(CLOCK_MONOTONIC);
    for (int i = 0; i < n; i++)
        fails += bench_cold_issue(i);
    double cpu = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0, wall = now_ms(CLOCK_MONOTONIC) - w0;
    printf("cpu_ms %.3f\nwall_ms %.3f\nfailures %d\n", cpu / n, wall / n, fails);
    return fails != 0;
}

struct job {
    pkiws_profile *p;
    int n, first, fails;
    double *ms;
};

static void *run(void *arg)
{
    struct job *j = arg;
    for (int i = 0; i < j->n; i++) {
        double t0 = now_ms(CLOCK_MONOTONIC);
        j->fails += issue(j->p, j->first + i);
        if (j->ms)
            j->ms[i] = now_ms(CLOCK_MONOTONIC) - t0;
    }
    return NULL;
}

static int threaded(pkiws_profile *p, int n, int threads, double *ms)
{
    pthread_t t[64];
    struct job jobs[64];
    int fails = 0, per = n / threads;
    for (int i = 0; i < threads; i++) {
        jobs[i] = (struct job){p, per, 1000 + i * per, 0, ms ? ms + i * per : NULL};
        pthread_create(&t[i], NULL, run, &jobs[i]);
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        fails += jobs[i].fails;
    }
    return fails;
}

static int burst(int n, int threads)
{
    pkiws_session *s = session(0);
    pkiws_profile *p = profile(s);
    n -= n % threads;
    int fails = threaded(p, threads, threads, NULL); /* one connection per thread */
    double *ms = calloc((size_t)n, sizeof *ms);
    double w0 = now_ms(CLOCK_MONOTONIC);
    fails += threaded(p, n, threads, ms);
    double wall = now_ms(CLOCK_MONOTONIC) - w0;
    qsort(ms, (size_t)n, sizeof *ms, cmp);
    printf("p50_ms %.2f\np99_ms %.2f\nmax_ms %.2f\nper_s %.1f\nfailures %d\n", ms[n / 2],
           ms[(n * 99 + 99) / 100 - 1], ms[n - 1], n / (wall / 1000.0), fails);
    free(ms);
    pkiws_profile_free(p);
    pkiws_session_free(s);
    return fails != 0;
}

static int mem(int n, int threads)
{
    pkiws_session *s = session(0);
    pkiws_profile *p = profile(s);
    int fails = 0;
    for (int i = 0; i < 8; i++)
        fails += issue(p, i);
    /* one issuance in flight: the highest peak of 20 above the idle (warm) session */
    long long worst = 0;
    for (int i = 0; i < 20; i++) {
        long long base = heap_peak_reset();
        fails += issue(p, 10 + i);
        long long d = __atomic_load_n(&peak_bytes, __ATOMIC_RELAXED) - base;
        worst = d > worst ? d : worst;
    }
    /* threads at once (after each thread's connection is up) */
    fails += threaded(p, threads, threads, NULL);
    long long base = heap_peak_reset();
    fails += threaded(p, threads * 4, threads, NULL);
    long long par = (__atomic_load_n(&peak_bytes, __ATOMIC_RELAXED) - base) / threads;
    printf("heap_one_kib %.1f\nheap_per_thread_kib %.1f\n", worst / 1024.0, par / 1024.0);
    /* drift: live heap and RSS after a tenth of the run and at its end */
    int first = n / 10 > threads ? n / 10 : threads;
    fails += threaded(p, first, threads, NULL);
    long long h0 = heap_live();
    long r0 = rss_kib();
    fails += threaded(p, n - first, threads, NULL);
    long long h1 = heap_live();
    long r1 = rss_kib();
    printf("drift_issuances %d\nheap_live_kib %.1f %.1f\nrss_kib %ld %ld\nfailures %d\n", n - first,
           h0 / 1024.0, h1 / 1024.0, r0, r1, fails);
    pkiws_profile_free(p);
    pkiws_session_free(s);
    return fails != 0;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr,
                "usage: bench_client URL STATE warm|warmkg|cold|burst|mem p256|rsa N [THREADS]\n");
        return 2;
    }
    g_url = argv[1];
    g_state = argv[2];
    g_key = !strcmp(argv[4], "rsa") ? PKIWS_KEY_RSA2048 : PKIWS_KEY_EC_P256;
    int n = atoi(argv[5]), threads = argc > 6 ? atoi(argv[6]) : 4;
    if (n < 1)
        n = 1;
    if (threads < 1 || threads > 64)
        threads = 4;
    if (!strcmp(argv[3], "warm"))
        return warm(n, n < 64 ? n : 64);
    if (!strcmp(argv[3], "warmkg"))
        return warm(n, 0);
    if (!strcmp(argv[3], "cold"))
        return cold(n);
    if (!strcmp(argv[3], "burst"))
        return burst(n < threads ? threads : n, threads);
    if (!strcmp(argv[3], "mem"))
        return mem(n, threads);
    fprintf(stderr, "bench_client: unknown mode %s\n", argv[3]);
    return 2;
}
