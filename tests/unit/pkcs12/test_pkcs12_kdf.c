/* SPDX-License-Identifier: MIT */
/* Unit tests of the PKCS#12 building blocks: BMPString passwords, RFC 7292 KDF, RC2, PBE, DER. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pkiws_internal.h"

#include "crypto/crypto.h"

static void unhex(const char *h, uint8_t *out, size_t *n)
{
    pkiws_buf b = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__hex_decode(h, strlen(h), &b), PKIWS_OK);
    memcpy(out, b.data, b.len);
    *n = b.len;
    pkiws__buf_dispose(&b);
}

static void assert_hex(const uint8_t *p, size_t n, const char *want)
{
    pkiws_buf h = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__hex_encode(p, n, &h), PKIWS_OK);
    assert_string_equal((const char *)h.data, want);
    pkiws__buf_dispose(&h);
}

/* BMPString = UTF-16BE + 00 00; expected bytes from Python: s.encode('utf-16-be') + b'\0\0'. */
static void test_pkcs12_bmp_password(void **state)
{
    (void)state;
    pkiws_buf b = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__pfx_bmp_password("smeg", &b), PKIWS_OK);
    assert_true(b.secret);
    assert_hex(b.data, b.len, "0073006D006500670000");
    pkiws__buf_dispose(&b);
    /* "pässwörd" */
    assert_int_equal(pkiws__pfx_bmp_password("p\xc3\xa4ssw\xc3\xb6rd", &b), PKIWS_OK);
    assert_hex(b.data, b.len, "007000E400730073007700F6007200640000");
    pkiws__buf_dispose(&b);
    /* "Ωμέγα" + U+1F600 (surrogate pair D83D DE00) */
    assert_int_equal(
        pkiws__pfx_bmp_password("\xce\xa9\xce\xbc\xce\xad\xce\xb3\xce\xb1\xf0\x9f\x98\x80", &b),
        PKIWS_OK);
    assert_hex(b.data, b.len, "03A903BC03AD03B303B1D83DDE000000");
    pkiws__buf_dispose(&b);
    /* empty: just the terminator; NULL (absent): nothing */
    assert_int_equal(pkiws__pfx_bmp_password("", &b), PKIWS_OK);
    assert_int_equal(b.len, 2);
    assert_int_equal(b.data[0] | b.data[1], 0);
    pkiws__buf_dispose(&b);
    assert_int_equal(pkiws__pfx_bmp_password(NULL, &b), PKIWS_OK);
    assert_int_equal(b.len, 0);
    pkiws__buf_dispose(&b);
    /* invalid UTF-8 names the offset */
    assert_int_equal(pkiws__pfx_bmp_password("abc\xff", &b), PKIWS_E_INVALID_ARG);
    assert_non_null(strstr(pkiws__err_message(), "byte offset 3"));
    pkiws__buf_dispose(&b);
}

static void kdf_check(int md, const char *pw, const char *salt_hex, unsigned iter, int id, size_t n,
                      const char *want)
{
    pkiws_buf bmp = PKIWS_BUF_INIT;
    uint8_t salt[64], out[128];
    size_t salt_len;
    unhex(salt_hex, salt, &salt_len);
    assert_int_equal(pkiws__pfx_bmp_password(pw, &bmp), PKIWS_OK);
    assert_int_equal(pkiws__pfx_kdf(md, bmp.data, bmp.len, salt, salt_len, iter, id, out, n),
                     PKIWS_OK);
    assert_hex(out, n, want);
    pkiws__buf_dispose(&bmp);
}

/* Vectors set 1 and 2 are Dr Stephen Henson's PKCS#12 KDF test vectors
 * (http://www.drh-consultancy.demon.co.uk/test.txt, also in BouncyCastle's PKCS12Test and
 * GnuTLS); every vector here was (re)computed with OpenSSL 3.0.19:
 *   openssl kdf -keylen N -kdfopt digest:MD -kdfopt hexpass:<BMPString hex>
 *               -kdfopt hexsalt:S -kdfopt iter:I -kdfopt id:ID PKCS12KDF */
static void test_pkcs12_kdf_known_vectors(void **state)
{
    (void)state;
    kdf_check(PKIWS__PFX_MD_SHA1, "smeg", "0A58CF64530D823F", 1, 1, 24,
              "8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3");
    kdf_check(PKIWS__PFX_MD_SHA1, "smeg", "0A58CF64530D823F", 1, 2, 8, "79993DFE048D3B76");
    kdf_check(PKIWS__PFX_MD_SHA1, "smeg", "3D83C0E4546AC140", 1, 3, 20,
              "8D967D88F6CAA9D714800AB3D48051D63F73A312");
    kdf_check(PKIWS__PFX_MD_SHA1, "queeg", "1682C0FC5B3F7EC5", 1000, 1, 24,
              "483DD6E919D7DE2E8E648BA8F862F3FBFBDC2BCB2C02957F");
    /* empty password (BMPString 00 00), 2048 iterations */
    kdf_check(PKIWS__PFX_MD_SHA1, "", "0A58CF64530D823F", 2048, 1, 24,
              "472464EE1922A0549FB3AF1535EFC7DD4F9B197528E6A1A5");
}

static void test_pkcs12_kdf_long_and_unicode(void **state)
{
    (void)state;
    /* 100-character password (BMPString 202 bytes, several 64-byte blocks), SHA-256, two
     * output blocks (exercises the I += B + 1 step) */
    char pw[101];
    for (int i = 0; i < 100; i++)
        pw[i] = (char)('0' + i % 10);
    pw[100] = 0;
    kdf_check(PKIWS__PFX_MD_SHA256, pw, "000102030405060708090A0B0C0D0E0F", 2048, 1, 64,
              "6B78225F05B50CB804268006B91DAC236C68244721B1A9414239CDB7934DDA4F"
              "B81241BA93A178941D985C840D233E2BAF4436322FD87F6326586294D05258A9");
    /* "Ωμέγα😀": non-Latin-1 with a surrogate pair */
    const char *omega = "\xce\xa9\xce\xbc\xce\xad\xce\xb3\xce\xb1\xf0\x9f\x98\x80";
    kdf_check(PKIWS__PFX_MD_SHA1, omega, "0102030405060708", 3, 3, 20,
              "462CA05B70CF2690FA91D561895EF31765D649C9");
    kdf_check(PKIWS__PFX_MD_SHA1, omega, "0102030405060708", 3, 1, 40,
              "07BB80F25DA0F3492EC88E2EC8C355AA8B69EC914E924394A3EC162A21C0551FC3750C8B267AB019");
    /* SHA-512 (v = 128) */
    kdf_check(PKIWS__PFX_MD_SHA512, "queeg", "1682C0FC5B3F7EC5", 10, 3, 64,
              "380B050A2AE283E42940B13908A6BB3E18363046EFBD48DC4A7F002C8A78CE75"
              "87163C35590412739EA2B355BEAD135B789095BA02972C887E83584E10DC9743");
}

/* The known vectors again with the CPU's SHA extensions off (the portable compression), then on
 * where the CPU has them: both paths of crypto/sha_iter.c give the same keys. */
static void test_pkcs12_kdf_both_sha_paths(void **state)
{
    int had = pkiws__sha_ni(-1);
    assert_int_equal(pkiws__sha_ni(0), 0);
    test_pkcs12_kdf_known_vectors(state);
    test_pkcs12_kdf_long_and_unicode(state);
    int on = pkiws__sha_ni(1);
    print_message("SHA extensions: %s\n", on ? "used" : "not available on this CPU");
    test_pkcs12_kdf_known_vectors(state);
    test_pkcs12_kdf_long_and_unicode(state);
    pkiws__sha_ni(had);
}

static void pbkdf2_check(int md, const char *pw, size_t pw_len, const char *salt, unsigned iter,
                         size_t n, const char *want)
{
    uint8_t out[64];
    for (int ni = 0; ni < 2; ni++) {
        pkiws__sha_ni(ni);
        memset(out, 0, sizeof out);
        assert_int_equal(pkiws__pbkdf2_hmac(md, (const uint8_t *)pw, pw_len, (const uint8_t *)salt,
                                            strlen(salt), iter, out, n),
                         PKIWS_OK);
        assert_hex(out, n, want);
    }
}

/* RFC 6070 (PBKDF2-HMAC-SHA1) and the common PBKDF2-HMAC-SHA256 vectors; the 70-byte password
 * (hashed first, HMAC's long-key rule) and the empty one were computed with Python's
 * hashlib.pbkdf2_hmac. Outputs of one and of several blocks. */
static void test_pbkdf2_known_vectors(void **state)
{
    (void)state;
    int had = pkiws__sha_ni(-1);
    char p70[71];
    memset(p70, 'p', 70);
    p70[70] = 0;
    pbkdf2_check(PKIWS__PFX_MD_SHA1, "password", 8, "salt", 1, 20,
                 "0C60C80F961F0E71F3A9B524AF6012062FE037A6");
    pbkdf2_check(PKIWS__PFX_MD_SHA1, "password", 8, "salt", 2, 32,
                 "EA6C014DC72D6F8CCD1ED92ACE1D41F0D8DE8957CAE93136266537A8D7BF4B76");
    pbkdf2_check(
        PKIWS__PFX_MD_SHA1, "password", 8, "salt", 4096, 40,
        "4B007901B765489ABEAD49D926F721D065A429C12E463F6C4CD79401085B03DBC7E8B88F1447F8C3");
    pbkdf2_check(PKIWS__PFX_MD_SHA1, p70, 70, "NaCl-salt-0123", 2048, 32,
                 "476C5337AD778FCF993495006C59131C004C40A1AA03961DB5952A8AE2199864");
    pbkdf2_check(PKIWS__PFX_MD_SHA1, "", 0, "salt", 3, 16, "0CEBFB1825D38CE91DB4A69A0B9E776B");
    pbkdf2_check(PKIWS__PFX_MD_SHA256, "password", 8, "salt", 1, 20,
                 "120FB6CFFCF8B32C43E7225256C4F837A86548C9");
    pbkdf2_check(PKIWS__PFX_MD_SHA256, "password", 8, "salt", 2, 32,
                 "AE4D0C95AF6B46D32D0ADFF928F06DD02A303F8EF3C251DFD6E2D85A95474C43");
    pbkdf2_check(
        PKIWS__PFX_MD_SHA256, "password", 8, "salt", 4096, 40,
        "C5E478D59288C841AA530DB6845C4C8D962893A001CE4E11A4963873AA98134AF7AD98C1B458CE3F");
    pbkdf2_check(PKIWS__PFX_MD_SHA256, p70, 70, "NaCl-salt-0123", 2048, 32,
                 "546A157E973E9087A5D8DDCE0C0C03E2315425B16C72AA9DDE99AF55DDB301E0");
    pbkdf2_check(PKIWS__PFX_MD_SHA256, "", 0, "salt", 3, 16, "5DDF839AFA2D5FB4BE56E1A0F4891761");
    uint8_t out[20];
    assert_int_equal(pkiws__pbkdf2_hmac(PKIWS__PFX_MD_SHA512, (const uint8_t *)"a", 1,
                                        (const uint8_t *)"b", 1, 1, out, sizeof out),
                     PKIWS_E_INTERNAL);
    pkiws__sha_ni(had);
}

static void test_pkcs12_kdf_rejects_bad_parameters(void **state)
{
    (void)state;
    uint8_t out[20];
    assert_int_equal(pkiws__pfx_kdf(PKIWS__PFX_MD_SHA1, (const uint8_t *)"\0\0", 2, NULL, 0, 0, 1,
                                    out, sizeof out),
                     PKIWS_E_LIMIT);
    assert_non_null(strstr(pkiws__err_message(), "iteration count 0"));
    assert_int_equal(pkiws__pfx_kdf(PKIWS__PFX_MD_SHA1, (const uint8_t *)"\0\0", 2, NULL, 0,
                                    PKIWS__PFX_MAX_ITERATIONS + 1, 1, out, sizeof out),
                     PKIWS_E_LIMIT);
    assert_int_equal(pkiws__pfx_kdf(99, (const uint8_t *)"\0\0", 2, NULL, 0, 1, 1, out, 20),
                     PKIWS_E_INTERNAL);
}

static void rc2_check(const char *key_hex, unsigned bits, const char *pt_hex, const char *ct_hex)
{
    uint8_t key[128], pt[64], ct[64], out[64], iv[8] = {0};
    size_t kl, pl, cl;
    unhex(key_hex, key, &kl);
    unhex(pt_hex, pt, &pl);
    unhex(ct_hex, ct, &cl);
    assert_int_equal(pkiws__rc2_cbc_decrypt(key, kl, bits, iv, ct, cl, out), PKIWS_OK);
    assert_memory_equal(out, pt, pl);
}

/* RFC 2268 section 5 test vectors (one block; CBC with a zero IV is ECB for one block). */
static void test_pkcs12_rc2_rfc2268_vectors(void **state)
{
    (void)state;
    rc2_check("0000000000000000", 63, "0000000000000000", "EBB773F993278EFF");
    rc2_check("FFFFFFFFFFFFFFFF", 64, "FFFFFFFFFFFFFFFF", "278B27E42E2F0D49");
    rc2_check("3000000000000000", 64, "1000000000000001", "30649EDF9BE7D2C2");
    rc2_check("88", 64, "0000000000000000", "61A8A244ADACCCF0");
    rc2_check("88BCA90E90875A", 64, "0000000000000000", "6CCF4308974C267F");
    rc2_check("88BCA90E90875A7F0F79C384627BAFB2", 64, "0000000000000000", "1A807D272BBE5DB1");
    rc2_check("88BCA90E90875A7F0F79C384627BAFB2", 128, "0000000000000000", "2269552AB0F85CA6");
    rc2_check("88BCA90E90875A7F0F79C384627BAFB216F80A6F85920584C42FCEB0BE255DAF1E", 129,
              "0000000000000000", "5B78D3A43DFFF1F1");
}

/* RC2-40-CBC over several blocks; the ciphertext is from
 *   printf 'pkiws RC2-40 test vector!' | openssl enc -rc2-40-cbc -K 0102030405
 *        -iv 0001020304050607 -provider legacy -provider default   (OpenSSL 3.0.19) */
static void test_pkcs12_rc2_40_cbc_matches_openssl(void **state)
{
    (void)state;
    uint8_t key[5] = {1, 2, 3, 4, 5}, iv[8] = {0, 1, 2, 3, 4, 5, 6, 7}, ct[32], out[32];
    size_t cl;
    unhex("64816799CE5891F6F77424513D589B440365CB8B0AC6747897452DD0D2A12748", ct, &cl);
    assert_int_equal(cl, 32);
    assert_int_equal(pkiws__rc2_cbc_decrypt(key, 5, 40, iv, ct, cl, out), PKIWS_OK);
    assert_memory_equal(out, "pkiws RC2-40 test vector!\x07\x07\x07\x07\x07\x07\x07", 32);
    /* in place */
    assert_int_equal(pkiws__rc2_cbc_decrypt(key, 5, 40, iv, ct, cl, ct), PKIWS_OK);
    assert_memory_equal(ct, out, 32);
    assert_int_equal(pkiws__rc2_cbc_decrypt(key, 5, 40, iv, ct, 31, out), PKIWS_E_CRYPTO);
    assert_non_null(strstr(pkiws__err_message(), "31"));
    assert_int_equal(pkiws__rc2_cbc_decrypt(key, 0, 40, iv, ct, 8, out), PKIWS_E_INVALID_ARG);
}

static void pbe_roundtrip(int scheme, const char *pw, const char *want_name)
{
    const char msg[] = "a PKCS#8 PrivateKeyInfo would go here, 57 bytes long....";
    pkiws_buf alg = PKIWS_BUF_INIT, ct = PKIWS_BUF_INIT, pt = PKIWS_BUF_INIT;
    char name[64];
    assert_int_equal(
        pkiws__pfx_pbe_encrypt(scheme, pw, 2048, (const uint8_t *)msg, sizeof msg - 1, &alg, &ct),
        PKIWS_OK);
    size_t block = scheme == PKIWS__PFX_PBE_SHA1_3DES ? 8 : 16;
    assert_int_equal(ct.len, (sizeof msg - 1) / block * block + block);
    assert_memory_not_equal(ct.data, msg, 16);
    assert_int_equal(
        pkiws__pfx_pbe_decrypt(alg.data, alg.len, pw, ct.data, ct.len, &pt, name, sizeof name),
        PKIWS_OK);
    assert_string_equal(name, want_name);
    assert_int_equal(pt.len, sizeof msg - 1);
    assert_memory_equal(pt.data, msg, pt.len);
    assert_true(pt.secret);
    pkiws__buf_dispose(&pt);
    /* a wrong password is caught by the padding check (or, rarely, gives garbage) */
    int rc =
        pkiws__pfx_pbe_decrypt(alg.data, alg.len, "wrong", ct.data, ct.len, &pt, name, sizeof name);
    if (rc == PKIWS_OK)
        assert_memory_not_equal(pt.data, msg, pt.len < 16 ? pt.len : 16);
    else
        assert_non_null(strstr(pkiws__err_message(), "wrong password or corrupt PFX"));
    pkiws__buf_dispose(&pt);
    /* a truncated ciphertext is refused by length */
    assert_int_equal(
        pkiws__pfx_pbe_decrypt(alg.data, alg.len, pw, ct.data, ct.len - 1, &pt, name, sizeof name),
        PKIWS_E_CRYPTO);
    assert_non_null(strstr(pkiws__err_message(), "blocks"));
    pkiws__buf_dispose(&pt);
    pkiws__buf_dispose(&alg);
    pkiws__buf_dispose(&ct);
}

static void test_pkcs12_pbe_roundtrip(void **state)
{
    (void)state;
    pbe_roundtrip(PKIWS__PFX_PBE_SHA1_3DES, "Secr3t!", "pbeWithSHA1And3-KeyTripleDES-CBC");
    pbe_roundtrip(PKIWS__PFX_PBE_SHA1_3DES, "", "pbeWithSHA1And3-KeyTripleDES-CBC");
    pbe_roundtrip(PKIWS__PFX_PBE_PBES2_AES256, "p\xc3\xa4ssw\xc3\xb6rd",
                  "PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC");
}

/* The AlgorithmIdentifiers we write, byte for byte apart from salt and IV. */
static void test_pkcs12_pbe_algorithm_identifiers(void **state)
{
    (void)state;
    pkiws_buf alg = PKIWS_BUF_INIT, ct = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__pfx_pbe_encrypt(PKIWS__PFX_PBE_SHA1_3DES, "x", 2048,
                                            (const uint8_t *)"abc", 3, &alg, &ct),
                     PKIWS_OK);
    /* SEQ { OID 1.2.840.113549.1.12.1.3, SEQ { OCTET[8] salt, INTEGER 2048 } } */
    assert_int_equal(alg.len, 30);
    assert_memory_equal(alg.data,
                        "\x30\x1c\x06\x0a\x2a\x86\x48\x86\xf7\x0d\x01\x0c\x01\x03"
                        "\x30\x0e\x04\x08",
                        18);
    assert_memory_equal(alg.data + 26, "\x02\x02\x08\x00", 4);
    assert_int_equal(ct.len, 8);
    pkiws__buf_dispose(&alg);
    pkiws__buf_dispose(&ct);
    assert_int_equal(pkiws__pfx_pbe_encrypt(PKIWS__PFX_PBE_PBES2_AES256, "x", 2048,
                                            (const uint8_t *)"abc", 3, &alg, &ct),
                     PKIWS_OK);
    /* SEQ { PBES2, SEQ { SEQ { PBKDF2, SEQ { OCTET[16], INT 2048, SEQ { hmacWithSHA256,
     * NULL } } }, SEQ { aes256-CBC, OCTET[16] iv } } } */
    assert_int_equal(alg.len, 97);
    assert_memory_equal(alg.data,
                        "\x30\x5f\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x05\x0d\x30\x52"
                        "\x30\x31\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x05\x0c\x30\x24"
                        "\x04\x10",
                        32);
    assert_memory_equal(alg.data + 48,
                        "\x02\x02\x08\x00\x30\x0c\x06\x08\x2a\x86\x48\x86\xf7"
                        "\x0d\x02\x09\x05\x00\x30\x1d\x06\x09\x60\x86\x48\x01"
                        "\x65\x03\x04\x01\x2a\x04\x10",
                        33);
    assert_int_equal(ct.len, 16);
    pkiws__buf_dispose(&alg);
    pkiws__buf_dispose(&ct);
}

static void test_pkcs12_pbe_unsupported_algorithm(void **state)
{
    (void)state;
    /* pbeWithSHAAnd128BitRC4 (1.2.840.113549.1.12.1.1) */
    static const uint8_t rc4[] = {0x30, 0x1b, 0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                                  0x01, 0x0c, 0x01, 0x01, 0x30, 0x0d, 0x04, 0x08, 1,    2,
                                  3,    4,    5,    6,    7,    8,    0x02, 0x01, 0x01};
    pkiws_buf pt = PKIWS_BUF_INIT;
    uint8_t ct[8] = {0};
    assert_int_equal(pkiws__pfx_pbe_decrypt(rc4, sizeof rc4 - 1, "x", ct, 8, &pt, NULL, 0),
                     PKIWS_E_CRYPTO);
    assert_int_equal(pkiws__pfx_pbe_decrypt(rc4, sizeof rc4, "x", ct, 8, &pt, NULL, 0),
                     PKIWS_E_UNSUPPORTED);
    assert_non_null(strstr(pkiws__err_message(), "1.2.840.113549.1.12.1.1"));
    pkiws__buf_dispose(&pt);
}

static void test_pkcs12_der_reader_bounds(void **state)
{
    (void)state;
    pkiws__pfx_der d, in;
    /* length beyond the data */
    static const uint8_t a[] = {0x30, 0x05, 0x02, 0x01, 0x03};
    pkiws__pfx_der_init(&d, a, sizeof a, "T");
    assert_int_equal(pkiws__pfx_der_get(&d, 0x30, "outer", &in), PKIWS_E_CRYPTO);
    assert_non_null(strstr(pkiws__err_message(), "T: outer at offset 0 claims 5 bytes"));
    /* indefinite length */
    static const uint8_t b[] = {0x30, 0x80, 0x00, 0x00};
    pkiws__pfx_der_init(&d, b, sizeof b, "T");
    assert_int_equal(pkiws__pfx_der_get(&d, 0x30, "outer", &in), PKIWS_E_CRYPTO);
    assert_non_null(strstr(pkiws__err_message(), "indefinite"));
    /* wrong tag names both */
    static const uint8_t c[] = {0x31, 0x00};
    pkiws__pfx_der_init(&d, c, sizeof c, "T");
    assert_int_equal(pkiws__pfx_der_get(&d, 0x30, "outer", &in), PKIWS_E_CRYPTO);
    assert_non_null(strstr(pkiws__err_message(), "tag 0x30), found tag 0x31"));
    /* 5-byte length field, truncated length field */
    static const uint8_t e[] = {0x04, 0x85, 1, 0, 0, 0, 0};
    pkiws__pfx_der_init(&d, e, sizeof e, "T");
    assert_int_equal(pkiws__pfx_der_get(&d, 0x04, "x", &in), PKIWS_E_CRYPTO);
    static const uint8_t f[] = {0x04, 0x82, 0x01};
    pkiws__pfx_der_init(&d, f, sizeof f, "T");
    assert_int_equal(pkiws__pfx_der_get(&d, 0x04, "x", &in), PKIWS_E_CRYPTO);
    assert_non_null(strstr(pkiws__err_message(), "truncated"));
    /* integers: negative, too large, fine */
    uint32_t v;
    static const uint8_t g[] = {0x02, 0x01, 0x80, 0x02, 0x03, 0x01,
                                0x00, 0x00, 0x02, 0x02, 0x00, 0xff};
    pkiws__pfx_der_init(&d, g, sizeof g, "T");
    assert_int_equal(pkiws__pfx_der_get_uint(&d, "n", 100, &v), PKIWS_E_CRYPTO);
    assert_int_equal(pkiws__pfx_der_get_uint(&d, "n", 100, &v), PKIWS_E_LIMIT);
    assert_int_equal(pkiws__pfx_der_get_uint(&d, "n", 1000, &v), PKIWS_OK);
    assert_int_equal(v, 255);
    assert_int_equal(pkiws__pfx_der_done(&d, "all"), PKIWS_OK);
    /* long-form length and BER constructed OCTET STRING */
    pkiws_buf w = PKIWS_BUF_INIT, o = PKIWS_BUF_INIT;
    uint8_t big[300];
    memset(big, 0xAB, sizeof big);
    assert_int_equal(pkiws__pfx_der_put(&w, 0x04, big, sizeof big), PKIWS_OK);
    assert_memory_equal(w.data, "\x04\x82\x01\x2c", 4);
    pkiws__pfx_der_init(&d, w.data, w.len, "W");
    assert_int_equal(pkiws__pfx_der_get_octets(&d, 0x04, "big", &o), PKIWS_OK);
    assert_int_equal(o.len, 300);
    pkiws__buf_dispose(&o);
    static const uint8_t h[] = {0x24, 0x08, 0x04, 0x02, 'a', 'b', 0x04, 0x02, 'c', 'd'};
    pkiws__pfx_der_init(&d, h, sizeof h, "T");
    assert_int_equal(pkiws__pfx_der_get_octets(&d, 0x04, "parts", &o), PKIWS_OK);
    assert_string_equal((const char *)o.data, "abcd");
    pkiws__buf_dispose(&o);
    pkiws__buf_clear(&w);
    assert_int_equal(pkiws__pfx_der_put_uint(&w, 0), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_put_uint(&w, 128), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_put_uint(&w, 2048), PKIWS_OK);
    assert_memory_equal(w.data, "\x02\x01\x00\x02\x02\x00\x80\x02\x02\x08\x00", 11);
    pkiws__buf_dispose(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pkcs12_bmp_password),
        cmocka_unit_test(test_pkcs12_kdf_known_vectors),
        cmocka_unit_test(test_pkcs12_kdf_long_and_unicode),
        cmocka_unit_test(test_pkcs12_kdf_both_sha_paths),
        cmocka_unit_test(test_pbkdf2_known_vectors),
        cmocka_unit_test(test_pkcs12_kdf_rejects_bad_parameters),
        cmocka_unit_test(test_pkcs12_rc2_rfc2268_vectors),
        cmocka_unit_test(test_pkcs12_rc2_40_cbc_matches_openssl),
        cmocka_unit_test(test_pkcs12_pbe_roundtrip),
        cmocka_unit_test(test_pkcs12_pbe_algorithm_identifiers),
        cmocka_unit_test(test_pkcs12_pbe_unsupported_algorithm),
        cmocka_unit_test(test_pkcs12_der_reader_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
