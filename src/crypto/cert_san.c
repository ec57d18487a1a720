/* SPDX-License-Identifier: MIT */
/* Subject alternative names of a certificate, decoded from the raw extension (mbedTLS 2.28
 * decodes neither rfc822Name nor the UPN otherName). */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

#define OID_UPN "\x2b\x06\x01\x04\x01\x82\x37\x14\x02\x03" /* 1.3.6.1.4.1.311.20.2.3 */

void pkiws__san_items_free(pkiws__san_item *items, size_t count)
{
    if (!items)
        return;
    for (size_t i = 0; i < count; i++) {
        pkiws__free(items[i].value);
        pkiws__free(items[i].oid);
        pkiws__free(items[i].der);
    }
    pkiws__free(items);
}

/* The SAN extension's extnValue (the GeneralNames DER), or NULL when there is none. */
static int find_san_ext(const mbedtls_x509_crt *crt, unsigned char **val, size_t *val_len)
{
    *val = NULL;
    if (!crt->v3_ext.p || crt->v3_ext.len == 0)
        return PKIWS_OK;
    unsigned char *p = crt->v3_ext.p;
    const unsigned char *end = p + crt->v3_ext.len;
    size_t len;
    if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
        return pkiws__fail(PKIWS_E_CRYPTO, "certificate extensions are not a SEQUENCE");
    end = p + len;
    while (p < end) {
        const unsigned char *ext_end;
        mbedtls_x509_buf oid;
        if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
            return pkiws__fail(PKIWS_E_CRYPTO, "certificate extension is not a SEQUENCE");
        ext_end = p + len;
        if (mbedtls_asn1_get_tag(&p, ext_end, &oid.len, MBEDTLS_ASN1_OID))
            return pkiws__fail(PKIWS_E_CRYPTO, "certificate extension has no OID");
        oid.p = p;
        p += oid.len;
        int crit = 0;
        if (p < ext_end && *p == MBEDTLS_ASN1_BOOLEAN && mbedtls_asn1_get_bool(&p, ext_end, &crit))
            return pkiws__fail(PKIWS_E_CRYPTO, "certificate extension has a bad critical flag");
        if (mbedtls_asn1_get_tag(&p, ext_end, &len, MBEDTLS_ASN1_OCTET_STRING) ||
            p + len != ext_end)
            return pkiws__fail(PKIWS_E_CRYPTO, "certificate extension value is not an OCTET "
                                               "STRING");
        if (oid.len == MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME) &&
            memcmp(oid.p, MBEDTLS_OID_SUBJECT_ALT_NAME, oid.len) == 0) {
            *val = p;
            *val_len = len;
            return PKIWS_OK;
        }
        p = (unsigned char *)(uintptr_t)ext_end;
    }
    return PKIWS_OK;
}

static const char *kind_name(unsigned tag)
{
    return tag == 0x81 ? "rfc822Name" : "dNSName";
}

static int add_item(pkiws__san_item **items, size_t *n, pkiws__san_item *it)
{
    pkiws__san_item *v = pkiws__realloc(*items, (*n + 1) * sizeof *v);
    if (!v) {
        pkiws__free(it->value);
        pkiws__free(it->oid);
        pkiws__free(it->der);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory decoding subject alternative names");
    }
    v[(*n)++] = *it;
    *items = v;
    return PKIWS_OK;
}

/* otherName ::= SEQUENCE { type-id OBJECT IDENTIFIER, value [0] EXPLICIT ANY } (the content
 * of the [0] IMPLICIT GeneralName, p..end). */
static int decode_othername(unsigned char *p, const unsigned char *end, size_t idx,
                            pkiws__san_item *it)
{
    size_t len;
    if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_OID))
        return pkiws__fail(PKIWS_E_CRYPTO, "SAN entry %zu (otherName) has no type-id OID", idx);
    unsigned char *oid = p;
    size_t oid_len = len;
    p += len;
    if (mbedtls_asn1_get_tag(&p, end, &len,
                             MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0) ||
        p + len != end)
        return pkiws__fail(PKIWS_E_CRYPTO, "SAN entry %zu (otherName) has no [0] EXPLICIT value",
                           idx);
    /* the value must itself be one complete TLV */
    unsigned char *v = p + 1;
    size_t vlen;
    if (len < 2 || mbedtls_asn1_get_len(&v, end, &vlen) || v + vlen != end)
        return pkiws__fail(PKIWS_E_CRYPTO,
                           "SAN entry %zu (otherName) value is not one DER "
                           "element",
                           idx);
    pkiws_buf dotted = PKIWS_BUF_INIT;
    if (pkiws__oid_decode(oid, oid_len, &dotted) != PKIWS_OK) {
        pkiws__buf_dispose(&dotted);
        return pkiws__fail_context(PKIWS_E_CRYPTO, "SAN entry %zu (otherName) type-id", idx);
    }
    it->oid = (char *)pkiws__buf_detach(&dotted, NULL);
    it->der = pkiws__memdup(p, len);
    it->der_len = len;
    if (!it->oid || !it->der)
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory decoding subject alternative names");
    it->kind = PKIWS__SAN_OTHERNAME;
    if (oid_len == sizeof OID_UPN - 1 && memcmp(oid, OID_UPN, oid_len) == 0 &&
        p[0] == MBEDTLS_ASN1_UTF8_STRING) {
        size_t bad = 0;
        const unsigned char *nul = memchr(v, 0, vlen);
        if (nul)
            bad = (size_t)(nul - v);
        if (nul || !pkiws__utf8_valid((const char *)v, vlen, &bad))
            return pkiws__fail(PKIWS_E_CRYPTO,
                               "SAN entry %zu (UPN) is not valid UTF-8 text: bad byte at offset "
                               "%zu",
                               idx, bad);
        it->value = pkiws__strndup((const char *)v, vlen);
        if (!it->value)
            return pkiws__fail(PKIWS_E_NOMEM, "out of memory decoding subject alternative names");
        it->kind = PKIWS__SAN_UPN;
    }
    return PKIWS_OK;
}

int pkiws__cert_sans(const pkiws__cert *cert, pkiws__san_item **items, size_t *count)
{
    if (!cert || !items || !count)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "SAN: NULL certificate or output");
    *items = NULL;
    *count = 0;
    unsigned char *p;
    size_t len;
    int rc = find_san_ext(&cert->crt, &p, &len);
    if (rc != PKIWS_OK || !p)
        return rc;
    const unsigned char *end = p + len;
    if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) ||
        p + len != end)
        return pkiws__fail(PKIWS_E_CRYPTO, "subjectAltName is not a DER GeneralNames SEQUENCE");

    pkiws__san_item *v = NULL;
    size_t n = 0;
    for (size_t idx = 1; rc == PKIWS_OK && p < end; idx++) {
        unsigned tag = *p++;
        if (mbedtls_asn1_get_len(&p, end, &len)) {
            rc = pkiws__fail(PKIWS_E_CRYPTO, "SAN entry %zu (tag 0x%02X) has a bad length", idx,
                             tag);
            break;
        }
        unsigned char *content = p;
        p += len;
        pkiws__san_item it = {0, NULL, NULL, NULL, 0};
        if (tag == 0x81 || tag == 0x82) { /* rfc822Name, dNSName: IA5String */
            for (size_t k = 0; k < len; k++)
                if (content[k] < 0x20 || content[k] >= 0x7F) {
                    rc = pkiws__fail(PKIWS_E_CRYPTO,
                                     "SAN entry %zu (%s) has byte 0x%02X at offset %zu, not a "
                                     "printable IA5String character",
                                     idx, kind_name(tag), content[k], k);
                    break;
                }
            if (rc != PKIWS_OK)
                break;
            it.kind = tag == 0x81 ? PKIWS__SAN_RFC822 : PKIWS__SAN_DNS;
            it.value = pkiws__strndup((const char *)content, len);
            rc = it.value ? add_item(&v, &n, &it)
                          : pkiws__fail(PKIWS_E_NOMEM, "out of memory decoding SANs");
        } else if (tag == 0xA0) {
            rc = decode_othername(content, p, idx, &it);
            if (rc == PKIWS_OK)
                rc = add_item(&v, &n, &it);
            else {
                pkiws__free(it.value);
                pkiws__free(it.oid);
                pkiws__free(it.der);
            }
        }
        /* x400Address, directoryName, ediPartyName, URI, iPAddress, registeredID: not used */
    }
    if (rc != PKIWS_OK) {
        pkiws__san_items_free(v, n);
        return rc;
    }
    *items = v;
    *count = n;
    return PKIWS_OK;
}
