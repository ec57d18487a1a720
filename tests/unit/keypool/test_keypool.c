/* SPDX-License-Identifier: MIT */
/* Unit tests of src/core/keypool.c: keys generated ahead, taken by several threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <time.h>

#include "pkiws_internal.h"

#include "core/keypool.h"

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_keypool_refills_after_first_take(void **state)
{
    (void)state;
    pkiws__keypool *p = NULL;
    assert_int_equal(pkiws__keypool_new(0, &p), PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws__keypool_new(3, &p), PKIWS_OK);
    pkiws__key *k = NULL;
    int from_pool = -1;
    /* nothing asked for yet: generated on the spot, and EC P-256 becomes wanted */
    assert_int_equal(pkiws__keypool_take(p, PKIWS_KEY_EC_P256, &k, &from_pool), PKIWS_OK);
    assert_int_equal(from_pool, 0);
    assert_int_equal(pkiws__key_type(k), PKIWS_KEY_EC_P256);
    pkiws__key_free(k);
    int pooled = 0;
    for (int i = 0; i < 200 && !pooled; i++) {
        sleep_ms(5);
        assert_int_equal(pkiws__keypool_take(p, PKIWS_KEY_EC_P256, &k, &from_pool), PKIWS_OK);
        pooled = from_pool;
        assert_int_equal(pkiws__key_type(k), PKIWS_KEY_EC_P256);
        pkiws__key_free(k);
    }
    assert_true(pooled);
    assert_int_equal(pkiws__keypool_take(p, 99, &k, NULL), PKIWS_E_INVALID_ARG);
    pkiws__keypool_free(p);
    pkiws__keypool_free(NULL);
}

struct worker_arg {
    pkiws__keypool *p;
    int ok;
};

static void *taker(void *a)
{
    struct worker_arg *w = a;
    for (int i = 0; i < 10; i++) {
        pkiws__key *k = NULL;
        if (pkiws__keypool_take(w->p, i % 2 ? PKIWS_KEY_EC_P256 : PKIWS_KEY_EC_P384, &k, NULL) ==
                PKIWS_OK &&
            pkiws__key_type(k) == (i % 2 ? PKIWS_KEY_EC_P256 : PKIWS_KEY_EC_P384))
            w->ok++;
        pkiws__key_free(k);
    }
    return NULL;
}

static void test_keypool_threads_and_free_while_refilling(void **state)
{
    (void)state;
    pkiws__keypool *p = NULL;
    assert_int_equal(pkiws__keypool_new(4, &p), PKIWS_OK);
    pthread_t t[4];
    struct worker_arg w[4];
    for (int i = 0; i < 4; i++) {
        w[i].p = p;
        w[i].ok = 0;
        assert_int_equal(pthread_create(&t[i], NULL, taker, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].ok, 10);
    }
    /* RSA refills take long: freeing must stop the worker cleanly mid-way */
    pkiws__key *k = NULL;
    assert_int_equal(pkiws__keypool_take(p, PKIWS_KEY_RSA2048, &k, NULL), PKIWS_OK);
    pkiws__key_free(k);
    pkiws__keypool_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keypool_refills_after_first_take),
        cmocka_unit_test(test_keypool_threads_and_free_while_refilling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
