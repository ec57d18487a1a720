/* SPDX-License-Identifier: MIT */
/* Unit tests of the SAN and subject resolution (product.md §5): both tables row by row, names,
 * seat, otherName, nameValuePairs, trace sources, messages. */
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
#define ON PKIWS_SAN_OTHERNAME
#define F_CN PKIWS_FIELD_CN
#define F_E PKIWS_FIELD_SUBJECT_EMAIL
#define F_SE PKIWS_FIELD_SAN_EMAIL
#define F_SU PKIWS_FIELD_SAN_UPN
#define F_SO PKIWS_FIELD_SAN_OTHERNAME
#define S_CN PKIWS_SOURCE_REQUEST_CN
#define S_EM PKIWS_SOURCE_REQUEST_EMAIL
#define S_UP PKIWS_SOURCE_REQUEST_UPN
#define S_SCN PKIWS_SOURCE_SUBJECT_CN
#define S_ON PKIWS_SOURCE_REQUEST_OTHERNAME

#define ALICE "alice@contoso.com"
#define ALICE_UPN "alice.smith@contoso.onmicrosoft.com"
#define GUID_HEX "04 12 b8 ba 65 41 f2 d4 07 41 a9 f7 47 08 f3 e4 28 5c ef 2c"
#define GUID_UHEX "0412B8BA6541F2D40741A9F74708F3E4285CEF2C"
#define GUID_B64 "BBK4umVB8tQHQan3Rwjz5Chc7yw="

struct trace_exp {
    int field;
    const char *value;
    int source;
};

struct row {
    const char *what;
    int format;
    unsigned sans;
    pkiws__identity id;
    int rc;
    const char *subject;       /* expected when rc == OK */
    struct trace_exp trace[6]; /* expected trace in order; field 0 ends it */
    const char *msg[4];        /* fragments of the message when rc != OK */
    const char *hidden;        /* must not appear in the message (redaction) */
};

/*
 * Every row of both tables of product.md §5, each fallback step, on the standard template
 * (CN mandatory, E optional, O=Contoso Ltd fixed, SAN e-mail/UPN/otherName optional).
 * Note: the source "subject.E" cannot appear for a SAN: under CN_EMAIL, E itself comes from
 * request.email -> request.upn, so a SAN reaches the subject-derived step only when both are
 * absent, and then E is absent and the subject fails first. Under CN_AS_EMAIL a SAN reaches
 * "subject.CN" only when the CN came from an e-mail shaped request.cn (no e-mail, no UPN).
 * The rows below pin both facts.
 */
static const struct row rows[] = {
    /* ---- subject formats ---- */
    {"CN: request.cn",
     PKIWS_SUBJECT_CN,
     0,
     {.cn = "Alice", .email = ALICE},
     PKIWS_OK,
     "CN=Alice,O=Contoso Ltd",
     {{F_CN, "Alice", S_CN}},
     {NULL},
     NULL},
    {"CN: cn missing",
     PKIWS_SUBJECT_CN,
     0,
     {.email = ALICE, .upn = ALICE_UPN},
     PKIWS_E_SAN_UNRESOLVED,
     NULL,
     {{0}},
     {"subject format CN needs a common name", "request.cn is not set"},
     NULL},
    {"CN: empty cn is absent",
     PKIWS_SUBJECT_CN,
     0,
     {.cn = ""},
     PKIWS_E_SAN_UNRESOLVED,
     NULL,
     {{0}},
     {"request.cn is not set"},
     NULL},
    {"CN: blank cn is absent",
     PKIWS_SUBJECT_CN,
     0,
     {.cn = "  \t"},
     PKIWS_E_SAN_UNRESOLVED,
     NULL,
     {{0}},
     {"request.cn is not set"},
     NULL},
    {"CN_EMAIL: E from request.email",
     PKIWS_SUBJECT_CN_EMAIL,
     0,
     {.cn = "Alice", .email = ALICE, .upn = ALICE_UPN},
     PKIWS_OK,
     "CN=Alice,E=" ALICE ",O=Contoso Ltd",
     {{F_CN, "Alice", S_CN}, {F_E, ALICE, S_EM}},
     {NULL},
     NULL},
    {"CN_EMAIL: E falls back to request.upn",
     PKIWS_SUBJECT_CN_EMAIL,
     0,
     {.cn = "Alice", .upn = ALICE_UPN},
     PKIWS_OK,
     "CN=Alice,E=" ALICE_UPN ",O=Contoso Ltd",
     {{F_CN, "Alice", S_CN}, {F_E, ALICE_UPN, S_UP}},
     {NULL},
     NULL},
    {"CN_EMAIL: empty e-mail is absent",
     PKIWS_SUBJECT_CN_EMAIL,
     0,
     {.cn = "Alice", .email = "", .upn = ALICE_UPN},
     PKIWS_OK,
     "CN=Alice,E=" ALICE_UPN ",O=Contoso Ltd",
     {{F_CN, "Alice", S_CN}, {F_E, ALICE_UPN, S_UP}},
     {NULL},
     NULL},
    {"CN_EMAIL: no e-mail, no UPN",
     PKIWS_SUBJECT_CN_EMAIL,
     0,
     {.cn = "Alice"},
     PKIWS_E_SAN_UNRESOLVED,
     NULL,
     {{F_CN, "Alice", S_CN}},
     {"CN_EMAIL needs an e-mail address for E", "request.email (not set)", "request.upn (not set)"},
     NULL},
    {"CN_EMAIL: cn missing",
     PKIWS_SUBJECT_CN_EMAIL,
     0,
     {.email = ALICE},
     PKIWS_E_SAN_UNRESOLVED,
     NULL,
     {{0}},
     {"CN_EMAIL needs a common name", "request.cn is not set"},
     NULL},
    {"CN_AS_EMAIL: CN from request.email, request.cn ignored",
     PKIWS_SUBJECT_CN_AS_EMAIL,
     0,
     {.cn = "Ignored", .email = ALICE, .upn = ALICE_UPN},
     PKIWS_OK,
     "CN=" ALICE ",O=Contoso Ltd",
     /* the template has mail_email: the subject-derived e-mail (the CN) fills it */
     {{F_CN, ALICE, S_EM}, {F_E, ALICE, S_SCN}},
     {NULL},
     NULL},
    {"CN_AS_EMAIL: CN falls back to request.upn",
     PKIWS_SUBJECT_CN_AS_EMAIL,
     0,
     {.upn = ALICE_UPN},
     PKIWS_OK,
     "CN=" ALICE_UPN ",O=Contoso Ltd",
     {{F_CN, ALICE_UPN, S_UP}, {F_E, ALICE_UPN, S_SCN}},
     {NULL},
     NULL},
    {"CN_AS_EMAIL: no e-mail, no UPN, no CN",
     PKIWS_SUBJECT_CN_AS_EMAIL,
     0,
     {.seat_id = "seat-1"},
     PKIWS_E_SAN_UNRESOLVED,
     NULL,
     {{0}},
     {"CN_AS_EMAIL needs an e-mail address for the CN", "request.email (not set)",
      "request.upn (not set)", "request.cn (not set)"},
     NULL},
    {"CN_AS_EMAIL: no e-mail, no UPN, request.cn not e-mail shaped",
     PKIWS_SUBJECT_CN_AS_EMAIL,
     0,
     {.cn = "Alice"},
     PKIWS_E_SAN_UNRESOLVED,
     NULL,
     {{0}},
     {"CN_AS_EMAIL needs an e-mail shaped CN", "request.cn 'A***' is not e-mail shaped", "no '@'",
      "request.email and request.upn are not set"},
     "Alice"},
    {"CN_AS_EMAIL: no e-mail, no UPN: an e-mail shaped request.cn is the CN",
     PKIWS_SUBJECT_CN_AS_EMAIL,
     0,
     {.cn = "carol@contoso.com"},
     PKIWS_OK,
     "CN=carol@contoso.com,O=Contoso Ltd",
     {{F_CN, "carol@contoso.com", S_CN}, {F_E, "carol@contoso.com", S_SCN}},
     {NULL},
     NULL},
    {"CN_AS_EMAIL: request.upn wins over an e-mail shaped request.cn",
     PKIWS_SUBJECT_CN_AS_EMAIL,
     0,
     {.cn = "carol@contoso.com", .upn = ALICE_UPN},
     PKIWS_OK,
     "CN=" ALICE_UPN ",O=Contoso Ltd",
     {{F_CN, ALICE_UPN, S_UP}, {F_E, ALICE_UPN, S_SCN}},
     {NULL},
     NULL},
    {"CN_AS_EMAIL: EMAIL and UPN SANs from the CN that request.cn gave",
     PKIWS_SUBJECT_CN_AS_EMAIL,
     EM | UP,
     {.cn = "carol@contoso.com"},
     PKIWS_OK,
     "CN=carol@contoso.com,O=Contoso Ltd",
     {{F_CN, "carol@contoso.com", S_CN},
      {F_E, "carol@contoso.com", S_SCN},
      {F_SE, "carol@contoso.com", S_SCN},
      {F_SU, "carol@contoso.com", S_SCN}},
     {NULL},
     NULL},
    {"CN_AS_EMAIL: e-mail not e-mail shaped",
     PKIWS_SUBJECT_CN_AS_EMAIL,
     0,
     {.email = "alice"},
     PKIWS_E_SAN_UNRESOLVED,
     NULL,
     {{0}},
     {"not e-mail shaped", "request.email 'a***'", "no '@'"},
     "alice"},
    {"CN_AS_EMAIL: the first present value must be shaped (no skipping to the UPN)",
     PKIWS_SUBJECT_CN_AS_EMAIL,
     0,
     {.email = "alice@contoso", .upn = ALICE_UPN},
     PKIWS_E_SAN_UNRESOLVED,
     NULL,
     {{0}},
     {"request.email 'a***@contoso'", "single label"},
     NULL},
    {"CN_AS_EMAIL: UPN not e-mail shaped",
     PKIWS_SUBJECT_CN_AS_EMAIL,
     0,
     {.upn = "CONTOSO\\alice"},
     PKIWS_E_SAN_UNRESOLVED,
     NULL,
     {{0}},
     {"request.upn 'C***'", "not e-mail shaped"},
     "alice"},

    /* ---- SAN type EMAIL: request e-mail -> request UPN -> subject-derived e-mail ---- */
    {"EMAIL: request.email",
     PKIWS_SUBJECT_CN,
     EM,
     {.cn = "Alice", .email = ALICE, .upn = ALICE_UPN},
     PKIWS_OK,
     "CN=Alice,O=Contoso Ltd",
     {{F_CN, "Alice", S_CN}, {F_SE, ALICE, S_EM}},
     {NULL},
     NULL},
    {"EMAIL: request.upn",
     PKIWS_SUBJECT_CN,
     EM,
     {.cn = "Alice", .upn = ALICE_UPN},
     PKIWS_OK,
     "CN=Alice,O=Contoso Ltd",
     {{F_CN, "Alice", S_CN}, {F_SE, ALICE_UPN, S_UP}},
     {NULL},
     NULL},
    {"EMAIL: empty request.email is absent",
     PKIWS_SUBJECT_CN,
     EM,
     {.cn = "Alice", .email = "", .upn = ALICE_UPN},
     PKIWS_OK,
     "CN=Alice,O=Contoso Ltd",
     {{F_CN, "Alice", S_CN}, {F_SE, ALICE_UPN, S_UP}},
     {NULL},
     NULL},
    {"EMAIL: subject CN when e-mail shaped",
     PKIWS_SUBJECT_CN,
     EM,
     {.cn = "carol@contoso.com"},
     PKIWS_OK,
     "CN=carol@contoso.com,O=Contoso Ltd",
     {{F_CN, "carol@contoso.com", S_CN},
      {F_E, "carol@contoso.com", S_SCN},
      {F_SE, "carol@contoso.com", S_SCN}},
     {NULL},
     NULL},
    {"EMAIL: nothing",
     PKIWS_SUBJECT_CN,
     EM,
     {.cn = "Carol Jones"},
     PKIWS_E_SAN_UNRESOLVED,
     NULL,
     {{F_CN, "Carol Jones", S_CN}},
     {"SAN type EMAIL has no value", "request.email (not set), request.upn (not set)",
      "subject-derived e-mail", "CN 'C***' is not e-mail shaped: it has no '@'"},
     "Carol"},
    {"EMAIL: under CN_EMAIL (E and SAN both from request.email)",
     PKIWS_SUBJECT_CN_EMAIL,
     EM,
     {.cn = "Alice", .email = ALICE},
     PKIWS_OK,
     "CN=Alice,E=" ALICE ",O=Contoso Ltd",
     {{F_CN, "Alice", S_CN}, {F_E, ALICE, S_EM}, {F_SE, ALICE, S_EM}},
     {NULL},
     NULL},
    {"EMAIL: under CN_AS_EMAIL the UPN comes before the subject",
     PKIWS_SUBJECT_CN_AS_EMAIL,
     EM,
     {.upn = ALICE_UPN},
     PKIWS_OK,
     "CN=" ALICE_UPN ",O=Contoso Ltd",
     {{F_CN, ALICE_UPN, S_UP}, {F_E, ALICE_UPN, S_SCN}, {F_SE, ALICE_UPN, S_UP}},
     {NULL},
     NULL},

    /* ---- SAN type UPN: request UPN -> request e-mail -> subject-derived e-mail ---- */
    {"UPN: request.upn",
     PKIWS_SUBJECT_CN,
     UP,
     {.cn = "Alice", .email = ALICE, .upn = ALICE_UPN},
     PKIWS_OK,
     "CN=Alice,O=Contoso Ltd",
     {{F_CN, "Alice", S_CN}, {F_SU, ALICE_UPN, S_UP}},
     {NULL},
     NULL},
    {"UPN: request.email",
     PKIWS_SUBJECT_CN,
     UP,
     {.cn = "Alice", .email = ALICE},
     PKIWS_OK,
     "CN=Alice,O=Contoso Ltd",
     {{F_CN, "Alice", S_CN}, {F_SU, ALICE, S_EM}},
     {NULL},
     NULL},
    {"UPN: blank request.upn is absent",
     PKIWS_SUBJECT_CN,
     UP,
     {.cn = "Alice", .email = ALICE, .upn = "  "},
     PKIWS_OK,
     "CN=Alice,O=Contoso Ltd",
     {{F_CN, "Alice", S_CN}, {F_SU, ALICE, S_EM}},
     {NULL},
     NULL},
    {"UPN: subject CN when e-mail shaped",
     PKIWS_SUBJECT_CN,
     UP,
     {.cn = "carol@contoso.com"},
     PKIWS_OK,
     "CN=carol@contoso.com,O=Contoso Ltd",
     {{F_CN, "carol@contoso.com", S_CN},
      {F_E, "carol@contoso.com", S_SCN},
      {F_SU, "carol@contoso.com", S_SCN}},
     {NULL},
     NULL},
    {"UPN: nothing",
     PKIWS_SUBJECT_CN,
     UP,
     {.cn = "carol@contoso"},
     PKIWS_E_SAN_UNRESOLVED,
     NULL,
     {{F_CN, "carol@contoso", S_CN}},
     {"SAN type UPN has no value", "request.upn (not set), request.email (not set)",
      "single label"},
     "carol"},

    /* ---- both text SANs: each by its own chain, EMAIL first ---- */
    {"EMAIL+UPN: each its own source",
     PKIWS_SUBJECT_CN,
     EM | UP,
     {.cn = "Alice", .email = ALICE, .upn = ALICE_UPN},
     PKIWS_OK,
     "CN=Alice,O=Contoso Ltd",
     {{F_CN, "Alice", S_CN}, {F_SE, ALICE, S_EM}, {F_SU, ALICE_UPN, S_UP}},
     {NULL},
     NULL},
    {"EMAIL+UPN: one UPN fills both",
     PKIWS_SUBJECT_CN,
     EM | UP,
     {.cn = "Alice", .upn = ALICE_UPN},
     PKIWS_OK,
     "CN=Alice,O=Contoso Ltd",
     {{F_CN, "Alice", S_CN}, {F_SE, ALICE_UPN, S_UP}, {F_SU, ALICE_UPN, S_UP}},
     {NULL},
     NULL},

    /* ---- SAN type OTHERNAME: request otherName, no fallback ---- */
    {"OTHERNAME: request.othername",
     PKIWS_SUBJECT_CN,
     ON,
     {.cn = "Alice", .othername_hex = GUID_HEX},
     PKIWS_OK,
     "CN=Alice,O=Contoso Ltd",
     {{F_CN, "Alice", S_CN}, {F_SO, GUID_UHEX, S_ON}},
     {NULL},
     NULL},
    {"OTHERNAME: no fallback to e-mail or UPN",
     PKIWS_SUBJECT_CN,
     ON,
     {.cn = "alice@contoso.com", .email = ALICE, .upn = ALICE_UPN},
     PKIWS_E_SAN_UNRESOLVED,
     NULL,
     {{F_CN, "alice@contoso.com", S_CN}, {F_E, "alice@contoso.com", S_SCN}},
     {"SAN type OTHERNAME has no value", "request.othername is not set", "no fallback"},
     NULL},
    {"OTHERNAME: empty value is absent",
     PKIWS_SUBJECT_CN,
     ON,
     {.cn = "Alice", .othername_hex = ""},
     PKIWS_E_SAN_UNRESOLVED,
     NULL,
     {{F_CN, "Alice", S_CN}},
     {"SAN type OTHERNAME has no value"},
     NULL},
    {"OTHERNAME: not hex",
     PKIWS_SUBJECT_CN,
     ON,
     {.cn = "Alice", .othername_hex = "BBK4umVB"},
     PKIWS_E_OTHERNAME_ENCODING,
     NULL,
     {{F_CN, "Alice", S_CN}},
     {"'K' (0x4B) at position 3", "looks like base64 already"},
     NULL},
    {"all three SANs",
     PKIWS_SUBJECT_CN_EMAIL,
     EM | UP | ON,
     {.cn = "Alice", .email = ALICE, .upn = ALICE_UPN, .othername_hex = GUID_HEX},
     PKIWS_OK,
     "CN=Alice,E=" ALICE ",O=Contoso Ltd",
     {{F_CN, "Alice", S_CN},
      {F_E, ALICE, S_EM},
      {F_SE, ALICE, S_EM},
      {F_SU, ALICE_UPN, S_UP},
      {F_SO, GUID_UHEX, S_ON}},
     {NULL},
     NULL},
};

static void test_san_rows(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_standard(&f);
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(rows); i++) {
        const struct row *r = &rows[i];
        pkiws__selection sel = sel_make(r->format, r->sans);
        pkiws__resolution res;
        pkiws__err_clear();
        int rc = pkiws__resolve(&f.t, &sel, &r->id, &res);
        if (rc != r->rc)
            fail_msg("row '%s': rc %d (%s), want %d", r->what, rc, pkiws__err_message(), r->rc);
        if (rc == PKIWS_OK) {
            if (strcmp(res.subject, r->subject))
                fail_msg("row '%s': subject '%s', want '%s'", r->what, res.subject, r->subject);
        } else {
            assert_int_equal(pkiws__err_code(), r->rc);
            for (int k = 0; k < 4 && r->msg[k]; k++)
                CONTAINS(pkiws__err_message(), r->msg[k]);
            if (r->hidden)
                LACKS(pkiws__err_message(), r->hidden);
            if (r->rc == PKIWS_E_SAN_UNRESOLVED)
                assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_SAN_UNRESOLVED);
        }
        size_t n = 0;
        while (n < PKIWS_ARRAY_LEN(r->trace) && r->trace[n].field)
            n++;
        if (res.ntrace != n)
            fail_msg("row '%s': %zu trace entries, want %zu", r->what, res.ntrace, n);
        for (size_t k = 0; k < n; k++) {
            const pkiws__trace *t = &res.trace[k];
            if (t->field != r->trace[k].field || t->source != r->trace[k].source ||
                strcmp(t->value, r->trace[k].value))
                fail_msg("row '%s' trace %zu: field %d '%s' source %d, want %d '%s' %d", r->what, k,
                         t->field, t->value, t->source, r->trace[k].field, r->trace[k].value,
                         r->trace[k].source);
        }
        /* the SANs list matches the SAN trace entries, in the order EMAIL, UPN, OTHERNAME */
        if (rc == PKIWS_OK) {
            size_t s = 0;
            for (size_t k = 0; k < n; k++) {
                int fl = r->trace[k].field;
                if (fl != F_SE && fl != F_SU && fl != F_SO)
                    continue;
                assert_true(s < res.nsans);
                int type = fl == F_SE ? EM : fl == F_SU ? UP : ON;
                assert_int_equal(res.sans[s].type, type);
                if (type != ON)
                    assert_string_equal(res.sans[s].text, r->trace[k].value);
                s++;
            }
            assert_int_equal(s, res.nsans);
        }
        pkiws__resolution_dispose(&res);
    }
}

/* DN parts and nameValuePairs in template order, with the fixed value. */
static void test_san_nvps_template_order(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_standard(&f);
    pkiws__selection sel = sel_make(PKIWS_SUBJECT_CN_EMAIL, EM | UP | ON);
    pkiws__identity id = {
        .cn = "Alice", .email = ALICE, .upn = ALICE_UPN, .othername_hex = GUID_HEX};
    pkiws__resolution res;
    assert_int_equal(pkiws__resolve(&f.t, &sel, &id, &res), PKIWS_OK);
    const char *want[][2] = {{"common_name", "Alice"},        {"mail_email", ALICE},
                             {"corp_company", "Contoso Ltd"}, {"san_email", ALICE},
                             {"san_upn", ALICE_UPN},          {"san_othername", GUID_B64}};
    assert_int_equal(res.nnvps, PKIWS_ARRAY_LEN(want));
    for (size_t i = 0; i < res.nnvps; i++) {
        assert_string_equal(res.nvps[i].name, want[i][0]);
        assert_string_equal(res.nvps[i].value, want[i][1]);
    }
    assert_int_equal(res.ndn, 3);
    assert_string_equal(res.dn_type[0], "CN");
    assert_string_equal(res.dn_value[0], "Alice");
    assert_string_equal(res.dn_type[1], "E");
    assert_string_equal(res.dn_value[1], ALICE);
    assert_string_equal(res.dn_type[2], "O");
    assert_string_equal(res.dn_value[2], "Contoso Ltd");
    /* one verdict per attribute, then one per selection: CN, E, EMAIL, UPN, OTHERNAME */
    assert_int_equal(res.nverdicts, f.t.nattrs + 5);
    for (size_t i = 0; i < res.nverdicts; i++)
        assert_int_equal(res.verdicts[i].verdict, PKIWS_VERDICT_OK);
    pkiws__resolution_dispose(&res);
    assert_null(res.nvps);
    assert_int_equal(res.nnvps, 0);
}

/* Optional attributes without a value are not sent; unselected SAN types send nothing. */
static void test_san_nvps_only_with_values(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_standard(&f);
    pkiws__selection sel = sel_make(PKIWS_SUBJECT_CN, UP);
    pkiws__identity id = {.cn = "Alice", .email = ALICE, .upn = ALICE_UPN};
    pkiws__resolution res;
    assert_int_equal(pkiws__resolve(&f.t, &sel, &id, &res), PKIWS_OK);
    assert_int_equal(res.nnvps, 3);
    assert_string_equal(nvp_get(&res, "common_name"), "Alice");
    assert_string_equal(nvp_get(&res, "corp_company"), "Contoso Ltd");
    assert_string_equal(nvp_get(&res, "san_upn"), ALICE_UPN);
    assert_null(nvp_get(&res, "mail_email")); /* CN "Alice" is not e-mail shaped */
    assert_null(nvp_get(&res, "san_email"));  /* EMAIL not selected */
    assert_int_equal(res.nsans, 1);
    pkiws__resolution_dispose(&res);
}

static void test_san_seat_fallback_table(void **state)
{
    (void)state;
    const struct {
        pkiws__identity id;
        int format;
        const char *seat;
        int source;
    } seats[] = {
        {{.cn = "Alice", .email = ALICE, .upn = ALICE_UPN, .seat_id = "device-42"},
         PKIWS_SUBJECT_CN,
         "device-42",
         PKIWS_SOURCE_REQUEST_SEAT},
        {{.cn = "Alice", .email = ALICE, .upn = ALICE_UPN}, PKIWS_SUBJECT_CN, ALICE_UPN, S_UP},
        {{.cn = "Alice", .email = ALICE, .seat_id = ""}, PKIWS_SUBJECT_CN, ALICE, S_EM},
        {{.cn = "Alice"}, PKIWS_SUBJECT_CN, "Alice", S_SCN},
    };
    for (int variant = 0; variant < 3; variant++) {
        tpl_fx f;
        tpl_init(&f);
        tpl_add(&f, "common_name", PKIWS__ROLE_CN, 1);
        if (variant == 0) /* seat_id attribute by alias */
            tpl_add(&f, "seat_id", PKIWS__ROLE_SEAT_ID, 1);
        else if (variant == 1) /* seatIdInfo names an attribute of unknown role */
            tpl_add(&f, "device_seat", PKIWS__ROLE_UNKNOWN, 1);
        f.t.seat_attr = (char *)(variant == 1 ? "DEVICE_SEAT" : "seat_id");
        /* variant 2: seatIdInfo names an attribute the template does not list: sent at the end */
        for (size_t i = 0; i < PKIWS_ARRAY_LEN(seats); i++) {
            pkiws__selection sel = sel_make(seats[i].format, 0);
            pkiws__resolution res;
            assert_int_equal(pkiws__resolve(&f.t, &sel, &seats[i].id, &res), PKIWS_OK);
            assert_int_equal(res.nnvps, 2);
            assert_string_equal(res.nvps[1].name, variant == 1 ? "device_seat" : "seat_id");
            assert_string_equal(res.nvps[1].value, seats[i].seat);
            int k = trace_find(&res, PKIWS_FIELD_SEAT_ID);
            assert_true(k >= 0);
            assert_string_equal(res.trace[k].value, seats[i].seat);
            assert_int_equal(res.trace[k].source, seats[i].source);
            pkiws__resolution_dispose(&res);
        }
    }
}

static void test_san_othername_value_and_oid(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_standard(&f);
    pkiws__selection sel = sel_make(PKIWS_SUBJECT_CN, ON);
    /* OID from the template when the request gives none */
    pkiws__identity id = {.cn = "Alice",
                          .othername_hex = "04:12:B8:ba:65:41:F2:d4:07:41:A9:f7:47:"
                                           "08:F3:e4:28:5C:ef:2C"};
    pkiws__resolution res;
    assert_int_equal(pkiws__resolve(&f.t, &sel, &id, &res), PKIWS_OK);
    assert_int_equal(res.nsans, 1);
    assert_int_equal(res.sans[0].type, PKIWS_SAN_OTHERNAME);
    assert_null(res.sans[0].text);
    assert_string_equal(res.sans[0].oid, GUID_OID);
    assert_int_equal(res.sans[0].der_len, 20);
    assert_int_equal(res.sans[0].der[0], 0x04);
    assert_int_equal(res.sans[0].der[19], 0x2c);
    assert_string_equal(nvp_get(&res, "san_othername"), GUID_B64);
    int k = trace_find(&res, PKIWS_FIELD_SAN_OTHERNAME);
    assert_string_equal(res.trace[k].value, GUID_UHEX);
    pkiws__resolution_dispose(&res);

    /* same OID in the request: fine */
    id.othername_oid = GUID_OID;
    assert_int_equal(pkiws__resolve(&f.t, &sel, &id, &res), PKIWS_OK);
    assert_string_equal(res.sans[0].oid, GUID_OID);
    pkiws__resolution_dispose(&res);

    /* another OID: the template would refuse it */
    id.othername_oid = "1.2.3.4";
    assert_int_equal(pkiws__resolve(&f.t, &sel, &id, &res), PKIWS_E_POLICY_MISMATCH);
    CONTAINS(pkiws__err_message(), "1.2.3.4");
    CONTAINS(pkiws__err_message(), "otherName:" GUID_OID);
    CONTAINS(pkiws__err_message(), "san_othername");
    int v = verdict_find(&res, "SAN type OTHERNAME");
    assert_true(v >= 0);
    assert_int_equal(res.verdicts[v].verdict, PKIWS_VERDICT_FAIL);
    pkiws__resolution_dispose(&res);

    /* not an OID */
    id.othername_oid = "1.2.x";
    assert_int_equal(pkiws__resolve(&f.t, &sel, &id, &res), PKIWS_E_INVALID_ARG);
    CONTAINS(pkiws__err_message(), "'1.2.x' is not a dotted OID");
    pkiws__resolution_dispose(&res);

    /* template without an OID (alias san_othername): the request must give it */
    f.a[5].othername_oid = NULL;
    f.a[5].type = NULL;
    id.othername_oid = NULL;
    assert_int_equal(pkiws__resolve(&f.t, &sel, &id, &res), PKIWS_E_SAN_UNRESOLVED);
    CONTAINS(pkiws__err_message(), "needs a type-id OID");
    pkiws__resolution_dispose(&res);
    id.othername_oid = "1.2.3.4";
    assert_int_equal(pkiws__resolve(&f.t, &sel, &id, &res), PKIWS_OK);
    assert_string_equal(res.sans[0].oid, "1.2.3.4");
    pkiws__resolution_dispose(&res);
}

static void test_san_othername_compat(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_standard(&f);
    pkiws__selection sel = sel_make(PKIWS_SUBJECT_CN, ON);
    sel.othername_compat = 1;
    pkiws__identity id = {.cn = "Alice", .othername_hex = "BBK4umVB"};
    pkiws__resolution res;
    assert_int_equal(pkiws__resolve(&f.t, &sel, &id, &res), PKIWS_OK);
    assert_int_equal(res.sans[0].der_len, 8);
    assert_memory_equal(res.sans[0].der, "BBK4umVB", 8);
    assert_string_equal(nvp_get(&res, "san_othername"), "QkJLNHVtVkI=");
    assert_string_equal(res.trace[trace_find(&res, F_SO)].value, "42424B34756D5642");
    pkiws__resolution_dispose(&res);
}

/* A template with mail_firstname / mail_lastname (roles GIVEN_NAME / FAMILY_NAME). */
static void tpl_names(tpl_fx *f, int mandatory)
{
    tpl_init(f);
    tpl_add(f, "common_name", PKIWS__ROLE_CN, 1);
    tpl_add(f, "mail_firstname", PKIWS__ROLE_GIVEN_NAME, mandatory);
    tpl_add(f, "mail_lastname", PKIWS__ROLE_FAMILY_NAME, mandatory);
}

static void test_san_names_table(void **state)
{
    (void)state;
    const struct {
        pkiws__identity id;
        const char *given, *family;
        int gsrc, fsrc;
    } t[] = {
        /* derived from the UPN local part: split at the first '.' */
        {{.cn = "A", .upn = "alice.smith@contoso.com"}, "alice", "smith", 7, 7},
        {{.cn = "A", .upn = "Anne.Marie.Smith@contoso.com"}, "Anne", "Marie.Smith", 7, 7},
        /* no '.', or '.' first/last: both are the whole local part */
        {{.cn = "A", .upn = "bob@contoso.com"}, "bob", "bob", 7, 7},
        {{.cn = "A", .upn = ".bob@contoso.com"}, ".bob", ".bob", 7, 7},
        {{.cn = "A", .upn = "bob.@contoso.com"}, "bob.", "bob.", 7, 7},
        {{.cn = "A", .upn = "no-at-sign"}, "no-at-sign", "no-at-sign", 7, 7},
        /* from the request, each on its own */
        {{.cn = "A", .upn = "x.y@c.com", .given_name = "J\xc3\xbcrgen", .family_name = "O'Brien"},
         "J\xc3\xbcrgen",
         "O'Brien",
         8,
         8},
        {{.cn = "A", .upn = "x.y@c.com", .given_name = "Anne-Marie"}, "Anne-Marie", "y", 8, 7},
        {{.cn = "A", .upn = "x.y@c.com", .given_name = "", .family_name = "\xe6\x9d\x8e"},
         "x",
         "\xe6\x9d\x8e",
         7,
         8},
        {{.cn = "A", .given_name = "\xce\xa9\xce\xbc\xce\xad\xce\xb3\xce\xb1", .family_name = "Li"},
         "\xce\xa9\xce\xbc\xce\xad\xce\xb3\xce\xb1",
         "Li",
         8,
         8},
    };
    tpl_fx f;
    tpl_names(&f, 1);
    pkiws__selection sel = sel_make(PKIWS_SUBJECT_CN, 0);
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(t); i++) {
        pkiws__resolution res;
        int rc = pkiws__resolve(&f.t, &sel, &t[i].id, &res);
        if (rc)
            fail_msg("row %zu: %s", i, pkiws__err_message());
        assert_string_equal(nvp_get(&res, "mail_firstname"), t[i].given);
        assert_string_equal(nvp_get(&res, "mail_lastname"), t[i].family);
        int g = trace_find(&res, PKIWS_FIELD_GIVEN_NAME),
            fa = trace_find(&res, PKIWS_FIELD_FAMILY_NAME);
        assert_true(g > 0 && fa == g + 1);
        assert_int_equal(res.trace[g].source, t[i].gsrc);
        assert_int_equal(res.trace[fa].source, t[i].fsrc);
        assert_string_equal(res.trace[g].value, t[i].given);
        assert_string_equal(res.trace[fa].value, t[i].family);
        pkiws__resolution_dispose(&res);
    }
    assert_int_equal(PKIWS_SOURCE_DERIVED_FROM_UPN, 7);
    assert_int_equal(PKIWS_SOURCE_REQUEST_NAME, 8);
}

static void test_san_names_refused(void **state)
{
    (void)state;
    const struct {
        pkiws__identity id;
        const char *msg[4];
        const char *hidden;
    } t[] = {
        /* the seed's case */
        {{.cn = "A", .upn = "global_admin@intune.onmicrosoft.com"},
         {"given name 'g***'", "derived from request.upn 'g***@intune.onmicrosoft.com'",
          "'_' (U+005F) at position 7", "'mail_firstname'"},
         "global_admin"},
        {{.cn = "A", .upn = "x.global_admin@c.com", .given_name = "Anne-Marie"},
         {"family name", "'mail_lastname'", "'_' (U+005F) at position 7", "derived from"},
         "global_admin"},
        {{.cn = "A", .given_name = "_"},
         {"from request.given_name", "'_' (U+005F) at position 1", NULL},
         NULL},
        {{.cn = "A", .given_name = "Al", .family_name = "a@b"},
         {"family name 'a***@b'", "from request.family_name", "'@' (U+0040) at position 2"},
         NULL},
        {{.cn = "A", .given_name = "a+b", .family_name = "x"},
         {"'+' (U+002B) at position 2"},
         NULL},
        {{.cn = "A", .given_name = "Smile\xf0\x9f\x98\x80", .family_name = "x"},
         {"'\xf0\x9f\x98\x80' (U+1F600) at position 6"},
         NULL},
        {{.cn = "A", .given_name = "Tab\there", .family_name = "x"},
         {"control character U+0009 at position 4"},
         NULL},
    };
    tpl_fx f;
    tpl_names(&f, 1);
    pkiws__selection sel = sel_make(PKIWS_SUBJECT_CN, 0);
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(t); i++) {
        pkiws__resolution res;
        int rc = pkiws__resolve(&f.t, &sel, &t[i].id, &res);
        if (rc != PKIWS_E_UNSUPPORTED_CHARS)
            fail_msg("row %zu: rc %d %s", i, rc, pkiws__err_message());
        assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_UNSUPPORTED_CHARS);
        for (int k = 0; k < 4 && t[i].msg[k]; k++)
            CONTAINS(pkiws__err_message(), t[i].msg[k]);
        if (t[i].hidden)
            LACKS(pkiws__err_message(), t[i].hidden);
        assert_int_equal(res.nnvps, 0); /* nothing to send */
        pkiws__resolution_dispose(&res);
    }
}

static void test_san_names_without_upn(void **state)
{
    (void)state;
    tpl_fx f;
    pkiws__selection sel = sel_make(PKIWS_SUBJECT_CN, 0);
    pkiws__identity id = {.cn = "Alice", .email = ALICE};
    pkiws__resolution res;
    /* optional: simply not sent, not traced */
    tpl_names(&f, 0);
    assert_int_equal(pkiws__resolve(&f.t, &sel, &id, &res), PKIWS_OK);
    assert_int_equal(res.nnvps, 1);
    assert_int_equal(trace_find(&res, PKIWS_FIELD_GIVEN_NAME), -1);
    pkiws__resolution_dispose(&res);
    /* mandatory: unfillable for this identity */
    tpl_names(&f, 1);
    assert_int_equal(pkiws__resolve(&f.t, &sel, &id, &res), PKIWS_E_SAN_UNRESOLVED);
    CONTAINS(pkiws__err_message(), "'mail_firstname'");
    CONTAINS(pkiws__err_message(), "request.given_name is not set");
    CONTAINS(pkiws__err_message(), "no request.upn");
    assert_int_equal(res.verdicts[1].verdict, PKIWS_VERDICT_UNFILLABLE);
    CONTAINS(res.verdicts[1].detail, "no value for this request");
    pkiws__resolution_dispose(&res);
    /* no name attributes in the template: names are neither derived nor checked */
    tpl_init(&f);
    tpl_add(&f, "common_name", PKIWS__ROLE_CN, 1);
    pkiws__identity g = {.cn = "A", .upn = "global_admin@intune.onmicrosoft.com"};
    assert_int_equal(pkiws__resolve(&f.t, &sel, &g, &res), PKIWS_OK);
    assert_int_equal(res.ntrace, 1);
    pkiws__resolution_dispose(&res);
}

/* The subject e-mail attribute under format CN: filled by an e-mail shaped CN only. */
static void test_san_subject_email_attr_under_cn(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_init(&f);
    tpl_add(&f, "common_name", PKIWS__ROLE_CN, 1);
    tpl_add(&f, "mail_email", PKIWS__ROLE_SUBJECT_EMAIL, 1);
    tpl_add(&f, "emailAddress", PKIWS__ROLE_SUBJECT_EMAIL, 0); /* both are filled */
    pkiws__selection sel = sel_make(PKIWS_SUBJECT_CN, 0);
    pkiws__resolution res;
    pkiws__identity ok = {.cn = "carol@contoso.com", .email = "other@contoso.com"};
    assert_int_equal(pkiws__resolve(&f.t, &sel, &ok, &res), PKIWS_OK);
    assert_string_equal(res.subject, "CN=carol@contoso.com"); /* no E in the DN for format CN */
    assert_string_equal(nvp_get(&res, "mail_email"), "carol@contoso.com");
    assert_string_equal(nvp_get(&res, "emailAddress"), "carol@contoso.com");
    assert_int_equal(res.verdicts[1].verdict, PKIWS_VERDICT_WARN);
    int k = trace_find(&res, F_E);
    assert_int_equal(res.trace[k].source, S_SCN);
    pkiws__resolution_dispose(&res);
    pkiws__identity bad = {.cn = "Carol", .email = "carol@contoso.com"};
    assert_int_equal(pkiws__resolve(&f.t, &sel, &bad, &res), PKIWS_E_SAN_UNRESOLVED);
    CONTAINS(pkiws__err_message(), "'mail_email' (subject E) is mandatory");
    CONTAINS(pkiws__err_message(), "CN 'C***' is not e-mail shaped");
    LACKS(pkiws__err_message(), "Carol");
    assert_int_equal(res.verdicts[1].verdict, PKIWS_VERDICT_UNFILLABLE);
    pkiws__resolution_dispose(&res);
}

static void test_san_fixed_rdns_and_escaping(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_init(&f);
    tpl_rdn(&f, "corp_company", "O", "Contoso, Ltd", 1);
    tpl_add(&f, "common_name", PKIWS__ROLE_CN, 1);
    tpl_rdn(&f, "org_unit", "OU", "IT", 0);
    tpl_rdn(&f, "locality", "L", NULL, 0); /* no fixed value, optional: not in DN, not sent */
    tpl_rdn(&f, "country", "C", "NL", 0);
    pkiws__tpl_attr *dns = tpl_add(&f, "san_dns", PKIWS__ROLE_SAN_DNS, 0);
    dns->fixed_value = (char *)"vpn.contoso.com"; /* fixed SAN values are sent as given */
    pkiws__selection sel = sel_make(PKIWS_SUBJECT_CN, 0);
    const struct {
        const char *cn, *subject;
    } t[] = {
        {"Alice", "CN=Alice,O=Contoso\\, Ltd,OU=IT,C=NL"},
        {"Smith, John", "CN=Smith\\, John,O=Contoso\\, Ltd,OU=IT,C=NL"},
        {"a+b=c;d<e>f\"g\\h", "CN=a\\+b\\=c\\;d\\<e\\>f\\\"g\\\\h,O=Contoso\\, Ltd,OU=IT,C=NL"},
        {"#hash", "CN=\\#hash,O=Contoso\\, Ltd,OU=IT,C=NL"},
        {" lead trail ", "CN=\\ lead trail\\ ,O=Contoso\\, Ltd,OU=IT,C=NL"},
        {"ctl\x01x", "CN=ctl\\01x,O=Contoso\\, Ltd,OU=IT,C=NL"},
        {"J\xc3\xbcrgen #1", "CN=J\xc3\xbcrgen #1,O=Contoso\\, Ltd,OU=IT,C=NL"},
    };
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(t); i++) {
        pkiws__identity id = {.cn = t[i].cn};
        pkiws__resolution res;
        assert_int_equal(pkiws__resolve(&f.t, &sel, &id, &res), PKIWS_OK);
        assert_string_equal(res.subject, t[i].subject);
        /* the DN parts are unescaped; CN first, then fixed RDNs in template order */
        assert_int_equal(res.ndn, 4);
        assert_string_equal(res.dn_value[0], t[i].cn);
        assert_string_equal(res.dn_type[1], "O");
        assert_string_equal(res.dn_value[1], "Contoso, Ltd");
        /* pairs in template order: O, CN, OU, C, san_dns */
        assert_int_equal(res.nnvps, 5);
        assert_string_equal(res.nvps[0].name, "corp_company");
        assert_string_equal(res.nvps[1].value, t[i].cn);
        assert_string_equal(res.nvps[4].value, "vpn.contoso.com");
        assert_null(nvp_get(&res, "locality"));
        pkiws__resolution_dispose(&res);
    }
}

static void test_san_mapping_override_resolve(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_init(&f);
    tpl_add(&f, "common_name", PKIWS__ROLE_CN, 1);
    tpl_add(&f, "san_upn", PKIWS__ROLE_SAN_UPN, 0);
    tpl_add(&f, "user_principal", PKIWS__ROLE_UNKNOWN, 1);
    tpl_add(&f, "employee_no", PKIWS__ROLE_UNKNOWN, 0);
    pkiws__selection sel = sel_make(PKIWS_SUBJECT_CN, UP);
    sel.mapping[PKIWS_FIELD_SAN_UPN] = "User_Principal"; /* case-insensitive */
    sel.mapping[PKIWS_FIELD_SEAT_ID] = "employee_no";
    pkiws__identity id = {.cn = "Alice", .upn = ALICE_UPN, .seat_id = "E-1001"};
    pkiws__resolution res;
    assert_int_equal(pkiws__resolve(&f.t, &sel, &id, &res), PKIWS_OK);
    assert_string_equal(nvp_get(&res, "user_principal"), ALICE_UPN);
    assert_string_equal(nvp_get(&res, "employee_no"), "E-1001");
    assert_null(nvp_get(&res, "san_upn")); /* the field moved away from it */
    int v = verdict_find(&res, "SAN type UPN");
    CONTAINS(res.verdicts[v].detail, "'user_principal'");
    CONTAINS(res.verdicts[v].detail, "per-profile mapping");
    pkiws__resolution_dispose(&res);
}

static void test_san_invalid_input(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_standard(&f);
    pkiws__selection sel = sel_make(PKIWS_SUBJECT_CN, EM);
    pkiws__resolution res;
    pkiws__identity id = {.cn = "Alice", .email = "al\xffice@contoso.com"};
    assert_int_equal(pkiws__resolve(&f.t, &sel, &id, &res), PKIWS_E_INVALID_ARG);
    CONTAINS(pkiws__err_message(), "request.email is not valid UTF-8");
    CONTAINS(pkiws__err_message(), "offset 2");
    pkiws__resolution_dispose(&res);
    assert_int_equal(pkiws__resolve(&f.t, &sel, NULL, &res), PKIWS_E_INVALID_ARG);
    pkiws__resolution_dispose(&res);
    assert_int_equal(pkiws__resolve(NULL, &sel, &id, &res), PKIWS_E_INVALID_ARG);
    pkiws__resolution_dispose(&res);
    assert_int_equal(pkiws__resolve(&f.t, &sel, &id, NULL), PKIWS_E_INVALID_ARG);
    pkiws__resolution_dispose(NULL);
}

/* A template check failure is the result, but the subject and SANs are still resolved (best
 * effort) so that the result explains them; no nameValuePair is prepared. */
static void test_san_policy_mismatch_first(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_init(&f);
    tpl_add(&f, "common_name", PKIWS__ROLE_CN, 1);
    pkiws__selection sel = sel_make(PKIWS_SUBJECT_CN, EM);
    pkiws__identity id = {.cn = "Alice", .email = ALICE};
    pkiws__resolution res;
    assert_int_equal(pkiws__resolve(&f.t, &sel, &id, &res), PKIWS_E_POLICY_MISMATCH);
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_POLICY_MISMATCH);
    assert_non_null(strstr(pkiws__err_message(), "EMAIL"));
    assert_int_equal(res.ntrace, 2); /* subject CN and SAN e-mail */
    assert_int_equal(res.trace[1].field, PKIWS_FIELD_SAN_EMAIL);
    assert_int_equal(res.trace[1].source, PKIWS_SOURCE_REQUEST_EMAIL);
    assert_string_equal(res.subject, "CN=Alice");
    assert_int_equal(res.nnvps, 0);
    assert_int_equal(res.nverdicts, 3);
    pkiws__resolution_dispose(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_san_rows),
        cmocka_unit_test(test_san_nvps_template_order),
        cmocka_unit_test(test_san_nvps_only_with_values),
        cmocka_unit_test(test_san_seat_fallback_table),
        cmocka_unit_test(test_san_othername_value_and_oid),
        cmocka_unit_test(test_san_othername_compat),
        cmocka_unit_test(test_san_names_table),
        cmocka_unit_test(test_san_names_refused),
        cmocka_unit_test(test_san_names_without_upn),
        cmocka_unit_test(test_san_subject_email_attr_under_cn),
        cmocka_unit_test(test_san_fixed_rdns_and_escaping),
        cmocka_unit_test(test_san_mapping_override_resolve),
        cmocka_unit_test(test_san_invalid_input),
        cmocka_unit_test(test_san_policy_mismatch_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
