/* SPDX-License-Identifier: MIT */
/* Unit tests of src/util: buffers, hex, base64, UTF-8, OIDs, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pkiws_internal.h"

#include "util/log.h"

static void test_util_buf_printf_and_detach(void **state)
{
    (void)state;
    pkiws_buf b = PKIWS_BUF_INIT;
    for (int i = 0; i < 100; i++)
        assert_int_equal(pkiws__buf_printf(&b, "%d,", i), PKIWS_OK);
    assert_int_equal(b.len, 290);
    assert_memory_equal(b.data, "0,1,2,", 6);
    assert_int_equal(b.data[b.len], 0);
    size_t n;
    uint8_t *p = pkiws__buf_detach(&b, &n);
    assert_int_equal(n, 290);
    assert_null(b.data);
    pkiws__free(p);
}

static void test_util_hex_roundtrip(void **state)
{
    (void)state;
    pkiws_buf b = PKIWS_BUF_INIT, h = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__hex_decode("04a1FF", 6, &b), PKIWS_OK);
    assert_int_equal(b.len, 3);
    assert_int_equal(b.data[2], 0xFF);
    assert_int_equal(pkiws__hex_encode(b.data, b.len, &h), PKIWS_OK);
    assert_string_equal((char *)h.data, "04A1FF");
    pkiws__buf_clear(&b);
    assert_int_equal(pkiws__hex_decode("0g", 2, &b), PKIWS_E_INVALID_ARG);
    assert_non_null(strstr(pkiws__err_message(), "'g' at position 2"));
    assert_int_equal(pkiws__hex_decode("abc", 3, &b), PKIWS_E_INVALID_ARG);
    pkiws__buf_dispose(&b);
    pkiws__buf_dispose(&h);
}

static void test_util_b64_whitespace_and_errors(void **state)
{
    (void)state;
    pkiws_buf b = PKIWS_BUF_INIT, e = PKIWS_BUF_INIT;
    const char *in = "\n        TWFu\n\t  TWE=\r\n  ";
    assert_int_equal(pkiws__b64_decode(in, strlen(in), &b), PKIWS_OK);
    assert_int_equal(b.len, 5);
    assert_memory_equal(b.data, "ManMa", 5);
    assert_int_equal(pkiws__b64_encode(b.data, b.len, &e), PKIWS_OK);
    assert_string_equal((char *)e.data, "TWFuTWE=");
    pkiws__buf_clear(&b);
    assert_int_equal(pkiws__b64_decode("TW*u", 4, &b), PKIWS_E_PROTOCOL);
    pkiws__buf_clear(&b);
    assert_int_equal(pkiws__b64_decode("TWF", 3, &b), PKIWS_E_PROTOCOL);
    pkiws__buf_clear(&b);
    assert_int_equal(pkiws__b64_decode("TQ==TQ==", 8, &b), PKIWS_E_PROTOCOL);
    pkiws__buf_dispose(&b);
    pkiws__buf_dispose(&e);
}

static void test_util_utf8(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_true(pkiws__utf8_valid("J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x98\x80", 16, &bad));
    assert_false(pkiws__utf8_valid("ab\xff", 3, &bad));
    assert_int_equal(bad, 2);
    assert_false(pkiws__utf8_valid("\xc0\xaf", 2, &bad));     /* overlong */
    assert_false(pkiws__utf8_valid("\xed\xa0\x80", 3, &bad)); /* surrogate */
    assert_false(pkiws__utf8_valid("\xc3", 1, &bad));         /* truncated */
}

static void test_util_oid(void **state)
{
    (void)state;
    const char *why;
    assert_true(pkiws__oid_valid("2.16.840.1.113733.1.16.1.2.3.1.1.47196109", &why));
    assert_false(pkiws__oid_valid("3.1", &why));
    assert_false(pkiws__oid_valid("1", &why));
    assert_false(pkiws__oid_valid("1..2", &why));
    assert_false(pkiws__oid_valid("1.02", &why));
    assert_false(pkiws__oid_valid("1.2.a", &why));
    assert_false(pkiws__oid_valid("1.2.", &why));
    assert_false(pkiws__oid_valid("", &why));
    pkiws_buf b = PKIWS_BUF_INIT, t = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__oid_encode("1.3.6.1.4.1.311.20.2.3", &b), PKIWS_OK);
    static const uint8_t upn[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x14, 0x02, 0x03};
    assert_int_equal(b.len, sizeof upn);
    assert_memory_equal(b.data, upn, sizeof upn);
    assert_int_equal(pkiws__oid_decode(b.data, b.len, &t), PKIWS_OK);
    assert_string_equal((char *)t.data, "1.3.6.1.4.1.311.20.2.3");
    pkiws__buf_dispose(&b);
    pkiws__buf_dispose(&t);
}

static void test_util_errors_are_thread_local_and_named(void **state)
{
    (void)state;
    pkiws__err_clear();
    assert_int_equal(pkiws__err_code(), PKIWS_OK);
    assert_int_equal(pkiws__fail(PKIWS_E_CONFIG, "bad '%s'", "x"), PKIWS_E_CONFIG);
    assert_string_equal(pkiws__err_message(), "bad 'x'");
    assert_null(pkiws__err_remedy());
    pkiws__fail(PKIWS_E_TIMEOUT, "slow");
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TIMEOUT);
    assert_string_equal(pkiws__error_name(PKIWS_E_SAN_UNRESOLVED), "PKIWS_E_SAN_UNRESOLVED");
    assert_null(pkiws__error_name(-12345));
    assert_true(pkiws__error_retryable(PKIWS_E_TIMEOUT));
    assert_false(pkiws__error_retryable(PKIWS_E_TLS));
}

static void test_util_redact(void **state)
{
    (void)state;
    char out[64];
    pkiws__redact("alice@contoso.com", out, sizeof out);
    assert_string_equal(out, "a***@contoso.com");
    pkiws__redact("J\xc3\xbcrgen", out, sizeof out);
    assert_string_equal(out, "J***");
}

static void test_util_http_body_offset(void **state)
{
    (void)state;
    const char *a =
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n<x/>";
    assert_string_equal(a + pkiws__http_body_offset(a, strlen(a)), "<x/>");
    const char *b = "HTTP/1.1 200 OK\nA: b\n\n<y/>";
    assert_string_equal(b + pkiws__http_body_offset(b, strlen(b)), "<y/>");
    assert_int_equal(pkiws__http_body_offset("<z/>", 4), 0);
    assert_int_equal(pkiws__http_body_offset("HTTP/1.1 200 OK\r\n", 17), 0);
}

static void test_util_redact_soap(void **state)
{
    (void)state;
    const char *in = "<?xml version=\"1.0\"?><e:x><vs:nameValuePair><vs:name>san_upn</vs:name>"
                     "<vs:value>alice@contoso.com</vs:value></vs:nameValuePair>"
                     "<vs:binarySecurityToken ValueType=\"v\">MIIB</vs:binarySecurityToken>"
                     "<vs:version>2.0</vs:version><vs:value/></e:x>";
    pkiws_buf b = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__redact_soap(in, strlen(in), &b), PKIWS_OK);
    assert_null(strstr(pkiws__buf_cstr(&b), "alice"));
    assert_null(strstr(pkiws__buf_cstr(&b), "MIIB"));
    assert_non_null(strstr(pkiws__buf_cstr(&b), "<vs:name>san_upn</vs:name>"));
    assert_non_null(strstr(pkiws__buf_cstr(&b), "<vs:value>[redacted 17 bytes]</vs:value>"));
    assert_non_null(strstr(pkiws__buf_cstr(&b), "<vs:version>2.0</vs:version><vs:value/>"));
    pkiws__buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_util_buf_printf_and_detach),
        cmocka_unit_test(test_util_hex_roundtrip),
        cmocka_unit_test(test_util_b64_whitespace_and_errors),
        cmocka_unit_test(test_util_utf8),
        cmocka_unit_test(test_util_oid),
        cmocka_unit_test(test_util_errors_are_thread_local_and_named),
        cmocka_unit_test(test_util_redact),
        cmocka_unit_test(test_util_http_body_offset),
        cmocka_unit_test(test_util_redact_soap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
