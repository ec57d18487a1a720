/* SPDX-License-Identifier: MIT */
/* The process-wide CTR_DRBG: seeded lazily once, reseeded when the process id changes (fork). */
#include "pkiws_internal.h"

#include <pthread.h>
#include <sys/types.h>
#include <unistd.h>

#include "crypto/crypto_int.h"

static pthread_once_t rng_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t rng_lock = PTHREAD_MUTEX_INITIALIZER;
static mbedtls_entropy_context rng_entropy;
static mbedtls_ctr_drbg_context rng_drbg;
static int rng_seeded; /* guarded by rng_lock */
static pid_t rng_pid;  /* guarded by rng_lock: the process the DRBG was (re)seeded in */

/* Hold the lock across fork() so that the child never inherits it (or the DRBG's own mutex,
 * which is only taken under it) in a locked state. */
static void rng_atfork_prepare(void)
{
    pthread_mutex_lock(&rng_lock);
}

static void rng_atfork_release(void)
{
    pthread_mutex_unlock(&rng_lock);
}

static void rng_init_once(void)
{
    mbedtls_entropy_init(&rng_entropy);
    mbedtls_ctr_drbg_init(&rng_drbg);
    pthread_atfork(rng_atfork_prepare, rng_atfork_release, rng_atfork_release);
}

/* Seed or reseed as needed; called with rng_lock held. Returns an mbedTLS code. */
static int rng_ready(void)
{
    pid_t pid = getpid();
    int ret = 0;
    if (!rng_seeded) {
        unsigned char pers[32] = "pkiws drbg ";
        memcpy(pers + 12, &pid, sizeof pid);
        ret =
            mbedtls_ctr_drbg_seed(&rng_drbg, mbedtls_entropy_func, &rng_entropy, pers, sizeof pers);
        if (ret == 0) {
            rng_seeded = 1;
            rng_pid = pid;
        }
    } else if (pid != rng_pid) {
        /* A forked child: never hand out the parent's stream again. */
        ret = mbedtls_ctr_drbg_reseed(&rng_drbg, (const unsigned char *)&pid, sizeof pid);
        if (ret == 0)
            rng_pid = pid;
    }
    return ret;
}

int pkiws__drbg_random(void *unused, unsigned char *out, size_t n)
{
    (void)unused;
    if (pthread_once(&rng_once, rng_init_once) != 0)
        return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
    pthread_mutex_lock(&rng_lock);
    int ret = rng_ready();
    while (ret == 0 && n > 0) {
        size_t chunk = n < MBEDTLS_CTR_DRBG_MAX_REQUEST ? n : MBEDTLS_CTR_DRBG_MAX_REQUEST;
        ret = mbedtls_ctr_drbg_random(&rng_drbg, out, chunk);
        out += chunk;
        n -= chunk;
    }
    pthread_mutex_unlock(&rng_lock);
    return ret;
}

int pkiws__random(uint8_t *out, size_t n)
{
    if (!out && n)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "random: NULL output buffer for %zu bytes", n);
    int ret = pkiws__drbg_random(NULL, out, n);
    if (ret != 0)
        return pkiws__mbed_fail(PKIWS_E_CRYPTO, ret, "random number generator (CTR_DRBG)");
    return PKIWS_OK;
}
