/* SPDX-License-Identifier: MIT */
/* GeneralNames DER for a subjectAltName extension (CSR, and certificates the simulator makes). */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

#define OID_UPN "\x2b\x06\x01\x04\x01\x82\x37\x14\x02\x03" /* 1.3.6.1.4.1.311.20.2.3 */

static const char *kind_name(int kind)
{
    switch (kind) {
    case PKIWS__SAN_RFC822:
        return "rfc822Name";
    case PKIWS__SAN_DNS:
        return "dNSName";
    case PKIWS__SAN_UPN:
        return "UPN";
    case PKIWS__SAN_OTHERNAME:
        return "otherName";
    default:
        return "?";
    }
}

/* Check one SAN entry; on success *oid holds the DER content of the otherName type-id. */
static int check_entry(const pkiws__csr_san *s, size_t idx, pkiws_buf *oid)
{
    char red[64];
    if (s->kind == PKIWS__SAN_RFC822 || s->kind == PKIWS__SAN_DNS) {
        if (!s->value || !*s->value)
            return pkiws__fail(PKIWS_E_INVALID_ARG, "SAN %zu (%s) has no value", idx,
                               kind_name(s->kind));
        for (size_t k = 0; s->value[k]; k++) {
            unsigned char ch = (unsigned char)s->value[k];
            if (ch < 0x21 || ch >= 0x7F) {
                pkiws__redact(s->value, red, sizeof red);
                return pkiws__fail(PKIWS_E_INVALID_ARG,
                                   "SAN %zu (%s) '%s' has byte 0x%02X at offset %zu; an IA5String "
                                   "takes printable ASCII without spaces only",
                                   idx, kind_name(s->kind), red, ch, k);
            }
        }
        return PKIWS_OK;
    }
    if (s->kind == PKIWS__SAN_UPN) {
        size_t bad;
        if (!s->value || !*s->value)
            return pkiws__fail(PKIWS_E_INVALID_ARG, "SAN %zu (UPN) has no value", idx);
        if (!pkiws__utf8_valid(s->value, strlen(s->value), &bad))
            return pkiws__fail(PKIWS_E_INVALID_ARG,
                               "SAN %zu (UPN) is not valid UTF-8: bad byte 0x%02X at offset %zu",
                               idx, (unsigned char)s->value[bad], bad);
        return PKIWS_OK;
    }
    if (s->kind != PKIWS__SAN_OTHERNAME)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "SAN %zu has unknown kind %d", idx, s->kind);
    const char *why = NULL;
    if (!s->oid || !pkiws__oid_valid(s->oid, &why))
        return pkiws__fail(PKIWS_E_OTHERNAME_ENCODING,
                           "SAN %zu (otherName): type-id '%.64s' is "
                           "not a dotted OID: %s",
                           idx, s->oid ? s->oid : "(none)", why ? why : "missing");
    /* the value goes inside [0] EXPLICIT verbatim: it must be exactly one DER element */
    if (!s->der || s->der_len < 2)
        return pkiws__fail(PKIWS_E_OTHERNAME_ENCODING,
                           "SAN %zu (otherName %s): the value is %zu bytes, too short for DER", idx,
                           s->oid, s->der ? s->der_len : 0);
    if ((s->der[0] & 0x1F) == 0x1F)
        return pkiws__fail(PKIWS_E_OTHERNAME_ENCODING,
                           "SAN %zu (otherName %s): multi-byte tag 0x%02X at offset 0 is not "
                           "supported",
                           idx, s->oid, s->der[0]);
    if (s->der[1] == 0x80)
        return pkiws__fail(PKIWS_E_OTHERNAME_ENCODING,
                           "SAN %zu (otherName %s): BER indefinite length at offset 1; the value "
                           "must be DER",
                           idx, s->oid);
    unsigned char *p = (unsigned char *)(uintptr_t)s->der + 1;
    size_t l;
    if (mbedtls_asn1_get_len(&p, s->der + s->der_len, &l) != 0)
        return pkiws__fail(PKIWS_E_OTHERNAME_ENCODING,
                           "SAN %zu (otherName %s): the DER length at offset 1 is invalid or runs "
                           "past the end of the %zu bytes",
                           idx, s->oid, s->der_len);
    if ((size_t)(p - s->der) + l != s->der_len)
        return pkiws__fail(PKIWS_E_OTHERNAME_ENCODING,
                           "SAN %zu (otherName %s): %zu bytes after the DER element ending at "
                           "offset %zu; give exactly one element",
                           idx, s->oid, s->der_len - ((size_t)(p - s->der) + l),
                           (size_t)(p - s->der) + l);
    return pkiws__oid_encode(s->oid, oid);
}

/* otherName ::= [0] IMPLICIT SEQUENCE { type-id OID, [0] EXPLICIT value }, value already
 * written (vlen bytes before *c). */
static int wrap_othername(unsigned char **c, unsigned char *buf, const uint8_t *oid, size_t oid_len,
                          size_t vlen)
{
    int ret;
    size_t len = vlen;
    const int ctx0 = MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0;
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(c, buf, vlen));
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_tag(c, buf, ctx0));
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_oid(c, buf, (const char *)oid, oid_len));
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(c, buf, len));
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_tag(c, buf, ctx0));
    return (int)len;
}

static int write_entry(unsigned char **c, unsigned char *buf, const pkiws__csr_san *s,
                       const pkiws_buf *oid)
{
    int ret;
    size_t len = 0;
    switch (s->kind) {
    case PKIWS__SAN_RFC822:
        return mbedtls_asn1_write_tagged_string(c, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 1, s->value,
                                                strlen(s->value));
    case PKIWS__SAN_DNS:
        return mbedtls_asn1_write_tagged_string(c, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2, s->value,
                                                strlen(s->value));
    case PKIWS__SAN_UPN:
        MBEDTLS_ASN1_CHK_ADD(len,
                             mbedtls_asn1_write_utf8_string(c, buf, s->value, strlen(s->value)));
        return wrap_othername(c, buf, (const uint8_t *)OID_UPN, sizeof OID_UPN - 1, len);
    default:
        MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_raw_buffer(c, buf, s->der, s->der_len));
        return wrap_othername(c, buf, oid->data, oid->len, len);
    }
}

int pkiws__san_der(const pkiws__csr_san *san, size_t nsan, pkiws_buf *out)
{
    if (!out || (!san && nsan))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "SAN: NULL entries or output");
    if (nsan == 0)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "SAN: no entries (an empty subjectAltName is "
                                                "not allowed)");
    pkiws_buf *oids = pkiws__calloc(nsan, sizeof *oids);
    if (!oids)
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory encoding SANs");
    size_t cap = 16;
    int rc = PKIWS_OK;
    for (size_t i = 0; i < nsan && rc == PKIWS_OK; i++) {
        rc = check_entry(&san[i], i + 1, &oids[i]);
        if (rc != PKIWS_OK)
            break;
        size_t vlen = san[i].kind == PKIWS__SAN_OTHERNAME ? san[i].der_len + oids[i].len
                                                          : strlen(san[i].value);
        cap += vlen + 32;
    }
    unsigned char *buf = NULL;
    if (rc == PKIWS_OK && !(buf = pkiws__malloc(cap)))
        rc = pkiws__fail(PKIWS_E_NOMEM, "out of memory encoding SANs");
    if (rc == PKIWS_OK) {
        unsigned char *c = buf + cap;
        size_t len = 0;
        int ret = 0;
        for (size_t i = nsan; i > 0 && ret >= 0; i--) {
            ret = write_entry(&c, buf, &san[i - 1], &oids[i - 1]);
            if (ret >= 0)
                len += (size_t)ret;
        }
        if (ret >= 0)
            ret = mbedtls_asn1_write_len(&c, buf, len);
        if (ret >= 0) {
            len += (size_t)ret;
            ret = mbedtls_asn1_write_tag(&c, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
        }
        if (ret < 0)
            rc = pkiws__mbed_fail(PKIWS_E_INTERNAL, ret, "encoding subjectAltName");
        else if (pkiws__buf_append(out, c, len + (size_t)ret) != PKIWS_OK)
            rc = pkiws__fail(PKIWS_E_NOMEM, "out of memory encoding SANs");
    }
    pkiws__free(buf);
    for (size_t i = 0; i < nsan; i++)
        pkiws__buf_dispose(&oids[i]);
    pkiws__free(oids);
    return rc;
}
