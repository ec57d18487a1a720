/* SPDX-License-Identifier: MIT */
/*
 * pkiws_session_set_ra_signer (issue 11): the RA key stays with the host (here in OpenSSL, in
 * the test HSM plug-in's key object) and every TLS signature goes through the host's
 * callback, counted: over the native transport's built-in mbedTLS backend, over a host TLS
 * backend (the plug-in layer: PKIWS_TLS_KEY_EXTERNAL and pkiws_tls_params_sign), and with
 * no callback through the TLS backend's own sign hook. Refusals: the libcurl transport (with
 * the remedy), a signer whose key is not the certificate's, a failing signer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pkiws/backend.h>

#include "issue.h"
#include "plugins.h"

static sim the_sim;
static char *ra_cert; /* ra.pem: the RA certificate and its chain */
static size_t ra_cert_len;
static hsm_plugin *ra_key, *foreign_key; /* the keys, in OpenSSL */

typedef struct test_signer {
    hsm_plugin *key;
    atomic_int calls;
    int fail;
} test_signer;

static int test_sign(void *ctx, int alg, const uint8_t *hash, size_t hash_len, uint8_t *sig,
                     size_t cap, size_t *sig_len)
{
    test_signer *t = ctx;
    atomic_fetch_add(&t->calls, 1);
    if (t->fail)
        return pkiws_backend_fail(PKIWS_E_RA_CREDENTIAL, PKIWS_CAUSE_RA_KEY, "test", 7,
                                  "test signer: the key service is down");
    pkiws_tls_methods m;
    hsm_plugin_methods(&m); /* its sign hook signs with the OpenSSL key */
    return m.sign(t->key, alg, hash, hash_len, sig, cap, sig_len);
}

static char *slurp(const char *name, size_t *len)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", the_sim.state, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 65536);
    *len = fread(buf, 1, 65535, f);
    fclose(f);
    return buf;
}

static int group_setup(void **state)
{
    (void)state;
    sim_start(&the_sim, NULL);
    size_t n;
    char *k = slurp("ra.key", &n);
    ra_key = hsm_plugin_new(k, n);
    free(k);
    k = slurp("foreign-ra.key", &n);
    foreign_key = hsm_plugin_new(k, n);
    free(k);
    ra_cert = slurp("ra.pem", &ra_cert_len);
    return ra_key && foreign_key ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    int bad = sim_finish(&the_sim);
    hsm_plugin_free(ra_key);
    hsm_plugin_free(foreign_key);
    free(ra_cert);
    return bad ? -1 : 0;
}

static pkiws_session *signer_session(int transport, pkiws_sign_cb cb, void *ctx)
{
    pkiws_session *s = issue_session(&the_sim, transport);
    assert_int_equal(pkiws_session_set_ra_signer(s, ra_cert, ra_cert_len, cb, ctx), PKIWS_OK);
    return s;
}

static int issue(pkiws_session *s, const char *upn)
{
    return issue_upn(s, upn, NULL);
}

/* The built-in mbedTLS backend: the key-match probe, then one handshake per connection. */
static void test_native_signs_through_the_callback(void **state)
{
    (void)state;
    test_signer t = {ra_key, 0, 0};
    pkiws_session *s = signer_session(PKIWS_TRANSPORT_NATIVE, test_sign, &t);
    assert_int_equal(atomic_load(&t.calls), 0); /* nothing signs before the first operation */
    if (issue(s, "signer-native@contoso.com"))
        fail_msg("issue: %s", pkiws_last_error_message());
    int after_first = atomic_load(&t.calls);
    assert_true(after_first >= 2); /* the probe and the handshake's CertificateVerify */
    assert_int_equal(issue(s, "signer-native2@contoso.com"), PKIWS_OK);
    assert_true(atomic_load(&t.calls) >= after_first); /* a kept-alive connection may not sign */
    pkiws_session_free(s);
}

/* A host TLS backend (the plug-in layer) sees KEY_EXTERNAL and signs through
 * pkiws_tls_params_sign(), which lands in the session's signer. */
static void test_plugin_layer_signs_through_the_callback(void **state)
{
    (void)state;
    test_signer t = {ra_key, 0, 0};
    pkiws_session *s = signer_session(PKIWS_TRANSPORT_NATIVE, test_sign, &t);
    pkiws_tls_methods m = *pkiws_tls_builtin_methods();
    m.name = "test-external"; /* a host table: no sign hook of its own */
    assert_int_equal(pkiws_session_set_tls_backend(s, &m, NULL, NULL), PKIWS_OK);
    if (issue(s, "signer-plugin@contoso.com"))
        fail_msg("issue: %s", pkiws_last_error_message());
    assert_true(atomic_load(&t.calls) >= 2);
    pkiws_session_free(s);
}

/* No callback: the TLS backend's own sign hook (backend.h) signs, reachable at last. */
static void test_certificate_only_uses_the_backend_hook(void **state)
{
    (void)state;
    pkiws_session *s = signer_session(PKIWS_TRANSPORT_NATIVE, NULL, NULL);
    int before = hsm_plugin_signs(ra_key);
    pkiws_tls_methods m;
    hsm_plugin_methods(&m);
    assert_int_equal(pkiws_session_set_tls_backend(s, &m, ra_key, NULL), PKIWS_OK);
    if (issue(s, "signer-hook@contoso.com"))
        fail_msg("issue: %s", pkiws_last_error_message());
    assert_true(hsm_plugin_signs(ra_key) >= before + 2);
    pkiws_session_free(s);
    /* without a hook, a certificate-only session cannot sign */
    s = signer_session(PKIWS_TRANSPORT_NATIVE, NULL, NULL);
    assert_int_equal(issue(s, "signer-nohook@contoso.com"), PKIWS_E_RA_CREDENTIAL);
    assert_non_null(strstr(pkiws_last_error_message(), "sign hook"));
    pkiws_session_free(s);
}

static void test_curl_refuses_a_signer(void **state)
{
    (void)state;
    if (!(pkiws_features() & PKIWS_FEATURE_CURL))
        skip();
    test_signer t = {ra_key, 0, 0};
    pkiws_session *s = signer_session(PKIWS_TRANSPORT_CURL, test_sign, &t);
    assert_int_equal(issue(s, "signer-curl@contoso.com"), PKIWS_E_UNSUPPORTED);
    assert_non_null(strstr(pkiws_last_error_message(), "libcurl"));
    assert_non_null(strstr(pkiws_last_error_remedy(), "use the native transport"));
    assert_int_equal(atomic_load(&t.calls), 0);
    pkiws_session_free(s);
}

static void test_wrong_or_failing_signer(void **state)
{
    (void)state;
    test_signer t = {foreign_key, 0, 0};
    pkiws_session *s = signer_session(PKIWS_TRANSPORT_NATIVE, test_sign, &t);
    assert_int_equal(issue(s, "signer-foreign@contoso.com"), PKIWS_E_RA_CREDENTIAL);
    assert_non_null(strstr(pkiws_last_error_message(), "does not match the RA certificate"));
    pkiws_session_free(s);
    test_signer down = {ra_key, 0, 1};
    s = signer_session(PKIWS_TRANSPORT_NATIVE, test_sign, &down);
    assert_int_equal(issue(s, "signer-down@contoso.com"), PKIWS_E_RA_CREDENTIAL);
    assert_non_null(strstr(pkiws_last_error_message(), "the key service is down"));
    assert_true(atomic_load(&down.calls) >= 1);
    pkiws_session_free(s);
}

static void test_signer_arguments(void **state)
{
    (void)state;
    pkiws_session *s = NULL;
    assert_int_equal(pkiws_session_new(&s), PKIWS_OK);
    assert_int_equal(pkiws_session_set_ra_signer(s, NULL, 0, test_sign, NULL), PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_session_set_ra_signer(s, "garbage", 7, test_sign, NULL),
                     PKIWS_E_RA_CREDENTIAL);
    assert_int_equal(pkiws_session_set_ra_signer(NULL, ra_cert, ra_cert_len, test_sign, NULL),
                     PKIWS_E_INVALID_HANDLE);
    pkiws_session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_native_signs_through_the_callback),
        cmocka_unit_test(test_plugin_layer_signs_through_the_callback),
        cmocka_unit_test(test_certificate_only_uses_the_backend_hook),
        cmocka_unit_test(test_curl_refuses_a_signer),
        cmocka_unit_test(test_wrong_or_failing_signer),
        cmocka_unit_test(test_signer_arguments),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
