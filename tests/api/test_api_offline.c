/* SPDX-License-Identifier: MIT */
/* Black-box tests of the offline API: only <pkiws/pkiws.h> and the shared library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../tmpdir.h"

#include <pkiws/pkiws.h>

#define PROFILE "2.16.840.1.113733.1.16.1.2.3.1.1.47196109"

static char *shared_dir;
static char *data_dir;

static void template_path(char *out, size_t cap)
{
    snprintf(out, cap, "%s/wsdl/examples/policy-getPoliciesResponse.xml", shared_dir);
}

static void expect_last(const char *needle)
{
    if (!strstr(pkiws_last_error_message(), needle))
        fail_msg("last error '%s' lacks '%s'", pkiws_last_error_message(), needle);
}

static void test_api_session_options_validated(void **state)
{
    (void)state;
    pkiws_session *s = NULL;
    assert_int_equal(pkiws_session_new(&s), PKIWS_OK);
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_CA, "pki-ws.symauth.com"),
                     PKIWS_OK);
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_CA, "https://pki-ws.symauth.com/"),
                     PKIWS_E_CONFIG);
    expect_last("scheme");
    assert_true(strlen(pkiws_last_error_remedy()) > 10);
    const char *v = NULL;
    assert_int_equal(pkiws_session_get_str(s, PKIWS_SESSION_OPT_CA, &v), PKIWS_OK);
    assert_string_equal(v, "pki-ws.symauth.com"); /* a refused value changes nothing */
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_CA_NAME, "Symantec"), PKIWS_OK);
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_CA_NAME, "DigiCert"),
                     PKIWS_E_CONFIG);
    expect_last("Symantec");
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_PROXY, "proxy:8080"), PKIWS_OK);
    assert_int_equal(pkiws_session_get_str(s, PKIWS_SESSION_OPT_PROXY, &v), PKIWS_OK);
    assert_string_equal(v, "http://proxy:8080");
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_TIMEOUT_MS, 0),
                     PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_session_set_int(s, 9999, 1), PKIWS_E_UNKNOWN_OPTION);
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_CA, 1), PKIWS_E_OPTION_TYPE);
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_TIMEOUT_MS, "1"),
                     PKIWS_E_OPTION_TYPE);
    int64_t t = 0;
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_CONNECT_TIMEOUT_MS, 1234),
                     PKIWS_OK);
    assert_int_equal(pkiws_session_get_int(s, PKIWS_SESSION_OPT_CONNECT_TIMEOUT_MS, &t), PKIWS_OK);
    assert_int_equal(t, 1234);
    assert_int_equal(pkiws_session_set_blob(s, PKIWS_SESSION_OPT_TRUST_PEM, "nope", 4),
                     PKIWS_E_CONFIG);
    pkiws_session_free(s);
    pkiws_session_free(NULL);
}

static void test_api_handles_are_checked(void **state)
{
    (void)state;
    pkiws_session *s = NULL;
    pkiws_profile *p = NULL;
    assert_int_equal(pkiws_session_new(&s), PKIWS_OK);
    assert_int_equal(pkiws_profile_new(&p, s, "not-an-oid"), PKIWS_E_CONFIG);
    expect_last("not-an-oid");
    assert_null(p);
    assert_int_equal(pkiws_profile_new(&p, (pkiws_session *)"junkjunk", PROFILE),
                     PKIWS_E_INVALID_HANDLE);
    assert_int_equal(pkiws_profile_new(&p, s, PROFILE), PKIWS_OK);
    /* the profile keeps the session alive */
    pkiws_session_free(s);
    pkiws_request *r = NULL;
    assert_int_equal(pkiws_request_new(&r, p), PKIWS_OK);
    pkiws_profile_free(p); /* and the request keeps the profile */
    pkiws_result *res = NULL;
    assert_int_equal(pkiws_preflight(r, &res), PKIWS_E_STATE);
    assert_non_null(res);
    assert_int_equal(pkiws_result_status(res), PKIWS_STATUS_FAILED);
    assert_non_null(strstr(pkiws_result_message(res), "no template"));
    pkiws_result_free(res);
    pkiws_request_free(r);
}

static pkiws_request *make_request(pkiws_session **s, pkiws_profile **p, int fmt, unsigned sans)
{
    char path[1024];
    template_path(path, sizeof path);
    assert_int_equal(pkiws_session_new(s), PKIWS_OK);
    assert_int_equal(pkiws_profile_new(p, *s, PROFILE), PKIWS_OK);
    assert_int_equal(pkiws_profile_load_template_file(*p, path), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(*p, PKIWS_PROFILE_OPT_SUBJECT_FORMAT, fmt), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(*p, PKIWS_PROFILE_OPT_SAN_TYPES, sans), PKIWS_OK);
    pkiws_request *r = NULL;
    assert_int_equal(pkiws_request_new(&r, *p), PKIWS_OK);
    return r;
}

static int find_trace(const pkiws_result *res, int field, const char **value)
{
    for (size_t i = 0; i < pkiws_result_trace_count(res); i++) {
        int f, src;
        const char *v;
        assert_int_equal(pkiws_result_trace(res, i, &f, &v, &src), PKIWS_OK);
        if (f == field) {
            *value = v;
            return src;
        }
    }
    return -1;
}

static void test_api_preflight_san_fallback_upn_to_email(void **state)
{
    (void)state;
    pkiws_session *s;
    pkiws_profile *p;
    pkiws_request *r =
        make_request(&s, &p, PKIWS_SUBJECT_CN_EMAIL, PKIWS_SAN_EMAIL | PKIWS_SAN_UPN);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, "Alice Example"), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_UPN, "alice@contoso.com"),
                     PKIWS_OK);
    pkiws_result *res = NULL;
    int rc = pkiws_preflight(r, &res);
    if (rc)
        fail_msg("preflight: %s", pkiws_result_message(res));
    assert_int_equal(pkiws_result_status(res), PKIWS_STATUS_OK);
    assert_string_equal(pkiws_result_str(res, PKIWS_RESULT_SUBJECT),
                        "CN=Alice Example,E=alice@contoso.com,O=Contoso Ltd");
    const char *v = NULL;
    assert_int_equal(find_trace(res, PKIWS_FIELD_SAN_EMAIL, &v), PKIWS_SOURCE_REQUEST_UPN);
    assert_string_equal(v, "alice@contoso.com");
    assert_int_equal(find_trace(res, PKIWS_FIELD_SAN_UPN, &v), PKIWS_SOURCE_REQUEST_UPN);
    assert_true(pkiws_result_check_count(res) > 0);
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
    pkiws_session_free(s);
}

static void test_api_preflight_unresolved_and_mismatch(void **state)
{
    (void)state;
    pkiws_session *s;
    pkiws_profile *p;
    /* OTHERNAME is not in the example template: a policy mismatch, explained per attribute */
    pkiws_request *r = make_request(&s, &p, PKIWS_SUBJECT_CN, PKIWS_SAN_OTHERNAME);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, "Bob"), PKIWS_OK);
    pkiws_result *res = NULL;
    assert_int_equal(pkiws_preflight(r, &res), PKIWS_E_POLICY_MISMATCH);
    assert_int_equal(pkiws_result_error(res), PKIWS_E_POLICY_MISMATCH);
    assert_non_null(pkiws_result_remedy(res));
    int missing = 0;
    for (size_t i = 0; i < pkiws_result_check_count(res); i++) {
        const char *name, *detail, *remedy;
        int verdict;
        assert_int_equal(pkiws_result_check(res, i, &name, &verdict, &detail, &remedy), PKIWS_OK);
        if (verdict == PKIWS_VERDICT_MISSING_FROM_TEMPLATE) {
            missing++;
            assert_non_null(strstr(name, "OTHERNAME"));
        }
    }
    assert_int_equal(missing, 1);
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
    pkiws_session_free(s);

    /* EMAIL selected, nothing to fill it from */
    r = make_request(&s, &p, PKIWS_SUBJECT_CN, PKIWS_SAN_EMAIL);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, "Bob"), PKIWS_OK);
    assert_int_equal(pkiws_preflight(r, &res), PKIWS_E_SAN_UNRESOLVED);
    assert_non_null(strstr(pkiws_result_message(res), "EMAIL"));
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
    pkiws_session_free(s);
}

/* A request keeps the selections the profile had when it was made. */
static void test_api_request_snapshots_profile(void **state)
{
    (void)state;
    pkiws_session *s;
    pkiws_profile *p;
    pkiws_request *r = make_request(&s, &p, PKIWS_SUBJECT_CN, PKIWS_SAN_EMAIL);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, "Bob"), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_EMAIL, "bob@contoso.com"),
                     PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, PKIWS_SAN_OTHERNAME),
                     PKIWS_OK);
    pkiws_result *res = NULL;
    assert_int_equal(pkiws_preflight(r, &res), PKIWS_OK); /* still EMAIL */
    pkiws_result_free(res);
    pkiws_request *r2 = NULL;
    assert_int_equal(pkiws_request_new(&r2, p), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r2, PKIWS_REQUEST_OPT_CN, "Bob"), PKIWS_OK);
    assert_int_equal(pkiws_preflight(r2, &res), PKIWS_E_POLICY_MISMATCH); /* the new selection */
    pkiws_result_free(res);
    pkiws_request_free(r2);
    pkiws_request_free(r);
    pkiws_profile_free(p);
    pkiws_session_free(s);
}

static void test_api_key_type_against_template(void **state)
{
    (void)state;
    pkiws_session *s;
    pkiws_profile *p;
    pkiws_request *r = make_request(&s, &p, PKIWS_SUBJECT_CN, PKIWS_SAN_EMAIL);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, "Bob"), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_EMAIL, "bob@contoso.com"),
                     PKIWS_OK);
    pkiws_result *ok = NULL;
    assert_int_equal(pkiws_preflight(r, &ok), PKIWS_OK); /* RSA 2048 fits the template */
    pkiws_result_free(ok);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_KEY_TYPE, PKIWS_KEY_EC_P256),
                     PKIWS_OK);
    pkiws_request_free(r); /* requests snapshot the profile: a new one sees the EC key type */
    assert_int_equal(pkiws_request_new(&r, p), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, "Bob"), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_EMAIL, "bob@contoso.com"),
                     PKIWS_OK);
    pkiws_result *res = NULL;
    assert_int_equal(pkiws_preflight(r, &res), PKIWS_E_POLICY_MISMATCH);
    assert_non_null(strstr(pkiws_result_message(res), "EC keys need an EC template"));
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
    pkiws_session_free(s);
}

static void test_api_template_unknown_profile(void **state)
{
    (void)state;
    char path[1024];
    template_path(path, sizeof path);
    pkiws_session *s;
    pkiws_profile *p;
    assert_int_equal(pkiws_session_new(&s), PKIWS_OK);
    assert_int_equal(pkiws_profile_new(&p, s, "2.16.840.1.113733.1.16.1.2.3.1.1.1"), PKIWS_OK);
    assert_int_equal(pkiws_profile_load_template_file(p, path), PKIWS_E_PROFILE_NOT_FOUND);
    expect_last(PROFILE); /* names the OIDs the document does offer */
    assert_true(strlen(pkiws_last_error_remedy()) > 10);
    pkiws_profile_free(p);
    pkiws_session_free(s);
}

static void test_api_thumbprint_normalize(void **state)
{
    (void)state;
    char *tp = NULL;
    assert_int_equal(pkiws_thumbprint_normalize("\xe2\x80\x8e"
                                                "a9 4a 42 6a 55 5d 3c 21 8c 44 3e 45 b4 9b 82 "
                                                "12 44 f7 0b 91",
                                                &tp),
                     PKIWS_OK);
    assert_string_equal(tp, "A94A426A555D3C218C443E45B49B821244F70B91");
    pkiws_free(tp);
    assert_int_equal(pkiws_thumbprint_normalize("xyz", &tp), PKIWS_E_CONFIG);
    assert_null(tp);
    expect_last("'x' at character 1");
}

static void test_api_ra_csr(void **state)
{
    (void)state;
    char *key = NULL, *csr = NULL;
    assert_int_equal(
        pkiws_ra_csr("CN=pkiws test RA,O=Contoso\\, Ltd", PKIWS_KEY_EC_P256, &key, &csr), PKIWS_OK);
    assert_non_null(strstr(key, "-----BEGIN PRIVATE KEY-----"));
    assert_non_null(strstr(csr, "-----BEGIN CERTIFICATE REQUEST-----"));
    pkiws_free_secret(key, 0);
    pkiws_free(csr);
    assert_int_equal(pkiws_ra_csr("CN", PKIWS_KEY_RSA2048, &key, &csr), PKIWS_E_INVALID_ARG);
    assert_null(key);
    assert_null(csr);
    expect_last("CN");
}

static void test_api_template_accessors(void **state)
{
    (void)state;
    pkiws_session *s;
    pkiws_profile *p;
    pkiws_request *r = make_request(&s, &p, PKIWS_SUBJECT_CN_EMAIL, PKIWS_SAN_EMAIL);
    int64_t v = 0;
    assert_int_equal(pkiws_profile_template_int(p, PKIWS_TEMPLATE_KEY_SIZE, &v), PKIWS_OK);
    assert_int_equal(v, 2048);
    assert_int_equal(pkiws_profile_template_int(p, PKIWS_TEMPLATE_VALIDITY_DAYS, &v), PKIWS_OK);
    assert_int_equal(v, 365);
    assert_int_equal(pkiws_profile_template_int(p, PKIWS_TEMPLATE_CA_COUNT, &v), PKIWS_OK);
    assert_int_equal(v, 2);
    assert_int_equal(pkiws_profile_template_int(p, PKIWS_TEMPLATE_ATTRIBUTE_COUNT, &v), PKIWS_OK);
    assert_int_equal(v, 5);
    assert_int_equal(pkiws_profile_template_int(p, 99, &v), PKIWS_E_UNKNOWN_OPTION);
    const char *name, *type, *fixed;
    int mandatory, in_san, field;
    assert_int_equal(
        pkiws_profile_template_attribute(p, 2, &name, &type, &fixed, &mandatory, &in_san, &field),
        PKIWS_OK);
    assert_string_equal(name, "corp_company");
    assert_string_equal(type, "O");
    assert_string_equal(fixed, "Contoso Ltd");
    assert_int_equal(in_san, 0);
    assert_int_equal(field, 0);
    assert_int_equal(
        pkiws_profile_template_attribute(p, 4, &name, &type, &fixed, &mandatory, &in_san, &field),
        PKIWS_OK);
    assert_string_equal(name, "san_upn");
    assert_int_equal(in_san, 1);
    assert_int_equal(field, PKIWS_FIELD_SAN_UPN);
    /* a mapping moves a field to another attribute */
    assert_int_equal(pkiws_profile_set_mapping(p, PKIWS_FIELD_SAN_UPN, "san_email"), PKIWS_OK);
    assert_int_equal(pkiws_profile_template_attribute(p, 3, &name, NULL, NULL, NULL, NULL, &field),
                     PKIWS_OK);
    assert_string_equal(name, "san_email");
    assert_int_equal(field, PKIWS_FIELD_SAN_UPN);
    assert_int_equal(pkiws_profile_template_attribute(p, 5, &name, NULL, NULL, NULL, NULL, NULL),
                     PKIWS_E_INVALID_ARG);
    pkiws_request_free(r);
    pkiws_profile_free(p);
    pkiws_session_free(s);
}

static void test_api_key_encrypt(void **state)
{
    (void)state;
    char *key = NULL, *csr = NULL, *enc = NULL;
    assert_int_equal(pkiws_ra_csr("CN=k", PKIWS_KEY_EC_P256, &key, &csr), PKIWS_OK);
    assert_int_equal(pkiws_key_encrypt(key, strlen(key), NULL, "", &enc), PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_key_encrypt(key, strlen(key), NULL, "p\xc3\xa4ss w\xc3\xb6rd", &enc),
                     PKIWS_OK);
    assert_non_null(strstr(enc, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    assert_null(strstr(enc, "-----BEGIN PRIVATE KEY-----"));
    char path[256];
    snprintf(path, sizeof path, "%s/pkiws-enc-XXXXXX", test_tmp_root());
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(enc, f);
    fclose(f);
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "openssl pkey -in '%s' -passin 'pass:p\xc3\xa4ss w\xc3\xb6rd' -noout 2>/dev/null",
             path);
    int ok = system(cmd);
    snprintf(cmd, sizeof cmd, "openssl pkey -in '%s' -passin pass:wrong -noout 2>/dev/null", path);
    int bad = system(cmd);
    unlink(path);
    assert_int_equal(ok, 0); /* OpenSSL opens it with the password */
    assert_int_not_equal(bad, 0);
    pkiws_free_secret(enc, 0);
    pkiws_free_secret(key, 0);
    pkiws_free(csr);
}

static void test_api_connector_config_import(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/NDESConnector.exe.config", data_dir);
    pkiws_session *s;
    assert_int_equal(pkiws_session_new(&s), PKIWS_OK);
    assert_int_equal(pkiws_session_load_connector_config(s, path), PKIWS_OK);
    assert_string_equal(pkiws_session_config_value(s, "racertthumbprint"),
                        "A94A426A555D3C218C443E45B49B821244F70B91");
    assert_string_equal(pkiws_session_config_value(s, "ProxyPassword"), "***");
    assert_int_equal(pkiws_session_config_count(s), 6);
    int64_t t;
    assert_int_equal(pkiws_session_get_int(s, PKIWS_SESSION_OPT_CONNECT_TIMEOUT_MS, &t), PKIWS_OK);
    assert_int_equal(t, 30000);
    const char *proxy;
    assert_int_equal(pkiws_session_get_str(s, PKIWS_SESSION_OPT_PROXY, &proxy), PKIWS_OK);
    assert_string_equal(proxy, "http://proxy.contoso.com:3128");
    /* the store lookup uses the imported thumbprint when none is given */
    assert_int_equal(pkiws_session_set_ra_store(s, data_dir, NULL, NULL), PKIWS_E_RA_CREDENTIAL);
    expect_last("A94A426A555D3C218C443E45B49B821244F70B91");
    assert_int_equal(pkiws_session_load_connector_config(s, "/nonexistent.config"), PKIWS_E_IO);
    pkiws_session_free(s);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s SHARED_DIR DATA_DIR\n", argv[0]);
        return 2;
    }
    shared_dir = argv[1];
    data_dir = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_session_options_validated),
        cmocka_unit_test(test_api_handles_are_checked),
        cmocka_unit_test(test_api_preflight_san_fallback_upn_to_email),
        cmocka_unit_test(test_api_preflight_unresolved_and_mismatch),
        cmocka_unit_test(test_api_request_snapshots_profile),
        cmocka_unit_test(test_api_key_type_against_template),
        cmocka_unit_test(test_api_template_unknown_profile),
        cmocka_unit_test(test_api_thumbprint_normalize),
        cmocka_unit_test(test_api_ra_csr),
        cmocka_unit_test(test_api_template_accessors),
        cmocka_unit_test(test_api_key_encrypt),
        cmocka_unit_test(test_api_connector_config_import),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
