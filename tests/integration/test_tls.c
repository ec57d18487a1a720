/* SPDX-License-Identifier: MIT */
/*
 * "Could not create SSL/TLS secure channel", told apart, over the transport chosen by
 * PKIWS_TEST_TRANSPORT: server not trusted, host-name mismatch, client certificate refused by
 * the server; and an RA key that does not belong to the RA certificate. Each ends in its code
 * and its own remedy, and none is retryable.
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

#define PROFILE "2.16.840.1.113733.1.16.1.2.3.1.1.12"

static sim the_sim; /* on 127.0.0.1, reached as localhost (the name its certificate has) */
static sim far_sim; /* on 127.0.0.2: loopback too, but not a name the certificate carries */

static int group_setup(void **state)
{
    (void)state;
    const char *quiet[] = {"-q", NULL};
    sim_start(&the_sim, quiet);
    const char *far[] = {"--listen", "127.0.0.2:0", "-q", NULL};
    sim_start_shared(&far_sim, &the_sim, far);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    sim_cleanup(&far_sim);
    sim_cleanup(&the_sim);
    return 0;
}

static pkiws_session *session_by_ip(const sim *at, const char *ip)
{
    pkiws_session *s = sim_session(at);
    char url[160];
    snprintf(url, sizeof url, "https://%s:%d/pki-ws", ip, at->port);
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_BASE_URL, url), PKIWS_OK);
    return s;
}

static void state_file(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", the_sim.state, name);
}

/* An issue through the session (its first exchange is getPolicies): code, remedy, retryable. */
static void expect_failure(pkiws_session *s, int code, const char *remedy_part, const char *what)
{
    pkiws_profile *p = NULL;
    assert_int_equal(pkiws_profile_new(&p, s, PROFILE), PKIWS_OK);
    pkiws_request *r = NULL;
    assert_int_equal(pkiws_request_new(&r, p), PKIWS_OK);
    pkiws_result *res = NULL;
    int rc = pkiws_issue(r, &res);
    fprintf(stderr, "%-24s -> %s: %s\n   remedy: %s\n", what, pkiws_error_name(rc),
            pkiws_result_message(res), pkiws_result_remedy(res) ? pkiws_result_remedy(res) : "");
    if (rc != code)
        fail_msg("%s: got %s (%s), want %s", what, pkiws_error_name(rc), pkiws_result_message(res),
                 pkiws_error_name(code));
    const char *remedy = pkiws_result_remedy(res);
    if (!remedy || !strstr(remedy, remedy_part))
        fail_msg("%s: remedy '%s' lacks '%s'", what, remedy ? remedy : "(none)", remedy_part);
    assert_int_equal(pkiws_result_retryable(res), 0);
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
}

static void test_tls_server_not_trusted(void **state)
{
    (void)state;
    pkiws_session *s = sim_session(&the_sim); /* by name: only the trust is wrong */
    char path[400];
    state_file(path, sizeof path, "foreign-ra.pem"); /* anchors that did not issue the server */
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_TRUST_FILE, path), PKIWS_OK);
    expect_failure(s, PKIWS_E_TLS, "trust anchor", "server not trusted");
    pkiws_session_free(s);
}

static void test_tls_hostname_mismatch(void **state)
{
    (void)state;
    pkiws_session *s = session_by_ip(&far_sim, "127.0.0.2");
    expect_failure(s, PKIWS_E_TLS, "FQDN", "host-name mismatch");
    pkiws_session_free(s);
}

static void test_tls_client_certificate_refused(void **state)
{
    (void)state;
    pkiws_session *s = sim_session(&the_sim);
    char cert[400], key[400];
    state_file(cert, sizeof cert, "foreign-ra.pem");
    state_file(key, sizeof key, "foreign-ra.key");
    assert_int_equal(pkiws_session_set_ra_pem_files(s, cert, key, NULL), PKIWS_OK);
    expect_failure(s, PKIWS_E_TLS, "RA certificate", "client cert refused");
    pkiws_session_free(s);
}

static void test_tls_ra_key_not_matching(void **state)
{
    (void)state;
    pkiws_session *s = sim_session(&the_sim);
    char cert[400], key[400];
    state_file(cert, sizeof cert, "ra.pem");
    state_file(key, sizeof key, "foreign-ra.key");
    assert_int_equal(pkiws_session_set_ra_pem_files(s, cert, key, NULL), PKIWS_E_RA_CREDENTIAL);
    if (!strstr(pkiws_last_error_message(), "does not belong"))
        fail_msg("message: %s", pkiws_last_error_message());
    if (!strstr(pkiws_last_error_remedy(), "private key"))
        fail_msg("remedy: %s", pkiws_last_error_remedy());
    pkiws_session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls_hostname_mismatch),
        cmocka_unit_test(test_tls_client_certificate_refused),
        cmocka_unit_test(test_tls_ra_key_not_matching),
        cmocka_unit_test(test_tls_server_not_trusted),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
