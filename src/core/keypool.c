/* SPDX-License-Identifier: MIT */
#include "pkiws_internal.h"

#include <pthread.h>

#include "core/keypool.h"

#define NTYPES 6 /* PKIWS_KEY_* are 1..5 */

struct pkiws__keypool {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t worker;
    int worker_started;
    int stop;
    size_t size;
    int wanted[NTYPES];
    pkiws__key **ready[NTYPES];
    size_t nready[NTYPES];
};

static void *refill(void *arg)
{
    pkiws__keypool *p = arg;
    pthread_mutex_lock(&p->lock);
    while (!p->stop) {
        int type = 0;
        for (int t = 1; t < NTYPES && !type; t++)
            if (p->wanted[t] && p->nready[t] < p->size)
                type = t;
        if (!type) {
            pthread_cond_wait(&p->wake, &p->lock);
            continue;
        }
        pthread_mutex_unlock(&p->lock);
        pkiws__key *k = NULL;
        int rc = pkiws__key_generate(type, &k);
        pthread_mutex_lock(&p->lock);
        if (rc) {
            p->wanted[type] = 0; /* do not spin on a failing type; takes re-enable it */
            continue;
        }
        if (p->stop || p->nready[type] >= p->size)
            pkiws__key_free(k);
        else
            p->ready[type][p->nready[type]++] = k;
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int pkiws__keypool_new(size_t size, pkiws__keypool **out)
{
    *out = NULL;
    if (size < 1 || size > 64)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "key pool size %zu is outside 1..64", size);
    pkiws__keypool *p = pkiws__calloc(1, sizeof *p);
    if (!p)
        return PKIWS_E_NOMEM;
    p->size = size;
    for (int t = 1; t < NTYPES; t++) {
        p->ready[t] = pkiws__calloc(size, sizeof *p->ready[t]);
        if (!p->ready[t]) {
            for (int u = 1; u < t; u++)
                pkiws__free(p->ready[u]);
            pkiws__free(p);
            return PKIWS_E_NOMEM;
        }
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
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
    pthread_mutex_unlock(&p->lock);
    if (p->worker_started)
        pthread_join(p->worker, NULL);
    for (int t = 1; t < NTYPES; t++) {
        for (size_t i = 0; i < p->nready[t]; i++)
            pkiws__key_free(p->ready[t][i]);
        pkiws__free(p->ready[t]);
    }
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    pkiws__free(p);
}

int pkiws__keypool_take(pkiws__keypool *p, int key_type, pkiws__key **out, int *from_pool)
{
    *out = NULL;
    if (from_pool)
        *from_pool = 0;
    if (key_type < 1 || key_type >= NTYPES)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "key type %d is not a PKIWS_KEY_* value", key_type);
    pthread_mutex_lock(&p->lock);
    p->wanted[key_type] = 1;
    if (!p->worker_started && !p->stop) {
        if (pthread_create(&p->worker, NULL, refill, p) == 0)
            p->worker_started = 1;
    }
    if (p->nready[key_type]) {
        *out = p->ready[key_type][--p->nready[key_type]];
        if (from_pool)
            *from_pool = 1;
    }
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    return *out ? PKIWS_OK : pkiws__key_generate(key_type, out);
}
