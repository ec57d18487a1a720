/* SPDX-License-Identifier: MIT */
/* Error codes, option ids and enum values are ABI: pinned here so that a renumbering fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <pkiws/pkiws.h>

struct pin {
    const char *name;
    long long value;
    long long expected;
};
#define PIN(n, v)                                                                                  \
    {                                                                                              \
#n, (long long)(n), v                                                                      \
    }

static const struct pin pins[] = {
    PIN(PKIWS_OK, 0),
    PIN(PKIWS_E_INVALID_ARG, -1),
    PIN(PKIWS_E_NOMEM, -2),
    PIN(PKIWS_E_INVALID_HANDLE, -3),
    PIN(PKIWS_E_STATE, -4),
    PIN(PKIWS_E_UNSUPPORTED, -5),
    PIN(PKIWS_E_UNKNOWN_OPTION, -6),
    PIN(PKIWS_E_OPTION_TYPE, -7),
    PIN(PKIWS_E_LIMIT, -8),
    PIN(PKIWS_E_INTERNAL, -9),
    PIN(PKIWS_E_IO, -10),
    PIN(PKIWS_E_RECURSIVE_API_CALL, -11),
    PIN(PKIWS_E_CANCELLED, -12),
    PIN(PKIWS_E_CONFIG, -100),
    PIN(PKIWS_E_RA_CREDENTIAL, -101),
    PIN(PKIWS_E_CRYPTO, -102),
    PIN(PKIWS_E_CONNECT, -200),
    PIN(PKIWS_E_TIMEOUT, -201),
    PIN(PKIWS_E_TLS, -202),
    PIN(PKIWS_E_HTTP, -203),
    PIN(PKIWS_E_BACKEND, -204),
    PIN(PKIWS_E_PROTOCOL, -300),
    PIN(PKIWS_E_SOAP_FAULT, -301),
    PIN(PKIWS_E_PROFILE_NOT_FOUND, -400),
    PIN(PKIWS_E_POLICY_MISMATCH, -401),
    PIN(PKIWS_E_REJECTED, -402),
    PIN(PKIWS_E_DUPLICATE, -403),
    PIN(PKIWS_E_SAN_UNRESOLVED, -500),
    PIN(PKIWS_E_UNSUPPORTED_CHARS, -501),
    PIN(PKIWS_E_OTHERNAME_ENCODING, -502),
    PIN(PKIWS_SESSION_OPT_CONNECT_TIMEOUT_MS, 1),
    PIN(PKIWS_SESSION_OPT_TIMEOUT_MS, 2),
    PIN(PKIWS_SESSION_OPT_LOG_LEVEL, 3),
    PIN(PKIWS_SESSION_OPT_LOG_SENSITIVE, 4),
    PIN(PKIWS_SESSION_OPT_MAX_RESPONSE_BYTES, 5),
    PIN(PKIWS_SESSION_OPT_MAX_XML_DEPTH, 6),
    PIN(PKIWS_SESSION_OPT_RETRIES, 7),
    PIN(PKIWS_SESSION_OPT_POLICY_CACHE_HOURS, 8),
    PIN(PKIWS_SESSION_OPT_TRANSPORT, 9),
    PIN(PKIWS_SESSION_OPT_RETRY_BACKOFF_MS, 10),
    PIN(PKIWS_SESSION_OPT_KEY_POOL_SIZE, 11),
    PIN(PKIWS_SESSION_OPT_KEY_POOL_PREFILL, 12),
    PIN(PKIWS_SESSION_OPT_BULK_CHUNK, 13),
    PIN(PKIWS_SIGN_RSA_PKCS1_SHA1, 1),
    PIN(PKIWS_SIGN_RSA_PKCS1_SHA224, 2),
    PIN(PKIWS_SIGN_RSA_PKCS1_SHA256, 3),
    PIN(PKIWS_SIGN_RSA_PKCS1_SHA384, 4),
    PIN(PKIWS_SIGN_RSA_PKCS1_SHA512, 5),
    PIN(PKIWS_SIGN_ECDSA_SHA1, 6),
    PIN(PKIWS_SIGN_ECDSA_SHA224, 7),
    PIN(PKIWS_SIGN_ECDSA_SHA256, 8),
    PIN(PKIWS_SIGN_ECDSA_SHA384, 9),
    PIN(PKIWS_SIGN_ECDSA_SHA512, 10),
    PIN(PKIWS_TRANSPORT_CURL, 1),
    PIN(PKIWS_OP_REVOKE, 1),
    PIN(PKIWS_OP_RESUME, 3),
    PIN(PKIWS_OP_WANT_HTTP, 1),
    PIN(PKIWS_OP_WANT_WAIT, 2),
    PIN(PKIWS_OP_DONE, 3),
    PIN(PKIWS_POLL_IN, 1),
    PIN(PKIWS_POLL_OUT, 2),
    PIN(PKIWS_PROGRESS_SEND, 1),
    PIN(PKIWS_PROGRESS_WAITING, 2),
    PIN(PKIWS_PROGRESS_BACKOFF, 3),
    PIN(PKIWS_PROGRESS_TICK_MS, 100),
    PIN(PKIWS_BY_SERIAL, 1),
    PIN(PKIWS_BY_SEAT, 2),
    PIN(PKIWS_FEATURE_OUTBOX, 8),
    PIN(PKIWS_OUTBOX_QUEUED, 1),
    PIN(PKIWS_OUTBOX_SENT, 2),
    PIN(PKIWS_OUTBOX_ACCEPTED, 3),
    PIN(PKIWS_OUTBOX_DONE, 4),
    PIN(PKIWS_OUTBOX_FAILED, 5),
    PIN(PKIWS_OUTBOX_STEP_SEND, 1),
    PIN(PKIWS_OUTBOX_STEP_SENT, 2),
    PIN(PKIWS_OUTBOX_STEP_ACCEPTED, 3),
    PIN(PKIWS_OUTBOX_STEP_SEARCHED, 4),
    PIN(PKIWS_OUTBOX_STEP_DONE, 5),
    PIN(PKIWS_OUTBOX_ITEM_ID, 1),
    PIN(PKIWS_OUTBOX_ITEM_OPERATION, 2),
    PIN(PKIWS_OUTBOX_ITEM_SELECTOR, 3),
    PIN(PKIWS_OUTBOX_ITEM_REASON, 4),
    PIN(PKIWS_OUTBOX_ITEM_STATE, 5),
    PIN(PKIWS_OUTBOX_ITEM_ATTEMPTS, 6),
    PIN(PKIWS_OUTBOX_ITEM_SUCCESS_CODE, 7),
    PIN(PKIWS_OUTBOX_ITEM_LAST_CODE, 8),
    PIN(PKIWS_OUTBOX_ITEM_NEXT_ATTEMPT, 9),
    PIN(PKIWS_OUTBOX_ITEM_CREATED, 10),
    PIN(PKIWS_OUTBOX_ITEM_TARGET, 101),
    PIN(PKIWS_OUTBOX_ITEM_TXID, 102),
    PIN(PKIWS_OUTBOX_ITEM_LAST_ERROR, 103),
    PIN(PKIWS_BY_PROFILE, 3),
    PIN(PKIWS_REASON_NONE, -1),
    PIN(PKIWS_REASON_KEY_COMPROMISE, 1),
    PIN(PKIWS_REASON_REMOVE_FROM_CRL, 8),
    PIN(PKIWS_REASON_AA_COMPROMISE, 10),
    PIN(PKIWS_REQUEST_OPT_RETURN_KEY, 2),
    PIN(PKIWS_REQUEST_OPT_PENDING_REF, 10008),
    PIN(PKIWS_RESULT_DISPOSITION, 14),
    PIN(PKIWS_RESULT_STATUS_MESSAGE, 15),
    PIN(PKIWS_RESULT_REVOCATION_COUNT, 6),
    PIN(PKIWS_RESULT_SUCCESS_CODE, 7),
    PIN(PKIWS_RESULT_APPROVALS_PENDING, 10),
    PIN(PKIWS_TEMPLATE_KEY_SIZE, 1),
    PIN(PKIWS_TEMPLATE_ATTRIBUTE_COUNT, 6),
    PIN(PKIWS_SESSION_OPT_CA, 10000),
    PIN(PKIWS_SESSION_OPT_BASE_URL, 10001),
    PIN(PKIWS_SESSION_OPT_CA_NAME, 10002),
    PIN(PKIWS_SESSION_OPT_PROXY, 10003),
    PIN(PKIWS_SESSION_OPT_TRUST_FILE, 10004),
    PIN(PKIWS_SESSION_OPT_TRUST_PEM, 20000),
    PIN(PKIWS_SUBJECT_CN, 1),
    PIN(PKIWS_SUBJECT_CN_EMAIL, 2),
    PIN(PKIWS_SUBJECT_CN_AS_EMAIL, 3),
    PIN(PKIWS_SAN_EMAIL, 1),
    PIN(PKIWS_SAN_UPN, 2),
    PIN(PKIWS_SAN_OTHERNAME, 4),
    PIN(PKIWS_KEY_RSA2048, 1),
    PIN(PKIWS_KEY_RSA3072, 2),
    PIN(PKIWS_KEY_RSA4096, 3),
    PIN(PKIWS_KEY_EC_P256, 4),
    PIN(PKIWS_KEY_EC_P384, 5),
    PIN(PKIWS_PFX_LEGACY, 1),
    PIN(PKIWS_PFX_MODERN, 2),
    PIN(PKIWS_FIELD_CN, 1),
    PIN(PKIWS_FIELD_SEAT_ID, 8),
    PIN(PKIWS_PROFILE_OPT_SUBJECT_FORMAT, 1),
    PIN(PKIWS_PROFILE_OPT_OTHERNAME_COMPAT, 5),
    PIN(PKIWS_PROFILE_OPT_DUPLICATES, 6),
    PIN(PKIWS_DUPLICATES_ALLOW, 0),
    PIN(PKIWS_DUPLICATES_REPORT, 1),
    PIN(PKIWS_DUPLICATES_REFUSE, 2),
    PIN(PKIWS_REQUEST_OPT_PFX_PRESET, 1),
    PIN(PKIWS_REQUEST_OPT_CN, 10000),
    PIN(PKIWS_REQUEST_OPT_FRIENDLY_NAME, 10007),
    PIN(PKIWS_STATUS_OK, 0),
    PIN(PKIWS_STATUS_PENDING, 1),
    PIN(PKIWS_STATUS_FAILED, 2),
    PIN(PKIWS_RESULT_SUBJECT, 1),
    PIN(PKIWS_RESULT_FRIENDLY_NAME, 13),
    PIN(PKIWS_RESULT_NOT_BEFORE, 1),
    PIN(PKIWS_RESULT_MAC_ITERATIONS, 5),
    PIN(PKIWS_RESULT_CERT_DER, 1),
    PIN(PKIWS_RESULT_KEY_PKCS8, 3),
    PIN(PKIWS_SOURCE_REQUEST_EMAIL, 2),
    PIN(PKIWS_SOURCE_DERIVED_FROM_UPN, 7),
    PIN(PKIWS_SOURCE_REQUEST_SEAT, 10),
    PIN(PKIWS_VERDICT_MISSING_FROM_TEMPLATE, 2),
    PIN(PKIWS_VERDICT_FAIL, 4),
    PIN(PKIWS_LOG_TRACE, 5),
};

static void test_abi_values_are_pinned(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof pins / sizeof pins[0]; i++) {
        if (pins[i].value != pins[i].expected)
            fail_msg("%s is %lld, pinned at %lld", pins[i].name, pins[i].value, pins[i].expected);
    }
}

static void test_abi_every_error_has_name_and_text(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof pins / sizeof pins[0]; i++) {
        if (strncmp(pins[i].name, "PKIWS_E_", 8) != 0)
            continue;
        int code = (int)pins[i].value;
        assert_string_equal(pkiws_error_name(code), pins[i].name);
        assert_non_null(pkiws_strerror(code));
        assert_string_not_equal(pkiws_strerror(code), "unknown error code");
    }
    assert_string_equal(pkiws_error_name(-77777), "PKIWS_E_UNKNOWN");
    assert_string_equal(pkiws_strerror(-77777), "unknown error code");
}

static void test_abi_runtime_version_matches_headers(void **state)
{
    (void)state;
    assert_int_equal(pkiws_version(), PKIWS_VERSION_NUM);
    assert_string_equal(pkiws_version_string(), PKIWS_VERSION_STRING);
    assert_true(pkiws_features() & PKIWS_FEATURE_THREADSAFE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abi_values_are_pinned),
        cmocka_unit_test(test_abi_every_error_has_name_and_text),
        cmocka_unit_test(test_abi_runtime_version_matches_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
