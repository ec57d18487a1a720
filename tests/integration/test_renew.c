/* SPDX-License-Identifier: MIT */
/*
 * Integration tests of pkiws_renew and pkiws_cert_renewal_due against pkiws-sim (one per
 * transport): renew with a new key for the same seat, idempotent retry, renewal of a renewal,
 * refusals (unknown certificate, other seat, revoked), the renewal window; every request the
 * library sent validated against the vendor's schemas.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim_harness.h"

#define OID(n) "2.16.840.1.113733.1.16.1.2.3.1.1." #n

static sim the_sim;
static pkiws_session *session;

/* A request of profile B.2 (CN + UPN) for upn. */
static pkiws_request *request_for(pkiws_profile **p, const char *upn)
{
    assert_int_equal(pkiws_profile_new(p, session, OID(2)), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(*p, PKIWS_PROFILE_OPT_SUBJECT_FORMAT, PKIWS_SUBJECT_CN),
                     PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(*p, PKIWS_PROFILE_OPT_SAN_TYPES, PKIWS_SAN_UPN),
                     PKIWS_OK);
    pkiws_request *r = NULL;
    assert_int_equal(pkiws_request_new(&r, *p), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, upn), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_UPN, upn), PKIWS_OK);
    return r;
}

/* Issue (old == NULL) or renew old for upn; the certificate (DER) into der, its serial. */
static int run(const char *upn, const uint8_t *old, size_t old_len, uint8_t *der, size_t *der_len,
               char *serial, size_t cap, pkiws_result **keep)
{
    pkiws_profile *p;
    pkiws_request *r = request_for(&p, upn);
    pkiws_result *res = NULL;
    int rc = old ? pkiws_renew(r, old, old_len, &res) : pkiws_issue(r, &res);
    if (rc == PKIWS_OK) {
        const uint8_t *d;
        size_t n;
        assert_int_equal(pkiws_result_blob(res, PKIWS_RESULT_CERT_DER, &d, &n), PKIWS_OK);
        assert_true(n <= 4096);
        memcpy(der, d, n);
        *der_len = n;
        snprintf(serial, cap, "%s", pkiws_result_str(res, PKIWS_RESULT_SERIAL));
        assert_non_null(pkiws_result_str(res, PKIWS_RESULT_PFX_PASSWORD));
        assert_int_equal(pkiws_result_blob(res, PKIWS_RESULT_PFX, &d, &n), PKIWS_OK);
        assert_true(n > 0);
    }
    if (keep)
        *keep = res;
    else
        pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
    return rc;
}

static void test_renew_same_seat_new_key(void **state)
{
    (void)state;
    uint8_t old[4096], renewed[4096], newer[4096];
    size_t old_len, renewed_len, newer_len;
    char s_old[80], s_new[80], s_newer[80];
    assert_int_equal(run("erin@contoso.com", NULL, 0, old, &old_len, s_old, sizeof s_old, NULL),
                     PKIWS_OK);
    pkiws_result *res = NULL;
    int rc =
        run("erin@contoso.com", old, old_len, renewed, &renewed_len, s_new, sizeof s_new, &res);
    if (rc)
        fail_msg("renew: %s", pkiws_result_message(res));
    assert_string_equal(pkiws_result_str(res, PKIWS_RESULT_SUBJECT), "CN=erin@contoso.com");
    pkiws_result_free(res);
    assert_string_not_equal(s_old, s_new);
    /* a renewal of a renewal */
    assert_int_equal(run("erin@contoso.com", renewed, renewed_len, newer, &newer_len, s_newer,
                         sizeof s_newer, NULL),
                     PKIWS_OK);
    assert_string_not_equal(s_newer, s_new);
    assert_true(newer_len > 0);
}

static void test_renew_is_idempotent_with_the_same_key(void **state)
{
    (void)state;
    uint8_t old[4096];
    size_t old_len;
    char s_old[80];
    assert_int_equal(run("frank@contoso.com", NULL, 0, old, &old_len, s_old, sizeof s_old, NULL),
                     PKIWS_OK);
    char s1[80] = "", s2[80] = "";
    const uint8_t *key;
    size_t key_len;
    pkiws_profile *p;
    pkiws_request *r = request_for(&p, "frank@contoso.com");
    assert_int_equal(pkiws_request_set_int(r, PKIWS_REQUEST_OPT_RETURN_KEY, 1), PKIWS_OK);
    pkiws_result *res = NULL;
    assert_int_equal(pkiws_renew(r, old, old_len, &res), PKIWS_OK);
    snprintf(s1, sizeof s1, "%s", pkiws_result_str(res, PKIWS_RESULT_SERIAL));
    assert_int_equal(pkiws_result_blob(res, PKIWS_RESULT_KEY_PKCS8, &key, &key_len), PKIWS_OK);
    /* a retry with the same key: the same certificate (derived clientTransactionID) */
    pkiws_request *r2 = request_for(&p, "frank@contoso.com");
    assert_int_equal(pkiws_request_set_key(r2, key, key_len, NULL), PKIWS_OK);
    pkiws_result *res2 = NULL;
    assert_int_equal(pkiws_renew(r2, old, old_len, &res2), PKIWS_OK);
    snprintf(s2, sizeof s2, "%s", pkiws_result_str(res2, PKIWS_RESULT_SERIAL));
    assert_string_equal(s1, s2);
    assert_string_not_equal(s1, s_old);
    pkiws_result_free(res2);
    pkiws_result_free(res);
    pkiws_request_free(r2);
    pkiws_request_free(r);
    pkiws_profile_free(p);
}

static void test_renew_refusals(void **state)
{
    (void)state;
    uint8_t old[4096], out[4096];
    size_t old_len, out_len;
    char s_old[80], s[80];
    assert_int_equal(run("gina@contoso.com", NULL, 0, old, &old_len, s_old, sizeof s_old, NULL),
                     PKIWS_OK);
    pkiws_result *res = NULL;
    /* another seat */
    assert_int_equal(run("hank@contoso.com", old, old_len, out, &out_len, s, sizeof s, &res),
                     PKIWS_E_SOAP_FAULT);
    assert_non_null(strstr(pkiws_result_message(res), "belongs to seat"));
    pkiws_result_free(res);
    /* revoked */
    assert_int_equal(pkiws_revoke(session, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, s_old,
                                  PKIWS_REASON_SUPERSEDED, NULL, &res),
                     PKIWS_OK);
    pkiws_result_free(res);
    assert_int_equal(run("gina@contoso.com", old, old_len, out, &out_len, s, sizeof s, &res),
                     PKIWS_E_SOAP_FAULT);
    assert_non_null(strstr(pkiws_result_message(res), "revoked"));
    pkiws_result_free(res);
    /* not a certificate: refused before anything is sent */
    pkiws_profile *p;
    pkiws_request *r = request_for(&p, "gina@contoso.com");
    res = NULL;
    assert_int_not_equal(pkiws_renew(r, "not a certificate", 17, &res), PKIWS_OK);
    assert_null(res);
    assert_int_equal(pkiws_renew(r, NULL, 0, &res), PKIWS_E_INVALID_ARG);
    pkiws_request_free(r);
    pkiws_profile_free(p);
}

static void test_renewal_window(void **state)
{
    (void)state;
    uint8_t der[4096];
    size_t len;
    char serial[80];
    pkiws_result *res = NULL;
    assert_int_equal(run("ivy@contoso.com", NULL, 0, der, &len, serial, sizeof serial, &res),
                     PKIWS_OK);
    int64_t not_after = 0;
    assert_int_equal(pkiws_result_int(res, PKIWS_RESULT_NOT_AFTER, &not_after), PKIWS_OK);
    pkiws_result_free(res);
    int due = -1;
    assert_int_equal(pkiws_cert_renewal_due(der, len, not_after - 31 * 86400, 30, &due), PKIWS_OK);
    assert_int_equal(due, 0);
    assert_int_equal(pkiws_cert_renewal_due(der, len, not_after - 30 * 86400, 30, &due), PKIWS_OK);
    assert_int_equal(due, 1);
    assert_int_equal(pkiws_cert_renewal_due(der, len, not_after + 1, 0, &due), PKIWS_OK);
    assert_int_equal(due, 1);
    assert_int_equal(pkiws_cert_renewal_due(der, len, not_after - 1, 0, &due), PKIWS_OK);
    assert_int_equal(due, 0);
    assert_int_equal(pkiws_cert_renewal_due(der, len, 0, -1, &due), PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_cert_renewal_due(der, len, 0, 1, NULL), PKIWS_E_INVALID_ARG);
    assert_int_not_equal(pkiws_cert_renewal_due("xx", 2, 0, 1, &due), PKIWS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_renew_same_seat_new_key),
        cmocka_unit_test(test_renew_is_idempotent_with_the_same_key),
        cmocka_unit_test(test_renew_refusals),
        cmocka_unit_test(test_renewal_window),
    };
    sim_group_init(&the_sim, &session, NULL);
    return cmocka_run_group_tests(tests, sim_group_setup, sim_group_teardown);
}
