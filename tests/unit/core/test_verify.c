/* SPDX-License-Identifier: MIT */
/* Unit tests of the template check (pkiws__verify): verdicts per attribute and per selection. */
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

#define EM PKIWS_SAN_EMAIL
#define UP PKIWS_SAN_UPN
#define ON PKIWS_SAN_OTHERNAME

static void expect_verdict(const pkiws__resolution *r, const char *name, int verdict,
                           const char *detail_part)
{
    int i = verdict_find(r, name);
    if (i < 0)
        fail_msg("no verdict named '%s'", name);
    if (r->verdicts[i].verdict != verdict)
        fail_msg("verdict '%s' is %d (%s), want %d", name, r->verdicts[i].verdict,
                 r->verdicts[i].detail, verdict);
    if (detail_part)
        CONTAINS(r->verdicts[i].detail, detail_part);
}

static void test_verify_all_selections_ok(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_standard(&f);
    pkiws__selection sel = sel_make(PKIWS_SUBJECT_CN_EMAIL, EM | UP | ON);
    pkiws__resolution r;
    assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_OK);
    assert_int_equal(r.nverdicts, f.t.nattrs + 5);
    /* attribute verdicts first, in template order */
    for (size_t i = 0; i < f.t.nattrs; i++)
        assert_string_equal(r.verdicts[i].name, f.a[i].name);
    expect_verdict(&r, "common_name", PKIWS_VERDICT_OK, "subject CN");
    expect_verdict(&r, "corp_company", PKIWS_VERDICT_OK, "fixed value 'Contoso Ltd'");
    expect_verdict(&r, "subject CN", PKIWS_VERDICT_OK, "'common_name'");
    expect_verdict(&r, "subject E", PKIWS_VERDICT_OK, "'mail_email'");
    expect_verdict(&r, "SAN type EMAIL", PKIWS_VERDICT_OK, "'san_email'");
    expect_verdict(&r, "SAN type UPN", PKIWS_VERDICT_OK, "'san_upn'");
    expect_verdict(&r, "SAN type OTHERNAME", PKIWS_VERDICT_OK, "'san_othername'");
    pkiws__resolution_dispose(&r);
    /* no SAN selected: the optional SAN attributes are simply not sent; no E selection */
    sel = sel_make(PKIWS_SUBJECT_CN, 0);
    assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_OK);
    assert_int_equal(r.nverdicts, f.t.nattrs + 1);
    expect_verdict(&r, "san_email", PKIWS_VERDICT_OK, "not sent (SAN type EMAIL is not selected)");
    assert_int_equal(verdict_find(&r, "subject E"), -1);
    pkiws__resolution_dispose(&r);
}

/* Each selection without its template attribute: MISSING_FROM_TEMPLATE, POLICY_MISMATCH. */
static void test_verify_missing_from_template_table(void **state)
{
    (void)state;
    const struct {
        int drop_role; /* the attribute left out of the standard template */
        int format;
        unsigned sans;
        const char *verdict;
        const char *looked_for;
    } t[] = {
        {PKIWS__ROLE_CN, PKIWS_SUBJECT_CN, 0, "subject CN", "type CN or the name common_name"},
        {PKIWS__ROLE_SUBJECT_EMAIL, PKIWS_SUBJECT_CN_EMAIL, 0, "subject E",
         "type E or the names mail_email, emailAddress, mail"},
        {PKIWS__ROLE_SAN_EMAIL, PKIWS_SUBJECT_CN, EM, "SAN type EMAIL",
         "type rfc822Name or the names san_email, rfc822Name"},
        {PKIWS__ROLE_SAN_UPN, PKIWS_SUBJECT_CN, UP, "SAN type UPN",
         "otherName:1.3.6.1.4.1.311.20.2.3"},
        {PKIWS__ROLE_SAN_OTHERNAME, PKIWS_SUBJECT_CN, ON, "SAN type OTHERNAME",
         "san_othername, otherName"},
    };
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(t); i++) {
        tpl_fx full, f;
        tpl_standard(&full);
        tpl_init(&f);
        for (size_t k = 0; k < full.t.nattrs; k++)
            if (full.a[k].role != t[i].drop_role)
                f.a[f.t.nattrs++] = full.a[k];
        pkiws__selection sel = sel_make(t[i].format, t[i].sans);
        pkiws__resolution r;
        assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_E_POLICY_MISMATCH);
        assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_POLICY_MISMATCH);
        expect_verdict(&r, t[i].verdict, PKIWS_VERDICT_MISSING_FROM_TEMPLATE, t[i].looked_for);
        CONTAINS(pkiws__err_message(), "policy verification failed");
        CONTAINS(pkiws__err_message(), t[i].verdict);
        CONTAINS(pkiws__err_message(), f.t.profile_oid);
        CONTAINS(pkiws__err_message(), "1 problem:");
        pkiws__resolution_dispose(&r);
    }
}

/* Mandatory attributes no field can fill for these selections: UNFILLABLE. */
static void test_verify_unfillable_table(void **state)
{
    (void)state;
    const struct {
        const char *name;
        int role;
        const char *fixed;
        unsigned sans;
        int verdict;
        const char *detail;
    } t[] = {
        {"san_email", PKIWS__ROLE_SAN_EMAIL, NULL, 0, PKIWS_VERDICT_UNFILLABLE,
         "SAN type EMAIL, which is not selected"},
        {"san_upn", PKIWS__ROLE_SAN_UPN, NULL, EM, PKIWS_VERDICT_UNFILLABLE,
         "SAN type UPN, which is not selected"},
        {"san_othername", PKIWS__ROLE_SAN_OTHERNAME, NULL, EM | UP, PKIWS_VERDICT_UNFILLABLE,
         "SAN type OTHERNAME, which is not selected"},
        {"san_email", PKIWS__ROLE_SAN_EMAIL, "pki@contoso.com", 0, PKIWS_VERDICT_OK,
         "fixed value 'pki@contoso.com' is sent"},
        {"san_email", PKIWS__ROLE_SAN_EMAIL, NULL, EM, PKIWS_VERDICT_OK, "filled by"},
        {"cost_center", PKIWS__ROLE_UNKNOWN, NULL, 0, PKIWS_VERDICT_UNFILLABLE,
         "no field fills it"},
        {"cost_center", PKIWS__ROLE_UNKNOWN, "4711", 0, PKIWS_VERDICT_OK, "fixed value '4711'"},
        {"org_unit", PKIWS__ROLE_SUBJECT_OTHER, NULL, 0, PKIWS_VERDICT_UNFILLABLE,
         "give it a fixed value"},
        {"san_dns", PKIWS__ROLE_SAN_DNS, NULL, EM | UP | ON, PKIWS_VERDICT_UNFILLABLE,
         "type 'dNSName'"},
        {"mail_firstname", PKIWS__ROLE_GIVEN_NAME, NULL, 0, PKIWS_VERDICT_OK,
         "from the request or derived from the UPN"},
        {"seat_id", PKIWS__ROLE_SEAT_ID, NULL, 0, PKIWS_VERDICT_OK, "seat id"},
    };
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(t); i++) {
        tpl_fx f;
        tpl_init(&f);
        tpl_add(&f, "common_name", PKIWS__ROLE_CN, 1);
        tpl_add(&f, "san_email_opt", PKIWS__ROLE_SAN_EMAIL, 0);
        tpl_add(&f, "san_upn_opt", PKIWS__ROLE_SAN_UPN, 0);
        tpl_add(&f, "san_on_opt", PKIWS__ROLE_SAN_OTHERNAME, 0);
        pkiws__tpl_attr *a = tpl_add(&f, t[i].name, t[i].role, 1);
        a->fixed_value = (char *)t[i].fixed;
        if (t[i].role == PKIWS__ROLE_SUBJECT_OTHER)
            a->rdn = a->type = (char *)"OU";
        pkiws__selection sel = sel_make(PKIWS_SUBJECT_CN, t[i].sans);
        pkiws__resolution r;
        int rc = pkiws__verify(&f.t, &sel, &r);
        int want = t[i].verdict == PKIWS_VERDICT_OK ? PKIWS_OK : PKIWS_E_POLICY_MISMATCH;
        if (rc != want)
            fail_msg("row %zu: rc %d, want %d (%s)", i, rc, want, pkiws__err_message());
        assert_int_equal(r.verdicts[4].verdict, t[i].verdict);
        CONTAINS(r.verdicts[4].detail, t[i].detail);
        if (rc) {
            CONTAINS(pkiws__err_message(), "template attribute ");
            CONTAINS(pkiws__err_message(), t[i].name);
        }
        pkiws__resolution_dispose(&r);
    }
}

/* A mandatory E under subject format CN depends on the CN: WARN, not a failure. */
static void test_verify_mandatory_e_under_cn_warns(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_init(&f);
    tpl_add(&f, "common_name", PKIWS__ROLE_CN, 1);
    tpl_add(&f, "mail_email", PKIWS__ROLE_SUBJECT_EMAIL, 1);
    pkiws__selection sel = sel_make(PKIWS_SUBJECT_CN, 0);
    pkiws__resolution r;
    assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_OK);
    expect_verdict(&r, "mail_email", PKIWS_VERDICT_WARN, "only when the CN is e-mail shaped");
    pkiws__resolution_dispose(&r);
    for (int fmt = PKIWS_SUBJECT_CN_EMAIL; fmt <= PKIWS_SUBJECT_CN_AS_EMAIL; fmt++) {
        sel = sel_make(fmt, 0);
        assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_OK);
        expect_verdict(&r, "mail_email", PKIWS_VERDICT_OK, "filled by the subject E");
        pkiws__resolution_dispose(&r);
    }
}

/* Several problems are all listed, each once. */
static void test_verify_lists_every_problem(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_init(&f);
    tpl_add(&f, "common_name", PKIWS__ROLE_CN, 1);
    tpl_add(&f, "san_upn", PKIWS__ROLE_SAN_UPN, 1);
    tpl_add(&f, "cost_center", PKIWS__ROLE_UNKNOWN, 1);
    pkiws__selection sel = sel_make(PKIWS_SUBJECT_CN_EMAIL, EM);
    pkiws__resolution r;
    assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_E_POLICY_MISMATCH);
    const char *m = pkiws__err_message();
    CONTAINS(m, "subject format CN_EMAIL");
    CONTAINS(m, "4 problems:");
    CONTAINS(m, "template attribute san_upn: mandatory, but it takes the SAN type UPN");
    CONTAINS(m, "template attribute cost_center: mandatory");
    CONTAINS(m, "subject E: selected, but the template has no attribute");
    CONTAINS(m, "SAN type EMAIL: selected, but the template has no attribute");
    expect_verdict(&r, "common_name", PKIWS_VERDICT_OK, NULL);
    expect_verdict(&r, "subject CN", PKIWS_VERDICT_OK, NULL);
    pkiws__resolution_dispose(&r);
}

static void test_verify_mapping_override(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_init(&f);
    tpl_add(&f, "common_name", PKIWS__ROLE_CN, 1);
    tpl_add(&f, "san_email", PKIWS__ROLE_SAN_EMAIL, 1);
    tpl_add(&f, "corp_mail", PKIWS__ROLE_UNKNOWN, 1);
    pkiws__selection sel = sel_make(PKIWS_SUBJECT_CN, EM);
    pkiws__resolution r;
    /* without mapping: corp_mail (mandatory, unknown) cannot be filled */
    assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_E_POLICY_MISMATCH);
    expect_verdict(&r, "corp_mail", PKIWS_VERDICT_UNFILLABLE, NULL);
    expect_verdict(&r, "SAN type EMAIL", PKIWS_VERDICT_OK, "'san_email'");
    pkiws__resolution_dispose(&r);
    /* mapped: corp_mail takes the SAN e-mail, and san_email loses it */
    sel.mapping[PKIWS_FIELD_SAN_EMAIL] = "CORP_MAIL";
    assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_E_POLICY_MISMATCH);
    expect_verdict(&r, "corp_mail", PKIWS_VERDICT_OK, "per-profile mapping");
    expect_verdict(&r, "SAN type EMAIL", PKIWS_VERDICT_OK, "'corp_mail' (per-profile mapping)");
    expect_verdict(&r, "san_email", PKIWS_VERDICT_UNFILLABLE, NULL);
    pkiws__resolution_dispose(&r);
    f.a[1].mandatory = 0;
    assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_OK);
    pkiws__resolution_dispose(&r);
    /* an empty mapping is no mapping */
    sel.mapping[PKIWS_FIELD_SAN_EMAIL] = "";
    assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_E_POLICY_MISMATCH);
    expect_verdict(&r, "corp_mail", PKIWS_VERDICT_UNFILLABLE, NULL);
    pkiws__resolution_dispose(&r);
    /* a mapping naming no attribute: of a selection, and of an unselected field */
    sel.mapping[PKIWS_FIELD_SAN_EMAIL] = "nope";
    sel.mapping[PKIWS_FIELD_GIVEN_NAME] = "first";
    f.a[2].mandatory = 0;
    assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_E_POLICY_MISMATCH);
    expect_verdict(&r, "SAN type EMAIL", PKIWS_VERDICT_MISSING_FROM_TEMPLATE,
                   "the profile maps it to 'nope'");
    expect_verdict(&r, "mapping of the given name", PKIWS_VERDICT_MISSING_FROM_TEMPLATE,
                   "'first', which is not an attribute");
    CONTAINS(pkiws__err_message(), "2 problems");
    pkiws__resolution_dispose(&r);
}

static void test_verify_bad_arguments(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_standard(&f);
    pkiws__resolution r;
    pkiws__selection sel = sel_make(0, 0);
    assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_E_INVALID_ARG);
    CONTAINS(pkiws__err_message(), "subject format 0");
    sel = sel_make(4, 0);
    assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_E_INVALID_ARG);
    sel = sel_make(PKIWS_SUBJECT_CN, 0x8);
    assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_E_INVALID_ARG);
    CONTAINS(pkiws__err_message(), "0x8");
    sel = sel_make(PKIWS_SUBJECT_CN, 0);
    assert_int_equal(pkiws__verify(NULL, &sel, &r), PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws__verify(&f.t, NULL, &r), PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws__verify(&f.t, &sel, NULL), PKIWS_E_INVALID_ARG);
    f.t.attrs = NULL;
    assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_E_INVALID_ARG);
    pkiws__resolution_dispose(&r);
    /* an empty template cannot even take the CN */
    tpl_init(&f);
    assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_E_POLICY_MISMATCH);
    assert_int_equal(r.nverdicts, 1);
    pkiws__resolution_dispose(&r);
}

/* ---- the key type against the template (pkiws__verify_key) ---- */

#define OID_RSA "1.2.840.113549.1.1.1"
#define OID_EC "1.2.840.10045.2.1"

static const struct key_row {
    const char *what;
    const char *alg; /* key_alg_oid; NULL: absent */
    unsigned size;   /* keysize */
    int key;         /* PKIWS_KEY_* */
    int ok;
    const char *detail; /* fragment of the verdict detail (and of the message when refused) */
} key_rows[] = {
    {"EC P-256 template, P-256", OID_EC, 256, PKIWS_KEY_EC_P256, 1, "EC P-256 fits"},
    {"EC P-256 template, P-384 (the bug of issue 9)", OID_EC, 256, PKIWS_KEY_EC_P384, 0,
     "asks for EC P-256 keys (keysize 256); the profile selects P-384"},
    {"EC P-256 template, RSA 2048", OID_EC, 256, PKIWS_KEY_RSA2048, 0,
     "asks for an EC key (1.2.840.10045.2.1, EC, keysize 256); the profile selects RSA 2048"},
    {"EC P-384 template, P-384", OID_EC, 384, PKIWS_KEY_EC_P384, 1, "EC P-384 fits"},
    {"EC P-384 template, P-256", OID_EC, 384, PKIWS_KEY_EC_P256, 0,
     "asks for EC P-384 keys (keysize 384); the profile selects P-256"},
    {"EC template without a size, P-256", OID_EC, 0, PKIWS_KEY_EC_P256, 1, "EC, any curve"},
    {"EC template without a size, P-384", OID_EC, 0, PKIWS_KEY_EC_P384, 1, "EC, any curve"},
    {"EC P-521 template: no key pkiws makes fits", OID_EC, 521, PKIWS_KEY_EC_P384, 0,
     "EC keys of 521 bits; pkiws makes P-256 and P-384 only"},
    {"RSA 2048 template, RSA 2048", OID_RSA, 2048, PKIWS_KEY_RSA2048, 1, "RSA 2048 fits"},
    {"RSA 2048 template, RSA 4096 (the size is a minimum)", OID_RSA, 2048, PKIWS_KEY_RSA4096, 1,
     "RSA 4096 fits the template (RSA, at least 2048 bits)"},
    {"RSA 2048 template, P-256", OID_RSA, 2048, PKIWS_KEY_EC_P256, 0,
     "EC keys need an EC template"},
    {"RSA 3072 template, RSA 2048", OID_RSA, 3072, PKIWS_KEY_RSA2048, 0,
     "RSA keys of at least 3072 bits; the profile selects RSA 2048"},
    {"RSA 3072 template, RSA 3072", OID_RSA, 3072, PKIWS_KEY_RSA3072, 1, "RSA 3072 fits"},
    {"no algorithm, keysize 384: EC P-384", NULL, 384, PKIWS_KEY_EC_P384, 1, "EC P-384 fits"},
    {"no algorithm, keysize 384: P-256 refused", NULL, 384, PKIWS_KEY_EC_P256, 0,
     "EC P-384 keys (keysize 384) (keysize alone"},
    {"no algorithm, keysize 384: RSA refused", NULL, 384, PKIWS_KEY_RSA4096, 0,
     "asks for an EC key"},
    {"no algorithm, keysize 2048: RSA", NULL, 2048, PKIWS_KEY_RSA2048, 1, "RSA 2048 fits"},
    {"no algorithm, keysize 2048: EC refused", NULL, 2048, PKIWS_KEY_EC_P256, 0,
     "RSA keys of at least 2048 bits (keysize alone"},
    {"no algorithm, no size: anything", NULL, 0, PKIWS_KEY_EC_P384, 1, "any key"},
    {"no algorithm, no size: anything (RSA)", NULL, 0, PKIWS_KEY_RSA2048, 1, "any key"},
    {"an algorithm pkiws does not make (Ed25519)", "1.3.101.112", 256, PKIWS_KEY_EC_P256, 0,
     "key algorithm 1.3.101.112, which is neither RSA"},
    {"an unknown key type", OID_RSA, 2048, 99, 0, "key type 99 is not one pkiws makes"},
};

static void test_verify_key_type_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(key_rows); i++) {
        const struct key_row *k = &key_rows[i];
        tpl_fx f;
        tpl_standard(&f);
        f.t.key_alg_oid = (char *)k->alg;
        f.t.key_is_ec = k->alg && !strcmp(k->alg, OID_EC);
        f.t.key_size = k->size;
        pkiws__resolution r;
        memset(&r, 0, sizeof r);
        pkiws__err_clear();
        int rc = pkiws__verify_key(&f.t, k->key, &r);
        if (rc != (k->ok ? PKIWS_OK : PKIWS_E_POLICY_MISMATCH))
            fail_msg("row '%s': rc %d (%s)", k->what, rc, pkiws__err_message());
        assert_int_equal(r.nverdicts, 1);
        assert_string_equal(r.verdicts[0].name, "key type");
        assert_int_equal(r.verdicts[0].verdict, k->ok ? PKIWS_VERDICT_OK : PKIWS_VERDICT_FAIL);
        if (!strstr(r.verdicts[0].detail, k->detail))
            fail_msg("row '%s': '%s' not in the verdict: %s", k->what, k->detail,
                     r.verdicts[0].detail);
        if (!k->ok) {
            CONTAINS(pkiws__err_message(), "policy verification failed: key type: ");
            CONTAINS(pkiws__err_message(), k->detail);
            assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_POLICY_MISMATCH);
        }
        pkiws__resolution_dispose(&r);
    }
    pkiws__resolution r;
    memset(&r, 0, sizeof r);
    assert_int_equal(pkiws__verify_key(NULL, PKIWS_KEY_RSA2048, &r), PKIWS_E_INVALID_ARG);
}

/* A CN that the template takes from the e-mail address (sourceAttributeName mail_email):
 * a warning unless the subject format is CN_AS_EMAIL. */
static void test_verify_cn_takes_email(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_standard(&f);
    f.a[0].source_attr = (char *)"mail_email";
    pkiws__selection sel = sel_make(PKIWS_SUBJECT_CN, EM);
    pkiws__resolution r;
    assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_OK);
    expect_verdict(&r, "common_name", PKIWS_VERDICT_WARN,
                   "takes it from the e-mail address (sourceAttributeName mail_email)");
    pkiws__resolution_dispose(&r);
    sel = sel_make(PKIWS_SUBJECT_CN_AS_EMAIL, EM);
    assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_OK);
    expect_verdict(&r, "common_name", PKIWS_VERDICT_OK, "filled by the subject CN");
    pkiws__resolution_dispose(&r);
    /* any e-mail attribute of the alias table counts; other names do not */
    const char *mail[] = {"emailAddress", "MAIL", "san_email", "rfc822Name", "upn"};
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(mail); i++) {
        f.a[0].source_attr = (char *)mail[i];
        sel = sel_make(PKIWS_SUBJECT_CN_EMAIL, EM);
        assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_OK);
        expect_verdict(&r, "common_name", PKIWS_VERDICT_WARN, mail[i]);
        pkiws__resolution_dispose(&r);
    }
    f.a[0].source_attr = (char *)"display_name";
    assert_int_equal(pkiws__verify(&f.t, &sel, &r), PKIWS_OK);
    expect_verdict(&r, "common_name", PKIWS_VERDICT_OK, NULL);
    pkiws__resolution_dispose(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_all_selections_ok),
        cmocka_unit_test(test_verify_missing_from_template_table),
        cmocka_unit_test(test_verify_unfillable_table),
        cmocka_unit_test(test_verify_mandatory_e_under_cn_warns),
        cmocka_unit_test(test_verify_lists_every_problem),
        cmocka_unit_test(test_verify_mapping_override),
        cmocka_unit_test(test_verify_bad_arguments),
        cmocka_unit_test(test_verify_key_type_table),
        cmocka_unit_test(test_verify_cn_takes_email),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
