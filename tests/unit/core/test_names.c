/* SPDX-License-Identifier: MIT */
/* Unit tests of the SAN engine's text rules: e-mail shape, name characters, otherName hex. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "pkiws_internal.h"

#include "core/san.h"

#define CONTAINS(hay, needle)                                                                      \
    do {                                                                                           \
        if (!strstr((hay), (needle)))                                                              \
            fail_msg("'%s' not found in: %s", (needle), (hay));                                    \
    } while (0)

/* ---- e-mail shape ------------------------------------------------------------------------ */

static const struct {
    const char *s;
    int shaped;
} email_rows[] = {
    {"alice@contoso.com", 1},
    {"IWUser0@samplendes.onmicrosoft.com", 1},
    {"a.b+tag@sub.contoso.co.uk", 1},
    {"x@a-b.com", 1},                 /* hyphen inside a label */
    {"x@a--b.c-d.com", 1},            /* several hyphens inside labels */
    {"j\xc3\xbcrgen@contoso.com", 1}, /* Unicode local part is fine */
    {"a@10.0", 1},                    /* digits-only labels are letters/digits/hyphens */
    {"global_admin@intune.onmicrosoft.com", 1},
    {"", 0},
    {"alice", 0},                     /* no @ */
    {"alice.contoso.com", 0},         /* no @ */
    {"a@@contoso.com", 0},            /* two @ */
    {"a@b@contoso.com", 0},           /* two @ */
    {"@contoso.com", 0},              /* empty local part */
    {"al ice@contoso.com", 0},        /* space in local part */
    {"al\tice@contoso.com", 0},       /* tab in local part */
    {"al\xc2\xa0ice@contoso.com", 0}, /* no-break space in local part */
    {"al\x01ice@contoso.com", 0},     /* control character */
    {"alice@", 0},                    /* empty domain */
    {"alice@contoso", 0},             /* single-label domain */
    {"alice@contoso..com", 0},        /* empty label */
    {"alice@.contoso.com", 0},        /* empty first label */
    {"alice@contoso.com.", 0},        /* empty last label */
    {"alice@-contoso.com", 0},        /* label starts with hyphen */
    {"alice@contoso-.com", 0},        /* label ends with hyphen */
    {"alice@contoso.-", 0},           /* hyphen-only label */
    {"alice@m\xc3\xbcnchen.de", 0},   /* Unicode domain: give the xn-- form */
    {"alice@contoso_x.com", 0},       /* underscore in domain */
    {"alice@contoso.com ", 0},        /* trailing space in domain */
    {"alice@xn--mnchen-3ya.de", 1},   /* the ASCII form is fine */
    {"a\xff@contoso.com", 0},         /* not UTF-8 */
};

static void test_names_email_shape_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(email_rows); i++) {
        int got = pkiws__is_email_shaped(email_rows[i].s);
        if (got != email_rows[i].shaped)
            fail_msg("row %zu '%s': got %d, want %d", i, email_rows[i].s, got,
                     email_rows[i].shaped);
    }
    assert_false(pkiws__is_email_shaped(NULL));
}

/* ---- name characters --------------------------------------------------------------------- */

static const char *const names_ok[] = {
    "J\xc3\xbcrgen",                            /* Jürgen */
    "\xce\xa9\xce\xbc\xce\xad\xce\xb3\xce\xb1", /* Ωμέγα */
    "\xe6\x9d\x8e",                             /* 李 */
    "O'Brien",
    "Anne-Marie",
    "Jean Luc",
    "J. R. R.",
    "Mary2",
    "\xd0\x92\xd0\xbb\xd0\xb0\xd0\xb4\xd0\xb8\xd0\xbc\xd0\xb8\xd1\x80", /* Владимир */
    "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf",                                 /* محمد */
    "\xd7\x93\xd7\x95\xd7\x93",                                         /* דוד */
    "\xe0\xa4\xb9\xe0\xa4\xbf\xe0\xa4\xa8\xe0\xa5\x8d\xe0\xa4\xa6\xe0\xa5\x80", /* हिन्दी */
    "\xe0\xb8\xaa\xe0\xb8\xa1\xe0\xb8\x8a\xe0\xb8\xb2\xe0\xb8\xa2", /* สมชาย */
    "\xea\xb9\x80\xeb\xaf\xbc\xec\xa4\x80",                         /* 김민준 */
    "\xe3\x81\x95\xe3\x81\x8f\xe3\x82\x89",                         /* さくら */
    "\xe3\x82\xab\xe3\x82\xbf\xe3\x83\xbc",                         /* カター */
    "Nguy\xe1\xbb\x85n",                                            /* Nguyễn */
    "Ju\xcc\x88rgen",       /* Jürgen, decomposed (combining diaeresis after a letter) */
    "\xca\xbb\x4f\x6b\x69", /* ʻOki (okina, a modifier letter) */
    "\xc3\x98ystein",       /* Øystein */
    "",
};

static const struct {
    const char *s;
    uint32_t bad;
    size_t pos;
} names_bad[] = {
    {"_", 0x5F, 1},
    {"global_admin", 0x5F, 7},
    {"a@b", 0x40, 2},
    {"a+b", 0x2B, 2},
    {"smile\xf0\x9f\x98\x80", 0x1F600, 6}, /* emoji */
    {"a\xc3\x97"
     "b",
     0xD7, 2},              /* × */
    {"x\xc3\xb7", 0xF7, 2}, /* ÷ */
    {"\xcc\x88"
     "a",
     0x308, 1}, /* combining mark without a letter before it */
    {"a\tb", 0x09, 2},
    {"Smith, John", 0x2C, 6},
    {"a\"b", 0x22, 2},
    {"\xd9\xa1\xd9\xa2", 0x661, 1},   /* Arabic-Indic digits: only ASCII digits */
    {"J\xc3\xbc\xffrgen", 0xFFFD, 3}, /* not UTF-8 */
};

static void test_names_chars_accept_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(names_ok); i++) {
        uint32_t bad = 1234;
        if (!pkiws__name_chars_ok(names_ok[i], &bad))
            fail_msg("row %zu '%s' refused at U+%04X", i, names_ok[i], (unsigned)bad);
        assert_int_equal(bad, 0);
    }
}

static void test_names_chars_refuse_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(names_bad); i++) {
        uint32_t bad = 0;
        if (pkiws__name_chars_ok(names_bad[i].s, &bad))
            fail_msg("row %zu '%s' accepted", i, names_bad[i].s);
        if (bad != names_bad[i].bad)
            fail_msg("row %zu: bad U+%04X, want U+%04X", i, (unsigned)bad,
                     (unsigned)names_bad[i].bad);
    }
    /* NULL output pointer is fine */
    assert_false(pkiws__name_chars_ok("a_b", NULL));
}

/* ---- otherName hex ----------------------------------------------------------------------- */

static const uint8_t guid_der[] = {0x04, 0x12, 0xb8, 0xba, 0x65, 0x41, 0xf2, 0xd4, 0x07, 0x41,
                                   0xa9, 0xf7, 0x47, 0x08, 0xf3, 0xe4, 0x28, 0x5c, 0xef, 0x2c};

static const char *const hex_ok[] = {
    "04 12 b8 ba 65 41 f2 d4 07 41 a9 f7 47 08 f3 e4 28 5c ef 2c", /* the seed's example */
    "04:12:B8:ba:65:41:F2:d4:07:41:A9:f7:47:08:F3:e4:28:5C:ef:2C", /* colons, mixed case */
    "0412B8BA6541F2D40741A9F74708F3E4285CEF2C",                    /* no separators */
    "  0412 b8ba\t6541\nf2d4 0741 a9f7 4708 f3e4 285c ef2c  ",     /* odd grouping, tabs */
};

static void test_names_othername_hex_accept(void **state)
{
    (void)state;
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(hex_ok); i++) {
        pkiws_buf b = PKIWS_BUF_INIT;
        assert_int_equal(pkiws__othername_bytes(hex_ok[i], 0, &b), PKIWS_OK);
        assert_int_equal(b.len, sizeof guid_der);
        assert_memory_equal(b.data, guid_der, sizeof guid_der);
        pkiws__buf_dispose(&b);
    }
    /* long-form length and a high tag number are DER too */
    pkiws_buf b = PKIWS_BUF_INIT;
    char big[3 * 131 + 1] = "04 81 80";
    for (size_t i = 0; i < 128; i++)
        memcpy(big + 8 + 3 * i, " 00", 4);
    assert_int_equal(pkiws__othername_bytes(big, 0, &b), PKIWS_OK);
    assert_int_equal(b.len, 131);
    pkiws__buf_clear(&b);
    assert_int_equal(pkiws__othername_bytes("9f 81 01 01 ff", 0, &b), PKIWS_OK);
    assert_int_equal(b.len, 5);
    pkiws__buf_dispose(&b);
}

static const struct {
    const char *in;
    const char *msg[3]; /* fragments the message must contain */
} hex_bad[] = {
    {"04 12 b8 ba 6", {"odd number of hex digits (9)", NULL, NULL}},
    {"04 1g", {"'g' (0x67) at position 5", "not a hex digit", NULL}},
    {"BBK4umVB", {"'K' (0x4B) at position 3", "looks like base64 already", "04 12 B8 BA 65 41"}},
    {"BBI=", {"'I' (0x49) at position 3", "looks like base64 already", "2 bytes: 04 12)"}},
    {"BBK4umVB8tQHQan3Rwjz5Chc7yw=", {"looks like base64 already", "20 bytes", NULL}},
    {"04 12 zz", {"'z' (0x7A) at position 7", NULL, NULL}},
    {"04-12", {"'-' (0x2D) at position 3", NULL, NULL}},
    {"0x0412", {"'x' (0x78) at position 2", NULL, NULL}},
    {"\xc3\xa9", {"'\xc3\xa9' (U+00E9) at position 1", NULL, NULL}},
    {"04 12\x01", {"control character U+0001 at position 6", NULL, NULL}},
    {"", {"no hex digits", NULL, NULL}},
    {" : : ", {"no hex digits", NULL, NULL}},
    {"b8ba6541f2d40741a9f74708f3e4285cef2c", {"not one DER element", "length", NULL}},
    {"04 12 b8", {"not one DER element", "announces 18 content bytes but only 1 follow", NULL}},
    {"04 01 aa bb", {"not one DER element", "1 bytes follow the first element", NULL}},
    {"04 80 00 00", {"indefinite length", NULL, NULL}},
    {"04 81 05 00 00 00 00 00", {"not minimally encoded", NULL, NULL}},
    {"04", {"shorter than a tag and a length", NULL, NULL}},
};

static void test_names_othername_hex_refuse(void **state)
{
    (void)state;
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(hex_bad); i++) {
        pkiws_buf b = PKIWS_BUF_INIT;
        pkiws__buf_puts(&b, "keep");
        int rc = pkiws__othername_bytes(hex_bad[i].in, 0, &b);
        if (rc != PKIWS_E_OTHERNAME_ENCODING)
            fail_msg("row %zu '%s': rc %d", i, hex_bad[i].in, rc);
        assert_int_equal(pkiws__err_code(), PKIWS_E_OTHERNAME_ENCODING);
        assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_OTHERNAME);
        for (int k = 0; k < 3 && hex_bad[i].msg[k]; k++)
            CONTAINS(pkiws__err_message(), hex_bad[i].msg[k]);
        /* the output is left as it was */
        assert_int_equal(b.len, 4);
        assert_string_equal((char *)b.data, "keep");
        pkiws__buf_dispose(&b);
    }
    pkiws_buf b = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__othername_bytes(NULL, 0, &b), PKIWS_E_INVALID_ARG);
    pkiws__buf_dispose(&b);
}

static void test_names_othername_compat_raw(void **state)
{
    (void)state;
    /* connector mode: the text bytes, unchecked, whatever they are */
    const char *rows[] = {"BBK4umVB", "04 12 zz", "04 12 b8 ba 6", "\xc3\xa9t\xc3\xa9"};
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(rows); i++) {
        pkiws_buf b = PKIWS_BUF_INIT;
        assert_int_equal(pkiws__othername_bytes(rows[i], 1, &b), PKIWS_OK);
        assert_int_equal(b.len, strlen(rows[i]));
        assert_memory_equal(b.data, rows[i], b.len);
        pkiws__buf_dispose(&b);
    }
    pkiws_buf b = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__othername_bytes("", 1, &b), PKIWS_E_OTHERNAME_ENCODING);
    CONTAINS(pkiws__err_message(), "empty");
    pkiws__buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_email_shape_table),
        cmocka_unit_test(test_names_chars_accept_table),
        cmocka_unit_test(test_names_chars_refuse_table),
        cmocka_unit_test(test_names_othername_hex_accept),
        cmocka_unit_test(test_names_othername_hex_refuse),
        cmocka_unit_test(test_names_othername_compat_raw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
