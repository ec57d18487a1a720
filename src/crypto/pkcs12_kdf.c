/* SPDX-License-Identifier: MIT */
/* RFC 7292 Appendix B: BMPString passwords and the PKCS#12 key derivation, on mbedtls_md (the
 * iterations of SHA-1 and SHA-256 through crypto/sha_iter.c). */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

int pkiws__pfx_bmp_password(const char *utf8, pkiws_buf *out)
{
    out->secret = 1;
    if (!utf8)
        return PKIWS_OK;
    size_t len = strlen(utf8), i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = pkiws__utf8_next(utf8 + i, len - i, &cp);
        if (!n)
            return pkiws__fail(PKIWS_E_INVALID_ARG,
                               "PFX password: invalid UTF-8 at byte offset %zu", i);
        uint8_t u[4];
        size_t un;
        if (cp >= 0x10000) {
            uint32_t v = cp - 0x10000;
            uint32_t hi = 0xD800 | (v >> 10), lo = 0xDC00 | (v & 0x3FF);
            u[0] = (uint8_t)(hi >> 8);
            u[1] = (uint8_t)hi;
            u[2] = (uint8_t)(lo >> 8);
            u[3] = (uint8_t)lo;
            un = 4;
        } else {
            u[0] = (uint8_t)(cp >> 8);
            u[1] = (uint8_t)cp;
            un = 2;
        }
        if (pkiws__buf_append(out, u, un))
            return pkiws__fail(PKIWS_E_NOMEM, "out of memory converting the PFX password");
        pkiws__zeroize(u, sizeof u);
        i += n;
    }
    if (pkiws__buf_append(out, "\0\0", 2))
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory converting the PFX password");
    return PKIWS_OK;
}

static const mbedtls_md_info_t *kdf_md(int md, size_t *v)
{
    switch (md) {
    case PKIWS__PFX_MD_SHA1:
        *v = 64;
        return mbedtls_md_info_from_type(MBEDTLS_MD_SHA1);
    case PKIWS__PFX_MD_SHA224:
        *v = 64;
        return mbedtls_md_info_from_type(MBEDTLS_MD_SHA224);
    case PKIWS__PFX_MD_SHA256:
        *v = 64;
        return mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    case PKIWS__PFX_MD_SHA384:
        *v = 128;
        return mbedtls_md_info_from_type(MBEDTLS_MD_SHA384);
    case PKIWS__PFX_MD_SHA512:
        *v = 128;
        return mbedtls_md_info_from_type(MBEDTLS_MD_SHA512);
    default:
        return NULL;
    }
}

/* Fill dst (a multiple of v bytes long) with copies of src. */
static void repeat_fill(uint8_t *dst, size_t dst_len, const uint8_t *src, size_t src_len)
{
    for (size_t i = 0; i < dst_len; i++)
        dst[i] = src[i % src_len];
}

int pkiws__pfx_kdf(int md, const uint8_t *pw, size_t pw_len, const uint8_t *salt, size_t salt_len,
                   unsigned iterations, int id, uint8_t *out, size_t n)
{
    size_t v;
    const mbedtls_md_info_t *info = kdf_md(md, &v);
    if (!info)
        return pkiws__fail(PKIWS_E_INTERNAL, "PKCS#12 KDF: unknown digest %d", md);
    if (iterations < 1 || iterations > PKIWS__PFX_MAX_ITERATIONS)
        return pkiws__fail(PKIWS_E_LIMIT, "PKCS#12 KDF: iteration count %u is outside 1..%u",
                           iterations, PKIWS__PFX_MAX_ITERATIONS);
    if (id < 1 || id > 3)
        return pkiws__fail(PKIWS_E_INTERNAL, "PKCS#12 KDF: bad purpose id %d", id);
    size_t u = mbedtls_md_get_size(info);
    /* I = S || P, each padded up to a multiple of v by repetition */
    size_t slen = salt_len ? (salt_len + v - 1) / v * v : 0;
    size_t plen = pw_len ? (pw_len + v - 1) / v * v : 0;
    if (salt_len > SIZE_MAX / 2 - v || pw_len > SIZE_MAX / 2 - v || slen > SIZE_MAX - plen - v)
        return pkiws__fail(PKIWS_E_LIMIT, "PKCS#12 KDF: password or salt too long");
    size_t ilen = slen + plen;
    uint8_t *buf = pkiws__malloc(v + ilen); /* D || I */
    if (!buf)
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory in the PKCS#12 KDF");
    uint8_t *d = buf, *I = buf + v;
    memset(d, id, v);
    if (slen)
        repeat_fill(I, slen, salt, salt_len);
    if (plen)
        repeat_fill(I + slen, plen, pw, pw_len);

    uint8_t a[MBEDTLS_MD_MAX_SIZE], b[128];
    mbedtls_md_context_t ctx;
    mbedtls_md_init(&ctx);
    int rc = PKIWS_OK, mrc = mbedtls_md_setup(&ctx, info, 0);
    size_t done = 0;
    while (!mrc && done < n) {
        /* A = H^r(D || I) */
        mrc = mbedtls_md_starts(&ctx);
        if (!mrc)
            mrc = mbedtls_md_update(&ctx, buf, v + ilen);
        if (!mrc)
            mrc = mbedtls_md_finish(&ctx, a);
        if (!mrc && iterations > 1 && pkiws__sha_iter_supported(md))
            pkiws__sha_iterate(md, a, iterations - 1);
        else
            for (unsigned r = 1; !mrc && r < iterations; r++) {
                mrc = mbedtls_md_starts(&ctx);
                if (!mrc)
                    mrc = mbedtls_md_update(&ctx, a, u);
                if (!mrc)
                    mrc = mbedtls_md_finish(&ctx, a);
            }
        if (mrc)
            break;
        size_t take = n - done < u ? n - done : u;
        memcpy(out + done, a, take);
        done += take;
        if (done >= n)
            break;
        /* B = A repeated to v bytes; each v-byte block Ij of I becomes (Ij + B + 1) mod 2^(8v) */
        repeat_fill(b, v, a, u);
        for (size_t j = 0; j < ilen; j += v) {
            unsigned carry = 1;
            for (size_t k = v; k-- > 0;) {
                carry += (unsigned)I[j + k] + b[k];
                I[j + k] = (uint8_t)carry;
                carry >>= 8;
            }
        }
    }
    if (mrc)
        rc = pkiws__mbed_fail(PKIWS_E_CRYPTO, mrc, "PKCS#12 KDF digest");
    mbedtls_md_free(&ctx);
    pkiws__zeroize(a, sizeof a);
    pkiws__zeroize(b, sizeof b);
    pkiws__free_secret(buf, v + ilen);
    return rc;
}

int pkiws__pfx_mac_key(int md, const uint8_t *pw, size_t pw_len, const uint8_t *salt,
                       size_t salt_len, unsigned iterations, uint8_t key[64], size_t *key_len)
{
    size_t v;
    const mbedtls_md_info_t *info = kdf_md(md, &v);
    if (!info)
        return pkiws__fail(PKIWS_E_INTERNAL, "PFX MAC: unknown digest %d", md);
    size_t u = mbedtls_md_get_size(info);
    int rc = pkiws__pfx_kdf(md, pw, pw_len, salt, salt_len, iterations, 3, key, u);
    *key_len = rc ? 0 : u;
    return rc;
}

int pkiws__pfx_hmac(int md, const uint8_t *key, size_t key_len, const uint8_t *data, size_t n,
                    uint8_t out[64], size_t *out_len)
{
    size_t v;
    const mbedtls_md_info_t *info = kdf_md(md, &v);
    if (!info)
        return pkiws__fail(PKIWS_E_INTERNAL, "PFX MAC: unknown digest %d", md);
    int mrc = mbedtls_md_hmac(info, key, key_len, data, n, out);
    if (mrc)
        return pkiws__mbed_fail(PKIWS_E_CRYPTO, mrc, "PFX MAC");
    *out_len = mbedtls_md_get_size(info);
    return PKIWS_OK;
}

int pkiws__pfx_mac(int md, const uint8_t *pw, size_t pw_len, const uint8_t *salt, size_t salt_len,
                   unsigned iterations, const uint8_t *data, size_t n, uint8_t out[64],
                   size_t *out_len)
{
    uint8_t key[64];
    size_t key_len = 0;
    int rc = pkiws__pfx_mac_key(md, pw, pw_len, salt, salt_len, iterations, key, &key_len);
    if (!rc)
        rc = pkiws__pfx_hmac(md, key, key_len, data, n, out, out_len);
    pkiws__zeroize(key, sizeof key);
    return rc;
}
