/* SPDX-License-Identifier: MIT */
/*
 * Key generation ahead of need: a pool per key type, refilled by one background thread, so that
 * an issuance takes a ready key instead of waiting ~90 ms (RSA-2048, with a long tail) for one.
 * Off by default (size 0): a library starts no thread unless the host asks for it.
 *
 * Refilling runs below issuance: the thread runs at the lowest CPU priority (SCHED_IDLE on
 * Linux, else nice 19), starts only when a type falls to its low-water mark (half the size)
 * and then fills it up again one key at a time, re-checking between keys, and pauses while
 * issuances are taking keys (a take within the last PKIWS__KEYPOOL_QUIET_MS) unless the type
 * is empty. A pre-fill generates on the caller's thread (at its priority) until the pool is
 * full.
 */
#ifndef PKIWS_CORE_KEYPOOL_H
#define PKIWS_CORE_KEYPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

typedef struct pkiws__keypool pkiws__keypool;

#define PKIWS__KEYPOOL_MAX 256     /* largest size */
#define PKIWS__KEYPOOL_QUIET_MS 50 /* refilling waits this long after the last take */

/* size: keys kept ready per key type that has been asked for (1..PKIWS__KEYPOOL_MAX). */
int pkiws__keypool_new(size_t size, pkiws__keypool **out);
/* Stops and joins the worker, frees the keys (zeroised by their free). NULL is fine. */
void pkiws__keypool_free(pkiws__keypool *pool);
/* A fresh key of key_type (PKIWS_KEY_*): a pooled one when ready, else generated now. The first
 * take of a type enables refilling it. *from_pool tells which (may be NULL). Thread-safe. */
int pkiws__keypool_take(pkiws__keypool *pool, int key_type, pkiws__key **out, int *from_pool);
/* Fill the pool with keys of key_type (PKIWS_KEY_*) until it holds its size of them, generating
 * on the calling thread (the worker helps); blocks until then. Enables refilling the type and
 * records it as the pool's pre-fill type. Thread-safe. */
int pkiws__keypool_prefill(pkiws__keypool *pool, int key_type);
/* The key type of the last pre-fill (0: none). Thread-safe. */
int pkiws__keypool_prefill_type(pkiws__keypool *pool);
/* Keys of key_type ready now (for tests and statistics). Thread-safe. */
size_t pkiws__keypool_ready(pkiws__keypool *pool, int key_type);

/* The refill decision for one type, pure (unit-tested). */
enum { PKIWS__KEYPOOL_IDLE, PKIWS__KEYPOOL_PAUSE, PKIWS__KEYPOOL_MAKE };
/* The low-water mark of a pool of @p size: refilling starts when a type has this many or fewer
 * keys ready (size / 2; 0 for size 1, i.e. when empty). */
size_t pkiws__keypool_low_water(size_t size);
/* What the worker does for a type with @p nready keys ready (plus @p making being generated),
 * @p filling when it is between the low-water mark and full, the last take @p since_take_ms
 * ago: IDLE (nothing to do), PAUSE (issuances are taking keys: wait) or MAKE (one key). */
int pkiws__keypool_decide(size_t size, size_t nready, size_t making, int filling,
                          int64_t since_take_ms);

#endif
