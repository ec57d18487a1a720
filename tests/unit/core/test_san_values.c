/* SPDX-License-Identifier: MIT */
/* Unit tests of what pre-flight refuses in the values it would send, because the CA refuses
 * them (core/san.c, "the values the CA refuses"): e-mail shape, IA5String, RFC 5280 upper
 * bounds in characters, countries, names, fixed values, a CN that takes the e-mail address.
 * Each limit is tested at the bound (accepted) and one past it (refused, with the code, the
 * offending input, the bound, and a FAIL verdict for the attribute). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "pkiws_internal.h"

#include "core/san.h"
#include "tpl_fixture.h"

#define CONTAINS(hay, needle)                                                                      \
    do {                                                                                           \
        if (!strstr((hay), (needle)))                                                              \
            fail_msg("'%s' not found in: %s", (needle), (hay));                                    \
    } while (0)
#define LACKS(hay, needle)                                                                         \
    do {                                                                                           \
        if (strstr((hay), (needle)))                                                               \
            fail_msg("'%s' must not appear in: %s", (needle), (hay));                              \
    } while (0)

#define EM PKIWS_SAN_EMAIL
#define UP PKIWS_SAN_UPN

/* n copies of unit (a UTF-8 character), then tail; a static buffer per call site. */
static char *rep(char *buf, size_t cap, const char *unit, size_t n, const char *tail)
{
    size_t k = 0, ul = strlen(unit), tl = strlen(tail);
    assert_true(n * ul + tl < cap);
    for (size_t i = 0; i < n; i++, k += ul)
        memcpy(buf + k, unit, ul);
    memcpy(buf + k, tail, tl + 1);
    return buf;
}

/* Resolve; expect rc. When refused: the message holds every fragment, the attribute's verdict
 * is FAIL, and hidden (an identity value) is not in the message. */
static void expect(const pkiws__template *t, int format, unsigned sans, const pkiws__identity *id,
                   int want, const char *attr, const char *const *frags, const char *hidden)
{
    pkiws__selection sel = sel_make(format, sans);
    pkiws__resolution r;
    pkiws__err_clear();
    int rc = pkiws__resolve(t, &sel, id, &r);
    if (rc != want)
        fail_msg("rc %d (%s), want %d", rc, pkiws__err_message(), want);
    if (want != PKIWS_OK) {
        assert_int_equal(pkiws__err_code(), want);
        assert_non_null(pkiws__err_remedy());
        for (size_t k = 0; frags && frags[k]; k++)
            CONTAINS(pkiws__err_message(), frags[k]);
        if (hidden)
            LACKS(pkiws__err_message(), hidden);
        if (attr) {
            char prefix[96];
            snprintf(prefix, sizeof prefix, "template attribute '%s' (", attr);
            CONTAINS(pkiws__err_message(), prefix);
            int i = verdict_find(&r, attr);
            assert_true(i >= 0);
            assert_int_equal(r.verdicts[i].verdict, PKIWS_VERDICT_FAIL);
        }
    }
    pkiws__resolution_dispose(&r);
}

#define FRAGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_values_cn_upper_bound(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_standard(&f);
    char cn[512];
    pkiws__identity id = {.cn = rep(cn, sizeof cn, "x", 64, "")};
    expect(&f.t, PKIWS_SUBJECT_CN, 0, &id, PKIWS_OK, NULL, NULL, NULL);
    id.cn = rep(cn, sizeof cn, "x", 65, "");
    expect(&f.t, PKIWS_SUBJECT_CN, 0, &id, PKIWS_E_LIMIT, "common_name",
           FRAGS("(subject CN)", "request.cn 'x***' has 65 characters",
                 "RFC 5280 ub-common-name allows at most 64"),
           "xxxx");
    /* characters, not bytes: 64 two-byte characters (128 bytes) fit, 65 do not */
    id.cn = rep(cn, sizeof cn, "\xC3\xA9", 64, "");
    expect(&f.t, PKIWS_SUBJECT_CN, 0, &id, PKIWS_OK, NULL, NULL, NULL);
    id.cn = rep(cn, sizeof cn, "\xC3\xA9", 65, "");
    expect(&f.t, PKIWS_SUBJECT_CN, 0, &id, PKIWS_E_LIMIT, "common_name",
           FRAGS("65 characters", "at most 64"), NULL);
    /* four-byte characters too */
    id.cn = rep(cn, sizeof cn, "\xF0\x9F\x98\x80", 64, "");
    expect(&f.t, PKIWS_SUBJECT_CN, 0, &id, PKIWS_OK, NULL, NULL, NULL);
    /* the CN that CN_AS_EMAIL makes from the e-mail address is bounded the same way */
    char mail[512];
    pkiws__identity em = {.email = rep(mail, sizeof mail, "a", 52, "@contoso.com")}; /* 64 */
    expect(&f.t, PKIWS_SUBJECT_CN_AS_EMAIL, 0, &em, PKIWS_OK, NULL, NULL, NULL);
    em.email = rep(mail, sizeof mail, "a", 53, "@contoso.com");
    expect(&f.t, PKIWS_SUBJECT_CN_AS_EMAIL, 0, &em, PKIWS_E_LIMIT, "common_name",
           FRAGS("request.email 'a***@contoso.com' has 65 characters", "at most 64"), NULL);
}

static void test_values_subject_e(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_standard(&f);
    char mail[512];
    /* ub-emailaddress-length 255 */
    pkiws__identity id = {.cn = "Alice", .email = rep(mail, sizeof mail, "a", 243, "@contoso.com")};
    expect(&f.t, PKIWS_SUBJECT_CN_EMAIL, 0, &id, PKIWS_OK, NULL, NULL, NULL);
    id.email = rep(mail, sizeof mail, "a", 244, "@contoso.com");
    expect(&f.t, PKIWS_SUBJECT_CN_EMAIL, 0, &id, PKIWS_E_LIMIT, "mail_email",
           FRAGS("(subject E)", "request.email 'a***@contoso.com' has 256 characters",
                 "RFC 5280 ub-emailaddress-length allows at most 255"),
           NULL);
    /* not e-mail shaped: E from request.upn under CN_EMAIL */
    pkiws__identity bad = {.cn = "Alice", .upn = "CONTOSO\\alice"};
    expect(&f.t, PKIWS_SUBJECT_CN_EMAIL, 0, &bad, PKIWS_E_SAN_UNRESOLVED, "mail_email",
           FRAGS("request.upn 'C***' is not e-mail shaped: it has no '@'"), "alice");
    /* IA5String: ASCII only (the local part may be UTF-8 for an e-mail shape, not for E) */
    pkiws__identity utf = {.cn = "J\xC3\xBCrgen", .email = "j\xC3\xBCrgen@contoso.com"};
    expect(&f.t, PKIWS_SUBJECT_CN_EMAIL, 0, &utf, PKIWS_E_UNSUPPORTED_CHARS, "mail_email",
           FRAGS("request.email 'j***@contoso.com' has '\xC3\xBC' (U+00FC) at position 2",
                 "IA5String", "ASCII only"),
           "rgen@");
}

static void test_values_san_email_and_upn(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_standard(&f);
    /* rfc822Name: e-mail shaped and ASCII */
    pkiws__identity id = {.cn = "Alice", .email = "alice@contoso"};
    expect(&f.t, PKIWS_SUBJECT_CN, EM, &id, PKIWS_E_SAN_UNRESOLVED, "san_email",
           FRAGS("(SAN rfc822Name)", "request.email 'a***@contoso' is not e-mail shaped",
                 "single label"),
           NULL);
    id.email = "alice@-contoso.com";
    expect(&f.t, PKIWS_SUBJECT_CN, EM, &id, PKIWS_E_SAN_UNRESOLVED, "san_email",
           FRAGS("starts or ends with '-'"), NULL);
    id.email = "\xC3\xA0lice@contoso.com";
    expect(&f.t, PKIWS_SUBJECT_CN, EM, &id, PKIWS_E_UNSUPPORTED_CHARS, "san_email",
           FRAGS("(U+00E0) at position 1", "IA5String"), NULL);
    id.email = "alice@contoso.com";
    expect(&f.t, PKIWS_SUBJECT_CN, EM, &id, PKIWS_OK, NULL, NULL, NULL);
    /* no upper bound for rfc822Name in RFC 5280 */
    char mail[1024];
    id.email = rep(mail, sizeof mail, "a", 700, "@contoso.com");
    expect(&f.t, PKIWS_SUBJECT_CN, EM, &id, PKIWS_OK, NULL, NULL, NULL);

    /* UPN: e-mail shaped, UTF-8 allowed (UTF8String) */
    pkiws__identity u = {.cn = "Alice", .upn = "alice@contoso"};
    expect(&f.t, PKIWS_SUBJECT_CN, UP, &u, PKIWS_E_SAN_UNRESOLVED, "san_upn",
           FRAGS("(SAN UPN)", "request.upn 'a***@contoso' is not e-mail shaped", "single label"),
           NULL);
    u.upn = "alice smith@contoso.com";
    expect(&f.t, PKIWS_SUBJECT_CN, UP, &u, PKIWS_E_SAN_UNRESOLVED, "san_upn", FRAGS("white space"),
           "smith");
    u.upn = "j\xC3\xBCrgen@contoso.com";
    expect(&f.t, PKIWS_SUBJECT_CN, UP, &u, PKIWS_OK, NULL, NULL, NULL);
    /* an EMAIL SAN filled from that UPN is refused: rfc822Name is ASCII */
    expect(&f.t, PKIWS_SUBJECT_CN, EM | UP, &u, PKIWS_E_UNSUPPORTED_CHARS, "san_email",
           FRAGS("request.upn 'j***@contoso.com'"), NULL);
}

static void test_values_cn_takes_email(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_standard(&f);
    f.a[0].source_attr = (char *)"mail_email";
    pkiws__identity id = {.cn = "Alice Example", .email = "alice@contoso.com"};
    expect(&f.t, PKIWS_SUBJECT_CN, EM, &id, PKIWS_E_SAN_UNRESOLVED, "common_name",
           FRAGS("(subject CN)", "sourceAttributeName mail_email",
                 "request.cn 'A***' is not e-mail shaped: it has no '@'"),
           "Example");
    /* an e-mail shaped CN, or subject format CN_AS_EMAIL, fits */
    id.cn = "alice@contoso.com";
    expect(&f.t, PKIWS_SUBJECT_CN, EM, &id, PKIWS_OK, NULL, NULL, NULL);
    id.cn = "Alice Example";
    expect(&f.t, PKIWS_SUBJECT_CN_AS_EMAIL, EM, &id, PKIWS_OK, NULL, NULL, NULL);
    /* without sourceAttributeName the same CN is fine */
    f.a[0].source_attr = NULL;
    expect(&f.t, PKIWS_SUBJECT_CN, EM, &id, PKIWS_OK, NULL, NULL, NULL);
}

static void test_values_fixed_rdns(void **state)
{
    (void)state;
    static const struct {
        const char *rdn, *ub;
        size_t max;
    } b[] = {{"O", "ub-organization-name", 64},
             {"OU", "ub-organizational-unit-name", 64},
             {"L", "ub-locality-name", 128},
             {"ST", "ub-state-name", 128}};
    pkiws__identity id = {.cn = "Alice"};
    for (size_t k = 0; k < PKIWS_ARRAY_LEN(b); k++) {
        char v[512], frag[128];
        tpl_fx f;
        tpl_init(&f);
        tpl_add(&f, "common_name", PKIWS__ROLE_CN, 1);
        tpl_rdn(&f, "fixed_rdn", b[k].rdn, rep(v, sizeof v, "\xC3\x85", b[k].max, ""), 1);
        expect(&f.t, PKIWS_SUBJECT_CN, 0, &id, PKIWS_OK, NULL, NULL, NULL);
        rep(v, sizeof v, "\xC3\x85", b[k].max + 1, "");
        snprintf(frag, sizeof frag, "has %zu characters; RFC 5280 %s allows at most %zu",
                 b[k].max + 1, b[k].ub, b[k].max);
        char label[32];
        snprintf(label, sizeof label, "(subject %s)", b[k].rdn);
        expect(&f.t, PKIWS_SUBJECT_CN, 0, &id, PKIWS_E_LIMIT, "fixed_rdn",
               FRAGS(label, "the template's fixed value '", frag), NULL);
    }
    /* C: exactly two letters */
    static const struct {
        const char *v;
        int rc;
        const char *frag;
    } c[] = {{"NL", PKIWS_OK, NULL},
             {"nl", PKIWS_OK, NULL},
             {"NLD", PKIWS_E_LIMIT, "'NLD' has 3 characters; a country name is exactly 2 letters"},
             {"N", PKIWS_E_LIMIT, "has 1 characters"},
             {"N1", PKIWS_E_UNSUPPORTED_CHARS, "has U+0031 at position 2"},
             {"\xC3\x85L", PKIWS_E_UNSUPPORTED_CHARS, "has U+00C5 at position 1"}};
    for (size_t k = 0; k < PKIWS_ARRAY_LEN(c); k++) {
        tpl_fx f;
        tpl_init(&f);
        tpl_add(&f, "common_name", PKIWS__ROLE_CN, 1);
        tpl_rdn(&f, "country", "C", c[k].v, 1);
        expect(&f.t, PKIWS_SUBJECT_CN, 0, &id, c[k].rc, c[k].rc ? "country" : NULL,
               c[k].rc ? FRAGS("(subject C)", c[k].frag) : NULL, NULL);
    }
}

static void test_values_names(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_init(&f);
    tpl_add(&f, "common_name", PKIWS__ROLE_CN, 1);
    tpl_add(&f, "mail_firstname", PKIWS__ROLE_GIVEN_NAME, 0);
    tpl_add(&f, "mail_lastname", PKIWS__ROLE_FAMILY_NAME, 0);
    static char name[40000];
    /* in the subject (GN / SN): ub-name 32768 characters */
    pkiws__identity id = {.cn = "Alice",
                          .given_name = rep(name, sizeof name, "a", 32768, ""),
                          .family_name = "Smith"};
    expect(&f.t, PKIWS_SUBJECT_CN, 0, &id, PKIWS_OK, NULL, NULL, NULL);
    id.given_name = rep(name, sizeof name, "a", 32769, "");
    expect(&f.t, PKIWS_SUBJECT_CN, 0, &id, PKIWS_E_LIMIT, "mail_firstname",
           FRAGS("(given name, subject GN)", "request.given_name 'a***' has 32769 characters",
                 "RFC 5280 ub-name allows at most 32768"),
           NULL);
    id.given_name = "Alice";
    id.family_name = rep(name, sizeof name, "b", 32769, "");
    expect(&f.t, PKIWS_SUBJECT_CN, 0, &id, PKIWS_E_LIMIT, "mail_lastname",
           FRAGS("request.family_name 'b***' has 32769 characters"), NULL);
    /* names carried in the SAN extension are no DN attribute: no bound */
    f.a[1].in_san = f.a[2].in_san = 1;
    expect(&f.t, PKIWS_SUBJECT_CN, 0, &id, PKIWS_OK, NULL, NULL, NULL);
    /* a fixed name with a character the CA refuses */
    tpl_fx g;
    tpl_init(&g);
    tpl_add(&g, "common_name", PKIWS__ROLE_CN, 1);
    tpl_add(&g, "mail_lastname", PKIWS__ROLE_FAMILY_NAME, 0)->fixed_value = (char *)"ACME_Corp";
    pkiws__identity cn = {.cn = "Alice"};
    expect(&g.t, PKIWS_SUBJECT_CN, 0, &cn, PKIWS_E_UNSUPPORTED_CHARS, "mail_lastname",
           FRAGS("the template's fixed value 'ACME_Corp' has U+005F at position 5"), NULL);
}

static void test_values_fixed_value_kept(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_init(&f);
    tpl_add(&f, "common_name", PKIWS__ROLE_CN, 1)->fixed_value = (char *)"Kiosk";
    pkiws__identity id = {.cn = "Alice"};
    expect(&f.t, PKIWS_SUBJECT_CN, 0, &id, PKIWS_E_POLICY_MISMATCH, "common_name",
           FRAGS("request.cn 'A***' is given, but the template fixes the value: the template's "
                 "fixed value 'Kiosk'"),
           "Alice");
    id.cn = "Kiosk";
    expect(&f.t, PKIWS_SUBJECT_CN, 0, &id, PKIWS_OK, NULL, NULL, NULL);
}

static void test_values_fixed_dns(void **state)
{
    (void)state;
    pkiws__identity id = {.cn = "Alice"};
    static const struct {
        const char *v;
        int rc;
        const char *frag;
    } d[] = {{"vpn.contoso.com", PKIWS_OK, NULL},
             {"*.contoso.com", PKIWS_OK, NULL},
             {"vpn_1.contoso.com", PKIWS_E_UNSUPPORTED_CHARS, "byte 0x5F at offset 3"},
             {"a.*.com", PKIWS_E_UNSUPPORTED_CHARS, "byte 0x2A at offset 2"}};
    for (size_t k = 0; k < PKIWS_ARRAY_LEN(d); k++) {
        tpl_fx f;
        tpl_init(&f);
        tpl_add(&f, "common_name", PKIWS__ROLE_CN, 1);
        tpl_add(&f, "san_dns", PKIWS__ROLE_SAN_DNS, 0)->fixed_value = (char *)d[k].v;
        expect(&f.t, PKIWS_SUBJECT_CN, 0, &id, d[k].rc, d[k].rc ? "san_dns" : NULL,
               d[k].rc ? FRAGS("(SAN dNSName)", d[k].frag) : NULL, NULL);
    }
    char host[300];
    tpl_fx f;
    tpl_init(&f);
    tpl_add(&f, "common_name", PKIWS__ROLE_CN, 1);
    tpl_add(&f, "san_dns", PKIWS__ROLE_SAN_DNS, 0)->fixed_value =
        rep(host, sizeof host, "a", 250, ".com");
    expect(&f.t, PKIWS_SUBJECT_CN, 0, &id, PKIWS_E_LIMIT, "san_dns",
           FRAGS("has 254 characters; a dNSName has 1 to 253"), NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_cn_upper_bound),
        cmocka_unit_test(test_values_subject_e),
        cmocka_unit_test(test_values_san_email_and_upn),
        cmocka_unit_test(test_values_cn_takes_email),
        cmocka_unit_test(test_values_fixed_rdns),
        cmocka_unit_test(test_values_names),
        cmocka_unit_test(test_values_fixed_value_kept),
        cmocka_unit_test(test_values_fixed_dns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
