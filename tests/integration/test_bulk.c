/* SPDX-License-Identifier: MIT */
/*
 * Integration tests of pkiws_revoke_bulk against pkiws-sim (one per transport): 250 serials
 * in 3 chunks, a chunk with unknown serials re-tried id by id (per-id errors, the known ids
 * confirmed), seats with a small chunk size, a connection reset before a chunk and an answer
 * lost after one (both re-tried), argument checks; every request the library sent validated
 * against the vendor's schemas.
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
#define FLEET 250

static sim the_sim;
static pkiws_session *session;
static char *key_pem; /* one RA-style key certified for every seat: no key generation per seat */

static int group_setup(void **state)
{
    char *csr = NULL;
    if (pkiws_ra_csr("CN=fleet", PKIWS_KEY_RSA2048, &key_pem, &csr) != PKIWS_OK)
        return -1;
    pkiws_free(csr);
    return sim_group_setup(state);
}

static int group_teardown(void **state)
{
    int bad = sim_group_teardown(state);
    pkiws_free_secret(key_pem, strlen(key_pem));
    return bad;
}

/* Issue a certificate of profile B.2 for upn on s; its serial into serial. */
static void issue_for(pkiws_session *s, const char *upn, char serial[80])
{
    pkiws_profile *p = NULL;
    assert_int_equal(pkiws_profile_new(&p, s, OID(2)), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, PKIWS_SAN_UPN),
                     PKIWS_OK);
    pkiws_request *r = NULL;
    assert_int_equal(pkiws_request_new(&r, p), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, upn), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_UPN, upn), PKIWS_OK);
    assert_int_equal(pkiws_request_set_key(r, key_pem, strlen(key_pem), NULL), PKIWS_OK);
    pkiws_result *res = NULL;
    int rc = pkiws_issue(r, &res);
    if (rc)
        fail_msg("issue for %s: %s", upn, pkiws_result_message(res));
    snprintf(serial, 80, "%s", pkiws_result_str(res, PKIWS_RESULT_SERIAL));
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
}

static int64_t int_of(const pkiws_result *res, int item)
{
    int64_t v = -1;
    assert_int_equal(pkiws_result_int(res, item, &v), PKIWS_OK);
    return v;
}

/* The status searchCertificate reports for a serial. */
static void expect_status(pkiws_session *s, const char *serial, const char *want)
{
    pkiws_result *res = NULL;
    assert_int_equal(pkiws_search(s, PKIWS_BY_SERIAL, serial, NULL, 0, &res), PKIWS_OK);
    assert_int_equal(pkiws_result_found_count(res), 1);
    const char *status = NULL;
    assert_int_equal(pkiws_result_found(res, 0, NULL, NULL, NULL, &status, NULL), PKIWS_OK);
    assert_string_equal(status, want);
    pkiws_result_free(res);
}

static void test_fleet_in_three_chunks(void **state)
{
    (void)state;
    static char serials[FLEET][80];
    const char *ids[FLEET];
    for (int i = 0; i < FLEET; i++) {
        char upn[64];
        snprintf(upn, sizeof upn, "device-%03d@contoso.com", i);
        issue_for(session, upn, serials[i]);
        ids[i] = serials[i];
    }
    pkiws_result *res = NULL;
    int rc = pkiws_revoke_bulk(session, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, ids, FLEET,
                               PKIWS_REASON_CESSATION_OF_OPERATION, "fleet retired", &res);
    if (rc)
        fail_msg("bulk: %s", pkiws_result_message(res));
    assert_int_equal(pkiws_result_status(res), PKIWS_STATUS_OK);
    assert_int_equal(int_of(res, PKIWS_RESULT_ATTEMPTS), 3); /* 100 + 100 + 50 */
    assert_int_equal(int_of(res, PKIWS_RESULT_REVOCATION_COUNT), FLEET);
    const char *tx = pkiws_result_str(res, PKIWS_RESULT_CLIENT_TXID);
    assert_non_null(tx);
    assert_int_equal(strlen(tx), 40);
    assert_int_equal(strncmp(tx, "pkiws-bulk-", 11), 0);
    assert_int_equal(pkiws_result_item_count(res), FLEET);
    for (size_t i = 0; i < FLEET; i++) {
        const char *id = NULL, *msg = NULL;
        int code = -1;
        assert_int_equal(pkiws_result_item(res, i, &id, &code, &msg), PKIWS_OK);
        assert_string_equal(id, serials[i]);
        assert_int_equal(code, PKIWS_OK);
        assert_non_null(strstr(msg, "Success"));
    }
    assert_int_equal(pkiws_result_item(res, FLEET, NULL, NULL, NULL), PKIWS_E_INVALID_ARG);
    expect_status(session, serials[0], "REVOKED");
    expect_status(session, serials[FLEET - 1], "REVOKED");
    /* the same job again: the same first transaction id; nothing left to change, every id
     * re-tried singly and confirmed by a search */
    pkiws_result *again = NULL;
    assert_int_equal(pkiws_session_set_int(session, PKIWS_SESSION_OPT_BULK_CHUNK, 100), PKIWS_OK);
    assert_int_equal(pkiws_revoke_bulk(session, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, ids, 3,
                                       PKIWS_REASON_CESSATION_OF_OPERATION, "fleet retired",
                                       &again),
                     PKIWS_OK);
    const char *msg = NULL;
    assert_int_equal(pkiws_result_item(again, 2, NULL, NULL, &msg), PKIWS_OK);
    assert_string_equal(msg, "already REVOKED (searchCertificate)");
    assert_int_equal(int_of(again, PKIWS_RESULT_REVOCATION_COUNT), 0);
    pkiws_result_free(again);
    /* the whole profile again: nothing changes, and the search that confirms it pages through
     * all 250 certificates (more than one page) */
    const char *profile_id[] = {OID(2)};
    assert_int_equal(pkiws_revoke_bulk(session, PKIWS_OP_REVOKE, PKIWS_BY_PROFILE, profile_id, 1,
                                       PKIWS_REASON_CESSATION_OF_OPERATION, "fleet retired",
                                       &again),
                     PKIWS_OK);
    assert_int_equal(pkiws_result_item(again, 0, NULL, NULL, &msg), PKIWS_OK);
    assert_string_equal(msg, "already REVOKED (searchCertificate)");
    pkiws_result_free(again);
    pkiws_result_free(res);
}

static void test_unknown_serials_get_their_own_error(void **state)
{
    (void)state;
    char a[80], b[80], c[80];
    issue_for(session, "kim@contoso.com", a);
    issue_for(session, "lee@contoso.com", b);
    issue_for(session, "max@contoso.com", c);
    const char *ids[] = {a, "0BADC0DE", b, "00:0b:ad:f0:0d", c};
    pkiws_result *res = NULL;
    int rc = pkiws_revoke_bulk(session, PKIWS_OP_SUSPEND, PKIWS_BY_SERIAL, ids, 5,
                               PKIWS_REASON_NONE, NULL, &res);
    assert_int_equal(rc, PKIWS_E_REJECTED);
    assert_int_equal(pkiws_result_error(res), PKIWS_E_REJECTED);
    assert_non_null(strstr(pkiws_result_message(res), "2 of 5 ids not confirmed; first: BADC0DE"));
    /* 1 chunk + 5 single updates + 5 searches (the known ones were suspended by the chunk) */
    assert_int_equal(int_of(res, PKIWS_RESULT_REVOCATION_COUNT), 3);
    assert_int_equal(pkiws_result_item_count(res), 5);
    static const int want[] = {PKIWS_OK, PKIWS_E_REJECTED, PKIWS_OK, PKIWS_E_REJECTED, PKIWS_OK};
    static const char *const want_id[] = {NULL, "BADC0DE", NULL, "BADF00D", NULL};
    for (size_t i = 0; i < 5; i++) {
        const char *id = NULL, *msg = NULL;
        int code = 1;
        assert_int_equal(pkiws_result_item(res, i, &id, &code, &msg), PKIWS_OK);
        assert_int_equal(code, want[i]);
        if (want_id[i]) {
            assert_string_equal(id, want_id[i]);
            assert_non_null(strstr(msg, "No certificate found for serial number"));
        } else {
            assert_string_equal(msg, "already SUSPENDED (searchCertificate)");
        }
    }
    expect_status(session, a, "SUSPENDED");
    expect_status(session, c, "SUSPENDED");
    pkiws_result_free(res);
}

static void test_seats_in_small_chunks(void **state)
{
    (void)state;
    char s1[80], s2[80], s3[80];
    issue_for(session, "nia@contoso.com", s1);
    issue_for(session, "nia@contoso.com", s2); /* same seat: same txid, same certificate */
    issue_for(session, "oli@contoso.com", s3);
    assert_string_equal(s1, s2);
    pkiws_session *s = sim_session(&the_sim);
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_BULK_CHUNK, 0),
                     PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_BULK_CHUNK, 101),
                     PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_BULK_CHUNK, 1), PKIWS_OK);
    const char *seats[] = {"nia@contoso.com", "oli@contoso.com"};
    pkiws_result *res = NULL;
    assert_int_equal(pkiws_revoke_bulk(s, PKIWS_OP_SUSPEND, PKIWS_BY_SEAT, seats, 2,
                                       PKIWS_REASON_NONE, NULL, &res),
                     PKIWS_OK);
    assert_int_equal(int_of(res, PKIWS_RESULT_ATTEMPTS), 2); /* two chunks of one */
    pkiws_result_free(res);
    expect_status(s, s1, "SUSPENDED");
    assert_int_equal(pkiws_revoke_bulk(s, PKIWS_OP_RESUME, PKIWS_BY_SEAT, seats, 2,
                                       PKIWS_REASON_NONE, NULL, &res),
                     PKIWS_OK);
    pkiws_result_free(res);
    expect_status(s, s3, "VALID");
    pkiws_session_free(s);
}

static void test_faults_are_retried(void **state)
{
    (void)state;
    /* requests: 1-4 policy and issue (a profile per issue), 5 the first bulk (reset, re-sent
     * as 6), 7 the second bulk (processed, answer dropped; re-sent as 8: nothing left to
     * change, so 9 the single update and 10 the search) */
    static const char *const extra[] = {"--fault", "reset@5", "--fault", "drop-after-issue@7",
                                        NULL};
    sim fs;
    sim_start(&fs, extra);
    pkiws_session *s = sim_session(&fs);
    char a[80], b[80];
    issue_for(s, "pat@contoso.com", a);
    issue_for(s, "quinn@contoso.com", b);
    const char *ids[] = {a};
    pkiws_result *res = NULL;
    int rc = pkiws_revoke_bulk(s, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, ids, 1, PKIWS_REASON_NONE, NULL,
                               &res);
    if (rc)
        fail_msg("after a reset: %s", pkiws_result_message(res));
    assert_int_equal(int_of(res, PKIWS_RESULT_ATTEMPTS), 2);
    pkiws_result_free(res);
    ids[0] = b;
    rc = pkiws_revoke_bulk(s, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, ids, 1, PKIWS_REASON_NONE, NULL,
                           &res);
    if (rc)
        fail_msg("after a lost answer: %s", pkiws_result_message(res));
    const char *msg = NULL;
    assert_int_equal(pkiws_result_item(res, 0, NULL, NULL, &msg), PKIWS_OK);
    assert_string_equal(msg, "already REVOKED (searchCertificate)");
    /* bulk twice, the single update, the search */
    assert_int_equal(int_of(res, PKIWS_RESULT_ATTEMPTS), 4);
    pkiws_result_free(res);
    expect_status(s, a, "REVOKED");
    expect_status(s, b, "REVOKED");
    pkiws_session_free(s);
    assert_int_equal(sim_finish(&fs), 0);
}

static void test_arguments(void **state)
{
    (void)state;
    const char *ids[] = {"01", "zz"};
    pkiws_result *res = NULL;
    assert_int_equal(pkiws_revoke_bulk(session, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, ids, 2,
                                       PKIWS_REASON_NONE, NULL, &res),
                     PKIWS_E_INVALID_ARG);
    assert_null(res);
    assert_int_equal(pkiws_revoke_bulk(session, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, ids, 0,
                                       PKIWS_REASON_NONE, NULL, &res),
                     PKIWS_E_INVALID_ARG);
    assert_int_equal(
        pkiws_revoke_bulk(session, 9, PKIWS_BY_SERIAL, ids, 1, PKIWS_REASON_NONE, NULL, &res),
        PKIWS_E_INVALID_ARG);
    assert_int_equal(
        pkiws_revoke_bulk(session, PKIWS_OP_REVOKE, 7, ids, 1, PKIWS_REASON_NONE, NULL, &res),
        PKIWS_E_INVALID_ARG);
    assert_int_equal(
        pkiws_revoke_bulk(session, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, ids, 1, 77, NULL, &res),
        PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_revoke_bulk(session, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, ids, 1,
                                       PKIWS_REASON_NONE, NULL, NULL),
                     PKIWS_E_INVALID_ARG);
    /* pkiws_revoke does not take a profile OID */
    assert_int_equal(pkiws_revoke(session, PKIWS_OP_REVOKE, PKIWS_BY_PROFILE, OID(2),
                                  PKIWS_REASON_NONE, NULL, &res),
                     PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_result_item_count(NULL), 0);
    assert_int_equal(pkiws_result_item(NULL, 0, NULL, NULL, NULL), PKIWS_E_INVALID_HANDLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fleet_in_three_chunks),
        cmocka_unit_test(test_unknown_serials_get_their_own_error),
        cmocka_unit_test(test_seats_in_small_chunks),
        cmocka_unit_test(test_faults_are_retried),
        cmocka_unit_test(test_arguments),
    };
    sim_group_init(&the_sim, &session, NULL);
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
