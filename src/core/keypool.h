/* SPDX-License-Identifier: MIT */
/*
 * Key generation ahead of need: a pool per key type, refilled by one background thread, so that
 * an issuance takes a ready key instead of waiting ~90 ms (RSA-2048, with a long tail) for one.
 * Off by default (size 0): a library starts no thread unless the host asks for it.
 */
#ifndef PKIWS_CORE_KEYPOOL_H
#define PKIWS_CORE_KEYPOOL_H

#include <stddef.h>

#include "crypto/crypto.h"

typedef struct pkiws__keypool pkiws__keypool;

/* size: keys kept ready per key type that has been asked for (1..64). */
int pkiws__keypool_new(size_t size, pkiws__keypool **out);
/* Stops and joins the worker, frees the keys (zeroised by their free). NULL is fine. */
void pkiws__keypool_free(pkiws__keypool *pool);
/* A fresh key of key_type (PKIWS_KEY_*): a pooled one when ready, else generated now. The first
 * take of a type enables refilling it. *from_pool tells which (may be NULL). Thread-safe. */
int pkiws__keypool_take(pkiws__keypool *pool, int key_type, pkiws__key **out, int *from_pool);

#endif
