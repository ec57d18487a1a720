/* SPDX-License-Identifier: MIT */
/* Signature formats around PKCS#11: the DigestInfo that CKM_RSA_PKCS signs (RFC 8017 §9.2),
 * and CKM_ECDSA's raw r || s as a DER ECDSA-Sig-Value (RFC 5480 §2.2 / SEC 1). */
#include "pkiws_internal.h"

#include "pkcs11/pkcs11.h"

/* AlgorithmIdentifier prefixes of the DigestInfo, up to and including the OCTET STRING
 * header (RFC 8017 §9.2 note 1). */
static const uint8_t di_sha1[] = {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
                                  0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14};
#define DI_SHA2(total, last, len)                                                                  \
    {                                                                                              \
        0x30, total, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, last, \
            0x05, 0x00, 0x04, len                                                                  \
    }
static const uint8_t di_sha224[] = DI_SHA2(0x2d, 0x04, 0x1c);
static const uint8_t di_sha256[] = DI_SHA2(0x31, 0x01, 0x20);
static const uint8_t di_sha384[] = DI_SHA2(0x41, 0x02, 0x30);
static const uint8_t di_sha512[] = DI_SHA2(0x51, 0x03, 0x40);

int pkiws__p11_digest_info(int alg, const uint8_t *hash, size_t hash_len, uint8_t *out, size_t cap,
                           size_t *out_len)
{
    *out_len = 0;
    const uint8_t *pre;
    size_t pre_len;
    switch (alg) {
    case PKIWS_SIGN_RSA_PKCS1_SHA1:
        pre = di_sha1, pre_len = sizeof di_sha1;
        break;
    case PKIWS_SIGN_RSA_PKCS1_SHA224:
        pre = di_sha224, pre_len = sizeof di_sha224;
        break;
    case PKIWS_SIGN_RSA_PKCS1_SHA256:
        pre = di_sha256, pre_len = sizeof di_sha256;
        break;
    case PKIWS_SIGN_RSA_PKCS1_SHA384:
        pre = di_sha384, pre_len = sizeof di_sha384;
        break;
    case PKIWS_SIGN_RSA_PKCS1_SHA512:
        pre = di_sha512, pre_len = sizeof di_sha512;
        break;
    default:
        return pkiws__fail(PKIWS_E_INVALID_ARG, "PKCS#11: algorithm %d is not an RSA PKCS#1 one",
                           alg);
    }
    if (hash_len != pre[pre_len - 1])
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "PKCS#11: a %zu-byte digest for algorithm %d, which needs %u", hash_len,
                           alg, (unsigned)pre[pre_len - 1]);
    if (pre_len + hash_len > cap)
        return pkiws__fail(PKIWS_E_LIMIT, "PKCS#11: no room for the DigestInfo");
    memcpy(out, pre, pre_len);
    memcpy(out + pre_len, hash, hash_len);
    *out_len = pre_len + hash_len;
    return PKIWS_OK;
}

/* One DER INTEGER of the unsigned big-endian p (n bytes) at out; returns its length. */
static size_t der_uint(const uint8_t *p, size_t n, uint8_t *out)
{
    while (n > 1 && p[0] == 0)
        p++, n--;
    size_t pad = (p[0] & 0x80) ? 1 : 0;
    out[0] = 0x02;
    out[1] = (uint8_t)(n + pad);
    if (pad)
        out[2] = 0;
    memcpy(out + 2 + pad, p, n);
    return 2 + pad + n;
}

int pkiws__p11_ecdsa_der(const uint8_t *raw, size_t raw_len, uint8_t *out, size_t cap,
                         size_t *out_len)
{
    *out_len = 0;
    /* halves up to 66 bytes (P-521): each INTEGER fits a one-byte length */
    if (raw_len == 0 || raw_len % 2 || raw_len > 132)
        return pkiws__fail(PKIWS_E_RA_CREDENTIAL,
                           "PKCS#11: the token's ECDSA signature is %zu bytes, not r || s of a "
                           "supported curve",
                           raw_len);
    size_t half = raw_len / 2;
    /* r and s are in [1, n-1]: a zero half is a broken token, not a signature */
    for (size_t h = 0; h < 2; h++) {
        size_t i = 0;
        while (i < half && raw[h * half + i] == 0)
            i++;
        if (i == half)
            return pkiws__fail(PKIWS_E_RA_CREDENTIAL,
                               "PKCS#11: the token's ECDSA signature has %s = 0 (of %zu bytes)",
                               h ? "s" : "r", half);
    }
    uint8_t body[2 * (3 + 66)];
    size_t n = der_uint(raw, half, body);
    n += der_uint(raw + half, half, body + n);
    size_t hdr = n < 128 ? 2 : 3;
    if (hdr + n > cap)
        return pkiws__fail(PKIWS_E_LIMIT, "PKCS#11: no room for the DER ECDSA signature");
    out[0] = 0x30;
    if (n < 128) {
        out[1] = (uint8_t)n;
    } else {
        out[1] = 0x81;
        out[2] = (uint8_t)n;
    }
    memcpy(out + hdr, body, n);
    *out_len = hdr + n;
    return PKIWS_OK;
}
