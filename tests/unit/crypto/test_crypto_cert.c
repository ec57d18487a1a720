/* SPDX-License-Identifier: MIT */
/* Unit tests of src/crypto certificates: parsing, details, SAN decoding, key match, lists.
 *
 * fx_cert (fixtures.h) was made with OpenSSL 3.0:
 *   openssl req -x509 -new -key ec.pem -config ext.cnf -extensions v3 -utf8 -multivalue-rdn \
 *     -subj '/C=DE/O=Example, Inc./OU=R&D \+ Ops/OU=#hash/L=Berlin+ST=BE/CN=Jürgen Tëst/
 *            emailAddress=juergen@example.com' -set_serial 0x8A0102030405060708 -days 3650
 * with basicConstraints critical CA:FALSE, keyUsage digitalSignature+keyEncipherment,
 * extendedKeyUsage clientAuth and subjectAltName email:juergen@example.com,
 * otherName UPN;FORMAT:UTF8,UTF8:jürgen@corp.example,
 * otherName 1.3.6.1.4.1.99999.1.2;FORMAT:HEX,OCT:12B8BA65, DNS:host.example.com. What openssl
 * prints for it: openssl x509 -noout -serial -fingerprint -sha1 -startdate -enddate
 *   serial=8A0102030405060708
 *   sha1 Fingerprint=EA:6F:E6:8F:51:15:51:AA:01:15:F7:52:87:75:98:54:14:F3:6E:91
 *   notBefore=Nov 21 23:39:41 2026 GMT (1795304381)  notAfter=Nov 18 23:39:41 2036 GMT
 *   (2110664381)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

#include "fixtures.h"

static pkiws__cert *fx_cert_parse(void)
{
    pkiws__cert *c = NULL;
    if (pkiws__cert_parse((const uint8_t *)fx_cert, strlen(fx_cert), &c) != PKIWS_OK)
        fail_msg("parse: %s", pkiws__err_message());
    return c;
}

static void test_crypto_cert_info_fixture(void **state)
{
    (void)state;
    pkiws__cert *c = fx_cert_parse();
    const pkiws__cert_info *i = pkiws__cert_get_info(c);
    assert_string_equal(i->subject, "C=DE,O=Example\\, Inc.,OU=R&D \\+ Ops,OU=\\#hash,"
                                    "ST=BE+L=Berlin,CN=J\xc3\xbcrgen T\xc3\xabst,"
                                    "E=juergen@example.com");
    assert_string_equal(i->issuer, i->subject);
    assert_string_equal(i->serial, "8A0102030405060708");
    assert_string_equal(i->thumbprint, "EA6FE68F511551AA0115F7528775985414F36E91");
    assert_int_equal(i->not_before, 1795304381);
    assert_int_equal(i->not_after, 2110664381);
    assert_int_equal(i->is_ca, 0);
    assert_int_equal(i->has_eku_client_auth, 1);
    assert_int_equal(pkiws__cert_self_signed(c), 1);
    pkiws__cert_free(c);
}

static void test_crypto_cert_der_pem_roundtrip(void **state)
{
    (void)state;
    pkiws__cert *c = fx_cert_parse(), *c2 = NULL;
    size_t n;
    const uint8_t *der = pkiws__cert_der(c, &n);
    assert_int_equal(n, 772); /* openssl x509 -outform DER | wc -c */
    assert_int_equal(der[0], 0x30);
    assert_int_equal(pkiws__cert_parse(der, n, &c2), PKIWS_OK);
    assert_string_equal(pkiws__cert_get_info(c2)->thumbprint,
                        "EA6FE68F511551AA0115F7528775985414F36E91");
    pkiws_buf pem = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__cert_pem(c2, &pem), PKIWS_OK);
    /* same text as openssl writes: 64 columns, same armour */
    assert_string_equal((char *)pem.data, fx_cert);
    pkiws__buf_dispose(&pem);
    pkiws__cert_free(c);
    pkiws__cert_free(c2);
}

static void test_crypto_cert_matches_key(void **state)
{
    (void)state;
    pkiws__cert *c = fx_cert_parse();
    pkiws__key *ec = NULL, *rsa = NULL, *gen = NULL;
    assert_int_equal(pkiws__key_parse((const uint8_t *)fx_ec_sec1, strlen(fx_ec_sec1), NULL, &ec),
                     PKIWS_OK);
    assert_int_equal(
        pkiws__key_parse((const uint8_t *)fx_rsa_pkcs1, strlen(fx_rsa_pkcs1), NULL, &rsa),
        PKIWS_OK);
    assert_int_equal(pkiws__key_generate(PKIWS_KEY_EC_P256, &gen), PKIWS_OK);
    assert_int_equal(pkiws__cert_matches_key(c, ec), 1);
    assert_int_equal(pkiws__cert_matches_key(c, rsa), 0);
    assert_int_equal(pkiws__cert_matches_key(c, gen), 0);
    assert_int_equal(pkiws__cert_matches_key(NULL, ec), 0);
    pkiws__key_free(ec);
    pkiws__key_free(rsa);
    pkiws__key_free(gen);
    pkiws__cert_free(c);
}

static void test_crypto_cert_san_decode(void **state)
{
    (void)state;
    pkiws__cert *c = fx_cert_parse();
    pkiws__san_item *it = NULL;
    size_t n = 0;
    assert_int_equal(pkiws__cert_sans(c, &it, &n), PKIWS_OK);
    assert_int_equal(n, 4);
    assert_int_equal(it[0].kind, PKIWS__SAN_RFC822);
    assert_string_equal(it[0].value, "juergen@example.com");
    assert_null(it[0].oid);
    assert_int_equal(it[1].kind, PKIWS__SAN_UPN);
    assert_string_equal(it[1].value, "j\xc3\xbcrgen@corp.example");
    assert_string_equal(it[1].oid, "1.3.6.1.4.1.311.20.2.3");
    assert_int_equal(it[2].kind, PKIWS__SAN_OTHERNAME);
    assert_null(it[2].value);
    assert_string_equal(it[2].oid, "1.3.6.1.4.1.99999.1.2");
    assert_int_equal(it[2].der_len, 6);
    assert_memory_equal(it[2].der, "\x04\x04\x12\xb8\xba\x65", 6);
    assert_int_equal(it[3].kind, PKIWS__SAN_DNS);
    assert_string_equal(it[3].value, "host.example.com");
    pkiws__san_items_free(it, n);
    pkiws__cert_free(c);
}

/* Certificate parsing refuses what is not exactly one certificate, naming the problem. */
static void test_crypto_cert_parse_errors(void **state)
{
    (void)state;
    pkiws__cert *c = fx_cert_parse(), *bad = NULL;
    size_t n;
    const uint8_t *der = pkiws__cert_der(c, &n);
    uint8_t *cp = pkiws__malloc(n + 2);
    memcpy(cp, der, n);
    cp[n] = 0;
    cp[n + 1] = 0;
    assert_int_equal(pkiws__cert_parse(cp, n + 2, &bad), PKIWS_E_CRYPTO);
    assert_non_null(strstr(pkiws__err_message(), "2 trailing bytes"));
    for (size_t k = 1; k < n; k += (k < 64 ? 1 : 37)) {
        assert_int_equal(pkiws__cert_parse(cp, k, &bad), PKIWS_E_CRYPTO);
        assert_null(bad);
    }
    cp[1] = 0x80;
    assert_int_equal(pkiws__cert_parse(cp, n, &bad), PKIWS_E_CRYPTO);
    assert_non_null(strstr(pkiws__err_message(), "indefinite"));
    memcpy(cp, der, n);
    cp[n / 2] ^= 0x5A; /* somewhere in the body */
    int rc = pkiws__cert_parse(cp, n, &bad);
    if (rc == PKIWS_OK) { /* a flip in the signature still parses; then it is not self-signed */
        assert_int_equal(pkiws__cert_self_signed(bad), 0);
        pkiws__cert_free(bad);
    }
    const char *nopem = "-----BEGIN PKCS7-----\nAAAA\n-----END PKCS7-----\n";
    assert_int_equal(pkiws__cert_parse((const uint8_t *)nopem, strlen(nopem), &bad),
                     PKIWS_E_CRYPTO);
    assert_non_null(strstr(pkiws__err_message(), "no '-----BEGIN CERTIFICATE-----' block"));
    const char *unterminated = "-----BEGIN CERTIFICATE-----\nMIIB\n";
    assert_int_equal(pkiws__cert_parse((const uint8_t *)unterminated, strlen(unterminated), &bad),
                     PKIWS_E_CRYPTO);
    assert_non_null(strstr(pkiws__err_message(), "has no '-----END CERTIFICATE-----' line"));
    pkiws__free(cp);
    pkiws__cert_free(c);
}

/* A PEM bundle: every certificate in order; all or nothing. */
static void test_crypto_cert_bundle_parse_all(void **state)
{
    (void)state;
    pkiws_buf b = PKIWS_BUF_INIT;
    pkiws__buf_puts(&b, "subject=whatever\n");
    pkiws__buf_puts(&b, fx_cert);
    pkiws__buf_puts(&b, "\n");
    pkiws__buf_puts(&b, fx_cert);
    pkiws__certlist l = {NULL, 0};
    assert_int_equal(pkiws__certs_parse_all(b.data, b.len, &l), PKIWS_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(pkiws__cert_get_info(l.v[1])->serial, "8A0102030405060708");
    /* a broken third certificate: nothing is added */
    pkiws__buf_puts(&b, "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n");
    assert_int_equal(pkiws__certs_parse_all(b.data, b.len, &l), PKIWS_E_CRYPTO);
    assert_non_null(strstr(pkiws__err_message(), "certificate 3 of the PEM bundle"));
    assert_int_equal(l.n, 2);
    pkiws__certlist_dispose(&l);
    assert_null(l.v);
    assert_int_equal(l.n, 0);
    pkiws__buf_dispose(&b);
}

/* Directory strings of every kind become real UTF-8; what cannot be decoded becomes #hex. */
static void test_crypto_cert_dn_string_types(void **state)
{
    (void)state;
    mbedtls_x509_name n[6];
    memset(n, 0, sizeof n);
    for (int i = 0; i < 6; i++) {
        n[i].oid.tag = MBEDTLS_ASN1_OID;
        n[i].oid.p = (unsigned char *)MBEDTLS_OID_AT_CN;
        n[i].oid.len = 3;
        n[i].next = i < 5 ? &n[i + 1] : NULL;
    }
    n[0].val.tag = MBEDTLS_ASN1_BMP_STRING; /* "Ä" and U+1F600 as a surrogate pair */
    n[0].val.p = (unsigned char *)"\x00\xc4\xd8\x3d\xde\x00";
    n[0].val.len = 6;
    n[1].val.tag = MBEDTLS_ASN1_T61_STRING; /* Latin-1 "é" */
    n[1].val.p = (unsigned char *)"caf\xe9";
    n[1].val.len = 4;
    n[2].val.tag = MBEDTLS_ASN1_UNIVERSAL_STRING;
    n[2].val.p = (unsigned char *)"\x00\x00\x00\x41";
    n[2].val.len = 4;
    n[3].val.tag = MBEDTLS_ASN1_UTF8_STRING; /* invalid UTF-8: hex form */
    n[3].val.p = (unsigned char *)"\xff";
    n[3].val.len = 1;
    n[4].val.tag = MBEDTLS_ASN1_UTF8_STRING; /* NUL, leading/trailing blanks, specials */
    n[4].val.p = (unsigned char *)" a\0b;<>\" ";
    n[4].val.len = 9;
    n[5].oid.p =
        (unsigned char
             *)"\x2b\x06\x01\x04\x01\x82\x37\x3c\x02\x01\x03"; /* 1.3.6.1.4.1.311.60.2.1.3 */
    n[5].oid.len = 11;
    n[5].val.tag = MBEDTLS_ASN1_PRINTABLE_STRING;
    n[5].val.p = (unsigned char *)"DE";
    n[5].val.len = 2;
    n[0].next_merged = 1; /* n[0] + n[1] form one RDN */
    pkiws_buf out = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__dn_to_string(n, &out), PKIWS_OK);
    assert_string_equal((char *)out.data,
                        "CN=\xc3\x84\xf0\x9f\x98\x80+CN=caf\xc3\xa9,CN=A,CN=#0C01FF,"
                        "CN=\\ a\\00b\\;\\<\\>\\\"\\ ,1.3.6.1.4.1.311.60.2.1.3=DE");
    pkiws__buf_dispose(&out);
}

/* The self-signature is not checked by parsing, only when asked; then kept in the certificate,
 * and remembered process-wide for the same DER (the next parse of the same root). */
static void test_crypto_cert_self_signed_lazy_and_remembered(void **state)
{
    (void)state;
    pkiws__cert *c = fx_cert_parse();
    assert_int_equal(atomic_load(&c->self_signed), -1); /* parsing did not verify */
    assert_int_equal(pkiws__cert_self_signed(c), 1);
    assert_int_equal(atomic_load(&c->self_signed), 1);
    assert_int_equal(pkiws__cert_self_signed(c), 1);
    /* the same DER parsed again: answered from the process-wide memory, not verified again
     * (a digest this copy cannot verify with would say 0) */
    pkiws__cert *again = fx_cert_parse();
    assert_int_equal(atomic_load(&again->self_signed), -1);
    again->crt.sig_md = MBEDTLS_MD_NONE;
    assert_int_equal(pkiws__cert_self_signed(again), 1);
    pkiws__cert_free(again);
    /* a certificate the memory does not hold (a signature byte flipped) is verified: 0 */
    size_t n;
    const uint8_t *der = pkiws__cert_der(c, &n);
    uint8_t *cp = pkiws__memdup(der, n);
    cp[n - 1] ^= 0x01; /* last byte of the signature */
    pkiws__cert *other = NULL;
    if (pkiws__cert_parse(cp, n, &other) == PKIWS_OK) {
        assert_int_equal(pkiws__cert_self_signed(other), 0);
        pkiws__cert_free(other);
    }
    pkiws__free(cp);
    assert_int_equal(pkiws__cert_self_signed(NULL), 0);
    /* another owner: the same object, freed by the last owner (valgrind: no leak, no double
     * free) */
    pkiws__cert *ref = pkiws__cert_ref(c);
    assert_ptr_equal(ref, c);
    pkiws__cert_free(c);
    assert_string_equal(pkiws__cert_get_info(ref)->thumbprint,
                        "EA6FE68F511551AA0115F7528775985414F36E91");
    pkiws__cert_free(ref);
    assert_null(pkiws__cert_ref(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crypto_cert_info_fixture),
        cmocka_unit_test(test_crypto_cert_der_pem_roundtrip),
        cmocka_unit_test(test_crypto_cert_matches_key),
        cmocka_unit_test(test_crypto_cert_san_decode),
        cmocka_unit_test(test_crypto_cert_parse_errors),
        cmocka_unit_test(test_crypto_cert_bundle_parse_all),
        cmocka_unit_test(test_crypto_cert_dn_string_types),
        cmocka_unit_test(test_crypto_cert_self_signed_lazy_and_remembered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
