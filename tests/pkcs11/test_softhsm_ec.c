/* SPDX-License-Identifier: MIT */
/*
 * The PKCS#11 RA credential with an EC key (issue 11): pkiws-sim's EC P-256 RA key
 * (ra-ec.key) imported into a SoftHSM2 token (sensitive, not extractable), issuance over the
 * native transport through pkiws_session_set_ra_pkcs11: the token signs with CKM_ECDSA, pkiws
 * turns its raw r || s into the DER ECDSA-Sig-Value of the TLS CertificateVerify, and the
 * simulator's log shows the EC RA key authenticated. Exits 77 (skipped) only when softhsm2 is
 * not installed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "issue.h"
#include "token.h"
#include "token_group.h"

#define URI "pkcs11:token=" TOKEN_LABEL ";object=ra;type=private"
#define EC_CLIENT "CN=pkiws-sim RA EC (EC key)"

static sim the_sim;

static int group_setup(void **state)
{
    (void)state;
    return token_group_setup(&the_sim, "ra-ec.key", "ra-ec.pem");
}

static void test_issue_native_with_ec_token_key(void **state)
{
    (void)state;
    int before = issue_sim_log_count(&the_sim, EC_CLIENT);
    pkiws_session *s = issue_session(&the_sim, PKIWS_TRANSPORT_NATIVE);
    assert_int_equal(pkiws_session_set_ra_pkcs11(s, token_module(), URI, TOKEN_PIN), PKIWS_OK);
    pkiws_result *res = NULL;
    if (issue_upn(s, "hsm-ec-alice@contoso.com", &res))
        fail_msg("issue: %s", pkiws_last_error_message());
    assert_int_equal(pkiws_result_status(res), PKIWS_STATUS_OK);
    assert_non_null(pkiws_result_str(res, PKIWS_RESULT_SERIAL));
    pkiws_result_free(res);
    pkiws_session_free(s);
    /* a second session: a second full handshake, a second CKM_ECDSA signature */
    s = issue_session(&the_sim, PKIWS_TRANSPORT_NATIVE);
    assert_int_equal(pkiws_session_set_ra_pkcs11(s, token_module(), URI, TOKEN_PIN), PKIWS_OK);
    assert_int_equal(issue_upn(s, "hsm-ec-bob@contoso.com", NULL), PKIWS_OK);
    pkiws_session_free(s);
    assert_true(issue_sim_log_count(&the_sim, EC_CLIENT) >= before + 2);
}

static void test_ec_key_cannot_leave_the_token(void **state)
{
    (void)state;
    token_key_facts f;
    assert_int_equal(token_key_facts_read(&f), 0);
    assert_true(f.sensitive);
    assert_false(f.extractable);
}

int main(void)
{
    if (!token_module()) {
        printf("# SKIP: softhsm2 is not installed (scripts/deps installs it)\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issue_native_with_ec_token_key),
        cmocka_unit_test(test_ec_key_cannot_leave_the_token),
    };
    sim_group_init(&the_sim, NULL, NULL);
    return cmocka_run_group_tests(tests, group_setup, sim_group_teardown);
}
