/* SPDX-License-Identifier: MIT */
/* Decrypting an EncryptedPrivateKeyInfo (encrypted PKCS#8) with the PBE code of the PKCS#12
 * reader: PBES2 with AES (OpenSSL's default, which mbedTLS 2.28 cannot do) or 3DES, and the
 * PKCS#12 PBEs with passwords of any length (mbedTLS: at most 31 Latin-1 characters). */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

int pkiws__pkcs8_decrypt(const uint8_t *der, size_t len, const char *password, pkiws_buf *plain)
{
    plain->secret = 1;
    if (!password)
        return pkiws__fail(PKIWS_E_CRYPTO, "the private key is encrypted and no password was "
                                           "given");
    int rc = pkiws__der_check_tlv(der, len, "encrypted PKCS#8 private key", PKIWS_E_CRYPTO);
    if (rc != PKIWS_OK)
        return rc;
    /* EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING } */
    unsigned char *p = (unsigned char *)(uintptr_t)der;
    const unsigned char *end = der + len;
    size_t l, alg_len, ct_len;
    if (mbedtls_asn1_get_tag(&p, end, &l, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
        return pkiws__fail(PKIWS_E_CRYPTO, "encrypted PKCS#8 private key: not a SEQUENCE");
    const unsigned char *alg = p;
    if (mbedtls_asn1_get_tag(&p, end, &alg_len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
        return pkiws__fail(PKIWS_E_CRYPTO,
                           "encrypted PKCS#8 private key: no encryption "
                           "AlgorithmIdentifier at offset %zu",
                           (size_t)(alg - der));
    p += alg_len;
    alg_len = (size_t)(p - alg);
    size_t ct_off = (size_t)(p - der);
    if (mbedtls_asn1_get_tag(&p, end, &ct_len, MBEDTLS_ASN1_OCTET_STRING) || p + ct_len != end)
        return pkiws__fail(PKIWS_E_CRYPTO,
                           "encrypted PKCS#8 private key: no encryptedData "
                           "OCTET STRING at offset %zu ending the key",
                           ct_off);
    char name[80] = "";
    size_t before = plain->len;
    rc = pkiws__pfx_pbe_decrypt(alg, alg_len, password, p, ct_len, plain, name, sizeof name);
    if (rc == PKIWS_E_CRYPTO)
        return pkiws__fail(PKIWS_E_CRYPTO,
                           "encrypted PKCS#8 private key (%s): wrong password, or the key is "
                           "corrupt (decryption failed)",
                           name[0] ? name : "unknown algorithm");
    if (rc != PKIWS_OK)
        return pkiws__fail_context(rc, "encrypted PKCS#8 private key");
    /* A wrong password passes the padding check about 1 time in 256: demand DER. */
    unsigned char *q = plain->data + before;
    const unsigned char *qend = plain->data + plain->len;
    if (mbedtls_asn1_get_tag(&q, qend, &l, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) ||
        q + l != qend)
        return pkiws__fail(PKIWS_E_CRYPTO,
                           "encrypted PKCS#8 private key (%s): wrong password, or the key is "
                           "corrupt (the decrypted data is not DER)",
                           name);
    return PKIWS_OK;
}
