/* SPDX-License-Identifier: MIT */
/*
 * The fault matrix: every --fault mode of pkiws-sim against the issue flow, each ending in its
 * documented code and retryable flag; the recoverable ones (reset, drop-after-issue, truncate,
 * 5xx, delay) heal by the idempotent retry with exactly one certificate issued.
 * The request numbers: #1 is getPolicies, #2 the first RequestSecurityToken. Both built-in
 * transports (libcurl, and the native client as curl does) re-send by themselves, once, a
 * request whose reused connection died before any answer; so the connection faults hit #2 and
 * #3 (the fresh connection of that re-send) to reach pkiws's own retry, and the result's
 * attempts count that re-send too (the plug-in transport is the native client over a TLS
 * plug-in, so it re-sends the same way).
 *
 * No case races a clock: a delayed answer is delayed far beyond the timeout (the simulator
 * serves each connection on its own thread, so the retry is answered at once), and with
 * PKIWS_TEST_SLOW=1 (valgrind) every timeout is scaled up as well.
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

/* EC P-256, CN x EMAIL: the fault handling does not depend on the key type, and EC keys keep
 * the matrix fast under valgrind. */
#define PROFILE "2.16.840.1.113733.1.16.1.2.3.1.1.12"

static sim pki; /* the first simulator makes the test PKI; the others reuse it */

struct fault_case {
    const char *fault;
    int retries;
    int64_t timeout_ms;
    int64_t max_response;
    int want_code;
    int want_retryable;
    int want_attempts; /* times the request went out, the transport's own re-sends included */
    int want_issued;   /* certificates the simulator issued; -1: don't check */
    int want_pending;
};

static const struct fault_case cases[] = {
    /* heal by retry, exactly one certificate; #2 and its re-send #3 fail, pkiws's retry #4 heals */
    {"reset@2;reset@3", 2, 5000, 0, PKIWS_OK, 0, 3, 1, 0},
    {"drop-after-issue@2;drop-after-issue@3", 2, 5000, 0, PKIWS_OK, 0, 3, 1, 0},
    {"truncate@2", 2, 5000, 0, PKIWS_OK, 0, 2, 1, 0},
    {"http500@2", 2, 5000, 0, PKIWS_OK, 0, 2, 1, 0},
    {"http503@2", 2, 5000, 0, PKIWS_OK, 0, 2, 1, 0},
    {"delay:30000@2", 2, 1000, 0, PKIWS_OK, 0, 2, 1, 0},
    /* the same without retries: the documented code, retryable */
    {"reset@2;reset@3", 0, 5000, 0, PKIWS_E_CONNECT, 1, 2, 0, 0},
    {"drop-after-issue@2;drop-after-issue@3", 0, 5000, 0, PKIWS_E_CONNECT, 1, 2, 1, 0},
    {"truncate@2", 0, 5000, 0, PKIWS_E_PROTOCOL, 1, 1, -1, 0},
    {"http500@2", 0, 5000, 0, PKIWS_E_HTTP, 1, 1, 0, 0},
    {"http503@2", 0, 5000, 0, PKIWS_E_HTTP, 1, 1, 0, 0},
    {"delay:30000@2", 0, 1000, 0, PKIWS_E_TIMEOUT, 1, 1, -1, 0},
    {"slow-drip:1000@2", 0, 1500, 0, PKIWS_E_TIMEOUT, 1, 1, -1, 0},
    /* every attempt fails: the retries are spent, still retryable */
    {"http503", 2, 5000, 0, PKIWS_E_HTTP, 1, 3, 0, 0},
    /* never retried: answers that cannot heal */
    {"soap-fault:Internal processing error@2", 2, 5000, 0, PKIWS_E_SOAP_FAULT, 0, 1, 0, 0},
    {"malformed-xml@2", 2, 5000, 0, PKIWS_E_PROTOCOL, 0, 1, -1, 0},
    {"wrong-namespace@2", 2, 5000, 0, PKIWS_E_PROTOCOL, 0, 1, -1, 0},
    {"empty-token@2", 2, 5000, 0, PKIWS_E_PROTOCOL, 0, 1, -1, 0},
    {"not-pkcs7@2", 2, 5000, 0, PKIWS_E_PROTOCOL, 0, 1, -1, 0},
    {"huge-response:8388608@2", 2, 5000, 1 << 20, PKIWS_E_LIMIT, 0, 1, -1, 0},
    /* pending is a status, not an error */
    {"pending:1@2", 2, 5000, 0, PKIWS_OK, 0, 1, 0, 1},
};

/* PKIWS_TEST_SLOW=1 (the valgrind set-up): timeouts 5 times longer; no fault delays an answer
 * by less than 6 times the scaled timeout. */
static int64_t slow_factor(void)
{
    const char *v = getenv("PKIWS_TEST_SLOW");
    return v && strcmp(v, "1") == 0 ? 5 : 1;
}

static int group_setup(void **state)
{
    (void)state;
    sim_start(&pki, NULL);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    sim_cleanup(&pki);
    return 0;
}

static void run_case(const struct fault_case *fc)
{
    sim s;
    const char *extra[16];
    char specs[256];
    snprintf(specs, sizeof specs, "%s", fc->fault);
    int n = 0;
    for (char *tok = strtok(specs, ";"); tok && n < 12; tok = strtok(NULL, ";")) {
        extra[n++] = "--fault";
        extra[n++] = tok;
    }
    extra[n++] = "-q";
    extra[n] = NULL;
    sim_start_shared(&s, &pki, extra);
    pkiws_session *ses = sim_session(&s);
    assert_int_equal(pkiws_session_set_int(ses, PKIWS_SESSION_OPT_RETRIES, fc->retries), PKIWS_OK);
    assert_int_equal(pkiws_session_set_int(ses, PKIWS_SESSION_OPT_RETRY_BACKOFF_MS, 10), PKIWS_OK);
    assert_int_equal(
        pkiws_session_set_int(ses, PKIWS_SESSION_OPT_TIMEOUT_MS, fc->timeout_ms * slow_factor()),
        PKIWS_OK);
    if (fc->max_response)
        assert_int_equal(
            pkiws_session_set_int(ses, PKIWS_SESSION_OPT_MAX_RESPONSE_BYTES, fc->max_response),
            PKIWS_OK);
    pkiws_profile *p;
    assert_int_equal(pkiws_profile_new(&p, ses, PROFILE), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, PKIWS_SAN_EMAIL),
                     PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_KEY_TYPE, PKIWS_KEY_EC_P256),
                     PKIWS_OK);
    int rc = PKIWS_OK;
    if (strchr(fc->fault, '@') && (rc = pkiws_profile_fetch_policy(p))) /* request #1 */
        fail_msg("%s: policy: %s", fc->fault, pkiws_last_error_message());
    pkiws_request *r;
    assert_int_equal(pkiws_request_new(&r, p), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, "Fault Tester"), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_EMAIL, "ft@contoso.com"), PKIWS_OK);
    pkiws_result *res = NULL;
    rc = pkiws_issue(r, &res); /* request #2 (and retries) */
    int64_t attempts = -1;
    pkiws_result_int(res, PKIWS_RESULT_ATTEMPTS, &attempts);
    fprintf(stderr, "fault %-40s retries %d -> %-26s retryable %d attempts %lld: %s\n", fc->fault,
            fc->retries, pkiws_error_name(rc), pkiws_result_retryable(res), (long long)attempts,
            pkiws_result_message(res));
    if (rc != fc->want_code)
        fail_msg("%s: got %s (%s), want %s", fc->fault, pkiws_error_name(rc),
                 pkiws_result_message(res), pkiws_error_name(fc->want_code));
    assert_int_equal(pkiws_result_retryable(res), fc->want_retryable);
    if (attempts != fc->want_attempts)
        fail_msg("%s, retries %d: %lld attempts, want %d", fc->fault, fc->retries,
                 (long long)attempts, fc->want_attempts);
    if (fc->want_pending)
        assert_int_equal(pkiws_result_status(res), PKIWS_STATUS_PENDING);
    else if (rc == PKIWS_OK)
        assert_int_equal(pkiws_result_status(res), PKIWS_STATUS_OK);
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
    pkiws_session_free(ses);
    int issued = sim_stop(&s);
    if (fc->want_issued >= 0 && issued != fc->want_issued)
        fail_msg("%s: the simulator issued %d certificates, want %d", fc->fault, issued,
                 fc->want_issued);
    sim_cleanup(&s);
}

static void test_faults_matrix(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_faults_matrix),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
