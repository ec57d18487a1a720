/* SPDX-License-Identifier: MIT */
/*
 * Iterated hashing for the password-based key derivations of PKCS#12 and PBKDF2: a digest
 * replaced by the digest of itself thousands of times, and HMAC with its inner and outer pads
 * hashed once. Each step is one compression of a pre-padded block, with the CPU's SHA
 * extensions (x86-64 SHA-NI) where it has them, else mbedTLS's compression functions.
 * This is where an issuance spends most of its instructions (PKCS#12 with 2048 iterations).
 */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PKIWS__SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#else
#define PKIWS__SHA_NI 0
#endif

/* ---- CPU support ------------------------------------------------------------------------------
 */

static atomic_int ni_state = -1; /* -1 unknown, 0 off, 1 on */

static int ni_detect(void)
{
#if PKIWS__SHA_NI
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 19)) || !(c & (1u << 9)))
        return 0; /* SSE4.1, SSSE3 */
    if (__get_cpuid_max(0, NULL) < 7)
        return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b >> 29) & 1; /* SHA */
#else
    return 0;
#endif
}

static int ni_on(void)
{
    int s = atomic_load_explicit(&ni_state, memory_order_relaxed);
    if (s < 0) {
        s = ni_detect();
        atomic_store_explicit(&ni_state, s, memory_order_relaxed);
    }
    return s;
}

int pkiws__sha_ni(int enable)
{
    if (enable >= 0)
        atomic_store_explicit(&ni_state, enable ? ni_detect() : 0, memory_order_relaxed);
    return ni_on();
}

/* ---- compression functions --------------------------------------------------------------------
 */

static const uint32_t iv1[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};

#if PKIWS__SHA_NI
#define PKIWS__TARGET __attribute__((target("sha,sse4.1,ssse3")))

/* One SHA-1 compression (Intel's SHA extensions). Groups of four rounds; in the steady state
 * group i uses message word vector M[i%4] and feeds M[(i+1..3)%4]. */
#define SHA1_GROUP(Ec, Eo, Mi, M1, M2, M3, f)                                                      \
    do {                                                                                           \
        Ec = _mm_sha1nexte_epu32(Ec, Mi);                                                          \
        Eo = abcd;                                                                                 \
        M1 = _mm_sha1msg2_epu32(M1, Mi);                                                           \
        abcd = _mm_sha1rnds4_epu32(abcd, Ec, f);                                                   \
        M3 = _mm_sha1msg1_epu32(M3, Mi);                                                           \
        M2 = _mm_xor_si128(M2, Mi);                                                                \
    } while (0)

/* The 80 rounds of a SHA-1 compression over message vectors m0..m3 (big-endian words, W0 in
 * the top lane) from *abcd_io / *e_io (E in the top lane), the feed-forward included. */
PKIWS__TARGET static inline __attribute__((always_inline)) void
sha1_ni_rounds(__m128i *abcd_io, __m128i *e_io, __m128i m0, __m128i m1, __m128i m2, __m128i m3)
{
    __m128i abcd = *abcd_io, e0 = *e_io, e1;
    const __m128i abcd0 = abcd, e00 = e0;
    e0 = _mm_add_epi32(e0, m0); /* rounds 0-3 */
    e1 = abcd;
    abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
    e1 = _mm_sha1nexte_epu32(e1, m1); /* 4-7 */
    e0 = abcd;
    abcd = _mm_sha1rnds4_epu32(abcd, e1, 0);
    m0 = _mm_sha1msg1_epu32(m0, m1);
    e0 = _mm_sha1nexte_epu32(e0, m2); /* 8-11 */
    e1 = abcd;
    abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
    m1 = _mm_sha1msg1_epu32(m1, m2);
    m0 = _mm_xor_si128(m0, m2);
    SHA1_GROUP(e1, e0, m3, m0, m1, m2, 0); /* 12-15 */
    SHA1_GROUP(e0, e1, m0, m1, m2, m3, 0); /* 16-19 */
    SHA1_GROUP(e1, e0, m1, m2, m3, m0, 1); /* 20-23 */
    SHA1_GROUP(e0, e1, m2, m3, m0, m1, 1);
    SHA1_GROUP(e1, e0, m3, m0, m1, m2, 1);
    SHA1_GROUP(e0, e1, m0, m1, m2, m3, 1);
    SHA1_GROUP(e1, e0, m1, m2, m3, m0, 1); /* 36-39 */
    SHA1_GROUP(e0, e1, m2, m3, m0, m1, 2); /* 40-43 */
    SHA1_GROUP(e1, e0, m3, m0, m1, m2, 2);
    SHA1_GROUP(e0, e1, m0, m1, m2, m3, 2);
    SHA1_GROUP(e1, e0, m1, m2, m3, m0, 2);
    SHA1_GROUP(e0, e1, m2, m3, m0, m1, 2); /* 56-59 */
    SHA1_GROUP(e1, e0, m3, m0, m1, m2, 3); /* 60-63 */
    SHA1_GROUP(e0, e1, m0, m1, m2, m3, 3); /* 64-67 */
    e1 = _mm_sha1nexte_epu32(e1, m1);      /* 68-71 */
    e0 = abcd;
    m2 = _mm_sha1msg2_epu32(m2, m1);
    abcd = _mm_sha1rnds4_epu32(abcd, e1, 3);
    m3 = _mm_xor_si128(m3, m1);
    e0 = _mm_sha1nexte_epu32(e0, m2); /* 72-75 */
    e1 = abcd;
    m3 = _mm_sha1msg2_epu32(m3, m2);
    abcd = _mm_sha1rnds4_epu32(abcd, e0, 3);
    e1 = _mm_sha1nexte_epu32(e1, m3); /* 76-79 */
    e0 = abcd;
    abcd = _mm_sha1rnds4_epu32(abcd, e1, 3);
    *e_io = _mm_sha1nexte_epu32(e0, e00);
    *abcd_io = _mm_add_epi32(abcd, abcd0);
}

PKIWS__TARGET static void sha1_ni(uint32_t st[5], const uint8_t blk[64])
{
    const __m128i mask = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)st), 0x1B);
    __m128i e = _mm_set_epi32((int)st[4], 0, 0, 0);
    __m128i m[4];
    for (int i = 0; i < 4; i++)
        m[i] =
            _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(blk + 16 * i)), mask);
    sha1_ni_rounds(&abcd, &e, m[0], m[1], m[2], m[3]);
    _mm_storeu_si128((__m128i *)(void *)st, _mm_shuffle_epi32(abcd, 0x1B));
    st[4] = (uint32_t)_mm_extract_epi32(e, 3);
}

/* a (20 bytes) = SHA-1^count(a), the chain kept in registers: a digest is the next message's
 * first five words as they come out of the rounds (A..D in m0's lanes, E on top of m1), then
 * the padding of a 20-byte message. */
PKIWS__TARGET static void sha1_ni_iterate(uint8_t a[20], unsigned count)
{
    const __m128i mask = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
    const __m128i iv_abcd =
        _mm_set_epi32((int)iv1[0], (int)iv1[1], (int)iv1[2], (int)iv1[3]); /* A on top */
    const __m128i iv_e = _mm_set_epi32((int)iv1[4], 0, 0, 0);
    const __m128i pad1 = _mm_set_epi32(0, (int)0x80000000u, 0, 0); /* W5 = 0x80000000 */
    const __m128i zero = _mm_setzero_si128();
    const __m128i len = _mm_set_epi32(0, 0, 0, 160); /* W15: 160 bits */
    uint8_t blk[32] = {0};
    memcpy(blk, a, 20);
    __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)blk), mask);
    __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(blk + 16)), mask);
    m1 = _mm_blend_epi16(pad1, m1, 0xC0); /* W4 from a, then the padding */
    for (unsigned r = 0; r < count; r++) {
        __m128i abcd = iv_abcd, e = iv_e;
        sha1_ni_rounds(&abcd, &e, m0, m1, zero, len);
        m0 = abcd;
        m1 = _mm_blend_epi16(pad1, e, 0xC0);
    }
    m0 = _mm_shuffle_epi8(m0, mask); /* back to bytes: A..D, then E */
    m1 = _mm_shuffle_epi8(m1, mask);
    _mm_storeu_si128((__m128i *)(void *)blk, m0);
    _mm_storeu_si128((__m128i *)(void *)(blk + 16), m1);
    memcpy(a, blk, 20);
    pkiws__zeroize(blk, sizeof blk);
}

/* One SHA-256 compression (Intel's SHA extensions): state as mbedTLS keeps it (A..H). */
PKIWS__TARGET static void sha256_ni(uint32_t st[8], const uint8_t blk[64])
{
    static const uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)(const void *)st);      /* DCBA */
    __m128i s1 = _mm_loadu_si128((const __m128i *)(const void *)(st + 4)); /* HGFE */
    tmp = _mm_shuffle_epi32(tmp, 0xB1);                                    /* CDAB */
    s1 = _mm_shuffle_epi32(s1, 0x1B);                                      /* EFGH */
    __m128i s0 = _mm_alignr_epi8(tmp, s1, 8);                              /* ABEF */
    s1 = _mm_blend_epi16(s1, tmp, 0xF0);                                   /* CDGH */
    const __m128i s0_save = s0, s1_save = s1;
    __m128i m[4];
    for (int i = 0; i < 4; i++)
        m[i] =
            _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(blk + 16 * i)), mask);
    for (int g = 0; g < 16; g++) {
        __m128i cur = m[g & 3];
        __m128i msg =
            _mm_add_epi32(cur, _mm_loadu_si128((const __m128i *)(const void *)(k + 4 * g)));
        s1 = _mm_sha256rnds2_epu32(s1, s0, msg);
        if (g >= 3 && g < 15) { /* schedule the words of group g + 1 */
            __m128i nxt = m[(g + 1) & 3];
            nxt = _mm_add_epi32(nxt, _mm_alignr_epi8(cur, m[(g + 3) & 3], 4));
            m[(g + 1) & 3] = _mm_sha256msg2_epu32(nxt, cur);
        }
        msg = _mm_shuffle_epi32(msg, 0x0E);
        s0 = _mm_sha256rnds2_epu32(s0, s1, msg);
        if (g >= 1 && g < 13)
            m[(g + 3) & 3] = _mm_sha256msg1_epu32(m[(g + 3) & 3], cur);
    }
    s0 = _mm_add_epi32(s0, s0_save);
    s1 = _mm_add_epi32(s1, s1_save);
    tmp = _mm_shuffle_epi32(s0, 0x1B);   /* FEBA */
    s1 = _mm_shuffle_epi32(s1, 0xB1);    /* DCHG */
    s0 = _mm_blend_epi16(tmp, s1, 0xF0); /* DCBA */
    s1 = _mm_alignr_epi8(s1, tmp, 8);    /* HGFE */
    _mm_storeu_si128((__m128i *)(void *)st, s0);
    _mm_storeu_si128((__m128i *)(void *)(st + 4), s1);
}
#endif

static void compress(int md, uint32_t *st, const uint8_t blk[64], int ni)
{
#if PKIWS__SHA_NI
    if (ni) {
        if (md == PKIWS__PFX_MD_SHA1)
            sha1_ni(st, blk);
        else
            sha256_ni(st, blk);
        return;
    }
#else
    (void)ni;
#endif
    if (md == PKIWS__PFX_MD_SHA1) {
        mbedtls_sha1_context c;
        memcpy(c.state, st, 5 * sizeof *st);
        (void)mbedtls_internal_sha1_process(&c, blk);
        memcpy(st, c.state, 5 * sizeof *st);
    } else {
        mbedtls_sha256_context c;
        memcpy(c.state, st, 8 * sizeof *st);
        (void)mbedtls_internal_sha256_process(&c, blk);
        memcpy(st, c.state, 8 * sizeof *st);
        pkiws__zeroize(&c, sizeof c);
        return;
    }
}

/* ---- iteration --------------------------------------------------------------------------------
 */

static const uint32_t iv256[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

static size_t words_of(int md)
{
    return md == PKIWS__PFX_MD_SHA1 ? 5 : 8;
}

static void put_words(uint8_t *out, const uint32_t *st, size_t nw)
{
    for (size_t i = 0; i < nw; i++) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        uint32_t be = __builtin_bswap32(st[i]);
        memcpy(out + 4 * i, &be, 4);
#else
        out[4 * i] = (uint8_t)(st[i] >> 24);
        out[4 * i + 1] = (uint8_t)(st[i] >> 16);
        out[4 * i + 2] = (uint8_t)(st[i] >> 8);
        out[4 * i + 3] = (uint8_t)st[i];
#endif
    }
}

/* blk = the padding of a message of prefix_blocks * 64 + u bytes whose last u bytes go first. */
static void pad_block(uint8_t blk[64], size_t u, size_t prefix_blocks)
{
    memset(blk + u, 0, 64 - u);
    blk[u] = 0x80;
    uint64_t bits = (uint64_t)(prefix_blocks * 64 + u) * 8;
    for (int i = 0; i < 8; i++)
        blk[63 - i] = (uint8_t)(bits >> (8 * i));
}

int pkiws__sha_iter_supported(int md)
{
    return md == PKIWS__PFX_MD_SHA1 || md == PKIWS__PFX_MD_SHA256;
}

void pkiws__sha_iterate(int md, uint8_t *a, unsigned count)
{
    size_t nw = words_of(md), u = 4 * nw;
    int ni = ni_on();
#if PKIWS__SHA_NI
    if (ni && md == PKIWS__PFX_MD_SHA1) {
        sha1_ni_iterate(a, count);
        return;
    }
#endif
    uint8_t blk[64];
    uint32_t st[8];
    memcpy(blk, a, u);
    pad_block(blk, u, 0);
    for (unsigned r = 0; r < count; r++) {
        memcpy(st, md == PKIWS__PFX_MD_SHA1 ? iv1 : iv256, nw * sizeof *st);
        compress(md, st, blk, ni);
        put_words(blk, st, nw);
    }
    memcpy(a, blk, u);
    pkiws__zeroize(blk, sizeof blk);
    pkiws__zeroize(st, sizeof st);
}

/* The state after hashing one 64-byte block (key XOR pad) from the initial value. */
static void pad_state(int md, const uint8_t *key, size_t key_len, uint8_t pad, uint32_t *st, int ni)
{
    uint8_t blk[64];
    memset(blk, pad, sizeof blk);
    for (size_t i = 0; i < key_len; i++)
        blk[i] ^= key[i];
    memcpy(st, md == PKIWS__PFX_MD_SHA1 ? iv1 : iv256, words_of(md) * sizeof *st);
    compress(md, st, blk, ni);
    pkiws__zeroize(blk, sizeof blk);
}

int pkiws__pbkdf2_hmac(int md, const uint8_t *pw, size_t pw_len, const uint8_t *salt,
                       size_t salt_len, unsigned iterations, uint8_t *out, size_t n)
{
    if (!pkiws__sha_iter_supported(md))
        return pkiws__fail(PKIWS_E_INTERNAL, "PBKDF2: unsupported digest %d", md);
    if (iterations < 1)
        return pkiws__fail(PKIWS_E_INTERNAL, "PBKDF2: iteration count 0");
    size_t nw = words_of(md), u = 4 * nw;
    const mbedtls_md_info_t *info =
        mbedtls_md_info_from_type(md == PKIWS__PFX_MD_SHA1 ? MBEDTLS_MD_SHA1 : MBEDTLS_MD_SHA256);
    uint8_t key[64], t[32], blk[64];
    size_t key_len = pw_len;
    int rc = PKIWS_OK, mrc = 0;
    if (pw_len > 64) { /* HMAC: a long key is hashed first */
        mrc = mbedtls_md(info, pw, pw_len, key);
        key_len = u;
    } else if (pw_len) {
        memcpy(key, pw, pw_len);
    }
    int ni = ni_on();
    uint32_t ist[8], ost[8], st[8];
    mbedtls_md_context_t ctx;
    mbedtls_md_init(&ctx);
    if (!mrc) {
        pad_state(md, key, key_len, 0x36, ist, ni);
        pad_state(md, key, key_len, 0x5c, ost, ni);
        mrc = mbedtls_md_setup(&ctx, info, 1);
    }
    if (!mrc)
        mrc = mbedtls_md_hmac_starts(&ctx, key, key_len);
    for (uint32_t i = 1; !mrc && (size_t)(i - 1) * u < n; i++) {
        /* U1 = HMAC(P, S || INT(i)), through mbedTLS (salt of any length) */
        uint8_t be[4] = {(uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
        mrc = mbedtls_md_hmac_reset(&ctx);
        if (!mrc)
            mrc = mbedtls_md_hmac_update(&ctx, salt, salt_len);
        if (!mrc)
            mrc = mbedtls_md_hmac_update(&ctx, be, sizeof be);
        if (!mrc)
            mrc = mbedtls_md_hmac_finish(&ctx, blk);
        if (mrc)
            break;
        memcpy(t, blk, u);
        pad_block(blk, u, 1);
        /* U(j+1) = HMAC(P, Uj): inner and outer are each one compression from the pad states */
        for (unsigned j = 1; j < iterations; j++) {
            memcpy(st, ist, nw * sizeof *st);
            compress(md, st, blk, ni);
            put_words(blk, st, nw);
            memcpy(st, ost, nw * sizeof *st);
            compress(md, st, blk, ni);
            put_words(blk, st, nw);
            for (size_t k = 0; k < u; k++)
                t[k] ^= blk[k];
        }
        size_t off = (size_t)(i - 1) * u, take = n - off < u ? n - off : u;
        memcpy(out + off, t, take);
    }
    if (mrc)
        rc = pkiws__mbed_fail(PKIWS_E_CRYPTO, mrc, "PBKDF2");
    mbedtls_md_free(&ctx);
    pkiws__zeroize(key, sizeof key);
    pkiws__zeroize(t, sizeof t);
    pkiws__zeroize(blk, sizeof blk);
    pkiws__zeroize(ist, sizeof ist);
    pkiws__zeroize(ost, sizeof ost);
    pkiws__zeroize(st, sizeof st);
    return rc;
}
