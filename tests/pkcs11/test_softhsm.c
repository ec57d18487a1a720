/* SPDX-License-Identifier: MIT */
/*
 * The PKCS#11 RA credential against SoftHSM2 (issue 11): the simulator's RA key imported into
 * a private token (non-extractable, sensitive), issuance against pkiws-sim over the native
 * transport through pkiws_session_set_ra_pkcs11 (also from several threads on one session),
 * and the proof that the key cannot leave the token (read back over PKCS#11). Refusals: wrong
 * PIN (never echoed), URIs with unsupported attributes, the libcurl transport (with its
 * remedy). Exits 77 (skipped) only when softhsm2 is not installed.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "issue.h"
#include "token.h"
#include "token_group.h"

#define URI "pkcs11:token=" TOKEN_LABEL ";object=ra;type=private"

static sim the_sim;

static int group_setup(void **state)
{
    (void)state;
    return token_group_setup(&the_sim, "ra.key", "ra.pem");
}

/* A session on the simulator with the token's RA credential (no PKCS#12 loaded first). */
static pkiws_session *token_session(int transport, const char *uri, const char *pin, int *rc)
{
    pkiws_session *s = issue_session(&the_sim, transport);
    *rc = pkiws_session_set_ra_pkcs11(s, token_module(), uri, pin);
    return s;
}

#define issue issue_upn

static void test_issue_native_with_token_key(void **state)
{
    (void)state;
    int rc;
    pkiws_session *s = token_session(PKIWS_TRANSPORT_NATIVE, URI, TOKEN_PIN, &rc);
    assert_int_equal(rc, PKIWS_OK);
    const char *tp = NULL;
    assert_int_equal(pkiws_session_ra_thumbprint(s, &tp), PKIWS_OK);
    assert_int_equal(strlen(tp), 40);
    pkiws_result *res = NULL;
    rc = issue(s, "hsm-alice@contoso.com", &res);
    if (rc)
        fail_msg("issue: %s", pkiws_last_error_message());
    assert_int_equal(pkiws_result_status(res), PKIWS_STATUS_OK);
    assert_non_null(pkiws_result_str(res, PKIWS_RESULT_SERIAL));
    pkiws_result_free(res);
    pkiws_session_free(s);
}

/* The URI's id= (percent-encoded) and pin-value, the module from the caller. */
static void test_issue_by_id_and_uri_pin(void **state)
{
    (void)state;
    int rc;
    pkiws_session *s =
        token_session(PKIWS_TRANSPORT_NATIVE,
                      "pkcs11:token=" TOKEN_LABEL ";id=%01?pin-value=" TOKEN_PIN, NULL, &rc);
    assert_int_equal(rc, PKIWS_OK);
    pkiws_result *res = NULL;
    rc = issue(s, "hsm-bob@contoso.com", &res);
    if (rc)
        fail_msg("issue: %s", pkiws_last_error_message());
    pkiws_result_free(res);
    pkiws_session_free(s);
}

typedef struct worker {
    pkiws_session *s;
    int n, rc;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    char upn[64];
    snprintf(upn, sizeof upn, "hsm-thread%d@contoso.com", w->n);
    pkiws_result *res = NULL;
    w->rc = issue(w->s, upn, &res);
    pkiws_result_free(res);
    return NULL;
}

/* One session, one PKCS#11 session behind it, four threads issuing at once. */
static void test_threads_share_the_token(void **state)
{
    (void)state;
    int rc;
    pkiws_session *s = token_session(PKIWS_TRANSPORT_NATIVE, URI, TOKEN_PIN, &rc);
    assert_int_equal(rc, PKIWS_OK);
    pthread_t th[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){s, i, -1};
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].rc, PKIWS_OK);
    }
    pkiws_session_free(s);
}

static void test_key_cannot_leave_the_token(void **state)
{
    (void)state;
    token_key_facts f;
    assert_int_equal(token_key_facts_read(&f), 0);
    assert_true(f.sensitive);
    assert_false(f.extractable);
    assert_int_equal(f.rv_private_exponent, token_ckr_attribute_sensitive());
    assert_int_equal(f.rv_prime1, token_ckr_attribute_sensitive());
    assert_int_equal(f.value_len_private_exponent,
                     (unsigned long)-1); /* CK_UNAVAILABLE_INFORMATION */
}

static void test_wrong_pin(void **state)
{
    (void)state;
    int rc;
    pkiws_session *s = token_session(PKIWS_TRANSPORT_NATIVE, URI, "98765", &rc);
    assert_int_equal(rc, PKIWS_E_RA_CREDENTIAL);
    const char *msg = pkiws_last_error_message();
    assert_non_null(strstr(msg, "CKR_PIN_INCORRECT"));
    assert_non_null(strstr(msg, TOKEN_LABEL));
    assert_null(strstr(msg, "98765"));
    pkiws_session_free(s);
}

static void test_uri_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *uri, *names;
    } bad[] = {
        {"pkcs11:token=x;object=ra?pin-source=file:/etc/pin", "pin-source"},
        {"pkcs11:token=x;object=ra;library-description=x", "library-description"},
        {"pkcs11:token=x;object=ra;object=rb", "repeated"},
        {"pkcs11:token=x", "names no key"},
        {"pkcs11:token=x;id=%0g", "bad % escape"},
        {"pkcs11:token=x;object=ra;type=cert", "type"},
        {"file:/x", "pkcs11:"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc;
        pkiws_session *s = token_session(0, bad[i].uri, TOKEN_PIN, &rc);
        assert_int_equal(rc, PKIWS_E_INVALID_ARG);
        if (!strstr(pkiws_last_error_message(), bad[i].names))
            fail_msg("%s: %s", bad[i].uri, pkiws_last_error_message());
        pkiws_session_free(s);
    }
    pkiws_session *s = NULL;
    assert_int_equal(pkiws_session_new(&s), PKIWS_OK);
    assert_int_equal(pkiws_session_set_ra_pkcs11(s, "libsofthsm2.so", URI, TOKEN_PIN),
                     PKIWS_E_INVALID_ARG);
    assert_non_null(strstr(pkiws_last_error_message(), "not absolute"));
    assert_int_equal(pkiws_session_set_ra_pkcs11(s, "/nonexistent/p11.so", URI, TOKEN_PIN),
                     PKIWS_E_RA_CREDENTIAL);
    assert_non_null(strstr(pkiws_last_error_message(), "/nonexistent/p11.so"));
    pkiws_session_free(s);
}

static void test_curl_transport_refused(void **state)
{
    (void)state;
    if (!(pkiws_features() & PKIWS_FEATURE_CURL))
        skip();
    int rc;
    pkiws_session *s = token_session(PKIWS_TRANSPORT_CURL, URI, TOKEN_PIN, &rc);
    assert_int_equal(rc, PKIWS_OK);
    pkiws_result *res = NULL;
    assert_int_equal(issue(s, "hsm-carol@contoso.com", &res), PKIWS_E_UNSUPPORTED);
    assert_non_null(strstr(pkiws_last_error_remedy(), "native transport"));
    assert_non_null(strstr(pkiws_last_error_remedy(), "PKIWS_TRANSPORT_NATIVE"));
    pkiws_result_free(res);
    pkiws_session_free(s);
}

int main(void)
{
    if (!token_module()) {
        printf("# SKIP: softhsm2 is not installed (scripts/deps installs it)\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issue_native_with_token_key),
        cmocka_unit_test(test_issue_by_id_and_uri_pin),
        cmocka_unit_test(test_threads_share_the_token),
        cmocka_unit_test(test_key_cannot_leave_the_token),
        cmocka_unit_test(test_wrong_pin),
        cmocka_unit_test(test_uri_refusals),
        cmocka_unit_test(test_curl_transport_refused),
    };
    sim_group_init(&the_sim, NULL, NULL);
    return cmocka_run_group_tests(tests, group_setup, sim_group_teardown);
}
