/* SPDX-License-Identifier: MIT */
/* Unit tests of src/core/keypool.c: the refill decision, pre-fill, the low-water mark, keys
 * taken by several threads, and PKIWS_SESSION_OPT_KEY_POOL_PREFILL on a session. Nothing here
 * depends on how fast keys are made: waits are for a state, with a generous deadline (the
 * refilling thread runs at idle priority, so a loaded machine may starve it for a while). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <time.h>

#include "pkiws_internal.h"

#include "api/api_int.h"
#include "core/keypool.h"

#define DEADLINE_MS 120000

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Wait until the pool holds at least n keys of type; 0 when the deadline passed. */
static int wait_ready(pkiws__keypool *p, int type, size_t n)
{
    for (long waited = 0; waited < DEADLINE_MS; waited += 10) {
        if (pkiws__keypool_ready(p, type) >= n)
            return 1;
        sleep_ms(10);
    }
    return 0;
}

static void test_keypool_decide(void **state)
{
    (void)state;
    assert_int_equal(pkiws__keypool_low_water(1), 0);
    assert_int_equal(pkiws__keypool_low_water(8), 4);
    assert_int_equal(pkiws__keypool_low_water(9), 4);
    const int64_t quiet = PKIWS__KEYPOOL_QUIET_MS, long_ago = 100000;
    /* full, or full counting the keys being made: nothing to do */
    assert_int_equal(pkiws__keypool_decide(8, 8, 0, 1, long_ago), PKIWS__KEYPOOL_IDLE);
    assert_int_equal(pkiws__keypool_decide(8, 6, 2, 1, long_ago), PKIWS__KEYPOOL_IDLE);
    /* above the low-water mark: wait for it, unless already filling (hysteresis) */
    assert_int_equal(pkiws__keypool_decide(8, 5, 0, 0, long_ago), PKIWS__KEYPOOL_IDLE);
    assert_int_equal(pkiws__keypool_decide(8, 5, 0, 1, long_ago), PKIWS__KEYPOOL_MAKE);
    assert_int_equal(pkiws__keypool_decide(8, 4, 0, 0, long_ago), PKIWS__KEYPOOL_MAKE);
    assert_int_equal(pkiws__keypool_decide(1, 0, 0, 0, long_ago), PKIWS__KEYPOOL_MAKE);
    assert_int_equal(pkiws__keypool_decide(1, 0, 1, 0, long_ago), PKIWS__KEYPOOL_IDLE);
    /* issuances taking keys: pause while some are left, never when the pool is empty */
    assert_int_equal(pkiws__keypool_decide(8, 3, 0, 1, 0), PKIWS__KEYPOOL_PAUSE);
    assert_int_equal(pkiws__keypool_decide(8, 3, 0, 1, quiet - 1), PKIWS__KEYPOOL_PAUSE);
    assert_int_equal(pkiws__keypool_decide(8, 3, 0, 1, quiet), PKIWS__KEYPOOL_MAKE);
    assert_int_equal(pkiws__keypool_decide(8, 0, 0, 1, 0), PKIWS__KEYPOOL_MAKE);
    assert_int_equal(pkiws__keypool_decide(8, 0, 1, 1, 0), PKIWS__KEYPOOL_MAKE);
}

static void test_keypool_refills_after_first_take(void **state)
{
    (void)state;
    pkiws__keypool *p = NULL;
    assert_int_equal(pkiws__keypool_new(0, &p), PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws__keypool_new(PKIWS__KEYPOOL_MAX + 1, &p), PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws__keypool_new(3, &p), PKIWS_OK);
    pkiws__key *k = NULL;
    int from_pool = -1;
    /* nothing asked for yet: generated on the spot, and EC P-256 becomes wanted */
    assert_int_equal(pkiws__keypool_take(p, PKIWS_KEY_EC_P256, &k, &from_pool), PKIWS_OK);
    assert_int_equal(from_pool, 0);
    assert_int_equal(pkiws__key_type(k), PKIWS_KEY_EC_P256);
    pkiws__key_free(k);
    /* empty is below the low-water mark: refilled to the full size */
    assert_true(wait_ready(p, PKIWS_KEY_EC_P256, 3));
    assert_int_equal(pkiws__keypool_take(p, PKIWS_KEY_EC_P256, &k, &from_pool), PKIWS_OK);
    assert_int_equal(from_pool, 1);
    assert_int_equal(pkiws__key_type(k), PKIWS_KEY_EC_P256);
    pkiws__key_free(k);
    assert_int_equal(pkiws__keypool_ready(p, PKIWS_KEY_EC_P384), 0);
    assert_int_equal(pkiws__keypool_take(p, 99, &k, NULL), PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws__keypool_ready(p, 99), 0);
    pkiws__keypool_free(p);
    pkiws__keypool_free(NULL);
}

static void test_keypool_prefill_and_low_water(void **state)
{
    (void)state;
    pkiws__keypool *p = NULL;
    assert_int_equal(pkiws__keypool_new(6, &p), PKIWS_OK);
    assert_int_equal(pkiws__keypool_prefill_type(p), 0);
    assert_int_equal(pkiws__keypool_prefill(p, 0), PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws__keypool_prefill(p, 6), PKIWS_E_INVALID_ARG);
    /* blocks until the pool is full: no waiting for the background thread */
    assert_int_equal(pkiws__keypool_prefill(p, PKIWS_KEY_EC_P256), PKIWS_OK);
    assert_int_equal(pkiws__keypool_ready(p, PKIWS_KEY_EC_P256), 6);
    assert_int_equal(pkiws__keypool_prefill_type(p), PKIWS_KEY_EC_P256);
    /* full already: returns at once */
    assert_int_equal(pkiws__keypool_prefill(p, PKIWS_KEY_EC_P256), PKIWS_OK);
    assert_int_equal(pkiws__keypool_ready(p, PKIWS_KEY_EC_P256), 6);
    /* above the low-water mark (3): taken keys are not replaced, however long one waits */
    for (int i = 0; i < 2; i++) {
        pkiws__key *k = NULL;
        int from_pool = 0;
        assert_int_equal(pkiws__keypool_take(p, PKIWS_KEY_EC_P256, &k, &from_pool), PKIWS_OK);
        assert_int_equal(from_pool, 1);
        pkiws__key_free(k);
    }
    sleep_ms(3 * PKIWS__KEYPOOL_QUIET_MS);
    assert_int_equal(pkiws__keypool_ready(p, PKIWS_KEY_EC_P256), 4);
    /* at the mark: refilled, up to the full size again */
    pkiws__key *k = NULL;
    assert_int_equal(pkiws__keypool_take(p, PKIWS_KEY_EC_P256, &k, NULL), PKIWS_OK);
    pkiws__key_free(k);
    assert_true(wait_ready(p, PKIWS_KEY_EC_P256, 6));
    /* a second type, filled on its own */
    assert_int_equal(pkiws__keypool_prefill(p, PKIWS_KEY_EC_P384), PKIWS_OK);
    assert_int_equal(pkiws__keypool_ready(p, PKIWS_KEY_EC_P384), 6);
    assert_int_equal(pkiws__keypool_prefill_type(p), PKIWS_KEY_EC_P384);
    assert_int_equal(pkiws__keypool_take(p, PKIWS_KEY_EC_P384, &k, NULL), PKIWS_OK);
    assert_int_equal(pkiws__key_type(k), PKIWS_KEY_EC_P384);
    pkiws__key_free(k);
    pkiws__keypool_free(p);
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

static void *prefiller(void *a)
{
    struct worker_arg *w = a;
    if (pkiws__keypool_prefill(w->p, PKIWS_KEY_EC_P256) == PKIWS_OK)
        w->ok++;
    return NULL;
}

static void test_keypool_threads_and_free_while_refilling(void **state)
{
    (void)state;
    pkiws__keypool *p = NULL;
    assert_int_equal(pkiws__keypool_new(4, &p), PKIWS_OK);
    pthread_t t[6];
    struct worker_arg w[6];
    for (int i = 0; i < 6; i++) {
        w[i].p = p;
        w[i].ok = 0;
        assert_int_equal(pthread_create(&t[i], NULL, i < 4 ? taker : prefiller, &w[i]), 0);
    }
    for (int i = 0; i < 6; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].ok, i < 4 ? 10 : 1);
    }
    /* RSA refills take long: freeing must stop the worker cleanly mid-way */
    pkiws__key *k = NULL;
    assert_int_equal(pkiws__keypool_take(p, PKIWS_KEY_RSA2048, &k, NULL), PKIWS_OK);
    pkiws__key_free(k);
    pkiws__keypool_free(p);
}

static pkiws__keypool *session_pool(pkiws_session *s)
{
    return s->set.keypool ? s->set.keypool->obj : NULL;
}

static void test_session_prefill_option(void **state)
{
    (void)state;
    pkiws_session *s = NULL;
    int64_t v = -1;
    assert_int_equal(pkiws_session_new(&s), PKIWS_OK);
    assert_int_equal(pkiws_session_get_int(s, PKIWS_SESSION_OPT_KEY_POOL_PREFILL, &v), PKIWS_OK);
    assert_int_equal(v, 0);
    /* no pool to fill */
    assert_int_equal(
        pkiws_session_set_int(s, PKIWS_SESSION_OPT_KEY_POOL_PREFILL, PKIWS_KEY_EC_P256),
        PKIWS_E_STATE);
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_KEY_POOL_PREFILL, 0), PKIWS_OK);
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_KEY_POOL_SIZE, 3), PKIWS_OK);
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_KEY_POOL_PREFILL, 9),
                     PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_KEY_POOL_SIZE, 257),
                     PKIWS_E_INVALID_ARG);
    assert_int_equal(
        pkiws_session_set_int(s, PKIWS_SESSION_OPT_KEY_POOL_PREFILL, PKIWS_KEY_EC_P256), PKIWS_OK);
    assert_int_equal(pkiws__keypool_ready(session_pool(s), PKIWS_KEY_EC_P256), 3);
    assert_int_equal(pkiws_session_get_int(s, PKIWS_SESSION_OPT_KEY_POOL_PREFILL, &v), PKIWS_OK);
    assert_int_equal(v, PKIWS_KEY_EC_P256);
    /* a new size: a new pool, filled with the same type before it is used */
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_KEY_POOL_SIZE, 5), PKIWS_OK);
    assert_int_equal(pkiws__keypool_ready(session_pool(s), PKIWS_KEY_EC_P256), 5);
    assert_int_equal(pkiws_session_get_int(s, PKIWS_SESSION_OPT_KEY_POOL_SIZE, &v), PKIWS_OK);
    assert_int_equal(v, 5);
    /* no pool: nothing to read back */
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_KEY_POOL_SIZE, 0), PKIWS_OK);
    assert_null(session_pool(s));
    assert_int_equal(pkiws_session_get_int(s, PKIWS_SESSION_OPT_KEY_POOL_PREFILL, &v), PKIWS_OK);
    assert_int_equal(v, 0);
    pkiws_session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keypool_decide),
        cmocka_unit_test(test_keypool_refills_after_first_take),
        cmocka_unit_test(test_keypool_prefill_and_low_water),
        cmocka_unit_test(test_keypool_threads_and_free_while_refilling),
        cmocka_unit_test(test_session_prefill_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
