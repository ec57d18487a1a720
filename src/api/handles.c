/* SPDX-License-Identifier: MIT */
/*
 * The registry of live public handles. A handle is checked here before its memory is read, so
 * a freed handle (even one whose memory is gone) is told apart without a use-after-free, and a
 * second free is a no-op. Open addressing over the handle's address, one lock; the table is
 * released when the last handle goes, so a process that frees everything holds nothing.
 */
#include "pkiws_internal.h"

#include <pthread.h>
#include <stdint.h>

#include "api/api_int.h"

#define EMPTY ((uintptr_t)0)
#define TOMB ((uintptr_t)1)

struct slot {
    uintptr_t key;
    unsigned kind;
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot *reg_v;
static size_t reg_cap, reg_live, reg_used; /* used = live + tombstones */

static size_t hash_of(uintptr_t k, size_t cap)
{
    uint64_t h = (uint64_t)k;
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    return (size_t)h & (cap - 1);
}

static struct slot *find(uintptr_t k)
{
    if (!reg_cap)
        return NULL;
    for (size_t i = hash_of(k, reg_cap), n = 0; n < reg_cap; i = (i + 1) & (reg_cap - 1), n++) {
        if (reg_v[i].key == EMPTY)
            return NULL;
        if (reg_v[i].key == k)
            return &reg_v[i];
    }
    return NULL;
}

static int grow(void)
{
    size_t cap = reg_cap ? reg_cap : 64;
    while ((reg_live + 1) * 2 > cap)
        cap *= 2;
    struct slot *v = pkiws__calloc(cap, sizeof *v);
    if (!v)
        return PKIWS_E_NOMEM;
    for (size_t i = 0; i < reg_cap; i++) {
        if (reg_v[i].key <= TOMB)
            continue;
        size_t j = hash_of(reg_v[i].key, cap);
        while (v[j].key != EMPTY)
            j = (j + 1) & (cap - 1);
        v[j] = reg_v[i];
    }
    pkiws__free(reg_v);
    reg_v = v;
    reg_cap = cap;
    reg_used = reg_live;
    return PKIWS_OK;
}

int pkiws__handle_add(const void *h, unsigned kind)
{
    uintptr_t k = (uintptr_t)h;
    int rc = PKIWS_OK;
    pthread_mutex_lock(&reg_lock);
    if ((reg_used + 1) * 4 > reg_cap * 3 || (reg_live + 1) * 2 > reg_cap)
        rc = grow();
    struct slot *s = rc ? NULL : find(k);
    if (!rc && !s) { /* (a live address cannot be allocated again: s is normally NULL) */
        size_t i = hash_of(k, reg_cap);
        while (reg_v[i].key > TOMB)
            i = (i + 1) & (reg_cap - 1);
        if (reg_v[i].key == EMPTY)
            reg_used++;
        reg_live++;
        s = &reg_v[i];
    }
    if (s) {
        s->key = k;
        s->kind = kind;
    }
    pthread_mutex_unlock(&reg_lock);
    return rc ? pkiws__fail(rc, "out of memory registering a handle") : PKIWS_OK;
}

int pkiws__handle_remove(const void *h, unsigned kind)
{
    int was_live = 0;
    pthread_mutex_lock(&reg_lock);
    struct slot *s = find((uintptr_t)h);
    if (s && s->kind == kind) {
        s->key = TOMB;
        s->kind = 0;
        was_live = 1;
        if (--reg_live == 0) {
            pkiws__free(reg_v);
            reg_v = NULL;
            reg_cap = reg_used = 0;
        }
    }
    pthread_mutex_unlock(&reg_lock);
    return was_live;
}

int pkiws__handle_live(const void *h, unsigned kind)
{
    if (!h)
        return 0;
    pthread_mutex_lock(&reg_lock);
    struct slot *s = find((uintptr_t)h);
    int live = s && s->kind == kind;
    pthread_mutex_unlock(&reg_lock);
    return live;
}
