/* SPDX-License-Identifier: MIT */
/* PKCS#10 certificate requests: subject, extensionRequest (SAN, key usage, EKU), SHA-256. */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

/* The subject attribute types a CSR may carry, with the string type of their value. */
static const struct {
    const char *name;
    const char *oid;
    size_t oid_len;
} dn_types[] = {
    {"CN", MBEDTLS_OID_AT_CN, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_CN)},
    {"E", MBEDTLS_OID_PKCS9_EMAIL, MBEDTLS_OID_SIZE(MBEDTLS_OID_PKCS9_EMAIL)},
    {"O", MBEDTLS_OID_AT_ORGANIZATION, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_ORGANIZATION)},
    {"OU", MBEDTLS_OID_AT_ORG_UNIT, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_ORG_UNIT)},
    {"L", MBEDTLS_OID_AT_LOCALITY, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_LOCALITY)},
    {"ST", MBEDTLS_OID_AT_STATE, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_STATE)},
    {"C", MBEDTLS_OID_AT_COUNTRY, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_COUNTRY)},
};

/* id-kp-clientAuth as the whole ExtKeyUsageSyntax SEQUENCE */
static const unsigned char eku_client_auth[] = {0x30, 0x0A, 0x06, 0x08, 0x2B, 0x06,
                                                0x01, 0x05, 0x05, 0x07, 0x03, 0x02};

static int is_printable_string(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              strchr(" '()+,-./:=?", c)))
            return 0;
    }
    return 1;
}

static int is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

/* Fill node (OID and value borrowed from static tables / the caller / oidbuf). Values are
 * UTF8String, except countryName (PrintableString, RFC 5280) and emailAddress (IA5String,
 * PKCS#9) when the text allows it. */
static int dn_node(const pkiws__dn_part *part, size_t idx, mbedtls_asn1_named_data *node,
                   pkiws_buf *oidbuf)
{
    if (!part->type || !part->value)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "subject part %zu has no %s", idx,
                           part->type ? "value" : "type");
    size_t vlen = strlen(part->value), bad;
    if (vlen == 0)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "subject part %zu (%s) is empty", idx, part->type);
    if (!pkiws__utf8_valid(part->value, vlen, &bad))
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "subject part %zu (%s) is not valid UTF-8: bad byte 0x%02X at offset "
                           "%zu",
                           idx, part->type, (unsigned char)part->value[bad], bad);
    node->val.tag = MBEDTLS_ASN1_UTF8_STRING;
    node->val.p = (unsigned char *)(uintptr_t)part->value;
    node->val.len = vlen;
    node->oid.tag = MBEDTLS_ASN1_OID;
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(dn_types); i++) {
        if (!pkiws__strcaseeq(part->type, dn_types[i].name))
            continue;
        node->oid.p = (unsigned char *)(uintptr_t)dn_types[i].oid;
        node->oid.len = dn_types[i].oid_len;
        if (!strcmp(dn_types[i].name, "C")) {
            if (!is_printable_string(part->value))
                return pkiws__fail(PKIWS_E_INVALID_ARG,
                                   "subject part %zu (C) '%.16s' must be a PrintableString "
                                   "(ISO 3166 code such as DE)",
                                   idx, part->value);
            node->val.tag = MBEDTLS_ASN1_PRINTABLE_STRING;
        } else if (!strcmp(dn_types[i].name, "E") && is_ascii(part->value)) {
            node->val.tag = MBEDTLS_ASN1_IA5_STRING;
        }
        return PKIWS_OK;
    }
    const char *why = NULL;
    if (!pkiws__oid_valid(part->type, &why))
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "subject part %zu has type '%.64s', which is neither CN, E, O, OU, L, "
                           "ST, C nor a dotted OID",
                           idx, part->type);
    if (pkiws__oid_encode(part->type, oidbuf) != PKIWS_OK)
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory encoding the subject");
    node->oid.p = oidbuf->data;
    node->oid.len = oidbuf->len;
    return PKIWS_OK;
}

int pkiws__csr_build(const pkiws__key *key, const pkiws__dn_part *dn, size_t ndn,
                     const pkiws__csr_san *san, size_t nsan, unsigned flags, pkiws_buf *der_out)
{
    if (!key || !der_out || (!dn && ndn) || (!san && nsan))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "CSR: NULL key, subject, SAN or output");
    if (flags & ~(PKIWS__CSR_KU_DS_KE | PKIWS__CSR_EKU_CLIENT))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "CSR: unknown flags 0x%X", flags);
    if (!mbedtls_pk_can_do(&key->pk, MBEDTLS_PK_RSA) &&
        !mbedtls_pk_can_do(&key->pk, MBEDTLS_PK_ECDSA))
        return pkiws__fail(PKIWS_E_CRYPTO, "CSR: the key (%s) cannot sign",
                           mbedtls_pk_get_name(&key->pk));

    mbedtls_x509write_csr ctx;
    mbedtls_x509write_csr_init(&ctx);
    /* an EC key signs with its curve's shared generator table (ec_fixed.c) */
    mbedtls_pk_context fast_pk;
    int fast = pkiws__ec_fast_pk(&key->pk, &fast_pk);
    mbedtls_asn1_named_data *nodes = NULL;
    pkiws_buf *oidbufs = NULL;
    pkiws_buf san_der = PKIWS_BUF_INIT;
    unsigned char *buf = NULL;
    int rc = PKIWS_OK, ret = 0;

    if (ndn) {
        nodes = pkiws__calloc(ndn, sizeof *nodes);
        oidbufs = pkiws__calloc(ndn, sizeof *oidbufs);
        if (!nodes || !oidbufs)
            rc = pkiws__fail(PKIWS_E_NOMEM, "out of memory building a CSR");
    }
    /* mbedTLS writes the list head last: link the parts in reverse so the DER keeps the given
     * order. Building the list directly (instead of a "CN=...,O=..." string) needs no escaping
     * and keeps repeated types (two OUs), which mbedtls_x509_string_to_names would merge. */
    for (size_t i = 0; rc == PKIWS_OK && i < ndn; i++) {
        rc = dn_node(&dn[i], i + 1, &nodes[i], &oidbufs[i]);
        nodes[i].next = i > 0 ? &nodes[i - 1] : NULL;
    }
    if (rc == PKIWS_OK) {
        ctx.subject = ndn ? &nodes[ndn - 1] : NULL;
        mbedtls_x509write_csr_set_key(&ctx,
                                      fast ? &fast_pk : (mbedtls_pk_context *)(uintptr_t)&key->pk);
        mbedtls_x509write_csr_set_md_alg(&ctx, MBEDTLS_MD_SHA256);
    }
    if (rc == PKIWS_OK && nsan) {
        rc = pkiws__san_der(san, nsan, &san_der);
        if (rc == PKIWS_OK &&
            (ret = mbedtls_x509write_csr_set_extension(
                 &ctx, MBEDTLS_OID_SUBJECT_ALT_NAME, MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME),
                 san_der.data, san_der.len)) != 0)
            rc = pkiws__mbed_fail(PKIWS_E_CRYPTO, ret, "CSR: adding subjectAltName");
    }
    /* keyEncipherment only for an RSA key: an EC key cannot encipher a key, and RFC 5480 §3
     * forbids the bit with id-ecPublicKey (the CA issues EC certificates digitalSignature only) */
    unsigned char ku = MBEDTLS_X509_KU_DIGITAL_SIGNATURE;
    if (mbedtls_pk_can_do(&key->pk, MBEDTLS_PK_RSA))
        ku |= MBEDTLS_X509_KU_KEY_ENCIPHERMENT;
    if (rc == PKIWS_OK && (flags & PKIWS__CSR_KU_DS_KE) &&
        (ret = mbedtls_x509write_csr_set_key_usage(&ctx, ku)) != 0)
        rc = pkiws__mbed_fail(PKIWS_E_CRYPTO, ret, "CSR: adding keyUsage");
    if (rc == PKIWS_OK && (flags & PKIWS__CSR_EKU_CLIENT) &&
        (ret = mbedtls_x509write_csr_set_extension(&ctx, MBEDTLS_OID_EXTENDED_KEY_USAGE,
                                                   MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE),
                                                   eku_client_auth, sizeof eku_client_auth)) != 0)
        rc = pkiws__mbed_fail(PKIWS_E_CRYPTO, ret, "CSR: adding extendedKeyUsage");

    size_t cap = 4096 + san_der.len;
    for (size_t i = 0; nodes && i < ndn; i++)
        cap += nodes[i].val.len + 32;
    while (rc == PKIWS_OK) {
        pkiws__free(buf);
        if (!(buf = pkiws__malloc(cap))) {
            rc = pkiws__fail(PKIWS_E_NOMEM, "out of memory building a CSR");
            break;
        }
        ret = mbedtls_x509write_csr_der(&ctx, buf, cap, pkiws__drbg_random, NULL);
        if (ret == MBEDTLS_ERR_ASN1_BUF_TOO_SMALL && cap < 1024 * 1024) {
            cap *= 2;
            continue;
        }
        if (ret < 0)
            rc = pkiws__mbed_fail(PKIWS_E_CRYPTO, ret, "CSR: signing the request");
        else if (pkiws__buf_append(der_out, buf + cap - (size_t)ret, (size_t)ret) != PKIWS_OK)
            rc = pkiws__fail(PKIWS_E_NOMEM, "out of memory building a CSR");
        break;
    }

    ctx.subject = NULL; /* ours, not mbedTLS's to free */
    mbedtls_x509write_csr_free(&ctx);
    if (fast)
        mbedtls_pk_free(&fast_pk);
    pkiws__free(buf);
    for (size_t i = 0; oidbufs && i < ndn; i++)
        pkiws__buf_dispose(&oidbufs[i]);
    pkiws__free(oidbufs);
    pkiws__free(nodes);
    pkiws__buf_dispose(&san_der);
    return rc;
}

int pkiws__csr_pem(const uint8_t *der, size_t len, pkiws_buf *out)
{
    if (!der || !len || !out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "CSR PEM: empty DER or NULL output");
    return pkiws__pem_write("CERTIFICATE REQUEST", der, len, out);
}
