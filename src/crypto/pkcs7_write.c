/* SPDX-License-Identifier: MIT */
/* PKCS#7 certs-only writer ("degenerate" SignedData: no content, no signers), DER. */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

#define OID_DATA MBEDTLS_OID_PKCS "\x07\x01"        /* 1.2.840.113549.1.7.1 */
#define OID_SIGNED_DATA MBEDTLS_OID_PKCS "\x07\x02" /* 1.2.840.113549.1.7.2 */

static int write_p7(const pkiws__certlist *l, unsigned char *buf, size_t cap)
{
    unsigned char *c = buf + cap;
    size_t len = 0, certs = 0;
    int ret;
    const unsigned char cons = MBEDTLS_ASN1_CONSTRUCTED;
    /* signerInfos SET {} */
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&c, buf, 0));
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_tag(&c, buf, cons | MBEDTLS_ASN1_SET));
    /* certificates [0] IMPLICIT SET OF Certificate, in list order (omitted when empty) */
    for (size_t i = l->n; i > 0; i--)
        MBEDTLS_ASN1_CHK_ADD(certs, mbedtls_asn1_write_raw_buffer(&c, buf, l->v[i - 1]->crt.raw.p,
                                                                  l->v[i - 1]->crt.raw.len));
    if (l->n) {
        MBEDTLS_ASN1_CHK_ADD(certs, mbedtls_asn1_write_len(&c, buf, certs));
        MBEDTLS_ASN1_CHK_ADD(certs,
                             mbedtls_asn1_write_tag(&c, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | cons));
    }
    len += certs;
    /* encapContentInfo SEQUENCE { id-data } */
    size_t eci = 0;
    MBEDTLS_ASN1_CHK_ADD(eci, mbedtls_asn1_write_oid(&c, buf, OID_DATA, sizeof OID_DATA - 1));
    MBEDTLS_ASN1_CHK_ADD(eci, mbedtls_asn1_write_len(&c, buf, eci));
    MBEDTLS_ASN1_CHK_ADD(eci, mbedtls_asn1_write_tag(&c, buf, cons | MBEDTLS_ASN1_SEQUENCE));
    len += eci;
    /* digestAlgorithms SET {} */
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&c, buf, 0));
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_tag(&c, buf, cons | MBEDTLS_ASN1_SET));
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_int(&c, buf, 1)); /* version */
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&c, buf, len));
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_tag(&c, buf, cons | MBEDTLS_ASN1_SEQUENCE));
    /* [0] EXPLICIT content */
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&c, buf, len));
    MBEDTLS_ASN1_CHK_ADD(len,
                         mbedtls_asn1_write_tag(&c, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | cons));
    MBEDTLS_ASN1_CHK_ADD(
        len, mbedtls_asn1_write_oid(&c, buf, OID_SIGNED_DATA, sizeof OID_SIGNED_DATA - 1));
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&c, buf, len));
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_tag(&c, buf, cons | MBEDTLS_ASN1_SEQUENCE));
    return (int)len;
}

int pkiws__pkcs7_write(const pkiws__certlist *l, pkiws_buf *out)
{
    if (!l || !out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "PKCS#7 writer: NULL list or output");
    size_t total = 64;
    for (size_t i = 0; i < l->n; i++) {
        if (!l->v[i])
            return pkiws__fail(PKIWS_E_INVALID_ARG, "PKCS#7 writer: certificate %zu is NULL",
                               i + 1);
        total += l->v[i]->crt.raw.len;
    }
    if (total > INT32_MAX)
        return pkiws__fail(PKIWS_E_LIMIT, "PKCS#7 writer: %zu bytes of certificates", total);
    unsigned char *buf = pkiws__malloc(total);
    if (!buf)
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory writing a PKCS#7");
    int n = write_p7(l, buf, total);
    int rc;
    if (n < 0)
        rc = pkiws__mbed_fail(PKIWS_E_INTERNAL, n, "writing a PKCS#7 certs-only structure");
    else if ((rc = pkiws__buf_append(out, buf + total - (size_t)n, (size_t)n)) != PKIWS_OK)
        rc = pkiws__fail(rc, "out of memory writing a PKCS#7");
    pkiws__free(buf);
    return rc;
}
