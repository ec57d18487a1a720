/* SPDX-License-Identifier: MIT */
/*
 * Integration tests of the durable outbox against pkiws-sim (one per transport): revoke,
 * suspend and resume by serial and by seat until a search confirms them; an unknown serial
 * ends FAILED; an answer lost after the CA processed it (drop-after-issue) is re-sent with the
 * same clientTransactionID and confirmed by search; the step callback sees every step and may
 * not call back in; handle and argument checks. Every request validates against the schemas.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim_harness.h"

#define OID(n) "2.16.840.1.113733.1.16.1.2.3.1.1." #n

static sim the_sim;
static pkiws_session *session;
static char dbdir[256];
static int db_count;

/* The 7th request is the first update of test_lost_answer_is_resent_with_the_same_txid (it
 * runs first: 3 issues of 2 requests each come before it). */
static const char *const faults[] = {"--fault", "drop-after-issue@7", NULL};

static int group_setup(void **state)
{
    if (!(pkiws_features() & PKIWS_FEATURE_OUTBOX))
        return 0;
    if (test_mkdtemp(dbdir, sizeof dbdir, "pkiws-outbox-it") != 0)
        return -1;
    return sim_group_setup(state);
}

static int group_teardown(void **state)
{
    if (!session)
        return 0;
    int bad = sim_group_teardown(state);
    return test_rmtree(dbdir, "pkiws-outbox-it") ? -1 : bad;
}

static pkiws_outbox *open_new(void)
{
    char path[300];
    snprintf(path, sizeof path, "%s/outbox%d.db", dbdir, ++db_count);
    pkiws_outbox *ob = NULL;
    int rc = pkiws_outbox_open(session, path, &ob);
    if (rc)
        fail_msg("pkiws_outbox_open: %s", pkiws_last_error_message());
    return ob;
}

/* Issue a certificate of B.2 for upn on seat; its serial into serial. */
static void issue(const char *upn, const char *seat, char *serial, size_t cap)
{
    pkiws_profile *p = NULL;
    assert_int_equal(pkiws_profile_new(&p, session, OID(2)), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, PKIWS_SAN_UPN),
                     PKIWS_OK);
    pkiws_request *r = NULL;
    assert_int_equal(pkiws_request_new(&r, p), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, upn), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_UPN, upn), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_SEAT_ID, seat), PKIWS_OK);
    pkiws_result *res = NULL;
    int rc = pkiws_issue(r, &res);
    if (rc)
        fail_msg("issue for %s: %s", upn, pkiws_result_message(res));
    snprintf(serial, cap, "%s", pkiws_result_str(res, PKIWS_RESULT_SERIAL));
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
}

/* The CA's status of a serial (search by serial). */
static void expect_status(const char *serial, const char *want)
{
    pkiws_result *res = NULL;
    assert_int_equal(pkiws_search(session, PKIWS_BY_SERIAL, serial, NULL, 0, &res), PKIWS_OK);
    assert_int_equal(pkiws_result_found_count(res), 1);
    const char *status = NULL;
    assert_int_equal(pkiws_result_found(res, 0, NULL, NULL, NULL, &status, NULL), PKIWS_OK);
    assert_string_equal(status, want);
    pkiws_result_free(res);
}

static int64_t item(pkiws_outbox *ob, size_t i, int it)
{
    int64_t v = -99;
    assert_int_equal(pkiws_outbox_entry_int(ob, i, it, &v), PKIWS_OK);
    return v;
}

typedef struct steps {
    int seen[6];
    int recursive_rc;
    pkiws_outbox *ob;
} steps;

static void on_step(int64_t id, int step, void *user_data)
{
    steps *s = user_data;
    assert_true(id > 0);
    assert_true(step >= PKIWS_OUTBOX_STEP_SEND && step <= PKIWS_OUTBOX_STEP_DONE);
    s->seen[step]++;
    int n;
    s->recursive_rc = pkiws_outbox_pending_count(s->ob, &n);
}

#define SKIP_WITHOUT_OUTBOX()                                                                      \
    do {                                                                                           \
        if (!session)                                                                              \
            skip();                                                                                \
    } while (0)

static void test_lost_answer_is_resent_with_the_same_txid(void **state)
{
    (void)state;
    SKIP_WITHOUT_OUTBOX();
    char s1[80], s2[80], s3[80];
    issue("gina@contoso.com", "gina-seat", s1, sizeof s1);
    issue("hal@contoso.com", "hal-seat", s2, sizeof s2);
    issue("ivy@contoso.com", "ivy-seat", s3, sizeof s3);
    pkiws_outbox *ob = open_new();
    int64_t id = 0;
    assert_int_equal(pkiws_outbox_add(ob, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, s1,
                                      PKIWS_REASON_KEY_COMPROMISE, &id),
                     PKIWS_OK);
    size_t n = 0;
    assert_int_equal(pkiws_outbox_list(ob, 0, &n), PKIWS_OK);
    char txid[64];
    snprintf(txid, sizeof txid, "%s", pkiws_outbox_entry_str(ob, 0, PKIWS_OUTBOX_ITEM_TXID));
    int pending = -1;
    /* request 7 is processed by the CA, its answer dropped; the transport's retry (same txid)
     * gets successCode -2, and the search shows REVOKED */
    assert_int_equal(pkiws_outbox_run(ob, 60, &pending), PKIWS_OK);
    assert_int_equal(pending, 0);
    assert_int_equal(pkiws_outbox_list(ob, 1, &n), PKIWS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(item(ob, 0, PKIWS_OUTBOX_ITEM_STATE), PKIWS_OUTBOX_DONE);
    assert_int_equal(item(ob, 0, PKIWS_OUTBOX_ITEM_SUCCESS_CODE), -2);
    assert_string_equal(pkiws_outbox_entry_str(ob, 0, PKIWS_OUTBOX_ITEM_TXID), txid);
    expect_status(s1, "REVOKED");
    /* both sends carried txid: the log has two updates for s1, both with it */
    char cmd[700];
    snprintf(cmd, sizeof cmd,
             "n=0; t=0; for f in '%s'/*-updateCertificateStatus.xml; do "
             "grep -q '%s' \"$f\" || continue; n=$((n + 1)); "
             "grep -q 'clientTransactionID>%s<' \"$f\" && t=$((t + 1)); done; "
             "test $n = 2 && test $t = 2",
             the_sim.reqdir, s1, txid);
    assert_int_equal(system(cmd), 0);
    pkiws_outbox_free(ob);

    /* suspend s2 and revoke ivy's seat; an unknown serial fails for good */
    ob = open_new();
    steps st;
    memset(&st, 0, sizeof st);
    st.ob = ob;
    assert_int_equal(pkiws_outbox_set_step_callback(ob, on_step, &st), PKIWS_OK);
    int64_t a = 0, b = 0, c = 0;
    assert_int_equal(
        pkiws_outbox_add(ob, PKIWS_OP_SUSPEND, PKIWS_BY_SERIAL, s2, PKIWS_REASON_NONE, &a),
        PKIWS_OK);
    assert_int_equal(pkiws_outbox_add(ob, PKIWS_OP_REVOKE, PKIWS_BY_SEAT, "ivy-seat",
                                      PKIWS_REASON_SUPERSEDED, &b),
                     PKIWS_OK);
    assert_int_equal(
        pkiws_outbox_add(ob, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, "0BADC0FFEE", PKIWS_REASON_NONE, &c),
        PKIWS_OK);
    assert_int_equal(pkiws_outbox_pending_count(ob, &pending), PKIWS_OK);
    assert_int_equal(pending, 3);
    assert_int_equal(pkiws_outbox_run(ob, 60, &pending), PKIWS_OK);
    assert_int_equal(pending, 0);
    assert_int_equal(st.seen[PKIWS_OUTBOX_STEP_SEND], 3);
    assert_int_equal(st.seen[PKIWS_OUTBOX_STEP_SENT], 3);
    assert_int_equal(st.seen[PKIWS_OUTBOX_STEP_ACCEPTED], 2);
    assert_int_equal(st.seen[PKIWS_OUTBOX_STEP_SEARCHED], 2);
    assert_int_equal(st.seen[PKIWS_OUTBOX_STEP_DONE], 2);
    assert_int_equal(st.recursive_rc, PKIWS_E_RECURSIVE_API_CALL);
    assert_int_equal(pkiws_outbox_list(ob, 1, &n), PKIWS_OK);
    assert_int_equal(n, 3);
    assert_int_equal(item(ob, 0, PKIWS_OUTBOX_ITEM_STATE), PKIWS_OUTBOX_DONE);
    assert_int_equal(item(ob, 1, PKIWS_OUTBOX_ITEM_STATE), PKIWS_OUTBOX_DONE);
    assert_int_equal(item(ob, 1, PKIWS_OUTBOX_ITEM_SELECTOR), PKIWS_BY_SEAT);
    assert_int_equal(item(ob, 1, PKIWS_OUTBOX_ITEM_REASON), PKIWS_REASON_SUPERSEDED);
    assert_int_equal(item(ob, 2, PKIWS_OUTBOX_ITEM_STATE), PKIWS_OUTBOX_FAILED);
    assert_int_equal(item(ob, 2, PKIWS_OUTBOX_ITEM_SUCCESS_CODE), -1);
    assert_int_equal(item(ob, 2, PKIWS_OUTBOX_ITEM_LAST_CODE), PKIWS_E_REJECTED);
    assert_int_equal(item(ob, 2, PKIWS_OUTBOX_ITEM_ATTEMPTS), 1);
    assert_string_equal(pkiws_outbox_entry_str(ob, 2, PKIWS_OUTBOX_ITEM_TARGET), "BADC0FFEE");
    assert_non_null(
        strstr(pkiws_outbox_entry_str(ob, 2, PKIWS_OUTBOX_ITEM_LAST_ERROR), "BADC0FFEE"));
    expect_status(s2, "SUSPENDED");
    expect_status(s3, "REVOKED");

    /* resume s2: VALID again */
    assert_int_equal(
        pkiws_outbox_add(ob, PKIWS_OP_RESUME, PKIWS_BY_SERIAL, s2, PKIWS_REASON_NONE, &a),
        PKIWS_OK);
    assert_int_equal(pkiws_outbox_set_step_callback(ob, NULL, NULL), PKIWS_OK);
    assert_int_equal(pkiws_outbox_run(ob, 0, &pending), PKIWS_OK);
    assert_int_equal(pending, 0);
    expect_status(s2, "VALID");
    pkiws_outbox_free(ob);
}

static void test_reopen_keeps_entries(void **state)
{
    (void)state;
    SKIP_WITHOUT_OUTBOX();
    pkiws_outbox *ob = open_new();
    int64_t id = 0;
    assert_int_equal(pkiws_outbox_add(ob, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, "de:ad:be:ef",
                                      PKIWS_REASON_NONE, &id),
                     PKIWS_OK);
    assert_int_equal(id, 1);
    pkiws_outbox_free(ob);
    char path[300];
    snprintf(path, sizeof path, "%s/outbox%d.db", dbdir, db_count);
    assert_int_equal(pkiws_outbox_open(session, path, &ob), PKIWS_OK);
    size_t n = 0;
    assert_int_equal(pkiws_outbox_list(ob, 0, &n), PKIWS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(pkiws_outbox_entry_str(ob, 0, PKIWS_OUTBOX_ITEM_TARGET), "DEADBEEF");
    assert_int_equal(item(ob, 0, PKIWS_OUTBOX_ITEM_STATE), PKIWS_OUTBOX_QUEUED);
    pkiws_outbox_free(ob);
}

static void test_handles_and_arguments(void **state)
{
    (void)state;
    SKIP_WITHOUT_OUTBOX();
    pkiws_outbox *ob = open_new();
    int64_t id = 0, v = 0;
    size_t n = 0;
    int pending = 0;
    assert_int_equal(pkiws_outbox_add(ob, 9, PKIWS_BY_SERIAL, "01", -1, &id), PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_outbox_add(ob, PKIWS_OP_REVOKE, 7, "01", -1, &id), PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_outbox_add(ob, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, " ", -1, &id),
                     PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_outbox_add(ob, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, "12xz", -1, &id),
                     PKIWS_E_INVALID_ARG);
    assert_non_null(strstr(pkiws_last_error_message(), "'x'"));
    assert_int_equal(pkiws_outbox_add(ob, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, "01", 77, &id),
                     PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_outbox_add(ob, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, "01", -1, NULL),
                     PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_outbox_run(ob, -1, &pending), PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_outbox_list(ob, 2, &n), PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_outbox_list(ob, 0, &n), PKIWS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(pkiws_outbox_entry_int(ob, 0, PKIWS_OUTBOX_ITEM_ID, &v), PKIWS_E_INVALID_ARG);
    assert_null(pkiws_outbox_entry_str(ob, 0, PKIWS_OUTBOX_ITEM_TXID));
    assert_int_equal(pkiws_outbox_add(ob, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, "01", -1, &id),
                     PKIWS_OK);
    assert_int_equal(pkiws_outbox_list(ob, 0, &n), PKIWS_OK);
    assert_int_equal(pkiws_outbox_entry_int(ob, 0, PKIWS_OUTBOX_ITEM_TXID, &v),
                     PKIWS_E_UNKNOWN_OPTION);
    assert_null(pkiws_outbox_entry_str(ob, 0, PKIWS_OUTBOX_ITEM_ID));
    assert_string_equal(pkiws_outbox_state_name(PKIWS_OUTBOX_ACCEPTED), "accepted");
    assert_string_equal(pkiws_outbox_state_name(42), "unknown");
    pkiws_outbox_free(ob);
    /* freed: refused, not read */
    assert_int_equal(pkiws_outbox_pending_count(ob, &pending), PKIWS_E_INVALID_HANDLE);
    assert_int_equal(pkiws_outbox_run(ob, 0, &pending), PKIWS_E_INVALID_HANDLE);
    assert_int_equal(pkiws_outbox_add(ob, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, "01", -1, &id),
                     PKIWS_E_INVALID_HANDLE);
    pkiws_outbox_free(ob); /* a second free is a no-op */
    /* a session is not an outbox */
    assert_int_equal(pkiws_outbox_pending_count((pkiws_outbox *)session, &pending),
                     PKIWS_E_INVALID_HANDLE);
    assert_int_equal(pkiws_outbox_open(session, "", &ob), PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_outbox_open(session, "/nonexistent-dir/x/o.db", &ob), PKIWS_E_IO);
    assert_null(ob);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lost_answer_is_resent_with_the_same_txid),
        cmocka_unit_test(test_reopen_keeps_entries),
        cmocka_unit_test(test_handles_and_arguments),
    };
    sim_group_init(&the_sim, &session, faults);
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
