/* SPDX-License-Identifier: MIT */
/*
 * The signature formats of the PKCS#11 RA credential (src/pkcs11/p11_sig.c): CKM_ECDSA's raw
 * r || s as a DER ECDSA-Sig-Value (minimal INTEGERs: leading zero bytes dropped, a zero byte
 * added before a set high bit; a long-form SEQUENCE length for P-521; r = 0 or s = 0 and
 * malformed lengths refused), and the DigestInfo that CKM_RSA_PKCS signs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "pkiws_internal.h"

#include "pkcs11/pkcs11.h"

const char *pkiws__err_message(void);

/* The DER of raw (n bytes) into out; asserts success. */
static size_t to_der(const uint8_t *raw, size_t n, uint8_t *out, size_t cap)
{
    size_t len = 12345;
    int rc = pkiws__p11_ecdsa_der(raw, n, out, cap, &len);
    if (rc)
        fail_msg("pkiws__p11_ecdsa_der: %s", pkiws__err_message());
    return len;
}

/* P-256: r with its high bit set gets a leading zero byte; s with two leading zero bytes loses
 * them (and keeps no pad: 0x7f has the high bit clear). */
static void test_ecdsa_high_bit_and_leading_zeros(void **state)
{
    (void)state;
    uint8_t raw[64], want[2 + 35 + 32], out[80];
    raw[0] = 0x80;
    memset(raw + 1, 0x11, 31);
    raw[32] = raw[33] = 0;
    raw[34] = 0x7f;
    memset(raw + 35, 0x22, 29);
    size_t w = 0;
    want[w++] = 0x30, want[w++] = 35 + 32;
    want[w++] = 0x02, want[w++] = 33, want[w++] = 0x00, want[w++] = 0x80;
    memset(want + w, 0x11, 31), w += 31;
    want[w++] = 0x02, want[w++] = 30, want[w++] = 0x7f;
    memset(want + w, 0x22, 29), w += 29;
    assert_int_equal(w, sizeof want);
    size_t n = to_der(raw, sizeof raw, out, sizeof out);
    assert_int_equal(n, sizeof want);
    assert_memory_equal(out, want, n);
}

/* A leading zero byte followed by a set high bit: the zero goes, a pad zero comes back (the
 * INTEGER keeps 32 bytes); a one-byte value 1 stays one byte. */
static void test_ecdsa_zero_then_high_bit_and_small_values(void **state)
{
    (void)state;
    uint8_t raw[64] = {0}, out[80];
    raw[31] = 0x01; /* r = 1 */
    raw[32] = 0x00;
    raw[33] = 0xff; /* s = 0x00ff... */
    memset(raw + 34, 0x33, 30);
    size_t n = to_der(raw, sizeof raw, out, sizeof out);
    static const uint8_t head[] = {0x30, 3 + 34, 0x02, 0x01, 0x01, 0x02, 0x20, 0x00, 0xff, 0x33};
    assert_int_equal(n, 2 + 3 + 34);
    assert_memory_equal(out, head, sizeof head);
    assert_int_equal(out[n - 1], 0x33);
}

/* P-521 (66-byte halves, both with the high bit): 138 content bytes need a long-form length. */
static void test_ecdsa_p521_long_form_length(void **state)
{
    (void)state;
    uint8_t raw[132], out[160];
    memset(raw, 0xa5, sizeof raw);
    size_t n = to_der(raw, sizeof raw, out, sizeof out);
    assert_int_equal(n, 3 + 2 * (2 + 1 + 66));
    static const uint8_t head[] = {0x30, 0x81, 138, 0x02, 67, 0x00, 0xa5};
    assert_memory_equal(out, head, sizeof head);
    static const uint8_t mid[] = {0x02, 67, 0x00, 0xa5};
    assert_memory_equal(out + 3 + 69, mid, sizeof mid);
}

static void test_ecdsa_zero_halves_refused(void **state)
{
    (void)state;
    uint8_t raw[64], out[80];
    size_t len = 99;
    memset(raw, 0, 32);
    memset(raw + 32, 0x44, 32);
    assert_int_equal(pkiws__p11_ecdsa_der(raw, sizeof raw, out, sizeof out, &len),
                     PKIWS_E_RA_CREDENTIAL);
    assert_int_equal(len, 0);
    assert_non_null(strstr(pkiws__err_message(), "r = 0"));
    memset(raw, 0x44, 32);
    memset(raw + 32, 0, 32);
    assert_int_equal(pkiws__p11_ecdsa_der(raw, sizeof raw, out, sizeof out, &len),
                     PKIWS_E_RA_CREDENTIAL);
    assert_non_null(strstr(pkiws__err_message(), "s = 0"));
}

static void test_ecdsa_bad_lengths_and_room(void **state)
{
    (void)state;
    uint8_t raw[134], out[200];
    memset(raw, 0x55, sizeof raw);
    static const size_t bad[] = {0, 1, 63, 134};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t len = 99;
        assert_int_equal(pkiws__p11_ecdsa_der(raw, bad[i], out, sizeof out, &len),
                         PKIWS_E_RA_CREDENTIAL);
        assert_int_equal(len, 0);
        assert_non_null(strstr(pkiws__err_message(), "not r || s"));
    }
    size_t len = 99;
    /* 64 bytes of 0x55: 2 + 2 * 34 = 70 bytes of DER; 69 of room is too little */
    assert_int_equal(pkiws__p11_ecdsa_der(raw, 64, out, 69, &len), PKIWS_E_LIMIT);
    assert_int_equal(to_der(raw, 64, out, 70), 70);
}

static void test_digest_info(void **state)
{
    (void)state;
    uint8_t hash[64], out[128];
    memset(hash, 0x5a, sizeof hash);
    size_t n = 0;
    assert_int_equal(
        pkiws__p11_digest_info(PKIWS_SIGN_RSA_PKCS1_SHA256, hash, 32, out, sizeof out, &n),
        PKIWS_OK);
    /* RFC 8017 §9.2 note 1: SHA-256 */
    static const uint8_t sha256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
    assert_int_equal(n, sizeof sha256 + 32);
    assert_memory_equal(out, sha256, sizeof sha256);
    assert_memory_equal(out + sizeof sha256, hash, 32);
    assert_int_equal(
        pkiws__p11_digest_info(PKIWS_SIGN_RSA_PKCS1_SHA1, hash, 20, out, sizeof out, &n), PKIWS_OK);
    assert_int_equal(n, 35);
    assert_int_equal(
        pkiws__p11_digest_info(PKIWS_SIGN_RSA_PKCS1_SHA512, hash, 64, out, sizeof out, &n),
        PKIWS_OK);
    assert_int_equal(n, 83);
    /* a digest of the wrong length, an ECDSA algorithm, no room */
    assert_int_equal(
        pkiws__p11_digest_info(PKIWS_SIGN_RSA_PKCS1_SHA256, hash, 20, out, sizeof out, &n),
        PKIWS_E_INVALID_ARG);
    assert_int_equal(n, 0);
    assert_int_equal(pkiws__p11_digest_info(PKIWS_SIGN_ECDSA_SHA256, hash, 32, out, sizeof out, &n),
                     PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws__p11_digest_info(PKIWS_SIGN_RSA_PKCS1_SHA256, hash, 32, out, 50, &n),
                     PKIWS_E_LIMIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ecdsa_high_bit_and_leading_zeros),
        cmocka_unit_test(test_ecdsa_zero_then_high_bit_and_small_values),
        cmocka_unit_test(test_ecdsa_p521_long_form_length),
        cmocka_unit_test(test_ecdsa_zero_halves_refused),
        cmocka_unit_test(test_ecdsa_bad_lengths_and_room),
        cmocka_unit_test(test_digest_info),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
