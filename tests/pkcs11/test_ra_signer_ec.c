/* SPDX-License-Identifier: MIT */
/*
 * The EC RA signer path end to end (issue 11): pkiws-sim's second RA credential (ra-ec.pem,
 * EC P-256) over the native transport, whose built-in mbedTLS backend signs the TLS 1.2
 * CertificateVerify through its EC signing table (src/tls/tls_mbedtls.c): with the built-in
 * signer (the PEM key stays in it) and with a host callback (the key in OpenSSL), counted and
 * checked to be asked for ECDSA only. The simulator's log names the client key type of every
 * connection: the EC RA key must be the one that authenticated. Refusal: a callback that
 * returns raw r || s instead of the DER ECDSA-Sig-Value.
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

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "issue.h"

#define EC_CLIENT "CN=pkiws-sim RA EC (EC key)"

static sim the_sim;
static char cert_path[400], key_path[400];
static char *ec_cert; /* ra-ec.pem: the EC RA certificate and its chain */
static size_t ec_cert_len;
static EVP_PKEY *ec_key; /* the EC RA key, in OpenSSL */

typedef struct ec_signer {
    atomic_int calls, not_ecdsa;
    int raw; /* answer raw r || s (wrong) instead of DER */
} ec_signer;

static int ec_sign(void *ctx, int alg, const uint8_t *hash, size_t hash_len, uint8_t *sig,
                   size_t cap, size_t *sig_len)
{
    ec_signer *t = ctx;
    atomic_fetch_add(&t->calls, 1);
    if (alg < PKIWS_SIGN_ECDSA_SHA1 || alg > PKIWS_SIGN_ECDSA_SHA512)
        atomic_fetch_add(&t->not_ecdsa, 1);
    unsigned char der[128];
    size_t n = sizeof der;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(ec_key, NULL);
    int ok = c && EVP_PKEY_sign_init(c) > 0 && EVP_PKEY_sign(c, der, &n, hash, hash_len) > 0;
    EVP_PKEY_CTX_free(c);
    if (!ok)
        return PKIWS_E_RA_CREDENTIAL;
    if (t->raw) { /* the r || s a PKCS#11 token gives, which pkiws's signer API does not take */
        const unsigned char *p = der;
        ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)n);
        const BIGNUM *r = NULL, *s = NULL;
        if (!es)
            return PKIWS_E_RA_CREDENTIAL;
        ECDSA_SIG_get0(es, &r, &s);
        ok = cap >= 64 && BN_bn2binpad(r, sig, 32) == 32 && BN_bn2binpad(s, sig + 32, 32) == 32;
        ECDSA_SIG_free(es);
        *sig_len = 64;
        return ok ? PKIWS_OK : PKIWS_E_RA_CREDENTIAL;
    }
    if (n > cap)
        return PKIWS_E_LIMIT;
    memcpy(sig, der, n);
    *sig_len = n;
    return PKIWS_OK;
}

static int group_setup(void **state)
{
    (void)state;
    sim_start(&the_sim, NULL);
    snprintf(cert_path, sizeof cert_path, "%s/ra-ec.pem", the_sim.state);
    snprintf(key_path, sizeof key_path, "%s/ra-ec.key", the_sim.state);
    FILE *f = fopen(key_path, "r");
    ec_key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    f = fopen(cert_path, "rb");
    ec_cert = calloc(1, 65536);
    if (f && ec_cert)
        ec_cert_len = fread(ec_cert, 1, 65535, f);
    if (f)
        fclose(f);
    return ec_key && EVP_PKEY_base_id(ec_key) == EVP_PKEY_EC && ec_cert_len ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    int bad = sim_finish(&the_sim);
    EVP_PKEY_free(ec_key);
    free(ec_cert);
    return bad ? -1 : 0;
}

/* The built-in signer: the PEM key is parsed into the signer, the TLS backend signs through
 * the EC table (no callback to count: the simulator's log proves the EC key authenticated). */
static void test_builtin_signer_ec_native(void **state)
{
    (void)state;
    int before = issue_sim_log_count(&the_sim, EC_CLIENT);
    pkiws_session *s = issue_session(&the_sim, PKIWS_TRANSPORT_NATIVE);
    assert_int_equal(pkiws_session_set_ra_pem_files(s, cert_path, key_path, NULL), PKIWS_OK);
    pkiws_result *res = NULL;
    if (issue_upn(s, "ec-builtin@contoso.com", &res))
        fail_msg("issue: %s", pkiws_last_error_message());
    assert_int_equal(pkiws_result_status(res), PKIWS_STATUS_OK);
    assert_non_null(pkiws_result_str(res, PKIWS_RESULT_SERIAL));
    pkiws_result_free(res);
    pkiws_session_free(s);
    assert_true(issue_sim_log_count(&the_sim, EC_CLIENT) > before);
}

/* A host callback: every signature pkiws asks for is ECDSA, at least the key-match probe and
 * one CertificateVerify. */
static void test_callback_signer_ec_native(void **state)
{
    (void)state;
    int before = issue_sim_log_count(&the_sim, EC_CLIENT);
    ec_signer t = {0, 0, 0};
    pkiws_session *s = issue_session(&the_sim, PKIWS_TRANSPORT_NATIVE);
    assert_int_equal(pkiws_session_set_ra_signer(s, ec_cert, ec_cert_len, ec_sign, &t), PKIWS_OK);
    if (issue_upn(s, "ec-callback@contoso.com", NULL))
        fail_msg("issue: %s", pkiws_last_error_message());
    assert_true(atomic_load(&t.calls) >= 2);
    assert_int_equal(atomic_load(&t.not_ecdsa), 0);
    assert_int_equal(issue_upn(s, "ec-callback2@contoso.com", NULL), PKIWS_OK);
    pkiws_session_free(s);
    assert_true(issue_sim_log_count(&the_sim, EC_CLIENT) > before);
}

/* The signer API takes DER ECDSA-Sig-Value: raw r || s fails the key-match probe. */
static void test_callback_raw_rs_refused(void **state)
{
    (void)state;
    ec_signer t = {0, 0, 1};
    pkiws_session *s = issue_session(&the_sim, PKIWS_TRANSPORT_NATIVE);
    assert_int_equal(pkiws_session_set_ra_signer(s, ec_cert, ec_cert_len, ec_sign, &t), PKIWS_OK);
    assert_int_equal(issue_upn(s, "ec-raw@contoso.com", NULL), PKIWS_E_RA_CREDENTIAL);
    assert_non_null(strstr(pkiws_last_error_message(), "does not match the RA certificate"));
    assert_true(atomic_load(&t.calls) >= 1);
    pkiws_session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_signer_ec_native),
        cmocka_unit_test(test_callback_signer_ec_native),
        cmocka_unit_test(test_callback_raw_rs_refused),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
