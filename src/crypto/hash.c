/* SPDX-License-Identifier: MIT */
/* SHA-1 and SHA-256 of a byte string. */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

void pkiws__sha1(const uint8_t *p, size_t n, uint8_t out[20])
{
    /* Cannot fail for the built-in software implementation. */
    (void)mbedtls_sha1_ret(p, n, out);
}

void pkiws__sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
    (void)mbedtls_sha256_ret(p, n, out, 0);
}
