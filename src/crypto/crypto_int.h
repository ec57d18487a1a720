/* SPDX-License-Identifier: MIT */
/*
 * The mbedTLS adapter's private header: the ONLY file in the tree that includes <mbedtls/...>.
 * Included by src/crypto/*.c, the mbedTLS TLS backend and the simulator (tests/sim), never by
 * other layers. Builds against mbedTLS 2.28 (Debian 12); 3.x differences are confined here.
 */
#ifndef PKIWS_CRYPTO_INT_H
#define PKIWS_CRYPTO_INT_H

#include <mbedtls/version.h>

#include <mbedtls/asn1.h>
#include <mbedtls/asn1write.h>
#include <mbedtls/base64.h>
#include <mbedtls/bignum.h>
#include <mbedtls/cipher.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/des.h>
#include <mbedtls/aes.h>
#include <mbedtls/ecp.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/md.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/pkcs12.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/x509.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "crypto/crypto.h"

struct pkiws__key {
    mbedtls_pk_context pk;
};

struct pkiws__cert {
    mbedtls_x509_crt crt; /* exactly one certificate */
    pkiws__cert_info info;
    char *subject, *issuer, *serial, *thumbprint; /* storage behind info */
};

/* The process-wide DRBG (thread-safe: MBEDTLS_THREADING_C), for mbedTLS f_rng parameters. */
int pkiws__drbg_random(void *unused, unsigned char *out, size_t n);
/* Record an mbedTLS failure: PKIWS code + "what: <mbedtls text> (-0xNNNN)"; returns code. */
int pkiws__mbed_fail(int code, int mbed_err, const char *what);

/* Wrap an mbedtls_pk_context / mbedtls_x509_crt that the caller built (ownership moves). */
int pkiws__key_wrap(mbedtls_pk_context *pk, pkiws__key **out);
int pkiws__cert_from_der(const unsigned char *der, size_t len, pkiws__cert **out);

#endif
