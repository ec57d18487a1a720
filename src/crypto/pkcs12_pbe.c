/* SPDX-License-Identifier: MIT */
/* Password-based encryption of PFX bags: PKCS#12 PBEs (3DES, RC2) and PBES2 (PBKDF2 + AES/3DES). */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

#include <stdio.h>

/* OIDs (DER content bytes) */
static const uint8_t oid_pkcs12_pbe[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01};
static const uint8_t oid_pbes2[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d};
static const uint8_t oid_pbkdf2[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c};
static const uint8_t oid_hmac[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02};      /* + 7..11 */
static const uint8_t oid_aes[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01}; /* + 2/22/42 */
static const uint8_t oid_des_ede3_cbc[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x07};

#define SALT_MAX 1024 /* bytes of salt accepted from a file */

/* Parsed PKCS#12 PBE / PBES2 parameters. */
typedef struct pbe_params {
    const char *name_cipher;
    mbedtls_cipher_type_t cipher; /* MBEDTLS_CIPHER_NONE for RC2 */
    size_t key_len, iv_len;
    unsigned rc2_bits; /* RC2 effective key bits, 0 otherwise */
    int pbes2;         /* 0: PKCS#12 KDF with SHA-1; 1: PBKDF2 */
    int prf_md;        /* PBES2: PKIWS__PFX_MD_* of the HMAC */
    const uint8_t *salt;
    size_t salt_len;
    uint32_t iterations;
    uint8_t iv[16]; /* PBES2: from the parameters */
} pbe_params;

static int oid_is(const pkiws__pfx_der *o, const uint8_t *oid, size_t n)
{
    return (size_t)(o->end - o->p) == n && memcmp(o->p, oid, n) == 0;
}

/* o starts with prefix and has one more byte: that byte, else -1. */
static int oid_arc(const pkiws__pfx_der *o, const uint8_t *prefix, size_t n)
{
    if ((size_t)(o->end - o->p) != n + 1 || memcmp(o->p, prefix, n) != 0)
        return -1;
    return o->p[n];
}

static int fail_oid(int code, const pkiws__pfx_der *o, const char *what)
{
    pkiws_buf t = PKIWS_BUF_INIT;
    if (o->p == o->end || pkiws__oid_decode(o->p, (size_t)(o->end - o->p), &t) || !t.len)
        pkiws__buf_dispose(&t);
    pkiws__fail(code, "%s: unsupported %s %s at offset %zu", o->where, what,
                t.data ? (const char *)t.data : "(undecodable OID)", pkiws__pfx_der_offset(o));
    pkiws__buf_dispose(&t);
    return code;
}

static const char *md_name(int md)
{
    switch (md) {
    case PKIWS__PFX_MD_SHA1:
        return "SHA1";
    case PKIWS__PFX_MD_SHA224:
        return "SHA224";
    case PKIWS__PFX_MD_SHA256:
        return "SHA256";
    case PKIWS__PFX_MD_SHA384:
        return "SHA384";
    default:
        return "SHA512";
    }
}

static mbedtls_md_type_t md_type(int md)
{
    switch (md) {
    case PKIWS__PFX_MD_SHA1:
        return MBEDTLS_MD_SHA1;
    case PKIWS__PFX_MD_SHA224:
        return MBEDTLS_MD_SHA224;
    case PKIWS__PFX_MD_SHA256:
        return MBEDTLS_MD_SHA256;
    case PKIWS__PFX_MD_SHA384:
        return MBEDTLS_MD_SHA384;
    default:
        return MBEDTLS_MD_SHA512;
    }
}

/* SEQ { OCTET salt, INTEGER iterations } of the PKCS#12 PBEs. */
static int parse_pkcs12_params(pkiws__pfx_der *d, pbe_params *pp)
{
    pkiws__pfx_der seq, salt;
    int rc;
    if ((rc = pkiws__pfx_der_get(d, 0x30, "pkcs-12PbeParams", &seq)) ||
        (rc = pkiws__pfx_der_get(&seq, 0x04, "pkcs-12PbeParams.salt", &salt)) ||
        (rc = pkiws__pfx_der_get_uint(&seq, "pkcs-12PbeParams.iterations",
                                      PKIWS__PFX_MAX_ITERATIONS, &pp->iterations)) ||
        (rc = pkiws__pfx_der_done(&seq, "pkcs-12PbeParams")))
        return rc;
    pp->salt = salt.p;
    pp->salt_len = (size_t)(salt.end - salt.p);
    return PKIWS_OK;
}

/* PBES2-params { keyDerivationFunc PBKDF2, encryptionScheme }. */
static int parse_pbes2_params(pkiws__pfx_der *d, pbe_params *pp)
{
    pkiws__pfx_der seq, kdf, oid, kp, salt, enc, eoid, iv;
    int rc;
    if ((rc = pkiws__pfx_der_get(d, 0x30, "PBES2-params", &seq)) ||
        (rc = pkiws__pfx_der_get(&seq, 0x30, "PBES2-params.keyDerivationFunc", &kdf)) ||
        (rc = pkiws__pfx_der_get(&kdf, 0x06, "PBES2 key derivation OID", &oid)))
        return rc;
    if (!oid_is(&oid, oid_pbkdf2, sizeof oid_pbkdf2))
        return fail_oid(PKIWS_E_UNSUPPORTED, &oid, "PBES2 key derivation function");
    if ((rc = pkiws__pfx_der_get(&kdf, 0x30, "PBKDF2-params", &kp)) ||
        (rc = pkiws__pfx_der_done(&kdf, "PBES2 keyDerivationFunc")) ||
        (rc = pkiws__pfx_der_get(&kp, 0x04, "PBKDF2-params.salt (specified)", &salt)) ||
        (rc = pkiws__pfx_der_get_uint(&kp, "PBKDF2-params.iterationCount",
                                      PKIWS__PFX_MAX_ITERATIONS, &pp->iterations)))
        return rc;
    pp->salt = salt.p;
    pp->salt_len = (size_t)(salt.end - salt.p);
    uint32_t key_length = 0;
    if (pkiws__pfx_der_peek(&kp) == 0x02 &&
        (rc = pkiws__pfx_der_get_uint(&kp, "PBKDF2-params.keyLength", 64, &key_length)))
        return rc;
    pp->prf_md = PKIWS__PFX_MD_SHA1;
    if (pkiws__pfx_der_peek(&kp) == 0x30) {
        pkiws__pfx_der prf, poid;
        if ((rc = pkiws__pfx_der_get(&kp, 0x30, "PBKDF2-params.prf", &prf)) ||
            (rc = pkiws__pfx_der_get(&prf, 0x06, "PBKDF2 prf OID", &poid)))
            return rc;
        switch (oid_arc(&poid, oid_hmac, sizeof oid_hmac)) {
        case 7:
            pp->prf_md = PKIWS__PFX_MD_SHA1;
            break;
        case 8:
            pp->prf_md = PKIWS__PFX_MD_SHA224;
            break;
        case 9:
            pp->prf_md = PKIWS__PFX_MD_SHA256;
            break;
        case 10:
            pp->prf_md = PKIWS__PFX_MD_SHA384;
            break;
        case 11:
            pp->prf_md = PKIWS__PFX_MD_SHA512;
            break;
        default:
            return fail_oid(PKIWS_E_UNSUPPORTED, &poid, "PBKDF2 pseudo-random function");
        }
        if (pkiws__pfx_der_peek(&prf) == 0x05 &&
            (rc = pkiws__pfx_der_get(&prf, 0x05, "PBKDF2 prf parameters (NULL)", NULL)))
            return rc;
        if ((rc = pkiws__pfx_der_done(&prf, "PBKDF2 prf")))
            return rc;
    }
    if ((rc = pkiws__pfx_der_done(&kp, "PBKDF2-params")) ||
        (rc = pkiws__pfx_der_get(&seq, 0x30, "PBES2-params.encryptionScheme", &enc)) ||
        (rc = pkiws__pfx_der_done(&seq, "PBES2-params")) ||
        (rc = pkiws__pfx_der_get(&enc, 0x06, "PBES2 encryption scheme OID", &eoid)))
        return rc;
    int arc = oid_arc(&eoid, oid_aes, sizeof oid_aes);
    if (arc == 2 || arc == 22 || arc == 42) {
        pp->key_len = arc == 2 ? 16 : arc == 22 ? 24 : 32;
        pp->cipher = arc == 2    ? MBEDTLS_CIPHER_AES_128_CBC
                     : arc == 22 ? MBEDTLS_CIPHER_AES_192_CBC
                                 : MBEDTLS_CIPHER_AES_256_CBC;
        pp->name_cipher = arc == 2 ? "AES-128-CBC" : arc == 22 ? "AES-192-CBC" : "AES-256-CBC";
        pp->iv_len = 16;
    } else if (oid_is(&eoid, oid_des_ede3_cbc, sizeof oid_des_ede3_cbc)) {
        pp->key_len = 24;
        pp->cipher = MBEDTLS_CIPHER_DES_EDE3_CBC;
        pp->name_cipher = "DES-EDE3-CBC";
        pp->iv_len = 8;
    } else {
        return fail_oid(PKIWS_E_UNSUPPORTED, &eoid, "PBES2 encryption scheme");
    }
    if (key_length && key_length != pp->key_len)
        return pkiws__fail(PKIWS_E_CRYPTO, "%s: PBKDF2 keyLength %u does not match %s (%zu bytes)",
                           kp.where, (unsigned)key_length, pp->name_cipher, pp->key_len);
    size_t off = pkiws__pfx_der_offset(&enc);
    if ((rc = pkiws__pfx_der_get(&enc, 0x04, "PBES2 cipher IV", &iv)) ||
        (rc = pkiws__pfx_der_done(&enc, "PBES2 encryptionScheme")))
        return rc;
    if ((size_t)(iv.end - iv.p) != pp->iv_len)
        return pkiws__fail(PKIWS_E_CRYPTO, "%s: %s IV at offset %zu has %zu bytes, not %zu",
                           enc.where, pp->name_cipher, off, (size_t)(iv.end - iv.p), pp->iv_len);
    memcpy(pp->iv, iv.p, pp->iv_len);
    pp->pbes2 = 1;
    return PKIWS_OK;
}

/* One CBC pass with an mbedTLS cipher (PKCS#7 padding added when pad, none otherwise). */
/* PBKDF2 with HMAC-prf_md (a PKIWS__PFX_MD_*) over the UTF-8 password: SHA-1 and SHA-256 at the
 * CPU's speed (crypto/sha_iter.c), the others through mbedTLS. */
static int pbkdf2(int prf_md, const char *password, const uint8_t *salt, size_t salt_len,
                  unsigned iterations, uint8_t *key, size_t key_len)
{
    const uint8_t *pw = (const uint8_t *)(password ? password : "");
    size_t pw_len = password ? strlen(password) : 0;
    if (pkiws__sha_iter_supported(prf_md))
        return pkiws__pbkdf2_hmac(prf_md, pw, pw_len, salt, salt_len, iterations, key, key_len);
    mbedtls_md_context_t md;
    mbedtls_md_init(&md);
    int mrc = mbedtls_md_setup(&md, mbedtls_md_info_from_type(md_type(prf_md)), 1);
    if (!mrc)
        mrc = mbedtls_pkcs5_pbkdf2_hmac(&md, pw, pw_len, salt, salt_len, iterations,
                                        (uint32_t)key_len, key);
    mbedtls_md_free(&md);
    return mrc ? pkiws__mbed_fail(PKIWS_E_CRYPTO, mrc, "PBKDF2") : PKIWS_OK;
}

static int cipher_run(mbedtls_cipher_type_t type, mbedtls_operation_t op, const uint8_t *key,
                      size_t key_len, const uint8_t *iv, size_t iv_len, const uint8_t *in, size_t n,
                      uint8_t *out, size_t *out_len, int pad)
{
    mbedtls_cipher_context_t c;
    mbedtls_cipher_init(&c);
    const mbedtls_cipher_info_t *info = mbedtls_cipher_info_from_type(type);
    int mrc = info ? mbedtls_cipher_setup(&c, info) : MBEDTLS_ERR_CIPHER_FEATURE_UNAVAILABLE;
    if (!mrc)
        mrc = mbedtls_cipher_setkey(&c, key, (int)(key_len * 8), op);
    if (!mrc)
        mrc =
            mbedtls_cipher_set_padding_mode(&c, pad ? MBEDTLS_PADDING_PKCS7 : MBEDTLS_PADDING_NONE);
    if (!mrc)
        mrc = mbedtls_cipher_crypt(&c, iv, iv_len, in, n, out, out_len);
    mbedtls_cipher_free(&c);
    if (mrc)
        return pkiws__mbed_fail(PKIWS_E_CRYPTO, mrc, "PFX bag cipher");
    return PKIWS_OK;
}

void pkiws__pfx_derived_wipe(pkiws__pfx_derived *d)
{
    if (d)
        pkiws__zeroize(d, sizeof *d);
}

/* The entry of known for exactly this AlgorithmIdentifier and these sizes, or NULL. */
static const pkiws__pfx_derived_pbe *known_pbe(const pkiws__pfx_derived *known, const uint8_t *alg,
                                               size_t alg_len, size_t key_len, size_t iv_len)
{
    for (size_t i = 0; known && i < PKIWS_ARRAY_LEN(known->pbe); i++) {
        const pkiws__pfx_derived_pbe *e = &known->pbe[i];
        if (e->alg_len && e->alg_len == alg_len && memcmp(e->alg, alg, alg_len) == 0 &&
            e->key_len == key_len && e->iv_len == iv_len)
            return e;
    }
    return NULL;
}

int pkiws__pfx_pbe_decrypt(const uint8_t *alg, size_t alg_len, const char *password,
                           const uint8_t *in, size_t n, pkiws_buf *pt, char *name, size_t name_cap)
{
    return pkiws__pfx_pbe_decrypt_known(alg, alg_len, password, NULL, in, n, pt, name, name_cap);
}

int pkiws__pfx_pbe_decrypt_known(const uint8_t *alg, size_t alg_len, const char *password,
                                 const pkiws__pfx_derived *known, const uint8_t *in, size_t n,
                                 pkiws_buf *pt, char *name, size_t name_cap)
{
    pkiws__pfx_der d, seq, oid;
    pbe_params pp;
    memset(&pp, 0, sizeof pp);
    pkiws__pfx_der_init(&d, alg, alg_len, "PBE AlgorithmIdentifier");
    int rc;
    if ((rc = pkiws__pfx_der_get(&d, 0x30, "AlgorithmIdentifier", &seq)) ||
        (rc = pkiws__pfx_der_get(&seq, 0x06, "encryption algorithm OID", &oid)))
        return rc;
    int arc = oid_arc(&oid, oid_pkcs12_pbe, sizeof oid_pkcs12_pbe);
    const char *pbe_name = NULL;
    switch (arc) {
    case 3:
        pbe_name = "pbeWithSHA1And3-KeyTripleDES-CBC";
        pp.cipher = MBEDTLS_CIPHER_DES_EDE3_CBC;
        pp.key_len = 24;
        break;
    case 4:
        pbe_name = "pbeWithSHA1And2-KeyTripleDES-CBC";
        pp.cipher = MBEDTLS_CIPHER_DES_EDE_CBC;
        pp.key_len = 16;
        break;
    case 5:
        pbe_name = "pbeWithSHA1And128BitRC2-CBC";
        pp.key_len = 16;
        pp.rc2_bits = 128;
        break;
    case 6:
        pbe_name = "pbeWithSHA1And40BitRC2-CBC";
        pp.key_len = 5;
        pp.rc2_bits = 40;
        break;
    default:
        break;
    }
    if (pbe_name) {
        pp.iv_len = 8;
        rc = parse_pkcs12_params(&seq, &pp);
    } else if (oid_is(&oid, oid_pbes2, sizeof oid_pbes2)) {
        rc = parse_pbes2_params(&seq, &pp);
    } else {
        return fail_oid(PKIWS_E_UNSUPPORTED, &oid, "bag encryption algorithm");
    }
    if (rc || (rc = pkiws__pfx_der_done(&seq, "AlgorithmIdentifier")))
        return rc;
    if (pp.iterations < 1)
        return pkiws__fail(PKIWS_E_CRYPTO, "%s: iteration count is 0", d.where);
    if (pp.salt_len > SALT_MAX)
        return pkiws__fail(PKIWS_E_LIMIT, "%s: salt of %zu bytes (at most %d)", d.where,
                           pp.salt_len, SALT_MAX);
    if (n == 0 || n % pp.iv_len)
        return pkiws__fail(PKIWS_E_CRYPTO,
                           "encrypted content of %zu bytes is not a whole number of %zu-byte "
                           "blocks",
                           n, pp.iv_len);
    if (name) {
        if (pp.pbes2)
            snprintf(name, name_cap, "PBES2/PBKDF2-HMAC-%s/%s", md_name(pp.prf_md), pp.name_cipher);
        else
            snprintf(name, name_cap, "%s", pbe_name);
    }

    uint8_t key[32], iv[16];
    const pkiws__pfx_derived_pbe *kn = known_pbe(known, alg, alg_len, pp.key_len, pp.iv_len);
    if (kn) {
        memcpy(key, kn->key, kn->key_len);
        memcpy(iv, kn->iv, kn->iv_len);
    } else if (pp.pbes2) {
        rc = pbkdf2(pp.prf_md, password, pp.salt, pp.salt_len, pp.iterations, key, pp.key_len);
        memcpy(iv, pp.iv, pp.iv_len);
    } else {
        pkiws_buf bmp = PKIWS_BUF_INIT;
        rc = pkiws__pfx_bmp_password(password, &bmp);
        if (!rc)
            rc = pkiws__pfx_kdf(PKIWS__PFX_MD_SHA1, bmp.data, bmp.len, pp.salt, pp.salt_len,
                                pp.iterations, 1, key, pp.key_len);
        if (!rc)
            rc = pkiws__pfx_kdf(PKIWS__PFX_MD_SHA1, bmp.data, bmp.len, pp.salt, pp.salt_len,
                                pp.iterations, 2, iv, pp.iv_len);
        pkiws__buf_dispose(&bmp);
    }
    size_t start = pt->len;
    pt->secret = 1;
    if (!rc && pkiws__buf_grow(pt, n + 16))
        rc = pkiws__fail(PKIWS_E_NOMEM, "out of memory decrypting a PFX bag");
    size_t out_len = n;
    if (!rc) {
        if (pp.rc2_bits)
            rc = pkiws__rc2_cbc_decrypt(key, pp.key_len, pp.rc2_bits, iv, in, n, pt->data + start);
        else
            rc = cipher_run(pp.cipher, MBEDTLS_DECRYPT, key, pp.key_len, iv, pp.iv_len, in, n,
                            pt->data + start, &out_len, 0);
    }
    pkiws__zeroize(key, sizeof key);
    pkiws__zeroize(iv, sizeof iv);
    if (rc)
        return rc;
    /* PKCS#7 padding, checked without early exit on the pad bytes */
    uint8_t *o = pt->data + start;
    unsigned pad = o[n - 1], bad = pad == 0 || pad > pp.iv_len;
    if (!bad)
        for (size_t i = 0; i < pad; i++)
            bad |= o[n - 1 - i] != pad;
    if (bad) {
        pkiws__zeroize(o, n);
        pt->data[start] = 0;
        return pkiws__fail(PKIWS_E_CRYPTO,
                           "decryption of a %s bag failed (bad padding): wrong password or "
                           "corrupt PFX",
                           pp.pbes2 ? "PBES2" : pbe_name);
    }
    pkiws__zeroize(o + n - pad, pad);
    pt->len = start + n - pad;
    pt->data[pt->len] = 0;
    return PKIWS_OK;
}

static int put_alg_pkcs12(pkiws_buf *alg, const uint8_t *salt, size_t salt_len, unsigned iterations)
{
    static const uint8_t oid3des[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x03};
    pkiws_buf params = PKIWS_BUF_INIT, inner = PKIWS_BUF_INIT;
    int rc;
    if (!(rc = pkiws__pfx_der_put(&params, 0x04, salt, salt_len)) &&
        !(rc = pkiws__pfx_der_put_uint(&params, iterations)) &&
        !(rc = pkiws__pfx_der_put(&inner, 0x06, oid3des, sizeof oid3des)) &&
        !(rc = pkiws__pfx_der_put(&inner, 0x30, params.data, params.len)))
        rc = pkiws__pfx_der_put(alg, 0x30, inner.data, inner.len);
    pkiws__buf_dispose(&params);
    pkiws__buf_dispose(&inner);
    return rc;
}

static int put_alg_pbes2(pkiws_buf *alg, const uint8_t *salt, size_t salt_len, unsigned iterations,
                         const uint8_t iv[16])
{
    static const uint8_t oid_hmac256[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09};
    static const uint8_t oid_aes256[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a};
    pkiws_buf prf = PKIWS_BUF_INIT, kp = PKIWS_BUF_INIT;
    pkiws_buf enc = PKIWS_BUF_INIT, p2 = PKIWS_BUF_INIT, a = PKIWS_BUF_INIT, t = PKIWS_BUF_INIT;
    int rc;
    /* prf AlgorithmIdentifier { hmacWithSHA256, NULL } */
    if (!(rc = pkiws__pfx_der_put(&prf, 0x06, oid_hmac256, sizeof oid_hmac256)) &&
        !(rc = pkiws__pfx_der_put(&prf, 0x05, NULL, 0)) &&
        /* PBKDF2-params { salt, iterationCount, prf } */
        !(rc = pkiws__pfx_der_put(&kp, 0x04, salt, salt_len)) &&
        !(rc = pkiws__pfx_der_put_uint(&kp, iterations)) &&
        !(rc = pkiws__pfx_der_put(&kp, 0x30, prf.data, prf.len)) &&
        /* keyDerivationFunc { id-PBKDF2, params } */
        !(rc = pkiws__pfx_der_put(&t, 0x06, oid_pbkdf2, sizeof oid_pbkdf2)) &&
        !(rc = pkiws__pfx_der_put(&t, 0x30, kp.data, kp.len)) &&
        !(rc = pkiws__pfx_der_put(&p2, 0x30, t.data, t.len))) {
        /* encryptionScheme { aes256-CBC, iv } */
        pkiws__buf_clear(&t);
        if (!(rc = pkiws__pfx_der_put(&enc, 0x06, oid_aes256, sizeof oid_aes256)) &&
            !(rc = pkiws__pfx_der_put(&enc, 0x04, iv, 16)) &&
            !(rc = pkiws__pfx_der_put(&p2, 0x30, enc.data, enc.len)) &&
            !(rc = pkiws__pfx_der_put(&a, 0x06, oid_pbes2, sizeof oid_pbes2)) &&
            !(rc = pkiws__pfx_der_put(&a, 0x30, p2.data, p2.len)))
            rc = pkiws__pfx_der_put(alg, 0x30, a.data, a.len);
    }
    pkiws__buf_dispose(&prf);
    pkiws__buf_dispose(&kp);
    pkiws__buf_dispose(&enc);
    pkiws__buf_dispose(&p2);
    pkiws__buf_dispose(&a);
    pkiws__buf_dispose(&t);
    return rc;
}

int pkiws__pfx_pbe_encrypt(int scheme, const char *password, unsigned iterations, const uint8_t *in,
                           size_t n, pkiws_buf *alg, pkiws_buf *ct)
{
    return pkiws__pfx_pbe_encrypt_keep(scheme, password, iterations, in, n, alg, ct, NULL);
}

int pkiws__pfx_pbe_encrypt_keep(int scheme, const char *password, unsigned iterations,
                                const uint8_t *in, size_t n, pkiws_buf *alg, pkiws_buf *ct,
                                pkiws__pfx_derived_pbe *keep)
{
    size_t alg_start = alg->len;
    if (iterations < 1 || iterations > PKIWS__PFX_MAX_ITERATIONS)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "PFX iteration count %u is outside 1..%u",
                           iterations, PKIWS__PFX_MAX_ITERATIONS);
    uint8_t salt[16], key[32], iv[16];
    size_t salt_len, key_len, iv_len;
    mbedtls_cipher_type_t cipher;
    int rc;
    if (scheme == PKIWS__PFX_PBE_SHA1_3DES) {
        salt_len = 8;
        key_len = 24;
        iv_len = 8;
        cipher = MBEDTLS_CIPHER_DES_EDE3_CBC;
    } else if (scheme == PKIWS__PFX_PBE_PBES2_AES256) {
        salt_len = 16;
        key_len = 32;
        iv_len = 16;
        cipher = MBEDTLS_CIPHER_AES_256_CBC;
    } else {
        return pkiws__fail(PKIWS_E_INTERNAL, "PFX: unknown encryption scheme %d", scheme);
    }
    if ((rc = pkiws__random(salt, salt_len)))
        return rc;
    if (scheme == PKIWS__PFX_PBE_SHA1_3DES) {
        pkiws_buf bmp = PKIWS_BUF_INIT;
        rc = pkiws__pfx_bmp_password(password, &bmp);
        if (!rc)
            rc = pkiws__pfx_kdf(PKIWS__PFX_MD_SHA1, bmp.data, bmp.len, salt, salt_len, iterations,
                                1, key, key_len);
        if (!rc)
            rc = pkiws__pfx_kdf(PKIWS__PFX_MD_SHA1, bmp.data, bmp.len, salt, salt_len, iterations,
                                2, iv, iv_len);
        pkiws__buf_dispose(&bmp);
        if (!rc)
            rc = put_alg_pkcs12(alg, salt, salt_len, iterations);
    } else {
        rc = pkiws__random(iv, iv_len);
        if (!rc && password && !pkiws__utf8_valid(password, strlen(password), NULL))
            rc = pkiws__fail(PKIWS_E_INVALID_ARG, "PFX password is not valid UTF-8");
        if (!rc)
            rc = pbkdf2(PKIWS__PFX_MD_SHA256, password, salt, salt_len, iterations, key, key_len);
        if (!rc)
            rc = put_alg_pbes2(alg, salt, salt_len, iterations, iv);
    }
    size_t start = ct->len, out_len = 0;
    if (!rc && (n > SIZE_MAX - 32 || pkiws__buf_grow(ct, n + 16)))
        rc = pkiws__fail(PKIWS_E_NOMEM, "out of memory encrypting a PFX bag");
    if (!rc)
        rc = cipher_run(cipher, MBEDTLS_ENCRYPT, key, key_len, iv, iv_len, in, n, ct->data + start,
                        &out_len, 1);
    if (!rc) {
        ct->len = start + out_len;
        ct->data[ct->len] = 0;
    }
    if (!rc && keep) {
        memset(keep, 0, sizeof *keep);
        if (alg->len - alg_start <= sizeof keep->alg) { /* else not kept: derived again */
            keep->alg_len = alg->len - alg_start;
            memcpy(keep->alg, alg->data + alg_start, keep->alg_len);
            memcpy(keep->key, key, key_len);
            memcpy(keep->iv, iv, iv_len);
            keep->key_len = key_len;
            keep->iv_len = iv_len;
        }
    }
    pkiws__zeroize(key, sizeof key);
    pkiws__zeroize(iv, sizeof iv);
    return rc;
}
