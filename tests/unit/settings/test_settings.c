/* SPDX-License-Identifier: MIT */
/* Unit tests of src/core/settings.c: what administrators type, checked and normalised. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "pkiws_internal.h"

#include "core/settings.h"

static void expect_msg(const char *needle)
{
    if (!strstr(pkiws__err_message(), needle))
        fail_msg("message '%s' lacks '%s'", pkiws__err_message(), needle);
}

static void test_settings_ca_fqdn(void **state)
{
    (void)state;
    assert_int_equal(pkiws__check_ca_fqdn("pki-ws.symauth.com"), PKIWS_OK);
    assert_int_equal(pkiws__check_ca_fqdn("localhost:8443"), PKIWS_OK);
    assert_int_equal(pkiws__check_ca_fqdn("https://pki-ws.symauth.com"), PKIWS_E_CONFIG);
    expect_msg("scheme");
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_CA_FQDN);
    assert_int_equal(pkiws__check_ca_fqdn("pki-ws.symauth.com/"), PKIWS_E_CONFIG);
    expect_msg("trailing slash ('/' at position 19)");
    assert_int_equal(pkiws__check_ca_fqdn("pki-ws.symauth.com/pki-ws"), PKIWS_E_CONFIG);
    expect_msg("'/' at position 19");
    assert_int_equal(pkiws__check_ca_fqdn("pki ws.symauth.com"), PKIWS_E_CONFIG);
    expect_msg("' ' at position 4");
    assert_int_equal(pkiws__check_ca_fqdn("pki-ws..com"), PKIWS_E_CONFIG);
    expect_msg("empty label");
    assert_int_equal(pkiws__check_ca_fqdn("host:0"), PKIWS_E_CONFIG);
    assert_int_equal(pkiws__check_ca_fqdn("host:65536"), PKIWS_E_CONFIG);
    assert_int_equal(pkiws__check_ca_fqdn("host:44a"), PKIWS_E_CONFIG);
    expect_msg("'a' at position 8");
    assert_int_equal(pkiws__check_ca_fqdn(""), PKIWS_E_CONFIG);
    assert_int_equal(pkiws__check_ca_fqdn("h\xc3\xa9.com"), PKIWS_E_CONFIG);
    expect_msg("'\xc3\xa9' (U+00E9) at position 2");
    assert_int_equal(pkiws__check_ca_fqdn("h\xc3.com"), PKIWS_E_CONFIG);
    expect_msg("byte 0xC3 (not UTF-8) at position 2");
    assert_int_equal(pkiws__check_ca_fqdn("pki-ws.symauth.com\n"), PKIWS_E_CONFIG);
    expect_msg("control character U+000A at position 19");
}

/* Invisible characters pasted with a CA address or name are named, as in thumbprints: the
 * message would otherwise quote a value that looks right. */
static void test_settings_invisible_marks_named(void **state)
{
    (void)state;
    static const struct {
        const char *utf8;
        const char *name;
    } marks[] = {
        {"\xe2\x80\x8e", "U+200E LEFT-TO-RIGHT MARK (invisible)"},
        {"\xe2\x80\x8f", "U+200F RIGHT-TO-LEFT MARK (invisible)"},
        {"\xef\xbb\xbf", "U+FEFF ZERO WIDTH NO-BREAK SPACE (byte order mark) (invisible)"},
        {"\xe2\x80\x8b", "U+200B ZERO WIDTH SPACE (invisible)"},
        {"\xe2\x80\x8c", "U+200C ZERO WIDTH NON-JOINER (invisible)"},
        {"\xe2\x80\x8d", "U+200D ZERO WIDTH JOINER (invisible)"},
        {"\xe2\x81\xa0", "U+2060 WORD JOINER (invisible)"},
        {"\xc2\xa0", "U+00A0 NO-BREAK SPACE"},
        {"\xe2\x80\xae", "U+202E RIGHT-TO-LEFT OVERRIDE (invisible)"},
    };
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        char text[96], want[160];
        /* in front of the FQDN */
        snprintf(text, sizeof text, "%spki-ws.symauth.com", marks[i].utf8);
        assert_int_equal(pkiws__check_ca_fqdn(text), PKIWS_E_CONFIG);
        snprintf(want, sizeof want, "has %s at position 1 ", marks[i].name);
        expect_msg(want);
        assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_CA_FQDN);
        assert_null(strstr(pkiws__err_message(), "byte 0x"));
        /* inside it, before the port */
        snprintf(text, sizeof text, "pki-ws.symauth.com%s:443", marks[i].utf8);
        assert_int_equal(pkiws__check_ca_fqdn(text), PKIWS_E_CONFIG);
        snprintf(want, sizeof want, "has %s at position 19 ", marks[i].name);
        expect_msg(want);
        /* after the CA name, counted in characters */
        snprintf(text, sizeof text, "Symantec%s", marks[i].utf8);
        assert_int_equal(pkiws__check_ca_name(text), PKIWS_E_CONFIG);
        snprintf(want, sizeof want, "has %s at character 9: expected exactly 'Symantec'",
                 marks[i].name);
        expect_msg(want);
        assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_CA_NAME);
        /* a base URL's host and path, a proxy's host */
        pkiws_buf b = PKIWS_BUF_INIT;
        snprintf(text, sizeof text, "https://%slocalhost/pki-ws", marks[i].utf8);
        assert_int_equal(pkiws__normalize_base_url(text, &b), PKIWS_E_CONFIG);
        snprintf(want, sizeof want, "has %s at position 9 ", marks[i].name);
        expect_msg(want);
        snprintf(text, sizeof text, "https://localhost/pki-ws%s", marks[i].utf8);
        assert_int_equal(pkiws__normalize_base_url(text, &b), PKIWS_E_CONFIG);
        snprintf(want, sizeof want, "has %s at position 25 ", marks[i].name);
        expect_msg(want);
        snprintf(text, sizeof text, "proxy.corp%s:3128", marks[i].utf8);
        assert_int_equal(pkiws__normalize_proxy(text, &b), PKIWS_E_CONFIG);
        snprintf(want, sizeof want, "has %s at position 11 ", marks[i].name);
        expect_msg(want);
        pkiws__buf_dispose(&b);
    }
    /* a CA name with a visible mistake keeps the plain message; spaces are named */
    assert_int_equal(pkiws__check_ca_name("DigiCert"), PKIWS_E_CONFIG);
    expect_msg("CA name 'DigiCert' is not supported: expected exactly 'Symantec'");
    assert_int_equal(pkiws__check_ca_name(" Symantec"), PKIWS_E_CONFIG);
    expect_msg("has a space at character 1");
    assert_int_equal(pkiws__check_ca_name("Syman\xc3\xa9"), PKIWS_E_CONFIG);
    expect_msg("has '\xc3\xa9' (U+00E9) at character 6");
    assert_int_equal(pkiws__check_ca_name("Sym\xff"), PKIWS_E_CONFIG);
    expect_msg("has byte 0xFF (not UTF-8) at character 4");
}

static void test_settings_base_url(void **state)
{
    (void)state;
    pkiws_buf b = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__normalize_base_url("https://localhost:8443/pki-ws/", &b), PKIWS_OK);
    assert_string_equal(pkiws__buf_cstr(&b), "https://localhost:8443/pki-ws");
    pkiws__buf_clear(&b);
    assert_int_equal(pkiws__normalize_base_url("http://localhost/pki-ws", &b), PKIWS_E_CONFIG);
    expect_msg("https://");
    assert_int_equal(pkiws__normalize_base_url("https://h/p?x=1", &b), PKIWS_E_CONFIG);
    expect_msg("'?' at position 12");
    pkiws__buf_dispose(&b);
}

static void test_settings_ca_name(void **state)
{
    (void)state;
    assert_int_equal(pkiws__check_ca_name("Symantec"), PKIWS_OK);
    assert_int_equal(pkiws__check_ca_name("DigiCert"), PKIWS_E_CONFIG);
    expect_msg("expected exactly 'Symantec'");
    assert_int_equal(pkiws__check_ca_name("symantec"), PKIWS_E_CONFIG);
}

static void test_settings_proxy(void **state)
{
    (void)state;
    pkiws_buf b = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__normalize_proxy("proxy.corp:3128", &b), PKIWS_OK);
    assert_string_equal(pkiws__buf_cstr(&b), "http://proxy.corp:3128");
    pkiws__buf_clear(&b);
    assert_int_equal(pkiws__normalize_proxy("http://proxy.corp:8080/", &b), PKIWS_OK);
    assert_string_equal(pkiws__buf_cstr(&b), "http://proxy.corp:8080");
    pkiws__buf_clear(&b);
    assert_int_equal(pkiws__normalize_proxy("socks5://p:1080", &b), PKIWS_E_CONFIG);
    expect_msg("unsupported scheme");
    assert_int_equal(pkiws__normalize_proxy("http://u:pw@p:1080", &b), PKIWS_E_CONFIG);
    expect_msg("credentials");
    assert_null(strstr(pkiws__err_message(), ":pw@")); /* the secret is not echoed */
    pkiws__buf_dispose(&b);
}

static void test_settings_thumbprint_normalisation(void **state)
{
    (void)state;
    static const char *ok[] = {
        "a9 4a 42 6a 55 5d 3c 21 8c 44 3e 45 b4 9b 82 12 44 f7 0b 91",
        "\xe2\x80\x8e"
        "A94A426A555D3C218C443E45B49B821244F70B91", /* U+200E first */
        "\"A9:4A:42:6A:55:5D:3C:21:8C:44:3E:45:B4:9B:82:12:44:F7:0B:91\"",
        "\xe2\x80\x9c"
        "a94a426a555d3c218c443e45b49b821244f70b91"
        "\xe2\x80\x9d", /* “ ” */
        "\xef\xbb\xbf"
        "a94a426a555d3c218c443e45b49b8212\xe2\x80\x8b"
        "44f70b91\xe2\x80\x8f",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        pkiws_buf b = PKIWS_BUF_INIT;
        if (pkiws__thumbprint_normalize(ok[i], &b) != PKIWS_OK)
            fail_msg("case %zu: %s", i, pkiws__err_message());
        assert_string_equal(pkiws__buf_cstr(&b), "A94A426A555D3C218C443E45B49B821244F70B91");
        pkiws__buf_dispose(&b);
    }
    pkiws_buf b = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__thumbprint_normalize("A94A426A555D3C218C443E45B49B821244F70B9G", &b),
                     PKIWS_E_CONFIG);
    expect_msg("'G' at character 40");
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_THUMBPRINT);
    pkiws__buf_clear(&b);
    assert_int_equal(pkiws__thumbprint_normalize("A94A", &b), PKIWS_E_CONFIG);
    expect_msg("has 4 hex digits");
    pkiws__buf_clear(&b);
    assert_int_equal(pkiws__thumbprint_normalize("A9\xe2\x80\x94"
                                                 "4A426A555D3C218C443E45B49B821244F70B91",
                                                 &b),
                     PKIWS_E_CONFIG);
    expect_msg("has '\xe2\x80\x94' (U+2014) at character 3, which is not a hex digit");
    pkiws__buf_clear(&b);
    /* a mark that is not removed is named by the same table as the CA address's */
    assert_int_equal(pkiws__thumbprint_normalize("\xe2\x80\xae"
                                                 "A94A426A555D3C218C443E45B49B821244F70B91",
                                                 &b),
                     PKIWS_E_CONFIG);
    expect_msg("has U+202E RIGHT-TO-LEFT OVERRIDE (invisible) at character 1, which is not a hex "
               "digit");
    pkiws__buf_dispose(&b);
}

static void test_settings_profile_oid(void **state)
{
    (void)state;
    assert_int_equal(pkiws__check_profile_oid("2.16.840.1.113733.1.16.1.2.3.1.1.47196109"),
                     PKIWS_OK);
    assert_int_equal(pkiws__check_profile_oid("2.16.840.1.113733.1.16.1.2.3.1.1.047196109"),
                     PKIWS_E_CONFIG);
    expect_msg("leading zero (at character 34)");
    assert_int_equal(pkiws__check_profile_oid("Intune user"), PKIWS_E_CONFIG);
    assert_int_equal(pkiws__check_profile_oid("5.1"), PKIWS_E_CONFIG);
    expect_msg("first arc");
    assert_int_equal(pkiws__check_profile_oid("1.2.3x.4"), PKIWS_E_CONFIG);
    expect_msg("not a digit or a dot (at character 6)");
}

static void test_settings_dn_parse(void **state)
{
    (void)state;
    pkiws__dn dn;
    assert_int_equal(pkiws__dn_parse("CN=RA Cert, O=Contoso\\, Ltd,c=NL,emailAddress=a@b.c", &dn),
                     PKIWS_OK);
    assert_int_equal(dn.n, 4);
    assert_string_equal(dn.type[0], "CN");
    assert_string_equal(dn.value[0], "RA Cert");
    assert_string_equal(dn.value[1], "Contoso, Ltd");
    assert_string_equal(dn.type[2], "C");
    assert_string_equal(dn.type[3], "E");
    pkiws__dn_dispose(&dn);
    assert_int_equal(pkiws__dn_parse("CN=J\\C3\\BCrgen", &dn), PKIWS_OK);
    assert_string_equal(dn.value[0], "J\xc3\xbcrgen");
    pkiws__dn_dispose(&dn);
    assert_int_equal(pkiws__dn_parse("CN", &dn), PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws__dn_parse("XX=1", &dn), PKIWS_E_INVALID_ARG);
    expect_msg("unknown attribute type 'XX'");
    assert_int_equal(pkiws__dn_parse("CN=", &dn), PKIWS_E_INVALID_ARG);
    expect_msg("empty value for CN");
    assert_int_equal(pkiws__dn_parse("", &dn), PKIWS_E_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings_ca_fqdn),
        cmocka_unit_test(test_settings_base_url),
        cmocka_unit_test(test_settings_ca_name),
        cmocka_unit_test(test_settings_invisible_marks_named),
        cmocka_unit_test(test_settings_proxy),
        cmocka_unit_test(test_settings_thumbprint_normalisation),
        cmocka_unit_test(test_settings_profile_oid),
        cmocka_unit_test(test_settings_dn_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
