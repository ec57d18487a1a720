/* SPDX-License-Identifier: MIT */
/*
 * The mbedTLS adapter's private header: the ONLY file in the tree that includes <mbedtls/...>.
 * Included by the src/crypto/ sources, the mbedTLS TLS backend and the simulator (tests/sim),
 * never by other layers. Builds against mbedTLS 2.28 (Debian 12); 3.x differences are confined
 * here.
 */
#ifndef PKIWS_CRYPTO_INT_H
#define PKIWS_CRYPTO_INT_H

#include <mbedtls/version.h>

#include <stdatomic.h>

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
#include <mbedtls/pk_internal.h> /* the EC "alt" key of the TLS backend (tls_mbedtls.c) */
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
    atomic_int refs;        /* owners: pkiws__cert_ref adds one, pkiws__cert_free drops one */
    atomic_int self_signed; /* -1 until pkiws__cert_self_signed is first asked */
};

/* The process-wide DRBG (thread-safe: MBEDTLS_THREADING_C), for mbedTLS f_rng parameters. */
int pkiws__drbg_random(void *unused, unsigned char *out, size_t n);
/* Record an mbedTLS failure: PKIWS code + "what: <mbedtls text> (-0xNNNN)"; returns code. */
int pkiws__mbed_fail(int code, int mbed_err, const char *what);

/* ec_fixed.c: the curve's group with its generator table computed once per process (P-256,
 * P-384; NULL for other curves or when it could not be set up), shared read-only. */
mbedtls_ecp_group *pkiws__ec_fixed_group(mbedtls_ecp_group_id id);
/* A new key on curve id into kp (mbedTLS error code). */
int pkiws__ec_generate(mbedtls_ecp_group_id id, mbedtls_ecp_keypair *kp);
/* ECDSA (deterministic k) of hash with kp as DER into sig (MBEDTLS_ECDSA_MAX_LEN bytes at
 * most); MBEDTLS_ERR_ECP_FEATURE_UNAVAILABLE for a curve without a shared group. */
int pkiws__ec_sign(const mbedtls_ecp_keypair *kp, mbedtls_md_type_t md, const unsigned char *hash,
                   size_t hash_len, unsigned char *sig, size_t *sig_len);
/* 1 and *out a pk context signing with the shared group for key (borrowed: keep key alive,
 * mbedtls_pk_free(out) leaves it alone) when key is EC on such a curve, else 0. */
int pkiws__ec_fast_pk(const mbedtls_pk_context *key, mbedtls_pk_context *out);

/* Wrap an mbedtls_pk_context / mbedtls_x509_crt that the caller built (ownership moves). */
int pkiws__key_wrap(mbedtls_pk_context *pk, pkiws__key **out);
int pkiws__cert_from_der(const unsigned char *der, size_t len, pkiws__cert **out);

/* ---- helpers shared by the files of src/crypto (and usable by the simulator) ---- */

/* PEM armour (pem.c). pem_present: 1 when the bytes contain "-----BEGIN ". pem_next: decode
 * the next "-----BEGIN <label>-----" block at or after *pos into der (appended) and move *pos
 * past its END line; PKIWS__PEM_NONE when there is no further block; a malformed block fails
 * with errcode. pem_write: 64-column PEM of der appended to out. */
#define PKIWS__PEM_NONE 1
int pkiws__pem_present(const uint8_t *data, size_t len);
int pkiws__pem_next(const uint8_t *data, size_t len, size_t *pos, const char *label, int errcode,
                    pkiws_buf *der);
int pkiws__pem_write(const char *label, const uint8_t *der, size_t len, pkiws_buf *out);

/* der is exactly one DER SEQUENCE (no indefinite length, no truncation, no trailing bytes);
 * else errcode with a message starting with what. */
int pkiws__der_check_tlv(const uint8_t *der, size_t len, const char *what, int errcode);

/* SubjectPublicKeyInfo DER of any pk context (key.c). */
int pkiws__pk_public_der(const mbedtls_pk_context *pk, pkiws_buf *out);

/* Decrypt an EncryptedPrivateKeyInfo (every algorithm pkiws__pfx_pbe_decrypt knows: PBES2 with
 * AES or 3DES, PKCS#12 PBEs) into the PrivateKeyInfo DER appended to plain (marked secret).
 * Wrong password: PKIWS_E_CRYPTO saying so. */
int pkiws__pkcs8_decrypt(const uint8_t *der, size_t len, const char *password, pkiws_buf *plain);

/* Certificate details (cert_info.c, cert_dn.c). dn_to_string appends the RFC 4514-escaped
 * UTF-8 text of a name, RDNs in certificate order, joined with ','. */
int pkiws__cert_fill_info(pkiws__cert *c);
int pkiws__dn_to_string(const mbedtls_x509_name *dn, pkiws_buf *out);
const char *pkiws__dn_short_name(const uint8_t *oid, size_t len); /* "CN", ... or NULL */
int64_t pkiws__x509_time_epoch(const mbedtls_x509_time *t);

/* Upper bound of certificates in one list (PEM bundle, PKCS#7). */
#define PKIWS__CERTLIST_MAX 1000
/* Move every certificate of src to the end of dst (all or nothing; src is left empty on
 * success and untouched on failure). */
int pkiws__certlist_move(pkiws__certlist *dst, pkiws__certlist *src);

/* GeneralNames DER of SAN entries (the subjectAltName extnValue). */
int pkiws__san_der(const pkiws__csr_san *san, size_t nsan, pkiws_buf *out);

#endif
