/* SPDX-License-Identifier: MIT */
#include "pkiws_internal.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "core/keypool.h"

#define NTYPES 6 /* PKIWS_KEY_* are 1..5 */

struct pkiws__keypool {
    pthread_mutex_t lock;
    pthread_cond_t wake;  /* the worker: a take, a pre-fill or stop */
    pthread_cond_t added; /* pre-fills: a key was added or a generation ended */
    pthread_t worker;
    int worker_started;
    int stop;
    size_t size;
    int prefill_type;
    int64_t last_take_ms; /* monotonic; INT64_MIN / 2 before the first take */
    int wanted[NTYPES];
    int filling[NTYPES]; /* between the low-water mark and full */
    size_t making[NTYPES];
    pkiws__key **ready[NTYPES];
    size_t nready[NTYPES];
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

size_t pkiws__keypool_low_water(size_t size)
{
    return size / 2;
}

int pkiws__keypool_decide(size_t size, size_t nready, size_t making, int filling,
                          int64_t since_take_ms)
{
    if (nready + making >= size)
        return PKIWS__KEYPOOL_IDLE;
    if (!filling && nready > pkiws__keypool_low_water(size))
        return PKIWS__KEYPOOL_IDLE;
    /* issuances are taking keys and some are left: do not compete with them for the CPU */
    if (nready > 0 && since_take_ms >= 0 && since_take_ms < PKIWS__KEYPOOL_QUIET_MS)
        return PKIWS__KEYPOOL_PAUSE;
    return PKIWS__KEYPOOL_MAKE;
}

/* The worker runs below the threads that issue: SCHED_IDLE, else nice 19 for this thread. */
static void lower_priority(void)
{
#ifdef __linux__
    struct sched_param sp;
    memset(&sp, 0, sizeof sp);
    if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp) != 0)
        (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
#endif
}

/* A generated key into the pool, or freed when it is full or stopping. Under the lock. */
static void put_key(pkiws__keypool *p, int type, pkiws__key *k)
{
    if (p->stop || p->nready[type] >= p->size)
        pkiws__key_free(k);
    else
        p->ready[type][p->nready[type]++] = k;
}

/* One key of type, generated without the lock; under the lock again on return. */
static int make_one(pkiws__keypool *p, int type)
{
    p->making[type]++;
    pthread_mutex_unlock(&p->lock);
    pkiws__key *k = NULL;
    int rc = pkiws__key_generate(type, &k);
    pthread_mutex_lock(&p->lock);
    p->making[type]--;
    if (rc == PKIWS_OK)
        put_key(p, type, k);
    pthread_cond_broadcast(&p->added);
    return rc;
}

static void wait_until(pkiws__keypool *p, int64_t at_ms)
{
    struct timespec ts = {(time_t)(at_ms / 1000), (long)(at_ms % 1000) * 1000000L};
    pthread_cond_timedwait(&p->wake, &p->lock, &ts);
}

static void *refill(void *arg)
{
    pkiws__keypool *p = arg;
    lower_priority();
    pthread_mutex_lock(&p->lock);
    while (!p->stop) {
        int type = 0, pause = 0;
        int64_t now = mono_ms();
        for (int t = 1; t < NTYPES && !type; t++) {
            if (!p->wanted[t])
                continue;
            int d = pkiws__keypool_decide(p->size, p->nready[t], p->making[t], p->filling[t],
                                          now - p->last_take_ms);
            if (d == PKIWS__KEYPOOL_IDLE) {
                if (p->nready[t] + p->making[t] >= p->size)
                    p->filling[t] = 0;
                continue;
            }
            p->filling[t] = 1;
            if (d == PKIWS__KEYPOOL_PAUSE)
                pause = 1;
            else
                type = t;
        }
        if (!type) {
            if (pause)
                wait_until(p, p->last_take_ms + PKIWS__KEYPOOL_QUIET_MS);
            else
                pthread_cond_wait(&p->wake, &p->lock);
            continue;
        }
        if (make_one(p, type) != PKIWS_OK) {
            p->wanted[type] = 0; /* do not spin on a failing type; takes re-enable it */
            p->filling[type] = 0;
        }
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int pkiws__keypool_new(size_t size, pkiws__keypool **out)
{
    *out = NULL;
    if (size < 1 || size > PKIWS__KEYPOOL_MAX)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "key pool size %zu is outside 1..%d", size,
                           PKIWS__KEYPOOL_MAX);
    pkiws__keypool *p = pkiws__calloc(1, sizeof *p);
    if (!p)
        return PKIWS_E_NOMEM;
    p->size = size;
    p->last_take_ms = INT64_MIN / 2;
    for (int t = 1; t < NTYPES; t++) {
        p->ready[t] = pkiws__calloc(size, sizeof *p->ready[t]);
        if (!p->ready[t]) {
            for (int u = 1; u < t; u++)
                pkiws__free(p->ready[u]);
            pkiws__free(p);
            return PKIWS_E_NOMEM;
        }
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, &ca);
    pthread_cond_init(&p->added, NULL);
    pthread_condattr_destroy(&ca);
    *out = p;
    return PKIWS_OK;
}

void pkiws__keypool_free(pkiws__keypool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_broadcast(&p->wake);
    pthread_cond_broadcast(&p->added);
    pthread_mutex_unlock(&p->lock);
    if (p->worker_started)
        pthread_join(p->worker, NULL);
    for (int t = 1; t < NTYPES; t++) {
        for (size_t i = 0; i < p->nready[t]; i++)
            pkiws__key_free(p->ready[t][i]);
        pkiws__free(p->ready[t]);
    }
    pthread_cond_destroy(&p->added);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    pkiws__free(p);
}

static int check_type(int key_type)
{
    if (key_type < 1 || key_type >= NTYPES)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "key type %d is not a PKIWS_KEY_* value", key_type);
    return PKIWS_OK;
}

/* Under the lock: the type is wanted and the worker runs. */
static void want(pkiws__keypool *p, int key_type)
{
    p->wanted[key_type] = 1;
    if (!p->worker_started && !p->stop) {
        if (pthread_create(&p->worker, NULL, refill, p) == 0)
            p->worker_started = 1;
    }
    pthread_cond_signal(&p->wake);
}

int pkiws__keypool_take(pkiws__keypool *p, int key_type, pkiws__key **out, int *from_pool)
{
    *out = NULL;
    if (from_pool)
        *from_pool = 0;
    int rc = check_type(key_type);
    if (rc)
        return rc;
    pthread_mutex_lock(&p->lock);
    p->last_take_ms = mono_ms();
    if (p->nready[key_type]) {
        *out = p->ready[key_type][--p->nready[key_type]];
        if (from_pool)
            *from_pool = 1;
    }
    want(p, key_type);
    pthread_mutex_unlock(&p->lock);
    return *out ? PKIWS_OK : pkiws__key_generate(key_type, out);
}

int pkiws__keypool_prefill(pkiws__keypool *p, int key_type)
{
    int rc = check_type(key_type);
    if (rc)
        return rc;
    pthread_mutex_lock(&p->lock);
    p->prefill_type = key_type;
    want(p, key_type);
    while (!p->stop && p->nready[key_type] < p->size) {
        if (p->nready[key_type] + p->making[key_type] < p->size) {
            if ((rc = make_one(p, key_type)) != PKIWS_OK)
                break;
        } else {
            pthread_cond_wait(&p->added, &p->lock); /* the worker makes the last ones */
        }
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

int pkiws__keypool_prefill_type(pkiws__keypool *p)
{
    pthread_mutex_lock(&p->lock);
    int t = p->prefill_type;
    pthread_mutex_unlock(&p->lock);
    return t;
}

size_t pkiws__keypool_ready(pkiws__keypool *p, int key_type)
{
    if (key_type < 1 || key_type >= NTYPES)
        return 0;
    pthread_mutex_lock(&p->lock);
    size_t n = p->nready[key_type];
    pthread_mutex_unlock(&p->lock);
    return n;
}
