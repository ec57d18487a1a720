/* SPDX-License-Identifier: MIT */
/* Unit tests of src/crypto keys: generation, PKCS#8 writer, parsing of every accepted form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

#include "fixtures.h"

/* SHA-256 of the SubjectPublicKeyInfo DER, as printed by
 * openssl pkey -in KEY -pubout -outform DER | sha256sum */
static const char rsa_spki_sha256[] =
    "5104697F4F4A17DA104CB3962277D972BF928EB5309BC1ECA96FE49EA075F333";
static const char ec_spki_sha256[] =
    "C14ECBA2311096DADC0461EBB882CB83CDF7560125572CFABE49CEDBCD1C971B";

/* "Ünïcödé-Pässwörd-longer-than-31-characters-€" */
#define PW_LONG                                                                                    \
    "\xc3\x9c"                                                                                     \
    "n\xc3\xaf"                                                                                    \
    "c\xc3\xb6"                                                                                    \
    "d\xc3\xa9-P\xc3\xa4ssw\xc3\xb6rd-longer-than-31-characters-\xe2\x82\xac"

static void assert_spki_sha256(const pkiws__key *k, const char *hex)
{
    pkiws_buf spki = PKIWS_BUF_INIT, h = PKIWS_BUF_INIT;
    uint8_t d[32];
    assert_int_equal(pkiws__key_public_der(k, &spki), PKIWS_OK);
    pkiws__sha256(spki.data, spki.len, d);
    assert_int_equal(pkiws__hex_encode(d, sizeof d, &h), PKIWS_OK);
    assert_string_equal((char *)h.data, hex);
    pkiws__buf_dispose(&spki);
    pkiws__buf_dispose(&h);
}

static pkiws__key *parse_ok(const char *pem, const char *password)
{
    pkiws__key *k = NULL;
    int rc = pkiws__key_parse((const uint8_t *)pem, strlen(pem), password, &k);
    if (rc != PKIWS_OK)
        fail_msg("key parse failed: %s", pkiws__err_message());
    assert_non_null(k);
    return k;
}

/* Generation for every type, then PKCS#8 DER and PEM written and parsed back to the same
 * public key and type. */
static void roundtrip_type(int type, mbedtls_pk_type_t pkt, size_t bits)
{
    pkiws__key *k = NULL, *k2 = NULL, *k3 = NULL;
    assert_int_equal(pkiws__key_generate(type, &k), PKIWS_OK);
    assert_int_equal(pkiws__key_type(k), type);
    assert_int_equal(mbedtls_pk_get_type(&k->pk), pkt);
    assert_int_equal(mbedtls_pk_get_bitlen(&k->pk), bits);
    if (pkt == MBEDTLS_PK_RSA) {
        mbedtls_mpi e;
        mbedtls_mpi_init(&e);
        assert_int_equal(mbedtls_rsa_export(mbedtls_pk_rsa(k->pk), NULL, NULL, NULL, NULL, &e), 0);
        assert_int_equal(mbedtls_mpi_cmp_int(&e, 65537), 0);
        mbedtls_mpi_free(&e);
    }

    pkiws_buf der = PKIWS_BUF_INIT, pem = PKIWS_BUF_INIT, pub1 = PKIWS_BUF_INIT,
              pub2 = PKIWS_BUF_INIT, pub3 = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__key_pkcs8_der(k, &der), PKIWS_OK);
    assert_true(der.secret);
    /* PrivateKeyInfo: SEQUENCE { INTEGER 0, SEQUENCE { OID rsaEncryption | id-ecPublicKey } } */
    assert_int_equal(der.data[0], 0x30);
    const uint8_t *alg = pkt == MBEDTLS_PK_RSA ? (const uint8_t *)MBEDTLS_OID_PKCS1_RSA
                                               : (const uint8_t *)MBEDTLS_OID_EC_ALG_UNRESTRICTED;
    size_t alg_len = pkt == MBEDTLS_PK_RSA ? MBEDTLS_OID_SIZE(MBEDTLS_OID_PKCS1_RSA)
                                           : MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_ALG_UNRESTRICTED);
    assert_non_null(memmem(der.data, 40, alg, alg_len));
    assert_non_null(memmem(der.data, 8, "\x02\x01\x00\x30", 4));
    if (pkt == MBEDTLS_PK_ECKEY) {
        const char *curve =
            type == PKIWS_KEY_EC_P256 ? MBEDTLS_OID_EC_GRP_SECP256R1 : MBEDTLS_OID_EC_GRP_SECP384R1;
        size_t cl = type == PKIWS_KEY_EC_P256 ? MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_GRP_SECP256R1)
                                              : MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_GRP_SECP384R1);
        assert_non_null(memmem(der.data, 40, curve, cl));
    }
    assert_int_equal(pkiws__key_parse(der.data, der.len, NULL, &k2), PKIWS_OK);
    assert_int_equal(pkiws__key_type(k2), type);

    assert_int_equal(pkiws__key_pkcs8_pem(k, &pem), PKIWS_OK);
    assert_true(pem.secret);
    assert_memory_equal(pem.data, "-----BEGIN PRIVATE KEY-----\n", 28);
    assert_non_null(strstr((char *)pem.data, "\n-----END PRIVATE KEY-----\n"));
    assert_int_equal(pkiws__key_parse(pem.data, pem.len, NULL, &k3), PKIWS_OK);

    assert_int_equal(pkiws__key_public_der(k, &pub1), PKIWS_OK);
    assert_int_equal(pkiws__key_public_der(k2, &pub2), PKIWS_OK);
    assert_int_equal(pkiws__key_public_der(k3, &pub3), PKIWS_OK);
    assert_int_equal(pub1.len, pub2.len);
    assert_memory_equal(pub1.data, pub2.data, pub1.len);
    assert_int_equal(pub1.len, pub3.len);
    assert_memory_equal(pub1.data, pub3.data, pub1.len);
    /* the private halves survive too */
    assert_int_equal(mbedtls_pk_check_pair(&k->pk, &k2->pk), 0);

    pkiws__buf_dispose(&der);
    pkiws__buf_dispose(&pem);
    pkiws__buf_dispose(&pub1);
    pkiws__buf_dispose(&pub2);
    pkiws__buf_dispose(&pub3);
    pkiws__key_free(k);
    pkiws__key_free(k2);
    pkiws__key_free(k3);
}

static void test_crypto_key_generate_rsa2048_pkcs8_roundtrip(void **state)
{
    (void)state;
    roundtrip_type(PKIWS_KEY_RSA2048, MBEDTLS_PK_RSA, 2048);
}

static void test_crypto_key_generate_rsa3072_pkcs8_roundtrip(void **state)
{
    (void)state;
    roundtrip_type(PKIWS_KEY_RSA3072, MBEDTLS_PK_RSA, 3072);
}

static void test_crypto_key_generate_rsa4096_pkcs8_roundtrip(void **state)
{
    (void)state;
    roundtrip_type(PKIWS_KEY_RSA4096, MBEDTLS_PK_RSA, 4096);
}

static void test_crypto_key_generate_p256_pkcs8_roundtrip(void **state)
{
    (void)state;
    roundtrip_type(PKIWS_KEY_EC_P256, MBEDTLS_PK_ECKEY, 256);
}

static void test_crypto_key_generate_p384_pkcs8_roundtrip(void **state)
{
    (void)state;
    roundtrip_type(PKIWS_KEY_EC_P384, MBEDTLS_PK_ECKEY, 384);
}

static void test_crypto_key_generate_unknown_type(void **state)
{
    (void)state;
    pkiws__key *k = (pkiws__key *)1;
    assert_int_equal(pkiws__key_generate(42, &k), PKIWS_E_INVALID_ARG);
    assert_non_null(strstr(pkiws__err_message(), "key type 42"));
}

static void test_crypto_key_parse_pkcs1_and_sec1(void **state)
{
    (void)state;
    pkiws__key *k = parse_ok(fx_rsa_pkcs1, NULL);
    assert_int_equal(pkiws__key_type(k), PKIWS_KEY_RSA2048);
    assert_spki_sha256(k, rsa_spki_sha256);
    pkiws__key_free(k);

    k = parse_ok(fx_ec_sec1, NULL);
    assert_int_equal(pkiws__key_type(k), PKIWS_KEY_EC_P256);
    assert_spki_sha256(k, ec_spki_sha256);
    pkiws__key_free(k);
}

/* The PEM needs no NUL terminator: parse from a buffer that continues with junk. */
static void test_crypto_key_parse_pem_not_nul_terminated(void **state)
{
    (void)state;
    size_t n = strlen(fx_ec_sec1);
    uint8_t *buf = pkiws__malloc(n + 8);
    memcpy(buf, fx_ec_sec1, n);
    memset(buf + n, 'Z', 8);
    pkiws__key *k = NULL;
    assert_int_equal(pkiws__key_parse(buf, n, NULL, &k), PKIWS_OK);
    assert_spki_sha256(k, ec_spki_sha256);
    pkiws__key_free(k);
    pkiws__free(buf);
}

/* PKCS#1 DER (no PEM) parses as well. */
static void test_crypto_key_parse_der_forms(void **state)
{
    (void)state;
    pkiws_buf der = PKIWS_BUF_INIT;
    size_t pos = 0;
    der.secret = 1;
    assert_int_equal(pkiws__pem_next((const uint8_t *)fx_rsa_pkcs1, strlen(fx_rsa_pkcs1), &pos,
                                     "RSA PRIVATE KEY", PKIWS_E_CRYPTO, &der),
                     PKIWS_OK);
    pkiws__key *k = NULL;
    assert_int_equal(pkiws__key_parse(der.data, der.len, NULL, &k), PKIWS_OK);
    assert_spki_sha256(k, rsa_spki_sha256);
    pkiws__key_free(k);
    pkiws__buf_dispose(&der);
}

static void test_crypto_key_parse_encrypted_pkcs8(void **state)
{
    (void)state;
    /* OpenSSL's default (PBES2 + AES-256-CBC), which mbedTLS 2.28 cannot decrypt itself */
    pkiws__key *k = parse_ok(fx_ec_enc_aes, "P\xc3\xa4ssw\xc3\xb6rd-1");
    assert_spki_sha256(k, ec_spki_sha256);
    pkiws__key_free(k);
    /* PBES2 + DES-EDE3-CBC and PKCS#12 pbeWithSHA1And3-KeyTripleDES-CBC */
    k = parse_ok(fx_ec_enc_3des, "secret");
    assert_spki_sha256(k, ec_spki_sha256);
    pkiws__key_free(k);
    k = parse_ok(fx_ec_enc_pbe, "secret");
    assert_spki_sha256(k, ec_spki_sha256);
    pkiws__key_free(k);
    /* PKCS#12 PBE with a 44-character password outside Latin-1 (mbedTLS alone: 31 Latin-1) */
    k = parse_ok(fx_ec_enc_pbe_long, PW_LONG);
    assert_spki_sha256(k, ec_spki_sha256);
    pkiws__key_free(k);
    /* legacy "Proc-Type: 4,ENCRYPTED" PEM */
    k = parse_ok(fx_ec_legacy_enc, "secret");
    assert_spki_sha256(k, ec_spki_sha256);
    pkiws__key_free(k);

    /* the AES form as DER */
    pkiws_buf der = PKIWS_BUF_INIT;
    size_t pos = 0;
    assert_int_equal(pkiws__pem_next((const uint8_t *)fx_ec_enc_aes, strlen(fx_ec_enc_aes), &pos,
                                     "ENCRYPTED PRIVATE KEY", PKIWS_E_CRYPTO, &der),
                     PKIWS_OK);
    assert_int_equal(pkiws__key_parse(der.data, der.len, "P\xc3\xa4ssw\xc3\xb6rd-1", &k), PKIWS_OK);
    assert_spki_sha256(k, ec_spki_sha256);
    pkiws__key_free(k);
    assert_int_equal(pkiws__key_parse(der.data, der.len, "nope", &k), PKIWS_E_CRYPTO);
    assert_non_null(strstr(pkiws__err_message(), "private key (239 bytes, DER): encrypted PKCS#8 "
                                                 "private key (PBES2/PBKDF2-HMAC-SHA256/"
                                                 "AES-256-CBC): wrong password"));
    assert_null(k);
    pkiws__buf_dispose(&der);
}

static void expect_password_failure(const char *pem, const char *password, const char *want)
{
    pkiws__key *k = (pkiws__key *)1;
    assert_int_equal(pkiws__key_parse((const uint8_t *)pem, strlen(pem), password, &k),
                     PKIWS_E_CRYPTO);
    assert_null(k);
    const char *msg = pkiws__err_message();
    if (!strstr(msg, want))
        fail_msg("message '%s' lacks '%s'", msg, want);
    if (password && *password && strstr(msg, password))
        fail_msg("message '%s' shows the password", msg);
}

static void test_crypto_key_parse_wrong_or_missing_password(void **state)
{
    (void)state;
    const char *fx[] = {fx_ec_enc_aes, fx_ec_enc_3des, fx_ec_enc_pbe, fx_ec_enc_pbe_long,
                        fx_ec_legacy_enc};
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(fx); i++) {
        expect_password_failure(fx[i], "Wrong-Pass-77", "wrong password");
        expect_password_failure(fx[i], NULL, "encrypted and no password was given");
        expect_password_failure(fx[i], "", "encrypted and no password was given");
    }
}

static void test_crypto_key_parse_garbage(void **state)
{
    (void)state;
    pkiws__key *k = NULL;
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x05};
    assert_int_equal(pkiws__key_parse(junk, sizeof junk, NULL, &k), PKIWS_E_CRYPTO);
    assert_non_null(strstr(pkiws__err_message(), "(5 bytes, DER) is not a PKCS#1, SEC1 or PKCS#8"));
    const char *pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    assert_int_equal(pkiws__key_parse((const uint8_t *)pem, strlen(pem), NULL, &k), PKIWS_E_CRYPTO);
    assert_non_null(strstr(pkiws__err_message(), "PEM"));
    assert_int_equal(pkiws__key_parse((const uint8_t *)fx_cert, strlen(fx_cert), NULL, &k),
                     PKIWS_E_CRYPTO);
    assert_non_null(strstr(pkiws__err_message(), "holds a certificate, not a private key"));
    assert_int_equal(pkiws__key_parse(junk, 0, NULL, &k), PKIWS_E_INVALID_ARG);
    assert_null(k);
    /* every truncation of a DER key fails cleanly */
    pkiws_buf der = PKIWS_BUF_INIT;
    size_t pos = 0;
    der.secret = 1;
    assert_int_equal(pkiws__pem_next((const uint8_t *)fx_ec_sec1, strlen(fx_ec_sec1), &pos,
                                     "EC PRIVATE KEY", PKIWS_E_CRYPTO, &der),
                     PKIWS_OK);
    for (size_t n = 1; n < der.len; n++) {
        uint8_t *cut = pkiws__memdup(der.data, n); /* exact-size heap copy for valgrind/ASan */
        assert_int_not_equal(pkiws__key_parse(cut, n, NULL, &k), PKIWS_OK);
        assert_null(k);
        pkiws__free_secret(cut, n);
    }
    pkiws__buf_dispose(&der);
}

static void test_crypto_key_type_of_other_curve(void **state)
{
    (void)state;
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    assert_int_equal(mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
    assert_int_equal(
        mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP521R1, mbedtls_pk_ec(pk), pkiws__drbg_random, NULL),
        0);
    pkiws__key *k = NULL;
    assert_int_equal(pkiws__key_wrap(&pk, &k), PKIWS_OK);
    assert_int_equal(pkiws__key_type(k), 0);
    /* PKCS#8 still works and names the curve */
    pkiws_buf der = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__key_pkcs8_der(k, &der), PKIWS_OK);
    assert_non_null(memmem(der.data, 40, MBEDTLS_OID_EC_GRP_SECP521R1,
                           MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_GRP_SECP521R1)));
    pkiws__buf_dispose(&der);
    pkiws__key_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crypto_key_generate_rsa2048_pkcs8_roundtrip),
        cmocka_unit_test(test_crypto_key_generate_rsa3072_pkcs8_roundtrip),
        cmocka_unit_test(test_crypto_key_generate_rsa4096_pkcs8_roundtrip),
        cmocka_unit_test(test_crypto_key_generate_p256_pkcs8_roundtrip),
        cmocka_unit_test(test_crypto_key_generate_p384_pkcs8_roundtrip),
        cmocka_unit_test(test_crypto_key_generate_unknown_type),
        cmocka_unit_test(test_crypto_key_parse_pkcs1_and_sec1),
        cmocka_unit_test(test_crypto_key_parse_pem_not_nul_terminated),
        cmocka_unit_test(test_crypto_key_parse_der_forms),
        cmocka_unit_test(test_crypto_key_parse_encrypted_pkcs8),
        cmocka_unit_test(test_crypto_key_parse_wrong_or_missing_password),
        cmocka_unit_test(test_crypto_key_parse_garbage),
        cmocka_unit_test(test_crypto_key_type_of_other_curve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
