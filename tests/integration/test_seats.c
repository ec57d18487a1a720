/* SPDX-License-Identifier: MIT */
/*
 * Integration tests of PKIWS_PROFILE_OPT_DUPLICATES against pkiws-sim (one per transport):
 * ALLOW issues silently, REPORT issues and lists the seat's earlier VALID certificate, REFUSE
 * refuses with PKIWS_E_DUPLICATE and lists them, a renewal is not refused for the certificate
 * it renews; every request the library sent validated against the vendor's schemas.
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

/* Issue (old NULL) or renew for upn under profile B.2 with the duplicates mode; the result. */
static int run(const char *upn, int mode, const uint8_t *old, size_t old_len, pkiws_result **res)
{
    pkiws_profile *p = NULL;
    assert_int_equal(pkiws_profile_new(&p, session, OID(2)), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, PKIWS_SAN_UPN),
                     PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_DUPLICATES, mode), PKIWS_OK);
    pkiws_request *r = NULL;
    assert_int_equal(pkiws_request_new(&r, p), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, upn), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_UPN, upn), PKIWS_OK);
    int rc = old ? pkiws_renew(r, old, old_len, res) : pkiws_issue(r, res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
    return rc;
}

static const char *found_serial(const pkiws_result *res, size_t i)
{
    const char *serial = NULL, *status = NULL, *seat = NULL;
    assert_int_equal(pkiws_result_found(res, i, NULL, NULL, &serial, &status, &seat), PKIWS_OK);
    assert_string_equal(status, "VALID");
    return serial;
}

static void test_allow_report_refuse(void **state)
{
    (void)state;
    const char *upn = "rae@contoso.com";
    pkiws_result *first = NULL, *second = NULL, *third = NULL, *none = NULL;
    /* ALLOW (the default): no search, nothing listed */
    assert_int_equal(run(upn, PKIWS_DUPLICATES_ALLOW, NULL, 0, &first), PKIWS_OK);
    assert_int_equal(pkiws_result_found_count(first), 0);
    const char *s1 = pkiws_result_str(first, PKIWS_RESULT_SERIAL);
    /* REPORT: issued, the earlier certificate listed */
    assert_int_equal(run(upn, PKIWS_DUPLICATES_REPORT, NULL, 0, &second), PKIWS_OK);
    assert_int_equal(pkiws_result_status(second), PKIWS_STATUS_OK);
    assert_int_equal(pkiws_result_found_count(second), 1);
    assert_string_equal(found_serial(second, 0), s1);
    const char *s2 = pkiws_result_str(second, PKIWS_RESULT_SERIAL);
    assert_string_not_equal(s1, s2);
    int64_t attempts = 0;
    assert_int_equal(pkiws_result_int(second, PKIWS_RESULT_ATTEMPTS, &attempts), PKIWS_OK);
    assert_int_equal(attempts, 2); /* the search and the issue */
    /* REFUSE: both listed, nothing issued */
    assert_int_equal(run(upn, PKIWS_DUPLICATES_REFUSE, NULL, 0, &third), PKIWS_E_DUPLICATE);
    assert_int_equal(pkiws_result_error(third), PKIWS_E_DUPLICATE);
    assert_int_equal(pkiws_result_found_count(third), 2);
    assert_non_null(strstr(pkiws_result_message(third), "2 VALID certificate(s)"));
    assert_non_null(strstr(pkiws_result_message(third), s1));
    assert_null(strstr(pkiws_result_message(third), upn)); /* identities redacted */
    assert_non_null(pkiws_result_remedy(third));
    assert_null(pkiws_result_str(third, PKIWS_RESULT_SERIAL));
    const uint8_t *pfx;
    size_t pfx_len;
    assert_int_equal(pkiws_result_blob(third, PKIWS_RESULT_PFX, &pfx, &pfx_len), PKIWS_E_STATE);
    /* another seat has none: REFUSE issues */
    assert_int_equal(run("sam@contoso.com", PKIWS_DUPLICATES_REFUSE, NULL, 0, &none), PKIWS_OK);
    assert_int_equal(pkiws_result_found_count(none), 0);
    pkiws_result_free(none);
    pkiws_result_free(third);
    pkiws_result_free(second);
    pkiws_result_free(first);
}

static void test_renew_is_not_refused_for_itself(void **state)
{
    (void)state;
    const char *upn = "tia@contoso.com";
    pkiws_result *first = NULL, *renewed = NULL, *again = NULL;
    assert_int_equal(run(upn, PKIWS_DUPLICATES_REFUSE, NULL, 0, &first), PKIWS_OK);
    const uint8_t *der;
    size_t len;
    assert_int_equal(pkiws_result_blob(first, PKIWS_RESULT_CERT_DER, &der, &len), PKIWS_OK);
    int rc = run(upn, PKIWS_DUPLICATES_REFUSE, der, len, &renewed);
    if (rc)
        fail_msg("renew: %s", pkiws_result_message(renewed));
    assert_int_equal(pkiws_result_found_count(renewed), 0);
    /* the old one is still VALID: renewing it again is refused for the new one */
    assert_int_equal(run(upn, PKIWS_DUPLICATES_REFUSE, der, len, &again), PKIWS_E_DUPLICATE);
    assert_int_equal(pkiws_result_found_count(again), 1);
    const char *s_new = pkiws_result_str(renewed, PKIWS_RESULT_SERIAL);
    assert_string_equal(found_serial(again, 0), s_new);
    pkiws_result_free(again);
    /* REPORT lists the new one and renews */
    assert_int_equal(run(upn, PKIWS_DUPLICATES_REPORT, der, len, &again), PKIWS_OK);
    assert_int_equal(pkiws_result_found_count(again), 1);
    pkiws_result_free(again);
    pkiws_result_free(renewed);
    pkiws_result_free(first);
}

static void test_option_values(void **state)
{
    (void)state;
    pkiws_profile *p = NULL;
    assert_int_equal(pkiws_profile_new(&p, session, OID(2)), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_DUPLICATES, 3),
                     PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_DUPLICATES, -1),
                     PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_DUPLICATES, 2), PKIWS_OK);
    assert_string_equal(pkiws_error_name(PKIWS_E_DUPLICATE), "PKIWS_E_DUPLICATE");
    pkiws_profile_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allow_report_refuse),
        cmocka_unit_test(test_renew_is_not_refused_for_itself),
        cmocka_unit_test(test_option_values),
    };
    sim_group_init(&the_sim, &session, NULL);
    return cmocka_run_group_tests(tests, sim_group_setup, sim_group_teardown);
}
