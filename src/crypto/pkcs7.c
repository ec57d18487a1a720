/* SPDX-License-Identifier: MIT */
/* PKCS#7 certs-only reader (mbedTLS 2.28 has none): DER, PEM, whitespace-riddled base64, or a
 * bare certificate. DER only: BER indefinite lengths are refused. */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

/* The DER outer header at p: tag, then a definite length within [p, end). */
typedef struct {
    const uint8_t *base; /* for offsets in messages */
    size_t total;
} p7_ctx;

static int p7_tag(const p7_ctx *x, unsigned char **p, const unsigned char *end, int tag,
                  size_t *len, const char *what)
{
    size_t off = (size_t)(*p - x->base);
    if (*p >= end)
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "PKCS#7: %s expected at offset %zu, but the data ends there", what, off);
    if (end - *p >= 2 && (*p)[1] == 0x80)
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "PKCS#7: %s at offset %zu uses a BER indefinite length (%02X 80); only "
                           "DER (definite lengths) is accepted",
                           what, off, (*p)[0]);
    int ret = mbedtls_asn1_get_tag(p, end, len, tag);
    if (ret == MBEDTLS_ERR_ASN1_UNEXPECTED_TAG)
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "PKCS#7: expected %s (tag 0x%02X) at offset %zu, found tag 0x%02X", what,
                           (unsigned)tag, off, (*p)[0]);
    if (ret != 0)
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "PKCS#7: the length of %s at offset %zu is invalid or runs past the end "
                           "of the %zu bytes (truncated?)",
                           what, off, x->total);
    return PKIWS_OK;
}

static int add_cert(pkiws__certlist *tmp, const uint8_t *der, size_t len, size_t off)
{
    pkiws__cert *c;
    int rc = pkiws__cert_from_der(der, len, &c);
    if (rc == PKIWS_OK)
        rc = pkiws__certlist_add(tmp, c);
    if (rc != PKIWS_OK && rc != PKIWS_E_NOMEM && rc != PKIWS_E_LIMIT)
        rc = pkiws__fail_context(PKIWS_E_PROTOCOL, "PKCS#7: certificate %zu at offset %zu",
                                 tmp->n + 1, off);
    return rc;
}

#define OID_SIGNED_DATA MBEDTLS_OID_PKCS "\x07\x02" /* 1.2.840.113549.1.7.2 */

static int walk_der(const uint8_t *der, size_t dlen, pkiws__certlist *tmp)
{
    int rc = pkiws__der_check_tlv(der, dlen, "PKCS#7", PKIWS_E_PROTOCOL);
    if (rc != PKIWS_OK)
        return rc;
    p7_ctx x = {der, dlen};
    unsigned char *p = (unsigned char *)(uintptr_t)der;
    const unsigned char *end = der + dlen;
    size_t len;
    rc = p7_tag(&x, &p, end, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, &len,
                "ContentInfo SEQUENCE");
    if (rc != PKIWS_OK)
        return rc;
    if (p < end && *p == (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
        return add_cert(tmp, der, dlen, 0); /* a bare X.509 certificate */

    rc = p7_tag(&x, &p, end, MBEDTLS_ASN1_OID, &len, "contentType OID");
    if (rc != PKIWS_OK)
        return rc;
    if (len != sizeof OID_SIGNED_DATA - 1 || memcmp(p, OID_SIGNED_DATA, len) != 0) {
        pkiws_buf dotted = PKIWS_BUF_INIT;
        pkiws__oid_decode(p, len, &dotted);
        rc = pkiws__fail(PKIWS_E_PROTOCOL,
                         "PKCS#7: content type is %s, expected signedData (1.2.840.113549.1.7.2)",
                         dotted.data ? (char *)dotted.data : "(undecodable)");
        pkiws__buf_dispose(&dotted);
        return rc;
    }
    p += len;
    if ((rc = p7_tag(&x, &p, end, MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0,
                     &len, "[0] content")) != PKIWS_OK ||
        (rc = p7_tag(&x, &p, end, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, &len,
                     "SignedData SEQUENCE")) != PKIWS_OK)
        return rc;
    const unsigned char *sd_end = p + len;
    if ((rc = p7_tag(&x, &p, sd_end, MBEDTLS_ASN1_INTEGER, &len, "SignedData version")) != PKIWS_OK)
        return rc;
    p += len;
    if ((rc = p7_tag(&x, &p, sd_end, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SET, &len,
                     "digestAlgorithms SET")) != PKIWS_OK)
        return rc;
    p += len;
    if ((rc = p7_tag(&x, &p, sd_end, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE, &len,
                     "encapContentInfo SEQUENCE")) != PKIWS_OK)
        return rc;
    p += len;
    if (p < sd_end && *p == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0)) {
        if ((rc = p7_tag(&x, &p, sd_end,
                         MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0, &len,
                         "[0] certificates")) != PKIWS_OK)
            return rc;
        const unsigned char *certs_end = p + len;
        while (p < certs_end) {
            unsigned char *start = p;
            int tag = *p;
            /* CertificateChoices: certificate SEQUENCE, or [0]..[3] kinds pkiws skips */
            if (tag != (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) &&
                (tag & 0xE0) != (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED))
                return pkiws__fail(PKIWS_E_PROTOCOL,
                                   "PKCS#7: unexpected tag 0x%02X at offset %zu in the "
                                   "certificates",
                                   (unsigned)tag, (size_t)(p - der));
            if ((rc = p7_tag(&x, &p, certs_end, tag, &len, "certificate")) != PKIWS_OK)
                return rc;
            p += len;
            if (tag == (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) &&
                (rc = add_cert(tmp, start, (size_t)(p - start), (size_t)(start - der))) != PKIWS_OK)
                return rc;
        }
    }
    if (tmp->n == 0)
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "PKCS#7 SignedData (%zu bytes) holds no "
                           "certificates",
                           dlen);
    return PKIWS_OK;
}

static const char *const pem_labels[] = {"PKCS7", "CMS", "PKCS #7 SIGNED DATA"};

int pkiws__pkcs7_parse(const uint8_t *data, size_t len, pkiws__certlist *l)
{
    if (!l)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "PKCS#7: NULL certificate list");
    if (!data || len == 0)
        return pkiws__fail(PKIWS_E_PROTOCOL, "PKCS#7: the token is empty");
    pkiws__certlist tmp = {NULL, 0};
    pkiws_buf der = PKIWS_BUF_INIT;
    int rc;
    if (data[0] == (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) {
        rc = walk_der(data, len, &tmp);
    } else if (pkiws__pem_present(data, len)) {
        rc = PKIWS__PEM_NONE;
        for (size_t i = 0; rc == PKIWS__PEM_NONE && i < PKIWS_ARRAY_LEN(pem_labels); i++) {
            size_t pos = 0;
            rc = pkiws__pem_next(data, len, &pos, pem_labels[i], PKIWS_E_PROTOCOL, &der);
        }
        if (rc == PKIWS_OK) {
            rc = walk_der(der.data, der.len, &tmp);
        } else if (rc == PKIWS__PEM_NONE) {
            /* PEM certificates instead of a PKCS#7 */
            rc = pkiws__certs_parse_all(data, len, &tmp);
            if (rc != PKIWS_OK && rc != PKIWS_E_NOMEM)
                rc = pkiws__fail_context(PKIWS_E_PROTOCOL,
                                         "PKCS#7: the PEM input has no PKCS7 block");
        }
    } else {
        rc = pkiws__b64_decode((const char *)data, len, &der);
        if (rc == PKIWS_OK && der.len == 0)
            rc = pkiws__fail(PKIWS_E_PROTOCOL, "PKCS#7: the token is only white space");
        else if (rc != PKIWS_OK && rc != PKIWS_E_NOMEM)
            rc = pkiws__fail_context(PKIWS_E_PROTOCOL,
                                     "PKCS#7: the token is neither DER nor PEM nor base64");
        if (rc == PKIWS_OK)
            rc = walk_der(der.data, der.len, &tmp);
    }
    pkiws__buf_dispose(&der);
    if (rc == PKIWS_OK)
        rc = pkiws__certlist_move(l, &tmp);
    pkiws__certlist_dispose(&tmp);
    return rc;
}
