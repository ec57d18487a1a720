/* SPDX-License-Identifier: MIT */
/* Unit tests of the PKCS#10 writer: content re-parsed with mbedtls_x509_csr_parse_der. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>

#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

static const pkiws__dn_part dn[] = {
    {"CN", "M\xc3\xbcller, Hans + Co"}, /* comma, plus and non-ASCII survive */
    {"O", "Example, Inc."},
    {"OU", "A"},
    {"ou", "B"}, /* repeated types are kept, type names are case-insensitive */
    {"C", "DE"},
    {"E", "hans@example.com"},
    {"2.5.4.5", "SEAT-42"}, /* serialNumber by dotted OID */
};

static const uint8_t other_der[] = {0x04, 0x04, 0x12, 0xB8, 0xBA, 0x65};

static const pkiws__csr_san san[] = {
    {PKIWS__SAN_RFC822, "hans@example.com", NULL, NULL, 0},
    {PKIWS__SAN_UPN, "h\xc3\xa4nsel@corp.example", NULL, NULL, 0},
    {PKIWS__SAN_OTHERNAME, NULL, "1.3.6.1.4.1.99999.1.2", other_der, sizeof other_der},
    {PKIWS__SAN_DNS, "host.example.com", NULL, NULL, 0},
};

/* The GeneralNames the CSR must carry, encoded by hand. */
static const uint8_t want_san[] = {
    0x30, 0x60, 0x81, 0x10, 'h',  'a',  'n',  's',  '@',  'e',  'x',  'a',  'm',  'p',
    'l',  'e',  '.',  'c',  'o',  'm',  0xA0, 0x24, 0x06, 0x0A, 0x2B, 0x06, 0x01, 0x04,
    0x01, 0x82, 0x37, 0x14, 0x02, 0x03, 0xA0, 0x16, 0x0C, 0x14, 'h',  0xC3, 0xA4, 'n',
    's',  'e',  'l',  '@',  'c',  'o',  'r',  'p',  '.',  'e',  'x',  'a',  'm',  'p',
    'l',  'e',  0xA0, 0x14, 0x06, 0x0A, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x86, 0x8D, 0x1F,
    0x01, 0x02, 0xA0, 0x06, 0x04, 0x04, 0x12, 0xB8, 0xBA, 0x65, 0x82, 0x10, 'h',  'o',
    's',  't',  '.',  'e',  'x',  'a',  'm',  'p',  'l',  'e',  '.',  'c',  'o',  'm',
};
/* extnID + extnValue of keyUsage: digitalSignature + keyEncipherment (0xa0) for an RSA key,
 * digitalSignature alone (0x80) for an EC key (RFC 5480 §3: no keyEncipherment for EC) */
static const uint8_t want_ku_rsa[] = {0x06, 0x03, 0x55, 0x1D, 0x0F, 0x04,
                                      0x04, 0x03, 0x02, 0x05, 0xA0};
static const uint8_t want_ku_ec[] = {0x06, 0x03, 0x55, 0x1D, 0x0F, 0x04,
                                     0x04, 0x03, 0x02, 0x07, 0x80};
/* and EKU clientAuth */
static const uint8_t want_eku[] = {0x06, 0x03, 0x55, 0x1D, 0x25, 0x04, 0x0C, 0x30, 0x0A, 0x06,
                                   0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02};
/* extensionRequest 1.2.840.113549.1.9.14 */
static const uint8_t want_extreq[] = {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86,
                                      0xF7, 0x0D, 0x01, 0x09, 0x0E};

static void check_csr(int key_type)
{
    pkiws__key *k = NULL;
    assert_int_equal(pkiws__key_generate(key_type, &k), PKIWS_OK);
    pkiws_buf der = PKIWS_BUF_INIT;
    int rc = pkiws__csr_build(k, dn, PKIWS_ARRAY_LEN(dn), san, PKIWS_ARRAY_LEN(san),
                              PKIWS__CSR_KU_DS_KE | PKIWS__CSR_EKU_CLIENT, &der);
    if (rc != PKIWS_OK)
        fail_msg("%s", pkiws__err_message());

    mbedtls_x509_csr csr;
    mbedtls_x509_csr_init(&csr);
    assert_int_equal(mbedtls_x509_csr_parse_der(&csr, der.data, der.len), 0);
    assert_int_equal(csr.raw.len, der.len);
    assert_int_equal(csr.sig_md, MBEDTLS_MD_SHA256);

    /* subject, in the given order, values intact */
    pkiws_buf subj = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__dn_to_string(&csr.subject, &subj), PKIWS_OK);
    assert_string_equal((char *)subj.data, "CN=M\xc3\xbcller\\, Hans \\+ Co,O=Example\\, Inc.,"
                                           "OU=A,OU=B,C=DE,E=hans@example.com,2.5.4.5=SEAT-42");
    /* string types: CN UTF8String, C PrintableString, E IA5String */
    assert_int_equal(csr.subject.val.tag, MBEDTLS_ASN1_UTF8_STRING);
    const mbedtls_x509_name *c = &csr.subject;
    for (int i = 0; i < 4; i++)
        c = c->next;
    assert_int_equal(c->val.tag, MBEDTLS_ASN1_PRINTABLE_STRING);
    assert_int_equal(c->next->val.tag, MBEDTLS_ASN1_IA5_STRING);

    /* extensions */
    assert_non_null(memmem(der.data, der.len, want_extreq, sizeof want_extreq));
    assert_non_null(memmem(der.data, der.len, want_san, sizeof want_san));
    int ec = key_type == PKIWS_KEY_EC_P256 || key_type == PKIWS_KEY_EC_P384;
    const uint8_t *want_ku = ec ? want_ku_ec : want_ku_rsa;
    const uint8_t *other_ku = ec ? want_ku_rsa : want_ku_ec;
    assert_non_null(memmem(der.data, der.len, want_ku, sizeof want_ku_rsa));
    assert_null(memmem(der.data, der.len, other_ku, sizeof want_ku_rsa));
    assert_non_null(memmem(der.data, der.len, want_eku, sizeof want_eku));

    /* the public key is ours and the signature verifies */
    pkiws_buf a = PKIWS_BUF_INIT, b = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__key_public_der(k, &a), PKIWS_OK);
    assert_int_equal(pkiws__pk_public_der(&csr.pk, &b), PKIWS_OK);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    uint8_t h[32];
    pkiws__sha256(csr.cri.p, csr.cri.len, h);
    assert_int_equal(mbedtls_pk_verify_ext(csr.sig_pk, csr.sig_opts, &csr.pk, MBEDTLS_MD_SHA256, h,
                                           sizeof h, csr.sig.p, csr.sig.len),
                     0);
    h[0] ^= 1;
    assert_int_not_equal(mbedtls_pk_verify_ext(csr.sig_pk, csr.sig_opts, &csr.pk, MBEDTLS_MD_SHA256,
                                               h, sizeof h, csr.sig.p, csr.sig.len),
                         0);

    pkiws_buf pem = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__csr_pem(der.data, der.len, &pem), PKIWS_OK);
    assert_memory_equal(pem.data, "-----BEGIN CERTIFICATE REQUEST-----\n", 36);
    assert_non_null(strstr((char *)pem.data, "\n-----END CERTIFICATE REQUEST-----\n"));
    mbedtls_x509_csr csr2;
    mbedtls_x509_csr_init(&csr2);
    assert_int_equal(mbedtls_x509_csr_parse(&csr2, pem.data, pem.len + 1), 0);
    assert_int_equal(csr2.raw.len, der.len);
    assert_memory_equal(csr2.raw.p, der.data, der.len);

    mbedtls_x509_csr_free(&csr);
    mbedtls_x509_csr_free(&csr2);
    pkiws__buf_dispose(&pem);
    pkiws__buf_dispose(&subj);
    pkiws__buf_dispose(&a);
    pkiws__buf_dispose(&b);
    pkiws__buf_dispose(&der);
    pkiws__key_free(k);
}

static void test_crypto_csr_rsa2048_content(void **state)
{
    (void)state;
    check_csr(PKIWS_KEY_RSA2048);
}

static void test_crypto_csr_p256_content(void **state)
{
    (void)state;
    check_csr(PKIWS_KEY_EC_P256);
}

static void test_crypto_csr_p384_content(void **state)
{
    (void)state;
    check_csr(PKIWS_KEY_EC_P384);
}

/* No SAN and no flags: no extensionRequest at all. */
static void test_crypto_csr_minimal(void **state)
{
    (void)state;
    pkiws__key *k = NULL;
    assert_int_equal(pkiws__key_generate(PKIWS_KEY_EC_P384, &k), PKIWS_OK);
    pkiws_buf der = PKIWS_BUF_INIT;
    const pkiws__dn_part cn = {"CN", "only"};
    assert_int_equal(pkiws__csr_build(k, &cn, 1, NULL, 0, 0, &der), PKIWS_OK);
    mbedtls_x509_csr csr;
    mbedtls_x509_csr_init(&csr);
    assert_int_equal(mbedtls_x509_csr_parse_der(&csr, der.data, der.len), 0);
    assert_null(memmem(der.data, der.len, want_extreq, sizeof want_extreq));
    assert_null(csr.subject.next);
    assert_int_equal(csr.subject.val.len, 4);
    assert_int_equal(csr.sig_pk, MBEDTLS_PK_ECDSA);
    mbedtls_x509_csr_free(&csr);
    pkiws__buf_dispose(&der);
    pkiws__key_free(k);
}

static void expect_csr_error(const pkiws__key *k, const pkiws__dn_part *d, size_t nd,
                             const pkiws__csr_san *s, size_t ns, int code, const char *want)
{
    pkiws_buf der = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__csr_build(k, d, nd, s, ns, 0, &der), code);
    assert_int_equal(der.len, 0);
    if (!strstr(pkiws__err_message(), want))
        fail_msg("message '%s' lacks '%s'", pkiws__err_message(), want);
    pkiws__buf_dispose(&der);
}

static void test_crypto_csr_refuses_bad_input(void **state)
{
    (void)state;
    pkiws__key *k = NULL;
    assert_int_equal(pkiws__key_generate(PKIWS_KEY_EC_P256, &k), PKIWS_OK);
    pkiws__dn_part d1[] = {{"CN", "ok"}, {"O", "bad \xc3\x28 utf8"}};
    expect_csr_error(k, d1, 2, NULL, 0, PKIWS_E_INVALID_ARG,
                     "subject part 2 (O) is not valid UTF-8: bad byte 0xC3 at offset 4");
    pkiws__dn_part d2[] = {{"XX", "v"}};
    expect_csr_error(k, d2, 1, NULL, 0, PKIWS_E_INVALID_ARG, "type 'XX'");
    pkiws__dn_part d3[] = {{"C", "D\xc3\xa4"}};
    expect_csr_error(k, d3, 1, NULL, 0, PKIWS_E_INVALID_ARG, "(C)");
    pkiws__dn_part d4[] = {{"CN", ""}};
    expect_csr_error(k, d4, 1, NULL, 0, PKIWS_E_INVALID_ARG, "subject part 1 (CN) is empty");

    pkiws__csr_san s1[] = {{PKIWS__SAN_RFC822, "hans meier@example.com", NULL, NULL, 0}};
    expect_csr_error(k, NULL, 0, s1, 1, PKIWS_E_INVALID_ARG, "byte 0x20 at offset 4");
    assert_null(strstr(pkiws__err_message(), "meier")); /* the address is redacted */
    static const uint8_t two[] = {0x04, 0x01, 0xAA, 0x05};
    pkiws__csr_san s2[] = {{PKIWS__SAN_OTHERNAME, NULL, "1.2.3.4", two, sizeof two}};
    expect_csr_error(k, NULL, 0, s2, 1, PKIWS_E_OTHERNAME_ENCODING,
                     "1 bytes after the DER element ending at offset 3");
    static const uint8_t longlen[] = {0x04, 0x05, 0xAA};
    pkiws__csr_san s3[] = {{PKIWS__SAN_OTHERNAME, NULL, "1.2.3.4", longlen, sizeof longlen}};
    expect_csr_error(k, NULL, 0, s3, 1, PKIWS_E_OTHERNAME_ENCODING, "runs past the end");
    pkiws__csr_san s4[] = {{PKIWS__SAN_OTHERNAME, NULL, "1.3.abc", other_der, sizeof other_der}};
    expect_csr_error(k, NULL, 0, s4, 1, PKIWS_E_OTHERNAME_ENCODING, "'1.3.abc' is not a dotted");
    pkiws__csr_san s5[] = {{PKIWS__SAN_UPN, "a\xff", NULL, NULL, 0}};
    expect_csr_error(k, NULL, 0, s5, 1, PKIWS_E_INVALID_ARG, "SAN 1 (UPN) is not valid UTF-8");
    pkiws__csr_san s6[] = {{99, "x", NULL, NULL, 0}};
    expect_csr_error(k, NULL, 0, s6, 1, PKIWS_E_INVALID_ARG, "unknown kind 99");

    pkiws_buf der = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__csr_build(k, NULL, 0, NULL, 0, 0x80, &der), PKIWS_E_INVALID_ARG);
    pkiws__buf_dispose(&der);
    pkiws__key_free(k);
}

/* ---- EC keys made and signing with the curve's shared generator table (ec_fixed.c) ------ */

#define EC_THREADS 4
#define EC_ROUNDS 12

/* Keys of both curves, a CSR each whose signature verifies with the key's own (unshared)
 * group, and a signature of a digest that mbedTLS's own ECDSA verifies: on several threads at
 * once over the shared groups. */
static void *ec_rounds(void *arg)
{
    int *failures = arg;
    for (int i = 0; i < EC_ROUNDS; i++) {
        int type = i % 2 ? PKIWS_KEY_EC_P384 : PKIWS_KEY_EC_P256;
        pkiws__key *k = NULL;
        pkiws_buf der = PKIWS_BUF_INIT;
        const pkiws__dn_part cn = {"CN", "shared table"};
        mbedtls_x509_csr csr;
        mbedtls_x509_csr_init(&csr);
        unsigned char h[64], sig[MBEDTLS_ECDSA_MAX_LEN];
        size_t hlen = 0, n = 0;
        int ok = pkiws__key_generate(type, &k) == PKIWS_OK &&
                 pkiws__csr_build(k, &cn, 1, NULL, 0, 0, &der) == PKIWS_OK &&
                 mbedtls_x509_csr_parse_der(&csr, der.data, der.len) == 0;
        const mbedtls_md_info_t *md = ok ? mbedtls_md_info_from_type(csr.sig_md) : NULL;
        ok = ok && md && mbedtls_md(md, csr.cri.p, csr.cri.len, h) == 0;
        hlen = md ? mbedtls_md_get_size(md) : 0;
        ok = ok && mbedtls_pk_verify(&k->pk, csr.sig_md, h, hlen, csr.sig.p, csr.sig.len) == 0;
        /* a digest signed directly, verified by mbedTLS's ECDSA over the key's own group */
        ok = ok && pkiws__ec_sign(mbedtls_pk_ec(k->pk), MBEDTLS_MD_SHA256, h, 32, sig, &n) == 0 &&
             mbedtls_pk_verify(&k->pk, MBEDTLS_MD_SHA256, h, 32, sig, n) == 0;
        /* and a flipped bit is refused */
        if (ok) {
            h[0] ^= 1;
            ok = mbedtls_pk_verify(&k->pk, MBEDTLS_MD_SHA256, h, 32, sig, n) != 0;
        }
        *failures += !ok;
        mbedtls_x509_csr_free(&csr);
        pkiws__buf_dispose(&der);
        pkiws__key_free(k);
    }
    return NULL;
}

static void test_crypto_csr_ec_shared_tables(void **state)
{
    (void)state;
    pthread_t th[EC_THREADS];
    int failures[EC_THREADS] = {0};
    for (int i = 0; i < EC_THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, ec_rounds, &failures[i]), 0);
    for (int i = 0; i < EC_THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(failures[i], 0);
    }
    /* the tables exist once per curve, and other curves have none */
    assert_non_null(pkiws__ec_fixed_group(MBEDTLS_ECP_DP_SECP256R1));
    assert_non_null(pkiws__ec_fixed_group(MBEDTLS_ECP_DP_SECP384R1));
    assert_ptr_equal(pkiws__ec_fixed_group(MBEDTLS_ECP_DP_SECP256R1),
                     pkiws__ec_fixed_group(MBEDTLS_ECP_DP_SECP256R1));
    assert_null(pkiws__ec_fixed_group(MBEDTLS_ECP_DP_SECP521R1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crypto_csr_rsa2048_content),
        cmocka_unit_test(test_crypto_csr_p256_content),
        cmocka_unit_test(test_crypto_csr_p384_content),
        cmocka_unit_test(test_crypto_csr_minimal),
        cmocka_unit_test(test_crypto_csr_refuses_bad_input),
        cmocka_unit_test(test_crypto_csr_ec_shared_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
