/* SPDX-License-Identifier: MIT */
/* The built-in RA signer's operation: one mbedTLS key signs a digest (PKCS#1 v1.5 with the
 * DigestInfo mbedTLS builds, or ECDSA as DER); the key itself never leaves. */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"
#include "crypto/signer.h"

static mbedtls_md_type_t alg_md(int alg)
{
    static const mbedtls_md_type_t md[] = {MBEDTLS_MD_SHA1, MBEDTLS_MD_SHA224, MBEDTLS_MD_SHA256,
                                           MBEDTLS_MD_SHA384, MBEDTLS_MD_SHA512};
    if (alg >= PKIWS_SIGN_RSA_PKCS1_SHA1 && alg <= PKIWS_SIGN_RSA_PKCS1_SHA512)
        return md[alg - PKIWS_SIGN_RSA_PKCS1_SHA1];
    if (alg >= PKIWS_SIGN_ECDSA_SHA1 && alg <= PKIWS_SIGN_ECDSA_SHA512)
        return md[alg - PKIWS_SIGN_ECDSA_SHA1];
    return MBEDTLS_MD_NONE;
}

int pkiws__key_sign_hash(const pkiws__key *key, int alg, const uint8_t *hash, size_t hash_len,
                         uint8_t *sig, size_t cap, size_t *sig_len)
{
    *sig_len = 0;
    mbedtls_md_type_t md = alg_md(alg);
    if (md == MBEDTLS_MD_NONE || hash_len != pkiws__sign_alg_hash_len(alg))
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "RA signer: algorithm %d with a %zu-byte digest is not supported", alg,
                           hash_len);
    int want_ec = pkiws__sign_alg_is_ecdsa(alg);
    mbedtls_pk_context *pk = (mbedtls_pk_context *)&key->pk; /* signing does not change it */
    if (!mbedtls_pk_can_do(pk, want_ec ? MBEDTLS_PK_ECDSA : MBEDTLS_PK_RSA))
        return pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_KEY,
                                  "RA signer: a %s signature was asked of a %s key",
                                  want_ec ? "ECDSA" : "RSA", mbedtls_pk_get_name(pk));
    unsigned char out[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
    size_t n = 0;
    mbedtls_pk_context fast;
    int ret;
    if (pkiws__ec_fast_pk(pk, &fast)) { /* the curve's shared generator table */
        ret = mbedtls_pk_sign(&fast, md, hash, hash_len, out, &n, pkiws__drbg_random, NULL);
        mbedtls_pk_free(&fast);
    } else {
        ret = mbedtls_pk_sign(pk, md, hash, hash_len, out, &n, pkiws__drbg_random, NULL);
    }
    if (ret)
        return pkiws__mbed_fail(PKIWS_E_CRYPTO, ret, "RA signer: signing with the RA key");
    if (n > cap)
        return pkiws__fail(PKIWS_E_LIMIT, "RA signer: a %zu-byte signature does not fit in %zu", n,
                           cap);
    memcpy(sig, out, n);
    *sig_len = n;
    return PKIWS_OK;
}
