/* SPDX-License-Identifier: MIT */
/* PKCS#8 PrivateKeyInfo writer (mbedTLS 2.28 has none): DER and PEM "PRIVATE KEY". */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

/* PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, OCTET STRING privateKey },
 * written backwards from the end of buf (n bytes). Returns its length or an mbedTLS error. */
static int write_pkcs8(const pkiws__key *key, unsigned char *buf, size_t n)
{
    mbedtls_pk_context *pk = (mbedtls_pk_context *)(uintptr_t)&key->pk;
    int inner = mbedtls_pk_write_key_der(pk, buf, n); /* PKCS#1 RSAPrivateKey or SEC1 */
    if (inner < 0)
        return inner;
    unsigned char *c = buf + n - (size_t)inner;
    size_t len = (size_t)inner;
    int ret;
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&c, buf, (size_t)inner));
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_tag(&c, buf, MBEDTLS_ASN1_OCTET_STRING));

    if (mbedtls_pk_get_type(pk) == MBEDTLS_PK_RSA) {
        /* { rsaEncryption, NULL }: par_len 0 makes the writer add the NULL */
        MBEDTLS_ASN1_CHK_ADD(
            len, mbedtls_asn1_write_algorithm_identifier(
                     &c, buf, MBEDTLS_OID_PKCS1_RSA, MBEDTLS_OID_SIZE(MBEDTLS_OID_PKCS1_RSA), 0));
    } else if (mbedtls_pk_can_do(pk, MBEDTLS_PK_ECKEY)) {
        const char *curve;
        size_t curve_len;
        ret = mbedtls_oid_get_oid_by_ec_grp(mbedtls_pk_ec(*pk)->grp.id, &curve, &curve_len);
        if (ret != 0)
            return ret;
        size_t par = 0;
        MBEDTLS_ASN1_CHK_ADD(par, mbedtls_asn1_write_oid(&c, buf, curve, curve_len));
        /* the returned length includes the parameters already written */
        MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_algorithm_identifier(
                                      &c, buf, MBEDTLS_OID_EC_ALG_UNRESTRICTED,
                                      MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_ALG_UNRESTRICTED), par));
    } else {
        return MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE;
    }
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_int(&c, buf, 0));
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&c, buf, len));
    MBEDTLS_ASN1_CHK_ADD(
        len, mbedtls_asn1_write_tag(&c, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
    return (int)len;
}

int pkiws__key_pkcs8_der(const pkiws__key *key, pkiws_buf *out)
{
    if (!key || !out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "PKCS#8: NULL key or output");
    out->secret = 1;
    for (size_t cap = 4096; cap <= 65536; cap *= 2) {
        unsigned char *buf = pkiws__malloc(cap);
        if (!buf)
            return pkiws__fail(PKIWS_E_NOMEM, "out of memory writing a PKCS#8 key");
        int n = write_pkcs8(key, buf, cap);
        if (n > 0) {
            int rc = pkiws__buf_append(out, buf + cap - (size_t)n, (size_t)n);
            pkiws__free_secret(buf, cap);
            return rc == PKIWS_OK ? PKIWS_OK
                                  : pkiws__fail(rc, "out of memory writing a PKCS#8 key");
        }
        pkiws__free_secret(buf, cap);
        if (n != MBEDTLS_ERR_ASN1_BUF_TOO_SMALL)
            return pkiws__mbed_fail(PKIWS_E_CRYPTO, n, "writing the PKCS#8 PrivateKeyInfo");
    }
    return pkiws__fail(PKIWS_E_LIMIT, "private key is larger than 64 KiB");
}

int pkiws__key_pkcs8_pem(const pkiws__key *key, pkiws_buf *out)
{
    if (!key || !out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "PKCS#8: NULL key or output");
    pkiws_buf der = PKIWS_BUF_INIT;
    der.secret = 1;
    out->secret = 1;
    int rc = pkiws__key_pkcs8_der(key, &der);
    if (rc == PKIWS_OK)
        rc = pkiws__pem_write("PRIVATE KEY", der.data, der.len, out);
    pkiws__buf_dispose(&der);
    return rc;
}
