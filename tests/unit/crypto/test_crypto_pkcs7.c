/* SPDX-License-Identifier: MIT */
/* Unit tests of the PKCS#7 certs-only reader and writer.
 * argv[1]: ../shared/wsdl/examples/enrollment-RequestSecurityTokenResponse-issued.xml, whose
 * binarySecurityToken holds end entity, issuing CA and root. What openssl prints for them
 * (openssl pkcs7 -inform DER -print_certs | openssl x509 -noout -serial -fingerprint ...):
 *   leaf   serial=3A9F0C12DE4577B1 sha1=F5:4C:71:9D:79:24:F4:E2:4C:4E:8A:F9:B5:92:6B:E7:2E:A6:D4:D7
 *          notBefore=Nov 21 23:02:03 2026 GMT (1795302123) notAfter=Nov 21 23:02:03 2027 GMT
 *          (1826838123), SAN email:alice@contoso.com, othername: UPN::alice@contoso.com
 *   issuing serial=1A2B3C4D5E6F7081
 * sha1=44:76:EC:AF:F9:F6:BA:9A:41:1B:93:CD:23:78:0E:CC:21:72:9B:B7 root
 * serial=2540C6D5F562671310D5FC2012D845738CC939B8
 *          sha1=36:A4:A6:B8:82:D6:64:3B:C4:79:4C:5C:03:10:02:EB:2B:BB:99:D9
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

#include "fixtures.h"

static const char *example_path;

/* The base64 text of binarySecurityToken, cut out with plain string search (not the XML
 * layer), whitespace and line breaks included. */
static void token_b64(pkiws_buf *out)
{
    pkiws_buf f = PKIWS_BUF_INIT;
    assert_non_null(example_path);
    if (pkiws__file_read(example_path, 0, &f) != PKIWS_OK)
        fail_msg("%s", pkiws__err_message());
    const char *s = strstr((char *)f.data, "<ns3:binarySecurityToken");
    assert_non_null(s);
    s = strchr(s, '>');
    assert_non_null(s);
    s++;
    const char *e = strstr(s, "</ns3:binarySecurityToken>");
    assert_non_null(e);
    assert_int_equal(pkiws__buf_append(out, s, (size_t)(e - s)), PKIWS_OK);
    pkiws__buf_dispose(&f);
}

static void token_der(pkiws_buf *der)
{
    pkiws_buf b = PKIWS_BUF_INIT;
    token_b64(&b);
    assert_int_equal(pkiws__b64_decode((char *)b.data, b.len, der), PKIWS_OK);
    pkiws__buf_dispose(&b);
}

static void assert_example_chain(const pkiws__certlist *l, size_t at)
{
    assert_int_equal(l->n, at + 3);
    const pkiws__cert_info *leaf = pkiws__cert_get_info(l->v[at]);
    const pkiws__cert_info *ica = pkiws__cert_get_info(l->v[at + 1]);
    const pkiws__cert_info *root = pkiws__cert_get_info(l->v[at + 2]);
    assert_string_equal(leaf->subject, "CN=alice@contoso.com");
    assert_string_equal(leaf->issuer, "C=US,O=Contoso Ltd,CN=Contoso Test Issuing CA");
    assert_string_equal(leaf->serial, "3A9F0C12DE4577B1");
    assert_string_equal(leaf->thumbprint, "F54C719D7924F4E24C4E8AF9B5926BE72EA6D4D7");
    assert_int_equal(leaf->not_before, 1795302123);
    assert_int_equal(leaf->not_after, 1826838123);
    assert_int_equal(leaf->is_ca, 0);
    assert_int_equal(leaf->has_eku_client_auth, 1);
    assert_int_equal(pkiws__cert_self_signed(l->v[at]), 0);
    assert_string_equal(ica->subject, "C=US,O=Contoso Ltd,CN=Contoso Test Issuing CA");
    assert_string_equal(ica->serial, "1A2B3C4D5E6F7081");
    assert_string_equal(ica->thumbprint, "4476ECAFF9F6BA9A411B93CD23780ECC21729BB7");
    assert_int_equal(ica->is_ca, 1);
    assert_int_equal(pkiws__cert_self_signed(l->v[at + 1]), 0);
    assert_int_equal(ica->has_eku_client_auth, 0);
    assert_string_equal(root->subject, "C=US,O=Contoso Ltd,CN=Contoso Test Root CA");
    assert_string_equal(root->issuer, root->subject);
    assert_string_equal(root->serial, "2540C6D5F562671310D5FC2012D845738CC939B8");
    assert_string_equal(root->thumbprint, "36A4A6B882D6643BC4794C5C031002EB2BBB99D9");
    assert_int_equal(root->is_ca, 1);
    assert_int_equal(pkiws__cert_self_signed(l->v[at + 2]), 1);
}

static void test_crypto_pkcs7_example_token(void **state)
{
    (void)state;
    pkiws_buf b64 = PKIWS_BUF_INIT;
    token_b64(&b64);
    assert_non_null(memchr(b64.data, '\n', b64.len)); /* really has line breaks */
    pkiws__certlist l = {NULL, 0};
    if (pkiws__pkcs7_parse(b64.data, b64.len, &l) != PKIWS_OK)
        fail_msg("%s", pkiws__err_message());
    assert_example_chain(&l, 0);

    pkiws__san_item *it;
    size_t n;
    assert_int_equal(pkiws__cert_sans(l.v[0], &it, &n), PKIWS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(it[0].kind, PKIWS__SAN_RFC822);
    assert_string_equal(it[0].value, "alice@contoso.com");
    assert_int_equal(it[1].kind, PKIWS__SAN_UPN);
    assert_string_equal(it[1].value, "alice@contoso.com");
    pkiws__san_items_free(it, n);
    /* a CA certificate without SAN: no items */
    assert_int_equal(pkiws__cert_sans(l.v[2], &it, &n), PKIWS_OK);
    assert_int_equal(n, 0);
    assert_null(it);
    pkiws__certlist_dispose(&l);
    pkiws__buf_dispose(&b64);
}

/* The writer reproduces OpenSSL's degenerate SignedData byte for byte. */
static void test_crypto_pkcs7_writer_roundtrip(void **state)
{
    (void)state;
    pkiws_buf der = PKIWS_BUF_INIT, out = PKIWS_BUF_INIT;
    token_der(&der);
    pkiws__certlist l = {NULL, 0}, l2 = {NULL, 0};
    assert_int_equal(pkiws__pkcs7_parse(der.data, der.len, &l), PKIWS_OK);
    assert_int_equal(pkiws__pkcs7_write(&l, &out), PKIWS_OK);
    assert_int_equal(out.len, der.len);
    assert_memory_equal(out.data, der.data, der.len);
    /* a different list: fixture cert then the chain, parsed back in order */
    pkiws__cert *c = NULL;
    assert_int_equal(pkiws__cert_parse((const uint8_t *)fx_cert, strlen(fx_cert), &c), PKIWS_OK);
    assert_int_equal(pkiws__certlist_add(&l2, c), PKIWS_OK);
    pkiws__buf_clear(&out);
    assert_int_equal(pkiws__pkcs7_write(&l2, &out), PKIWS_OK);
    pkiws__certlist_dispose(&l2);
    assert_int_equal(pkiws__pkcs7_parse(out.data, out.len, &l2), PKIWS_OK);
    assert_int_equal(l2.n, 1);
    assert_string_equal(pkiws__cert_get_info(l2.v[0])->thumbprint,
                        "EA6FE68F511551AA0115F7528775985414F36E91");
    pkiws__certlist_dispose(&l2);
    /* no certificates: written, but the reader refuses an empty answer */
    pkiws__buf_clear(&out);
    assert_int_equal(pkiws__pkcs7_write(&l2, &out), PKIWS_OK);
    assert_int_equal(pkiws__pkcs7_parse(out.data, out.len, &l2), PKIWS_E_PROTOCOL);
    assert_non_null(strstr(pkiws__err_message(), "holds no certificates"));
    pkiws__certlist_dispose(&l);
    pkiws__buf_dispose(&der);
    pkiws__buf_dispose(&out);
}

static void test_crypto_pkcs7_pem_and_whitespace_base64(void **state)
{
    (void)state;
    pkiws_buf der = PKIWS_BUF_INIT, pem = PKIWS_BUF_INIT, b64 = PKIWS_BUF_INIT,
              messy = PKIWS_BUF_INIT;
    token_der(&der);
    pkiws__buf_puts(&pem, "Bag Attributes: none\r\n");
    assert_int_equal(pkiws__pem_write("PKCS7", der.data, der.len, &pem), PKIWS_OK);
    pkiws__certlist l = {NULL, 0};
    assert_int_equal(pkiws__pkcs7_parse(pem.data, pem.len, &l), PKIWS_OK);
    assert_example_chain(&l, 0);

    /* indented base64 with tabs, CRLF and blanks everywhere (what mbedtls_base64 refuses) */
    assert_int_equal(pkiws__b64_encode(der.data, der.len, &b64), PKIWS_OK);
    pkiws__buf_puts(&messy, "\r\n\t  ");
    for (size_t i = 0; i < b64.len; i++) {
        pkiws__buf_putc(&messy, (char)b64.data[i]);
        if (i % 61 == 60)
            pkiws__buf_puts(&messy, "\r\n\t    ");
        else if (i % 17 == 3)
            pkiws__buf_putc(&messy, ' ');
    }
    pkiws__buf_puts(&messy, "\n  ");
    assert_int_equal(pkiws__pkcs7_parse(messy.data, messy.len, &l), PKIWS_OK);
    assert_example_chain(&l, 3); /* appended after the first three */
    pkiws__certlist_dispose(&l);
    pkiws__buf_dispose(&der);
    pkiws__buf_dispose(&pem);
    pkiws__buf_dispose(&b64);
    pkiws__buf_dispose(&messy);
}

static void test_crypto_pkcs7_bare_certificate(void **state)
{
    (void)state;
    pkiws__cert *c = NULL;
    assert_int_equal(pkiws__cert_parse((const uint8_t *)fx_cert, strlen(fx_cert), &c), PKIWS_OK);
    size_t n;
    const uint8_t *der = pkiws__cert_der(c, &n);
    pkiws_buf b64 = PKIWS_BUF_INIT;
    pkiws__certlist l = {NULL, 0};
    assert_int_equal(pkiws__pkcs7_parse(der, n, &l), PKIWS_OK); /* DER */
    assert_int_equal(pkiws__b64_encode(der, n, &b64), PKIWS_OK);
    assert_int_equal(pkiws__pkcs7_parse(b64.data, b64.len, &l), PKIWS_OK); /* base64 */
    assert_int_equal(pkiws__pkcs7_parse((const uint8_t *)fx_cert, strlen(fx_cert), &l),
                     PKIWS_OK); /* PEM CERTIFICATE */
    assert_int_equal(l.n, 3);
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(pkiws__cert_get_info(l.v[i])->thumbprint,
                            "EA6FE68F511551AA0115F7528775985414F36E91");
    pkiws__certlist_dispose(&l);
    pkiws__buf_dispose(&b64);
    pkiws__cert_free(c);
}

static void expect_refused(const uint8_t *p, size_t n, const char *want)
{
    pkiws__certlist l = {NULL, 0};
    assert_int_equal(pkiws__pkcs7_parse(p, n, &l), PKIWS_E_PROTOCOL);
    assert_int_equal(l.n, 0);
    assert_null(l.v);
    if (want && !strstr(pkiws__err_message(), want))
        fail_msg("message '%s' lacks '%s'", pkiws__err_message(), want);
}

static void test_crypto_pkcs7_ber_indefinite_refused(void **state)
{
    (void)state;
    pkiws_buf der = PKIWS_BUF_INIT, ber = PKIWS_BUF_INIT, ber2 = PKIWS_BUF_INIT;
    token_der(&der);
    /* outer SEQUENCE indefinite: 30 80 <content> 00 00 (what openssl cms -stream makes) */
    assert_int_equal(der.data[1], 0x82);
    pkiws__buf_append(&ber, "\x30\x80", 2);
    pkiws__buf_append(&ber, der.data + 4, der.len - 4);
    pkiws__buf_append(&ber, "\x00\x00", 2);
    expect_refused(ber.data, ber.len, "BER indefinite length (30 80) at offset 0");
    /* an inner [0] indefinite inside a definite outer SEQUENCE */
    size_t inner = der.len - 4 - 11 - 4; /* minus outer hdr, OID, [0] hdr */
    uint8_t hdr[4] = {0x30, 0x82, 0, 0};
    size_t content = 11 + 2 + inner + 2;
    hdr[2] = (uint8_t)(content >> 8);
    hdr[3] = (uint8_t)content;
    pkiws__buf_append(&ber2, hdr, 4);
    pkiws__buf_append(&ber2, der.data + 4, 11); /* OID signedData */
    pkiws__buf_append(&ber2, "\xa0\x80", 2);
    pkiws__buf_append(&ber2, der.data + 4 + 11 + 4, inner);
    pkiws__buf_append(&ber2, "\x00\x00", 2);
    expect_refused(ber2.data, ber2.len, "[0] content at offset 15 uses a BER indefinite length");
    pkiws__buf_dispose(&der);
    pkiws__buf_dispose(&ber);
    pkiws__buf_dispose(&ber2);
}

static void test_crypto_pkcs7_truncated_refused(void **state)
{
    (void)state;
    pkiws_buf der = PKIWS_BUF_INIT;
    token_der(&der);
    for (size_t n = 1; n < der.len; n += (n < 100 ? 1 : 97)) {
        uint8_t *cut = pkiws__memdup(der.data, n);
        expect_refused(cut, n, NULL);
        pkiws__free(cut);
    }
    expect_refused(der.data, der.len - 1, "truncated");
    pkiws_buf b64 = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__b64_encode(der.data, der.len, &b64), PKIWS_OK);
    expect_refused(b64.data, b64.len - 3, "base64 text is truncated");
    expect_refused(b64.data, b64.len - 4, "truncated"); /* whole quanta: short DER */
    pkiws__buf_dispose(&b64);
    pkiws__buf_dispose(&der);
}

static void test_crypto_pkcs7_garbage_refused(void **state)
{
    (void)state;
    const char *txt = "<html>Service Unavailable</html>";
    expect_refused((const uint8_t *)txt, strlen(txt), "neither DER nor PEM nor base64");
    expect_refused((const uint8_t *)"  \r\n\t ", 6, "only white space");
    expect_refused((const uint8_t *)"", 0, "empty");
    static const uint8_t notsigned[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                        0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0, 0x00};
    expect_refused(notsigned, sizeof notsigned, "content type is 1.2.840.113549.1.7.1");
    static const uint8_t trailing[] = {0x30, 0x00, 0x00};
    expect_refused(trailing, sizeof trailing, "1 trailing bytes");
    /* every single-byte corruption of the token's DER: refused or parsed, never a crash */
    pkiws_buf der = PKIWS_BUF_INIT;
    token_der(&der);
    for (size_t i = 0; i < 200; i++) {
        pkiws__certlist l = {NULL, 0};
        uint8_t *cp = pkiws__memdup(der.data, der.len);
        cp[i] ^= 0xFF;
        int rc = pkiws__pkcs7_parse(cp, der.len, &l);
        assert_true(rc == PKIWS_OK || rc == PKIWS_E_PROTOCOL);
        pkiws__certlist_dispose(&l);
        pkiws__free(cp);
    }
    /* a broken certificate inside: named with its position */
    uint8_t *cp = pkiws__memdup(der.data, der.len);
    cp[45 + 4] = 0x05; /* first certificate (offset 45): its TBSCertificate tag */
    expect_refused(cp, der.len, "PKCS#7: certificate 1 at offset 45");
    pkiws__free(cp);
    pkiws__buf_dispose(&der);
}

int main(int argc, char **argv)
{
    example_path = argc > 1 ? argv[1] : NULL;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crypto_pkcs7_example_token),
        cmocka_unit_test(test_crypto_pkcs7_writer_roundtrip),
        cmocka_unit_test(test_crypto_pkcs7_pem_and_whitespace_base64),
        cmocka_unit_test(test_crypto_pkcs7_bare_certificate),
        cmocka_unit_test(test_crypto_pkcs7_ber_indefinite_refused),
        cmocka_unit_test(test_crypto_pkcs7_truncated_refused),
        cmocka_unit_test(test_crypto_pkcs7_garbage_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
