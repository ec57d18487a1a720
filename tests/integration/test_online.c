/* SPDX-License-Identifier: MIT */
/*
 * Integration tests of the online API against pkiws-sim (started and stopped here): every
 * subject format x SAN type, checked with OpenSSL and Python cryptography; pending + poll;
 * revoke by serial and seat; health check up and down; faults; every request the library sent
 * validated against the vendor's schemas.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "sim_harness.h"

#define OID(n) "2.16.840.1.113733.1.16.1.2.3.1.1." #n
#define GUID_OID "1.3.6.1.4.1.311.25.1"
#define GUID_HEX "04 10 00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff"
#define GUID_DER "041000112233445566778899AABBCCDDEEFF"

static sim the_sim;
static pkiws_session *session;

struct row {
    const char *oid;
    int format;
    unsigned sans;
    const char *cn, *email, *upn;
    int othername;
    int key;
    const char *subject;
    const char *san[3];
};

static const struct row rows[] = {
    /* CN x EMAIL / UPN / OTHERNAME; e-mail from UPN (fallback) */
    {OID(1),
     PKIWS_SUBJECT_CN,
     PKIWS_SAN_EMAIL,
     "Alice Example",
     NULL,
     "alice@contoso.com",
     0,
     0,
     "CN=Alice Example",
     {"email:alice@contoso.com"}},
    {OID(1),
     PKIWS_SUBJECT_CN,
     PKIWS_SAN_EMAIL,
     "Alice Example",
     "a.example@contoso.com",
     "alice@contoso.com",
     0,
     0,
     "CN=Alice Example",
     {"email:a.example@contoso.com"}},
    {OID(2),
     PKIWS_SUBJECT_CN,
     PKIWS_SAN_UPN,
     "Alice Example",
     NULL,
     "alice@contoso.com",
     0,
     0,
     "CN=Alice Example",
     {"upn:alice@contoso.com"}},
    {OID(2),
     PKIWS_SUBJECT_CN,
     PKIWS_SAN_UPN,
     "Alice Example",
     "alice.mail@contoso.com",
     NULL,
     0,
     0,
     "CN=Alice Example",
     {"upn:alice.mail@contoso.com"}},
    {OID(3),
     PKIWS_SUBJECT_CN,
     PKIWS_SAN_OTHERNAME,
     "Alice Example",
     NULL,
     "alice@contoso.com",
     1,
     0,
     "CN=Alice Example",
     {"othername:" GUID_OID ":" GUID_DER}},
    /* CN + E */
    {OID(4),
     PKIWS_SUBJECT_CN_EMAIL,
     PKIWS_SAN_EMAIL,
     "Alice Example",
     NULL,
     "alice@contoso.com",
     0,
     0,
     "CN=Alice Example,E=alice@contoso.com",
     {"email:alice@contoso.com"}},
    {OID(5),
     PKIWS_SUBJECT_CN_EMAIL,
     PKIWS_SAN_UPN,
     "Alice Example",
     "alice.mail@contoso.com",
     "alice@contoso.com",
     0,
     0,
     "CN=Alice Example,E=alice.mail@contoso.com",
     {"upn:alice@contoso.com"}},
    {OID(6),
     PKIWS_SUBJECT_CN_EMAIL,
     PKIWS_SAN_OTHERNAME,
     "Alice Example",
     NULL,
     "alice@contoso.com",
     1,
     0,
     "CN=Alice Example,E=alice@contoso.com",
     {"othername:" GUID_OID ":" GUID_DER}},
    /* CN as e-mail */
    {OID(7),
     PKIWS_SUBJECT_CN_AS_EMAIL,
     PKIWS_SAN_EMAIL,
     NULL,
     NULL,
     "alice@contoso.com",
     0,
     0,
     "CN=alice@contoso.com",
     {"email:alice@contoso.com"}},
    {OID(8),
     PKIWS_SUBJECT_CN_AS_EMAIL,
     PKIWS_SAN_UPN,
     NULL,
     "alice@contoso.com",
     NULL,
     0,
     0,
     "CN=alice@contoso.com",
     {"upn:alice@contoso.com"}},
    {OID(9),
     PKIWS_SUBJECT_CN_AS_EMAIL,
     PKIWS_SAN_OTHERNAME,
     NULL,
     NULL,
     "alice@contoso.com",
     1,
     0,
     "CN=alice@contoso.com",
     {"othername:" GUID_OID ":" GUID_DER}},
    /* EC P-256 */
    {OID(12),
     PKIWS_SUBJECT_CN,
     PKIWS_SAN_EMAIL,
     "Eve",
     "eve@contoso.com",
     NULL,
     0,
     PKIWS_KEY_EC_P256,
     "CN=Eve",
     {"email:eve@contoso.com"}},
};

/* The request snapshots the profile's selections: key type and preset are set first. */
static pkiws_request *new_request_with(pkiws_profile **p, const char *oid, int format,
                                       unsigned sans, int key, int preset)
{
    assert_int_equal(pkiws_profile_new(p, session, oid), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(*p, PKIWS_PROFILE_OPT_SUBJECT_FORMAT, format), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(*p, PKIWS_PROFILE_OPT_SAN_TYPES, sans), PKIWS_OK);
    if (key)
        assert_int_equal(pkiws_profile_set_int(*p, PKIWS_PROFILE_OPT_KEY_TYPE, key), PKIWS_OK);
    if (preset)
        assert_int_equal(pkiws_profile_set_int(*p, PKIWS_PROFILE_OPT_PFX_PRESET, preset), PKIWS_OK);
    pkiws_request *r = NULL;
    assert_int_equal(pkiws_request_new(&r, *p), PKIWS_OK);
    return r;
}

static pkiws_request *new_request(pkiws_profile **p, const char *oid, int format, unsigned sans)
{
    return new_request_with(p, oid, format, sans, 0, 0);
}

static void check_pfx(const pkiws_result *res, const char *subject, const char *const *sans)
{
    const uint8_t *pfx;
    size_t n;
    assert_int_equal(pkiws_result_blob(res, PKIWS_RESULT_PFX, &pfx, &n), PKIWS_OK);
    char path[400];
    snprintf(path, sizeof path, "%s/check.pfx", the_sim.dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(pfx, 1, n, f), n);
    fclose(f);
    char cmd[2048];
    int len = snprintf(cmd, sizeof cmd, "'%s' '%s' '%s' '%s'", getenv("PKIWS_CHECK_PFX"), path,
                       pkiws_result_str(res, PKIWS_RESULT_PFX_PASSWORD), subject);
    for (int i = 0; i < 3 && sans[i]; i++)
        len += snprintf(cmd + len, sizeof cmd - (size_t)len, " '%s'", sans[i]);
    if (system(cmd) != 0)
        fail_msg("independent check of the PFX failed: %s", cmd);
}

static void test_online_subject_and_san_matrix(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *w = &rows[i];
        pkiws_profile *p;
        pkiws_request *r = new_request_with(&p, w->oid, w->format, w->sans, w->key, 0);
        if (w->cn)
            assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, w->cn), PKIWS_OK);
        if (w->email)
            assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_EMAIL, w->email), PKIWS_OK);
        if (w->upn)
            assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_UPN, w->upn), PKIWS_OK);
        if (w->othername)
            assert_int_equal(pkiws_request_set_othername(r, GUID_OID, GUID_HEX), PKIWS_OK);
        pkiws_result *res = NULL;
        int rc = pkiws_issue(r, &res);
        if (rc != PKIWS_OK)
            fail_msg("row %zu (%s): %s: %s", i, w->oid, pkiws_error_name(rc),
                     pkiws_result_message(res));
        assert_int_equal(pkiws_result_status(res), PKIWS_STATUS_OK);
        assert_string_equal(pkiws_result_str(res, PKIWS_RESULT_SUBJECT), w->subject);
        assert_true(pkiws_result_chain_count(res) >= 2); /* issuing CA and root */
        assert_non_null(pkiws_result_str(res, PKIWS_RESULT_SERIAL));
        assert_true(strlen(pkiws_result_str(res, PKIWS_RESULT_CLIENT_TXID)) <= 40);
        int64_t attempts = 0;
        assert_int_equal(pkiws_result_int(res, PKIWS_RESULT_ATTEMPTS, &attempts), PKIWS_OK);
        assert_int_equal(attempts, 1);
        check_pfx(res, w->subject, w->san);
        pkiws_result_free(res);
        pkiws_request_free(r);
        pkiws_profile_free(p);
    }
}

static void test_online_modern_preset_and_password(void **state)
{
    (void)state;
    pkiws_profile *p;
    pkiws_request *r =
        new_request_with(&p, OID(2), PKIWS_SUBJECT_CN, PKIWS_SAN_UPN, 0, PKIWS_PFX_MODERN);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, "Bob"), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_UPN, "bob@contoso.com"), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_PFX_PASSWORD,
                                           "a passphrase longer than thirty-one characters"),
                     PKIWS_OK);
    pkiws_result *res = NULL;
    assert_int_equal(pkiws_issue(r, &res), PKIWS_OK);
    assert_string_equal(pkiws_result_str(res, PKIWS_RESULT_PFX_PASSWORD),
                        "a passphrase longer than thirty-one characters");
    const char *sans[] = {"upn:bob@contoso.com", NULL};
    check_pfx(res, "CN=Bob", sans);
    const uint8_t *pfx;
    size_t n;
    assert_int_equal(pkiws_result_blob(res, PKIWS_RESULT_PFX, &pfx, &n), PKIWS_OK);
    pkiws_result *info = NULL;
    assert_int_equal(
        pkiws_pfx_inspect(pfx, n, "a passphrase longer than thirty-one characters", &info),
        PKIWS_OK);
    assert_string_equal(pkiws_result_str(info, PKIWS_RESULT_MAC_ALG), "sha256");
    assert_non_null(strstr(pkiws_result_str(info, PKIWS_RESULT_KEY_BAG_ALG), "AES-256"));
    pkiws_result_free(info);
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
}

static void test_online_pending_then_poll(void **state)
{
    (void)state;
    pkiws_profile *p;
    pkiws_request *r = new_request(&p, OID(11), PKIWS_SUBJECT_CN, PKIWS_SAN_EMAIL);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, "Pending Pete"), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_UPN, "pete@contoso.com"), PKIWS_OK);
    pkiws_result *res = NULL;
    int rc = pkiws_issue(r, &res);
    if (rc)
        fail_msg("%s", pkiws_result_message(res));
    assert_int_equal(pkiws_result_status(res), PKIWS_STATUS_PENDING);
    const char *ref = pkiws_result_str(res, PKIWS_RESULT_PENDING_REF);
    assert_non_null(ref);
    const uint8_t *key;
    size_t klen;
    assert_int_equal(pkiws_result_blob(res, PKIWS_RESULT_KEY_PKCS8, &key, &klen), PKIWS_OK);
    /* a new request, as another process would make it from the pending file */
    pkiws_request *r2 = NULL;
    assert_int_equal(pkiws_request_new(&r2, p), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r2, PKIWS_REQUEST_OPT_PENDING_REF, ref), PKIWS_OK);
    /* kept at rest encrypted, as the CLI's pending file does */
    char *enc = NULL;
    assert_int_equal(pkiws_key_encrypt(key, klen, NULL, "pending secret", &enc), PKIWS_OK);
    assert_non_null(strstr(enc, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    assert_int_equal(pkiws_request_set_key(r2, enc, strlen(enc), "wrong"), PKIWS_E_CRYPTO);
    assert_int_equal(pkiws_request_set_key(r2, enc, strlen(enc), "pending secret"), PKIWS_OK);
    pkiws_free_secret(enc, 0);
    assert_int_equal(pkiws_request_set_str(r2, PKIWS_REQUEST_OPT_UPN, "pete@contoso.com"),
                     PKIWS_OK);
    pkiws_result *done = NULL;
    int polls = 0;
    do {
        pkiws_result_free(done);
        done = NULL;
        rc = pkiws_poll(r2, &done);
        if (rc)
            fail_msg("poll: %s", pkiws_result_message(done));
    } while (pkiws_result_status(done) == PKIWS_STATUS_PENDING && ++polls < 5);
    assert_int_equal(pkiws_result_status(done), PKIWS_STATUS_OK);
    assert_string_equal(pkiws_result_str(done, PKIWS_RESULT_SUBJECT), "CN=Pending Pete");
    const uint8_t *pfx;
    size_t n;
    assert_int_equal(pkiws_result_blob(done, PKIWS_RESULT_PFX, &pfx, &n), PKIWS_OK);
    pkiws_result_free(done);
    pkiws_result_free(res);
    pkiws_request_free(r2);
    pkiws_request_free(r);
    pkiws_profile_free(p);
}

/* Serials compare as hex numbers: case and leading zeros ignored. */
static int serial_eq(const char *a, const char *b)
{
    while (*a == '0')
        a++;
    while (*b == '0')
        b++;
    return strcasecmp(a, b) == 0;
}

static char *issue_for(const char *upn, char *serial, size_t cap)
{
    pkiws_profile *p;
    pkiws_request *r = new_request(&p, OID(2), PKIWS_SUBJECT_CN, PKIWS_SAN_UPN);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, upn), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_UPN, upn), PKIWS_OK);
    pkiws_result *res = NULL;
    assert_int_equal(pkiws_issue(r, &res), PKIWS_OK);
    snprintf(serial, cap, "%s", pkiws_result_str(res, PKIWS_RESULT_SERIAL));
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
    return serial;
}

static void test_online_revoke_by_serial_and_seat(void **state)
{
    (void)state;
    char serial[80], lower[88];
    issue_for("carol@contoso.com", serial, sizeof serial);
    /* case and leading zeros ignored */
    snprintf(lower, sizeof lower, "00%s", serial);
    for (char *c = lower; *c; c++)
        if (*c >= 'A' && *c <= 'F')
            *c = (char)(*c + 32);
    pkiws_result *res = NULL;
    int rc = pkiws_revoke(session, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, lower,
                          PKIWS_REASON_KEY_COMPROMISE, "test", &res);
    if (rc)
        fail_msg("revoke by serial: %s", pkiws_result_message(res));
    int64_t v = -1;
    assert_int_equal(pkiws_result_int(res, PKIWS_RESULT_SUCCESS_CODE, &v), PKIWS_OK);
    assert_int_equal(v, 0);
    assert_int_equal(pkiws_result_int(res, PKIWS_RESULT_REVOCATION_COUNT, &v), PKIWS_OK);
    assert_int_equal(v, 1);
    pkiws_result_free(res);

    issue_for("dave@contoso.com", serial, sizeof serial);
    issue_for("dave@contoso.com", serial, sizeof serial);
    rc = pkiws_revoke(session, PKIWS_OP_REVOKE, PKIWS_BY_SEAT, "dave@contoso.com",
                      PKIWS_REASON_NONE, NULL, &res);
    if (rc)
        fail_msg("revoke by seat: %s", pkiws_result_message(res));
    assert_int_equal(pkiws_result_int(res, PKIWS_RESULT_REVOCATION_COUNT, &v), PKIWS_OK);
    assert_int_equal(v, 2);
    pkiws_result_free(res);

    rc = pkiws_revoke(session, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, "12x4", PKIWS_REASON_NONE, NULL,
                      &res);
    assert_int_equal(rc, PKIWS_E_INVALID_ARG);
    assert_null(res);
}

static void test_online_search_by_seat(void **state)
{
    (void)state;
    char serial[80];
    issue_for("erin@contoso.com", serial, sizeof serial);
    pkiws_result *res = NULL;
    int rc = pkiws_search(session, PKIWS_BY_SEAT, "erin@contoso.com", NULL, 0, &res);
    if (rc)
        fail_msg("search: %s", pkiws_result_message(res));
    int64_t total = -1;
    assert_int_equal(pkiws_result_int(res, PKIWS_RESULT_SEARCH_TOTAL, &total), PKIWS_OK);
    assert_int_equal(total, 1);
    assert_int_equal(pkiws_result_found_count(res), 1);
    const uint8_t *der;
    size_t len;
    const char *found_serial, *status, *seat;
    assert_int_equal(pkiws_result_found(res, 0, &der, &len, &found_serial, &status, &seat),
                     PKIWS_OK);
    assert_true(len > 100 && der[0] == 0x30);
    assert_string_equal(status, "VALID");
    assert_string_equal(seat, "erin@contoso.com");
    assert_true(serial_eq(found_serial, serial));
    pkiws_result_free(res);
    assert_int_equal(pkiws_revoke(session, PKIWS_OP_REVOKE, PKIWS_BY_SEAT, "erin@contoso.com",
                                  PKIWS_REASON_NONE, NULL, &res),
                     PKIWS_OK);
    pkiws_result_free(res);
    assert_int_equal(pkiws_search(session, PKIWS_BY_SERIAL, serial, NULL, 0, &res), PKIWS_OK);
    assert_int_equal(pkiws_result_found_count(res), 1);
    assert_int_equal(pkiws_result_found(res, 0, NULL, NULL, NULL, &status, NULL), PKIWS_OK);
    assert_string_equal(status, "REVOKED");
    pkiws_result_free(res);
    assert_int_equal(pkiws_search(session, 7, "x", NULL, 0, &res), PKIWS_E_INVALID_ARG);
    assert_null(res);
}

static void test_online_errors_map_to_codes(void **state)
{
    (void)state;
    pkiws_profile *p;
    pkiws_result *res = NULL;
    /* unknown profile: "A request element is not understood." */
    pkiws_request *r = new_request(&p, "2.16.840.1.113733.1.16.1.2.3.1.1.999", PKIWS_SUBJECT_CN, 0);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, "Bob"), PKIWS_OK);
    assert_int_equal(pkiws_issue(r, &res), PKIWS_E_PROFILE_NOT_FOUND);
    assert_non_null(pkiws_result_remedy(res));
    assert_int_equal(pkiws_result_retryable(res), 0);
    pkiws_result_free(res);
    /* the health check names the same cause (getStatus answers DOWN for it first) */
    assert_int_equal(pkiws_check(session, "2.16.840.1.113733.1.16.1.2.3.1.1.999", &res),
                     PKIWS_E_PROFILE_NOT_FOUND);
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
    /* template mismatch: OTHERNAME selected on a UPN profile */
    r = new_request(&p, OID(2), PKIWS_SUBJECT_CN, PKIWS_SAN_OTHERNAME);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, "Bob"), PKIWS_OK);
    assert_int_equal(pkiws_issue(r, &res), PKIWS_E_POLICY_MISMATCH);
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
    /* special characters in derived names: global_admin@ */
    r = new_request(&p, OID(10), PKIWS_SUBJECT_CN, PKIWS_SAN_UPN);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, "Global Admin"), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_UPN, "global_admin@contoso.com"),
                     PKIWS_OK);
    assert_int_equal(pkiws_issue(r, &res), PKIWS_E_UNSUPPORTED_CHARS);
    assert_non_null(strstr(pkiws_result_remedy(res), "CN="));
    pkiws_result_free(res);
    /* ... and with explicit names it goes through */
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_GIVEN_NAME, "Global"), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_FAMILY_NAME, "Admin"), PKIWS_OK);
    int rc = pkiws_issue(r, &res);
    if (rc)
        fail_msg("explicit names: %s", pkiws_result_message(res));
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
}

struct logbuf {
    char text[1 << 18];
    size_t len;
    int records;
    int with_txid;
};

static void collect(int level, const char *domain, const char *txid, const char *msg, void *ud)
{
    struct logbuf *b = ud;
    (void)level;
    (void)domain;
    b->records++;
    if (txid && !strncmp(txid, "pkiws-", 6))
        b->with_txid++;
    int n = snprintf(b->text + b->len, sizeof b->text - b->len, "%s\n", msg);
    if (n > 0 && b->len + (size_t)n < sizeof b->text)
        b->len += (size_t)n;
}

/* At TRACE the SOAP goes to the log, with identities redacted unless the host opts in. */
static void test_online_logs_redact_identities(void **state)
{
    (void)state;
    static struct logbuf lb;
    for (int sensitive = 0; sensitive <= 1; sensitive++) {
        memset(&lb, 0, sizeof lb);
        pkiws_session *s = sim_session(&the_sim);
        assert_int_equal(pkiws_session_set_log_cb(s, collect, &lb), PKIWS_OK);
        assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_LOG_LEVEL, PKIWS_LOG_TRACE),
                         PKIWS_OK);
        assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_LOG_SENSITIVE, sensitive),
                         PKIWS_OK);
        pkiws_profile *p;
        assert_int_equal(pkiws_profile_new(&p, s, OID(5)), PKIWS_OK);
        assert_int_equal(
            pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SUBJECT_FORMAT, PKIWS_SUBJECT_CN_EMAIL),
            PKIWS_OK);
        assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, PKIWS_SAN_UPN),
                         PKIWS_OK);
        pkiws_request *r;
        assert_int_equal(pkiws_request_new(&r, p), PKIWS_OK);
        assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, "Zed Secretperson"),
                         PKIWS_OK);
        assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_UPN, "zed.hidden@contoso.com"),
                         PKIWS_OK);
        pkiws_result *res = NULL;
        assert_int_equal(pkiws_issue(r, &res), PKIWS_OK);
        assert_true(lb.records > 4);
        assert_true(lb.with_txid > 0); /* records of the enrolment carry its transaction id */
        assert_non_null(strstr(lb.text, "RequestSecurityToken"));
        if (sensitive) {
            assert_non_null(strstr(lb.text, "zed.hidden@contoso.com"));
        } else {
            if (strstr(lb.text, "zed.hidden") || strstr(lb.text, "Secretperson"))
                fail_msg("an identity reached the log:\n%s", lb.text);
            assert_non_null(strstr(lb.text, "[redacted"));
        }
        pkiws_result_free(res);
        pkiws_request_free(r);
        pkiws_profile_free(p);
        pkiws_session_free(s);
    }
}

static void test_online_check_passes(void **state)
{
    (void)state;
    pkiws_result *res = NULL;
    int rc = pkiws_check(session, OID(1), &res);
    if (rc)
        fail_msg("check: %s", pkiws_result_message(res));
    assert_int_equal(pkiws_result_check_count(res), 6);
    for (size_t i = 0; i < pkiws_result_check_count(res); i++) {
        const char *name, *detail;
        int verdict;
        assert_int_equal(pkiws_result_check(res, i, &name, &verdict, &detail, NULL), PKIWS_OK);
        if (verdict != PKIWS_VERDICT_OK)
            fail_msg("step %s: %s", name, detail);
    }
    pkiws_result_free(res);
}

static void test_online_check_fails_usefully_when_down(void **state)
{
    (void)state;
    /* a port nothing listens on: the simulator's port + 1 is not ours, so use a stopped one */
    sim dead;
    sim_start(&dead, NULL);
    pkiws_session *s = sim_session(&dead);
    sim_stop(&dead);
    pkiws_result *res = NULL;
    int rc = pkiws_check(s, OID(1), &res);
    assert_int_equal(rc, PKIWS_E_CONNECT);
    assert_int_equal(pkiws_result_status(res), PKIWS_STATUS_FAILED);
    int tcp_failed = 0;
    for (size_t i = 0; i < pkiws_result_check_count(res); i++) {
        const char *name;
        int verdict;
        pkiws_result_check(res, i, &name, &verdict, NULL, NULL);
        if (!strcmp(name, "TCP connect"))
            tcp_failed = verdict == PKIWS_VERDICT_FAIL;
        if (!strcmp(name, "name resolution"))
            assert_int_equal(verdict, PKIWS_VERDICT_OK);
    }
    assert_true(tcp_failed);
    pkiws_result_free(res);
    /* issuing against it: a retryable transport error after the retries */
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_RETRY_BACKOFF_MS, 1), PKIWS_OK);
    pkiws_profile *p;
    assert_int_equal(pkiws_profile_new(&p, s, OID(1)), PKIWS_OK);
    pkiws_request *r = NULL;
    assert_int_equal(pkiws_request_new(&r, p), PKIWS_OK);
    assert_int_equal(pkiws_issue(r, &res), PKIWS_E_CONNECT);
    assert_int_equal(pkiws_result_retryable(res), 1);
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
    pkiws_session_free(s);
    sim_cleanup(&dead);
}

static void test_online_soap_fault_from_server(void **state)
{
    (void)state;
    sim f;
    const char *extra[] = {"--fault", "soap-fault:Internal processing error", NULL};
    sim_start(&f, extra);
    pkiws_session *s = sim_session(&f);
    pkiws_profile *p;
    assert_int_equal(pkiws_profile_new(&p, s, OID(1)), PKIWS_OK);
    assert_int_equal(pkiws_profile_fetch_policy(p), PKIWS_E_SOAP_FAULT);
    if (!strstr(pkiws_last_error_message(), "Internal processing error"))
        fail_msg("message: %s", pkiws_last_error_message());
    pkiws_profile_free(p);
    pkiws_session_free(s);
    sim_stop(&f);
    sim_cleanup(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_online_check_passes),
        cmocka_unit_test(test_online_logs_redact_identities),
        cmocka_unit_test(test_online_subject_and_san_matrix),
        cmocka_unit_test(test_online_modern_preset_and_password),
        cmocka_unit_test(test_online_pending_then_poll),
        cmocka_unit_test(test_online_revoke_by_serial_and_seat),
        cmocka_unit_test(test_online_search_by_seat),
        cmocka_unit_test(test_online_errors_map_to_codes),
        cmocka_unit_test(test_online_check_fails_usefully_when_down),
        cmocka_unit_test(test_online_soap_fault_from_server),
    };
    sim_group_init(&the_sim, &session, NULL);
    return cmocka_run_group_tests(tests, sim_group_setup, sim_group_teardown);
}
