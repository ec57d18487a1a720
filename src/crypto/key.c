/* SPDX-License-Identifier: MIT */
/* Private keys: generation (RSA 2048/3072/4096, EC P-256/P-384), parsing, type, public key. */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

int pkiws__key_wrap(mbedtls_pk_context *pk, pkiws__key **out)
{
    pkiws__key *k = pkiws__calloc(1, sizeof *k);
    if (!k) {
        mbedtls_pk_free(pk);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory wrapping a private key");
    }
    k->pk = *pk; /* the context is a pair of pointers: moving it moves ownership */
    mbedtls_pk_init(pk);
    *out = k;
    return PKIWS_OK;
}

void pkiws__key_free(pkiws__key *key)
{
    if (!key)
        return;
    mbedtls_pk_free(&key->pk); /* wipes the key material */
    pkiws__free_secret(key, sizeof *key);
}

static const char *key_type_name(int key_type)
{
    switch (key_type) {
    case PKIWS_KEY_RSA2048:
        return "RSA-2048";
    case PKIWS_KEY_RSA3072:
        return "RSA-3072";
    case PKIWS_KEY_RSA4096:
        return "RSA-4096";
    case PKIWS_KEY_EC_P256:
        return "EC P-256";
    case PKIWS_KEY_EC_P384:
        return "EC P-384";
    default:
        return NULL;
    }
}

int pkiws__key_generate(int key_type, pkiws__key **out)
{
    unsigned rsa_bits = 0;
    mbedtls_ecp_group_id grp = MBEDTLS_ECP_DP_NONE;
    switch (key_type) {
    case PKIWS_KEY_RSA2048:
        rsa_bits = 2048;
        break;
    case PKIWS_KEY_RSA3072:
        rsa_bits = 3072;
        break;
    case PKIWS_KEY_RSA4096:
        rsa_bits = 4096;
        break;
    case PKIWS_KEY_EC_P256:
        grp = MBEDTLS_ECP_DP_SECP256R1;
        break;
    case PKIWS_KEY_EC_P384:
        grp = MBEDTLS_ECP_DP_SECP384R1;
        break;
    default:
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "key type %d is not one of PKIWS_KEY_RSA2048 (1), _RSA3072 (2), "
                           "_RSA4096 (3), _EC_P256 (4), _EC_P384 (5)",
                           key_type);
    }
    if (!out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "key generation: NULL output pointer");
    *out = NULL;

    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    int ret = mbedtls_pk_setup(
        &pk, mbedtls_pk_info_from_type(rsa_bits ? MBEDTLS_PK_RSA : MBEDTLS_PK_ECKEY));
    if (ret == 0) {
        if (rsa_bits)
            ret =
                mbedtls_rsa_gen_key(mbedtls_pk_rsa(pk), pkiws__drbg_random, NULL, rsa_bits, 65537);
        else
            ret = pkiws__ec_generate(grp, mbedtls_pk_ec(pk));
    }
    if (ret != 0) {
        mbedtls_pk_free(&pk);
        char what[64];
        snprintf(what, sizeof what, "generating a %s key", key_type_name(key_type));
        return pkiws__mbed_fail(ret == MBEDTLS_ERR_PK_ALLOC_FAILED ? PKIWS_E_NOMEM : PKIWS_E_CRYPTO,
                                ret, what);
    }
    return pkiws__key_wrap(&pk, out);
}

/* 1 when the DER looks like an EncryptedPrivateKeyInfo: SEQUENCE { SEQUENCE { OID, ... },
 * OCTET STRING } (every unencrypted key form starts with an INTEGER version instead). */
static int der_is_encrypted_pkcs8(const uint8_t *der, size_t len)
{
    unsigned char *p = (unsigned char *)(uintptr_t)der;
    const unsigned char *end = der + len;
    size_t l;
    if (mbedtls_asn1_get_tag(&p, end, &l, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) ||
        mbedtls_asn1_get_tag(&p, end, &l, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
        return 0;
    if (l == 0 || *p != MBEDTLS_ASN1_OID)
        return 0;
    p += l;
    return p < end && *p == MBEDTLS_ASN1_OCTET_STRING;
}

/* Encrypted PKCS#8 is decrypted here (key_pkcs8_decrypt.c), not by mbedTLS 2.28, which knows
 * neither AES in PBES2 nor PKCS#12 PBE passwords longer than 31 characters or outside Latin-1
 * (it widens each byte instead of converting UTF-8), and which reports a wrong password on DER
 * input as a format error. */
static int parse_encrypted_pkcs8(const uint8_t *data, size_t len, int pem, const char *password,
                                 mbedtls_pk_context *pk)
{
    pkiws_buf der = PKIWS_BUF_INIT, plain = PKIWS_BUF_INIT;
    plain.secret = 1;
    int rc = PKIWS_OK;
    const uint8_t *d = data;
    size_t dlen = len;
    if (pem) {
        size_t pos = 0;
        rc = pkiws__pem_next(data, len, &pos, "ENCRYPTED PRIVATE KEY", PKIWS_E_CRYPTO, &der);
        d = der.data;
        dlen = der.len;
    }
    if (rc == PKIWS_OK)
        rc = pkiws__pkcs8_decrypt(d, dlen, password, &plain);
    if (rc == PKIWS_OK) {
        int ret = mbedtls_pk_parse_key(pk, plain.data, plain.len, NULL, 0);
        if (ret != 0)
            rc = pkiws__mbed_fail(PKIWS_E_CRYPTO, ret,
                                  "encrypted PKCS#8 private key: the decrypted content is not a "
                                  "key (wrong password, or the key is corrupt)");
    }
    if (rc != PKIWS_OK && rc != PKIWS_E_NOMEM)
        pkiws__fail_context(rc, "private key (%zu bytes, %s)", len, pem ? "PEM" : "DER");
    pkiws__buf_dispose(&der);
    pkiws__buf_dispose(&plain);
    return rc;
}

int pkiws__key_parse(const uint8_t *data, size_t len, const char *password, pkiws__key **out)
{
    if (!out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "private key: NULL output pointer");
    *out = NULL;
    if (!data || len == 0)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "private key: the input is empty");

    int pem = pkiws__pem_present(data, len);
    const char *pw = password && *password ? password : NULL;
    int pkcs8_enc = pem ? memmem(data, len, "-----BEGIN ENCRYPTED PRIVATE KEY-----", 37) != NULL
                        : der_is_encrypted_pkcs8(data, len);
    int legacy_enc = pem && !pkcs8_enc && memmem(data, len, "Proc-Type: 4,ENCRYPTED", 22) != NULL;
    if ((pkcs8_enc || legacy_enc) && !pw)
        return pkiws__fail(PKIWS_E_CRYPTO,
                           "private key (%zu bytes, %s) is encrypted and no password was given",
                           len, pem ? "PEM" : "DER");
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    if (pkcs8_enc) {
        int rc = parse_encrypted_pkcs8(data, len, pem, pw, &pk);
        if (rc != PKIWS_OK) {
            mbedtls_pk_free(&pk);
            return rc;
        }
        return pkiws__key_wrap(&pk, out);
    }

    pkiws_buf copy = PKIWS_BUF_INIT;
    copy.secret = 1;
    const unsigned char *in = data;
    size_t inlen = len;
    if (pem) {
        /* mbedTLS wants PEM NUL-terminated, with the NUL counted in the length. */
        if (pkiws__buf_append(&copy, data, len) != PKIWS_OK)
            return pkiws__fail(PKIWS_E_NOMEM, "out of memory reading a %zu-byte private key", len);
        in = copy.data;
        inlen = copy.len + 1;
    }
    int ret = mbedtls_pk_parse_key(&pk, in, inlen, (const unsigned char *)pw, pw ? strlen(pw) : 0);
    int rc = PKIWS_OK;
    if (ret == MBEDTLS_ERR_PK_PASSWORD_REQUIRED) {
        rc = pkiws__fail(PKIWS_E_CRYPTO,
                         "private key (%zu bytes, %s) is encrypted and no password was given", len,
                         pem ? "PEM" : "DER");
    } else if (ret == MBEDTLS_ERR_PK_PASSWORD_MISMATCH ||
               (legacy_enc && ret != 0 && ret != MBEDTLS_ERR_PK_ALLOC_FAILED)) {
        rc = pkiws__fail(PKIWS_E_CRYPTO,
                         "private key (%zu bytes, %s): wrong password, or the encrypted key is "
                         "corrupt (mbedTLS -0x%04X)",
                         len, pem ? "PEM" : "DER", (unsigned)-ret);
        pkiws__err_native("mbedtls", ret);
    } else if (ret != 0 && pem && !memmem(data, len, "PRIVATE KEY-----", 16) &&
               memmem(data, len, "-----BEGIN CERTIFICATE", 22)) {
        rc =
            pkiws__fail(PKIWS_E_CRYPTO,
                        "private key (%zu bytes, PEM) holds a certificate, not a private key", len);
    } else if (ret != 0) {
        char what[128];
        snprintf(what, sizeof what,
                 "private key (%zu bytes, %s) is not a PKCS#1, SEC1 or PKCS#8 key", len,
                 pem ? "PEM" : "DER");
        rc = pkiws__mbed_fail(ret == MBEDTLS_ERR_PK_ALLOC_FAILED ? PKIWS_E_NOMEM : PKIWS_E_CRYPTO,
                              ret, what);
    }
    pkiws__buf_dispose(&copy);
    if (rc != PKIWS_OK) {
        mbedtls_pk_free(&pk);
        return rc;
    }
    return pkiws__key_wrap(&pk, out);
}

int pkiws__key_type(const pkiws__key *key)
{
    if (!key)
        return 0;
    switch (mbedtls_pk_get_type(&key->pk)) {
    case MBEDTLS_PK_RSA: {
        size_t bits = mbedtls_pk_get_bitlen(&key->pk);
        if (bits == 0)
            return 0;
        if (bits <= 2560)
            return PKIWS_KEY_RSA2048;
        if (bits <= 3584)
            return PKIWS_KEY_RSA3072;
        return PKIWS_KEY_RSA4096;
    }
    case MBEDTLS_PK_ECKEY:
    case MBEDTLS_PK_ECKEY_DH:
    case MBEDTLS_PK_ECDSA:
        switch (mbedtls_pk_ec(key->pk)->grp.id) {
        case MBEDTLS_ECP_DP_SECP256R1:
            return PKIWS_KEY_EC_P256;
        case MBEDTLS_ECP_DP_SECP384R1:
            return PKIWS_KEY_EC_P384;
        default:
            return 0;
        }
    default:
        return 0;
    }
}

int pkiws__pk_public_der(const mbedtls_pk_context *pk, pkiws_buf *out)
{
    for (size_t cap = 1024; cap <= 65536; cap *= 2) {
        unsigned char *buf = pkiws__malloc(cap);
        if (!buf)
            return pkiws__fail(PKIWS_E_NOMEM, "out of memory writing a public key");
        int n = mbedtls_pk_write_pubkey_der((mbedtls_pk_context *)(uintptr_t)pk, buf, cap);
        if (n > 0) {
            int rc = pkiws__buf_append(out, buf + cap - (size_t)n, (size_t)n);
            pkiws__free(buf);
            return rc == PKIWS_OK ? PKIWS_OK
                                  : pkiws__fail(rc, "out of memory writing a public key");
        }
        pkiws__free(buf);
        if (n != MBEDTLS_ERR_ASN1_BUF_TOO_SMALL)
            return pkiws__mbed_fail(PKIWS_E_CRYPTO, n, "writing the SubjectPublicKeyInfo");
    }
    return pkiws__fail(PKIWS_E_LIMIT, "public key is larger than 64 KiB");
}

int pkiws__key_public_der(const pkiws__key *key, pkiws_buf *out)
{
    if (!key || !out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "public key: NULL key or output");
    return pkiws__pk_public_der(&key->pk, out);
}
