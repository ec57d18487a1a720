/* SPDX-License-Identifier: MIT */
/* One X.509 certificate: parsing (DER or PEM), accessors, key match, PEM output. */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

/* pkiws reads certificates (issued certificates, chains, RA credentials); it does not build
 * trust paths with them, so an extension mbedTLS does not know (e.g. a critical
 * nameConstraints or certificatePolicies with other policies, see dependencies.md 2.6) must
 * not make the whole certificate unreadable. */
static int accept_unknown_ext(void *ctx, mbedtls_x509_crt const *crt, mbedtls_x509_buf const *oid,
                              int critical, const unsigned char *p, const unsigned char *end)
{
    return 0;
}

int pkiws__der_check_tlv(const uint8_t *der, size_t len, const char *what, int errcode)
{
    if (!der || len < 2)
        return pkiws__fail(errcode, "%s: %zu bytes is too short for DER", what, len);
    if (der[0] != (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
        return pkiws__fail(errcode,
                           "%s: DER must start with a SEQUENCE (0x30), found 0x%02X at "
                           "offset 0",
                           what, der[0]);
    if (der[1] == 0x80)
        return pkiws__fail(errcode,
                           "%s: BER indefinite length (30 80) at offset 0; only DER (definite "
                           "lengths) is accepted",
                           what);
    unsigned char *p = (unsigned char *)(uintptr_t)der + 1;
    size_t l;
    if (mbedtls_asn1_get_len(&p, der + len, &l) != 0)
        return pkiws__fail(errcode,
                           "%s: the DER length at offset 1 is invalid or runs past the "
                           "end of the %zu bytes (truncated?)",
                           what, len);
    size_t total = (size_t)(p - der) + l;
    if (total != len)
        return pkiws__fail(errcode,
                           "%s: %zu trailing bytes after the DER value ending at offset "
                           "%zu",
                           what, len - total, total);
    return PKIWS_OK;
}

int pkiws__cert_from_der(const unsigned char *der, size_t len, pkiws__cert **out)
{
    if (!out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "certificate: NULL output pointer");
    *out = NULL;
    int rc = pkiws__der_check_tlv(der, len, "certificate", PKIWS_E_CRYPTO);
    if (rc != PKIWS_OK)
        return rc;
    pkiws__cert *c = pkiws__calloc(1, sizeof *c);
    if (!c)
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory reading a certificate");
    mbedtls_x509_crt_init(&c->crt);
    atomic_init(&c->refs, 1);
    atomic_init(&c->self_signed, -1);
    int ret =
        mbedtls_x509_crt_parse_der_with_ext_cb(&c->crt, der, len, 1, accept_unknown_ext, NULL);
    if (ret != 0) {
        char what[80];
        snprintf(what, sizeof what, "certificate (%zu bytes of DER) is not valid X.509", len);
        pkiws__cert_free(c);
        return pkiws__mbed_fail(
            ret == MBEDTLS_ERR_X509_ALLOC_FAILED ? PKIWS_E_NOMEM : PKIWS_E_CRYPTO, ret, what);
    }
    rc = pkiws__cert_fill_info(c);
    if (rc != PKIWS_OK) {
        pkiws__cert_free(c);
        return rc;
    }
    *out = c;
    return PKIWS_OK;
}

int pkiws__cert_parse(const uint8_t *data, size_t len, pkiws__cert **out)
{
    if (!out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "certificate: NULL output pointer");
    *out = NULL;
    if (!data || len == 0)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "certificate: the input is empty");
    if (!pkiws__pem_present(data, len))
        return pkiws__cert_from_der(data, len, out);
    pkiws_buf der = PKIWS_BUF_INIT;
    size_t pos = 0;
    int rc = pkiws__pem_next(data, len, &pos, "CERTIFICATE", PKIWS_E_CRYPTO, &der);
    if (rc == PKIWS__PEM_NONE) {
        pos = 0;
        rc = pkiws__pem_next(data, len, &pos, "X509 CERTIFICATE", PKIWS_E_CRYPTO, &der);
    }
    if (rc == PKIWS__PEM_NONE)
        rc = pkiws__fail(PKIWS_E_CRYPTO,
                         "no '-----BEGIN CERTIFICATE-----' block in the %zu-byte PEM input", len);
    if (rc == PKIWS_OK)
        rc = pkiws__cert_from_der(der.data, der.len, out);
    pkiws__buf_dispose(&der);
    return rc;
}

void pkiws__cert_free(pkiws__cert *cert)
{
    if (!cert || atomic_fetch_sub(&cert->refs, 1) > 1)
        return;
    mbedtls_x509_crt_free(&cert->crt);
    pkiws__free(cert->subject);
    pkiws__free(cert->issuer);
    pkiws__free(cert->serial);
    pkiws__free(cert->thumbprint);
    pkiws__free(cert);
}

const uint8_t *pkiws__cert_der(const pkiws__cert *cert, size_t *len)
{
    if (!cert) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = cert->crt.raw.len;
    return cert->crt.raw.p;
}

pkiws__cert *pkiws__cert_ref(const pkiws__cert *cert)
{
    pkiws__cert *c = (pkiws__cert *)(uintptr_t)cert; /* only the atomic count changes */
    if (c)
        atomic_fetch_add(&c->refs, 1);
    return c;
}

const pkiws__cert_info *pkiws__cert_get_info(const pkiws__cert *cert)
{
    return cert ? &cert->info : NULL;
}

int pkiws__cert_matches_key(const pkiws__cert *cert, const pkiws__key *key)
{
    if (!cert || !key)
        return 0;
    pkiws_buf a = PKIWS_BUF_INIT, b = PKIWS_BUF_INIT;
    int match = pkiws__pk_public_der(&cert->crt.pk, &a) == PKIWS_OK &&
                pkiws__pk_public_der(&key->pk, &b) == PKIWS_OK && a.len == b.len &&
                memcmp(a.data, b.data, a.len) == 0;
    pkiws__buf_dispose(&a);
    pkiws__buf_dispose(&b);
    return match;
}

int pkiws__cert_pem(const pkiws__cert *cert, pkiws_buf *out)
{
    if (!cert || !out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "certificate PEM: NULL certificate or output");
    return pkiws__pem_write("CERTIFICATE", cert->crt.raw.p, cert->crt.raw.len, out);
}
